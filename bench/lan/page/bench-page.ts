// Runs in Chromium on its own origin, for the browser rows of `npm run bench:lan`: the protocol client with the
// browser's own fetch, XMLHttpRequest and RTCPeerConnection, reaching agents on another origin (real CORS
// preflights), sending files from the file input, kept in IndexedDB, as the app sends its stored releases: over HTTP
// the rest of the image in one request, or chunk by chunk where the app sends chunks (a speed limit, a device that
// refuses one request, WebRTC). The benchmark calls window.lanBench over DevTools (Runtime.evaluate); the page times
// its own transfers, first byte sent to the device's last acknowledgement.
import {
  authenticate,
  blobImage,
  bytesImage,
  canSendRest,
  type Credentials,
  expectOk,
  HttpTransport,
  type ImageSource,
  openDataChannel,
  PairingKeys,
  parseDeviceDocument,
  type PumpResult,
  pumpChunks,
  sendRest,
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
/** By file name: the file as IndexedDB keeps it, the image read from it, and, made on demand, its bytes in memory. */
const images = new Map<string, { stored: Blob; blob: ImageSource; bytes?: ImageSource }>();

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

/**
 * Takes the file of that name from the file input and keeps it in IndexedDB, as the library keeps a release's files;
 * the Blob read back is the image, as the app sends its stored releases (a File from the input would go on a path
 * of its own: Chromium sends a whole File with a path from disk itself, cheaper than a Blob). Returns its size.
 */
async function useImage(name: string, sha256: string): Promise<number> {
  const input = document.querySelector<HTMLInputElement>('input[type=file]')!;
  const file = [...(input.files ?? [])].find((f) => f.name === name);
  if (!file) throw new Error(`no file ${name} in the file input`);
  const stored = await storedCopy(name, file);
  images.set(name, { stored, blob: blobImage(stored, sha256) });
  return stored.size;
}

async function storedCopy(name: string, file: File): Promise<Blob> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('lan-bench', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('files');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const done = (tx: IDBTransaction) => new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error))));
    const write = db.transaction('files', 'readwrite');
    write.objectStore('files').put(file, name);
    await done(write);
    const read = db.transaction('files').objectStore('files').get(name);
    return await new Promise<Blob>((resolve, reject) => ((read.onsuccess = () => resolve(read.result as Blob)), (read.onerror = () => reject(read.error))));
  } finally {
    db.close();
  }
}

/** The image read from its stored Blob (as the app sends), or from a copy in memory (no reads timed). */
async function imageOf(name: string, from: 'file' | 'memory'): Promise<ImageSource> {
  const image = images.get(name);
  if (!image) throw new Error(`no image ${name}`);
  if (from === 'file') return image.blob;
  image.bytes ??= bytesImage(new Uint8Array(await image.stored.arrayBuffer()), image.blob.sha256);
  return image.bytes;
}

/** Lets go of the in-memory copies, so they do not count in the page's memory. */
function dropMemoryCopies(): void {
  for (const image of images.values()) delete image.bytes;
}

/**
 * How a transfer goes: `http` as the app sends over HTTP without a speed limit (the rest in one request), `chunks`
 * as it sends over HTTP with one (pipelined chunks, unpaced here), `webrtc` chunks over the data channel.
 */
export type SendMode = 'http' | 'chunks' | 'webrtc';

/** Sends the image to every agent at once, each from a fresh session at offset 0. */
async function send(urls: string[], name: string, mode: SendMode, from: 'file' | 'memory' = 'file'): Promise<SendFigures> {
  const image = await imageOf(name, from);
  const sessions = await Promise.all(urls.map((url) => freshSession(agent(url).http, image)));
  const started = performance.now();
  const each = await Promise.all(
    urls.map(async (url, i) => {
      const a = agent(url);
      const transport = mode === 'webrtc' ? a.channel : a.http;
      if (!transport) throw new Error(`no data channel to ${url}`);
      const session = sessions[i]!;
      let result: PumpResult;
      if (mode === 'http') {
        if (!canSendRest(transport, image)) throw new Error('this page cannot send the image in one request');
        // As the app: asking the device where it is every second while the request runs.
        result = await sendRest({ transport, image, session, onDevice: () => {} });
      } else {
        result = await pumpChunks({ transport, image, session, ...(mode === 'chunks' ? { maxInFlight: a.maxConnections - 1 } : {}) });
      }
      if (result.failure || result.offset !== image.size) throw new Error(`${url} stopped at ${result.offset}: ${result.failure?.message}`);
      return (performance.now() - started) / 1000;
    }),
  );
  return { seconds: (performance.now() - started) / 1000, each };
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

const lanBench = { connect, openChannel, closeChannel, useImage, send, dropMemoryCopies, bareOffer, bareSend };
export type LanBench = typeof lanBench;
(window as unknown as { lanBench: LanBench }).lanBench = lanBench;
document.title = 'lan bench ready';
