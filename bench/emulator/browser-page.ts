// The same raw-line measurement inside Chromium, where nested timers are clamped to 4 ms.
import { chipToHost, hostToChip } from './line-measure.ts';

(globalThis as { measureLine?: unknown }).measureLine = async (baud: number, bytes: number) => ({
  up: await hostToChip(baud, bytes),
  down: await chipToHost(baud, bytes),
});
