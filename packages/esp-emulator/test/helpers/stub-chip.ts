// A chip brought up in download mode with a (pretend) stub uploaded the way esptool does it.
import { expect } from 'vitest';
import { EspEmulator, type EspEmulatorOptions } from '../../src/index.ts';
import { checksumOf, hex, le32, RawHost } from './raw-host.ts';

export const STUB_TEXT_START = 0x400a8000;

export async function stubChip(
  name: 'esp32' | 'esp32s3' | 'esp32c3' = 'esp32',
  flashSize?: number,
  options: Partial<EspEmulatorOptions> = {},
): Promise<{ chip: EspEmulator; host: RawHost }> {
  const chip = new EspEmulator({ chip: name, wireTime: false, powerOnBoot: 'download', ...(flashSize ? { flashSize } : {}), ...options });
  const host = new RawHost(chip);
  chip.powerCycle();
  await host.until(() => host.text().includes('waiting for download\r\n'));
  host.clear();
  const code = Array.from({ length: 0x2000 }, (_, i) => (i * 31) & 0xff);
  await host.exchange(0x05, [...le32(code.length), ...le32(2), ...le32(0x1800), ...le32(STUB_TEXT_START)]);
  for (let seq = 0; seq < 2; seq++) {
    const block = code.slice(seq * 0x1800, (seq + 1) * 0x1800);
    const [reply] = await host.exchange(0x07, [...le32(block.length), ...le32(seq), ...le32(0), ...le32(0), ...block], checksumOf(block));
    expect(Array.from(reply!.subarray(8))).toEqual([0, 0, 0, 0]);
  }
  const [end, ohai] = await host.exchange(0x06, [...le32(0), ...le32(STUB_TEXT_START + 0x100)], 0, 2);
  expect(Array.from(end!.subarray(8))).toEqual([0, 0, 0, 0]);
  expect(hex(ohai!)).toBe('4f 48 41 49');
  expect(chip.state).toBe('stub');
  host.clear();
  return { chip, host };
}
