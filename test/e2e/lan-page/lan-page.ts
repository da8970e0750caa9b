// Runs in Chromium on its own origin: the protocol client, as the app will use it, updating an agent on another
// origin with the browser's own fetch and RTCPeerConnection. The test calls window.lanUpdate through page.evaluate.
import { blobImage, bytesImage, DeviceRefusal, updateDevice, type UpdatePhase } from '@fieldflash/protocol';

export interface PageUpdate {
  outcome?: string;
  slot?: string;
  sha256: string;
  phases: UpdatePhase[];
  refusal?: { code: string; message: string };
  /** Any other failure, in the client's words. */
  failure?: string;
}

export interface UpdateExtras {
  fetchInit?: Record<string, unknown>;
  /** Attempts in a row without progress (1 unless given). */
  attempts?: number;
  throttleKiBps?: number;
  /** Read the image from a Blob kept in IndexedDB, as the app reads its stored releases, instead of from memory. */
  fromBlob?: boolean;
}

/** The bytes as a Blob IndexedDB keeps (on disk, as the library's release files are). */
async function storedBlob(bytes: Uint8Array<ArrayBuffer>): Promise<Blob> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('lan-page', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('files');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    const write = db.transaction('files', 'readwrite');
    write.objectStore('files').put(new Blob([bytes]), 'image');
    await new Promise((resolve, reject) => ((write.oncomplete = resolve), (write.onerror = () => reject(write.error))));
    const read = db.transaction('files').objectStore('files').get('image');
    return await new Promise<Blob>((resolve, reject) => ((read.onsuccess = () => resolve(read.result as Blob)), (read.onerror = () => reject(read.error))));
  } finally {
    db.close();
  }
}

async function lanUpdate(url: string, password: string, transport: 'http' | 'webrtc', size: number, version: string, extras: UpdateExtras = {}): Promise<PageUpdate> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
  const sha256 = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const phases: UpdatePhase[] = [];
  try {
    const verdict = await updateDevice({
      url,
      password,
      clientId: 'chromium-page',
      transport,
      newPeerConnection: () => new RTCPeerConnection() as never,
      release: { version, chipFamily: 'ESP32', securityVersion: 1 },
      image: extras.fromBlob ? blobImage(await storedBlob(bytes), sha256) : bytesImage(bytes, sha256),
      onProgress: (p) => phases.at(-1) !== p.phase && phases.push(p.phase),
      attempts: extras.attempts ?? 1,
      backoffMs: { first: 10, max: 10 },
      ...(extras.fetchInit ? { fetchInit: extras.fetchInit } : {}),
      ...(extras.throttleKiBps ? { throttleKiBps: extras.throttleKiBps } : {}),
    });
    return { outcome: verdict.outcome, slot: verdict.slot, sha256, phases };
  } catch (err) {
    if (err instanceof DeviceRefusal) return { sha256, phases, refusal: { code: err.code, message: err.message } };
    return { sha256, phases, failure: err instanceof Error ? err.message : String(err) };
  }
}

(window as unknown as { lanUpdate: typeof lanUpdate }).lanUpdate = lanUpdate;
document.title = 'lan client ready';
