// How close the emulated line gets to the wire limit (baud / 10 bytes a second) with wire time on.
// Run: npx tsx bench/emulator/wire-throughput.ts   (prints ratios; the limit is the baseline)
import { readFileSync } from 'node:fs';
import { ESPLoader, Transport, type IEspLoaderTerminal } from 'esptool-js';
import { EmulatedSerialPort, EspEmulator } from '../../packages/esp-emulator/src/index.ts';
import { chipToHost, hostToChip } from './line-measure.ts';

const MiB = 1024 * 1024;
const quiet: IEspLoaderTerminal = { clean: () => undefined, writeLine: () => undefined, write: () => undefined };

async function esptoolWrite(baud: number, app: Uint8Array): Promise<{ seconds: number; wireBytes: number }> {
  // Flash time off: this measures the line; bench:flash sets writes against the flash limit too.
  const chip = new EspEmulator({ chip: 'esp32', wireTime: true, flashTime: false, flashSize: 16 * MiB });
  const port = new EmulatedSerialPort(chip);
  const transport = new Transport(port);
  const loader = new ESPLoader({ transport, baudrate: baud, terminal: quiet });
  await loader.main();
  const before = chip.stats.bytesToChip;
  const t0 = performance.now();
  await loader.writeFlash({ fileArray: [{ data: app, address: 0x10000 }], flashMode: 'keep', flashFreq: 'keep', flashSize: 'keep', eraseAll: false, compress: true });
  const seconds = (performance.now() - t0) / 1000;
  await transport.disconnect();
  chip.dispose();
  return { seconds, wireBytes: chip.stats.bytesToChip - before };
}

const app = new Uint8Array(readFileSync(new URL('../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/Application.bin', import.meta.url)));
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
for (const baud of [921600, 2000000]) {
  const limit = baud / 10;
  const up = await hostToChip(baud, 2 * MiB);
  const down = await chipToHost(baud, 2 * MiB);
  const write = await esptoolWrite(baud, app);
  console.log(`${baud} baud: wire limit ${(limit / 1024).toFixed(1)} KiB/s`);
  console.log(`  host -> chip raw    ${(up / 1024).toFixed(1)} KiB/s = ${pct(up / limit)} of the limit`);
  console.log(`  chip -> host raw    ${(down / 1024).toFixed(1)} KiB/s = ${pct(down / limit)} of the limit`);
  console.log(`  esptool-js write of Application.bin: ${write.seconds.toFixed(2)} s, ${(write.wireBytes / 1024).toFixed(0)} KiB on the wire = ${pct(write.wireBytes / write.seconds / limit)} of the limit`);
}
