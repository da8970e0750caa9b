// Runs in Chromium on its own origin, for the browser rows of `npm run bench:lan`: the protocol client with the
// browser's own fetch and RTCPeerConnection, reaching agents on another origin (real CORS preflights), sending Files
// from the file input chunk by chunk as the app sends its stored releases (Blobs). The benchmark calls
// window.lanBench over DevTools (Runtime.evaluate); the page times its own transfers, first chunk to last ack.
import {
  API_BASE,
  authenticate,
  blobImage,
  bytesImage,
  type Credentials,
  expectOk,
  HttpTransport,
  type ImageSource,
  openDataChannel,
  PairingKeys,
  parseDeviceDocument,
  pumpChunks,
  type Transport,
} from '@fieldflash/protocol';
import { CLIENT_ID, freshSession } from '../session.ts';

interface Agent {
  http: HttpTransport;
  credentials: Credentials;
  /** The device's maxConnections: over HTTP one connection stays free for control requests, as the app does. */
  maxConnections: number;
  channel?: Transport;
}

export interface SendFigures {
  /** First chunk to the last agent's last acknowledgement. */
  seconds: number;
  /** The same for each agent, in the order given. */
  each: number[];
}

const agents = new Map<string, Agent>();
/** By file name: the File as the app's Blobs are read, and, made on demand, its bytes read whole into memory. */
const images = new Map<string, { file: File; blob: ImageSource; bytes?: ImageSource }>();

function agent(url: string): Agent {
  const found = agents.get(url);
  if (!found) throw new Error(`not connected to ${url}`);
  return found;
}

/** Reads the device document and logs in (again: a login lasts minutes, a row is started with a fresh one). */
async function connect(url: string, password: string): Promise<void> {
  const http = new HttpTransport({ url, clientId: CLIENT_ID });
  const device = expectOk(await http.request('GET', '/device'), parseDeviceDocument, 'the device document');
  http.limitConnections(device.maxConnections);
  const credentials = await authenticate(http, new PairingKeys(password), CLIENT_ID);
  http.signer = credentials.signer;
  agents.get(url)?.channel?.close();
  agents.set(url, { http, credentials, maxConnections: device.maxConnections });
}

async function openChannel(url: string): Promise<void> {
  const a = agent(url);
  a.channel?.close();
  a.channel = await openDataChannel(a.http, a.credentials, () => new RTCPeerConnection() as never);
}

function closeChannel(url: string): void {
  agent(url).channel?.close();
  delete agent(url).channel;
}

/** Takes the file of that name from the file input as an image; returns its size. */
function useImage(name: string, sha256: string): number {
  const input = document.querySelector<HTMLInputElement>('input[type=file]')!;
  const file = [...(input.files ?? [])].find((f) => f.name === name);
  if (!file) throw new Error(`no file ${name} in the file input`);
  images.set(name, { file, blob: blobImage(file, sha256) });
  return file.size;
}

/** The image read from its File a chunk at a time (as the app sends), or from a copy in memory (no reads timed). */
async function imageOf(name: string, from: 'file' | 'memory'): Promise<ImageSource> {
  const image = images.get(name);
  if (!image) throw new Error(`no image ${name}`);
  if (from === 'file') return image.blob;
  image.bytes ??= bytesImage(new Uint8Array(await image.file.arrayBuffer()), image.blob.sha256);
  return image.bytes;
}

/** Lets go of the in-memory copies, so they do not count in the page's memory. */
function dropMemoryCopies(): void {
  for (const image of images.values()) delete image.bytes;
}

/** Sends the image to every agent at once, each from a fresh session at offset 0. */
async function send(urls: string[], name: string, over: 'http' | 'webrtc', from: 'file' | 'memory' = 'file'): Promise<SendFigures> {
  const image = await imageOf(name, from);
  const sessions = await Promise.all(urls.map((url) => freshSession(agent(url).http, image)));
  const started = performance.now();
  const each = await Promise.all(
    urls.map(async (url, i) => {
      const a = agent(url);
      const transport = over === 'webrtc' ? a.channel : a.http;
      if (!transport) throw new Error(`no data channel to ${url}`);
      const result = await pumpChunks({ transport, image, session: sessions[i]!, ...(over === 'http' ? { maxInFlight: a.maxConnections - 1 } : {}) });
      if (result.failure || result.offset !== image.size) throw new Error(`${url} stopped at ${result.offset}: ${result.failure?.message}`);
      return (performance.now() - started) / 1000;
    }),
  );
  return { seconds: (performance.now() - started) / 1000, each };
}

/**
 * The whole File in one signed PUT without chunk digests (docs/protocol.md §4.6), as curl sends it: what the browser's
 * HTTP stack does with one request, the limit of any chunked upload from the page. Seconds to the device's reply.
 */
async function onePut(url: string, name: string): Promise<number> {
  const image = images.get(name);
  if (!image) throw new Error(`no image ${name}`);
  const a = agent(url);
  await freshSession(a.http, image.blob);
  const target = `${API_BASE}/updates/${image.blob.sha256}?offset=0`;
  const headers = { 'Content-Type': 'application/octet-stream', 'FieldFlash-Client': CLIENT_ID, Authorization: await a.credentials.signer.authorization('PUT', target, '') };
  const started = performance.now();
  const reply = await fetch(new URL(target, url), { method: 'PUT', body: image.file, headers });
  const ack = (await reply.json()) as { offset?: number };
  if (ack.offset !== image.file.size) throw new Error(`the one PUT stopped at ${ack.offset} (${reply.status})`);
  return (performance.now() - started) / 1000;
}

let bare: { pc: RTCPeerConnection; channel: RTCDataChannel } | undefined;

/** A bare data channel's offer, no FieldFlash code: candidates gathered, for the benchmark to hand to its peer. */
async function bareOffer(): Promise<string> {
  const pc = new RTCPeerConnection();
  const channel = pc.createDataChannel('bare');
  channel.binaryType = 'arraybuffer';
  await pc.setLocalDescription(await pc.createOffer());
  while (pc.iceGatheringState !== 'complete') await new Promise((resolve) => setTimeout(resolve, 20));
  bare = { pc, channel };
  return pc.localDescription!.sdp;
}

/**
 * Sends `total` bytes in messages of `messageSize` on the bare channel, waiting above `highWater` buffered, twice:
 * the first round untimed, as the client's channel has carried transfers before the timed ones.
 */
async function bareSend(answer: string, total: number, messageSize: number, highWater: number): Promise<number> {
  const { pc, channel } = bare!;
  try {
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    if (channel.readyState !== 'open') await new Promise((resolve) => channel.addEventListener('open', resolve, { once: true }));
    channel.bufferedAmountLowThreshold = highWater / 2;
    const message = new Uint8Array(messageSize);
    const round = async () => {
      const done = new Promise((resolve) => channel.addEventListener('message', resolve, { once: true }));
      const started = performance.now();
      for (let sent = 0; sent < total; sent += messageSize) {
        if (channel.bufferedAmount > highWater) await new Promise((resolve) => channel.addEventListener('bufferedamountlow', resolve, { once: true }));
        channel.send(message);
      }
      await done;
      return (performance.now() - started) / 1000;
    };
    await round();
    return await round();
  } finally {
    pc.close();
    bare = undefined;
  }
}

const lanBench = { connect, openChannel, closeChannel, useImage, send, dropMemoryCopies, onePut, bareOffer, bareSend };
export type LanBench = typeof lanBench;
(window as unknown as { lanBench: LanBench }).lanBench = lanBench;
document.title = 'lan bench ready';
