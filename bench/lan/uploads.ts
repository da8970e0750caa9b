// The uploads the LAN benchmark times: curl's single request, and the client's pipelined chunks over any transport.
// Each starts from a fresh session at offset 0 and checks the device acknowledged every byte.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { authenticate, type Credentials, HttpTransport, type ImageSource, PairingKeys, parseChunkAck, pumpChunks, sendRest, Throttle, type Transport } from '@fieldflash/protocol';
import { NodeHttpTransport } from '@fieldflash/protocol/node';
import { CLIENT_ID, freshSession } from './session.ts';

export interface Link {
  /** node:http, as `npm run push` uses. */
  http: NodeHttpTransport;
  /** Node's built-in fetch (undici), the transport the page uses with the browser's fetch. */
  fetch: HttpTransport;
  credentials: Credentials;
}

export async function connect(url: string, password: string): Promise<Link> {
  const http = new NodeHttpTransport({ url, clientId: CLIENT_ID });
  const credentials = await authenticate(http, new PairingKeys(password), CLIENT_ID);
  http.signer = credentials.signer;
  return { http, fetch: new HttpTransport({ url, clientId: CLIENT_ID, signer: credentials.signer }), credentials };
}

/** Seconds the client's pipelined transfer takes, first chunk to last acknowledgement. */
export async function clientSeconds(transport: Transport, image: ImageSource, throttleKiBps?: number): Promise<number> {
  const session = await freshSession(transport, image);
  const started = performance.now();
  const result = await pumpChunks({ transport, image, session, ...(throttleKiBps ? { throttle: new Throttle(throttleKiBps) } : {}) });
  const seconds = (performance.now() - started) / 1000;
  if (result.failure || result.offset !== image.size) throw new Error(`the client stopped at ${result.offset}: ${result.failure?.message}`);
  return seconds;
}

/** Seconds the client takes to send the whole image in one request (§4.6), as `npm run push` does without a speed limit. */
export async function oneRequestSeconds(transport: Transport, image: ImageSource): Promise<number> {
  const session = await freshSession(transport, image);
  const started = performance.now();
  const result = await sendRest({ transport, image, session });
  const seconds = (performance.now() - started) / 1000;
  if (result.failure || result.offset !== image.size) throw new Error(`the single request stopped at ${result.offset}: ${result.failure?.message}`);
  return seconds;
}

/** Seconds curl takes to PUT the whole file in one request (its own time_total), after the same offer. */
export async function curlSeconds(link: Link, url: string, file: string, image: Pick<ImageSource, 'sha256' | 'size'>): Promise<number> {
  await freshSession(link.http, image);
  const target = `/fieldflash/v1/updates/${image.sha256}?offset=0`;
  const authorization = await link.credentials.signer.authorization('PUT', target, '');
  const { stdout } = await promisify(execFile)('curl', [
    '-sS', '--fail-with-body', '-T', file, '-H', 'Expect:', '-H', 'Content-Type: application/octet-stream',
    '-H', `Authorization: ${authorization}`, '-H', `FieldFlash-Client: ${CLIENT_ID}`,
    '-w', '\n%{time_total}', `${url}${target}`,
  ]);
  const [body, total] = stdout.split('\n');
  const ack = parseChunkAck(JSON.parse(body!));
  if (ack.offset !== image.size) throw new Error(`curl's upload stopped at ${ack.offset}`);
  return Number(total);
}
