// Runs in Chromium on its own origin: the protocol client, as the app will use it, updating an agent on another
// origin with the browser's own fetch and RTCPeerConnection. The test calls window.lanUpdate through page.evaluate.
import { bytesImage, DeviceRefusal, updateDevice, type UpdatePhase } from '@fieldflash/protocol';

export interface PageUpdate {
  outcome?: string;
  slot?: string;
  sha256: string;
  phases: UpdatePhase[];
  refusal?: { code: string; message: string };
  /** Any other failure, in the client's words. */
  failure?: string;
}

async function lanUpdate(
  url: string, password: string, transport: 'http' | 'webrtc', size: number, version: string, fetchInit?: Record<string, unknown>, attempts = 1,
): Promise<PageUpdate> {
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
      image: bytesImage(bytes, sha256),
      onProgress: (p) => phases.at(-1) !== p.phase && phases.push(p.phase),
      attempts,
      backoffMs: { first: 10, max: 10 },
      ...(fetchInit ? { fetchInit } : {}),
    });
    return { outcome: verdict.outcome, slot: verdict.slot, sha256, phases };
  } catch (err) {
    if (err instanceof DeviceRefusal) return { sha256, phases, refusal: { code: err.code, message: err.message } };
    return { sha256, phases, failure: err instanceof Error ? err.message : String(err) };
  }
}

(window as unknown as { lanUpdate: typeof lanUpdate }).lanUpdate = lanUpdate;
document.title = 'lan client ready';
