// An ESP-IDF build output without flasher_args.json, zipped as idf.py leaves it, installed on a blank simulated
// chip: every part lands at the offset its own bytes call for, and the board boots the app.
import JSZip from 'jszip';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { bootVerdict, connectSimulated, fixturePart, flash, importThroughLibrary, isErased, MB, openFlashView, savedFlashImage } from './flash.support.ts';
import { allowUnsigned } from './trust.support.ts';

const PARTS = [
  { from: 'firmware_esp-idf-v5.1/bootloader.bin', as: 'build/bootloader/bootloader.bin', offset: 0x1000 },
  { from: 'firmware_esp-idf-v5.1/partition-table.bin', as: 'build/partition_table/partition-table.bin', offset: 0x8000 },
  { from: 'firmware_esp-idf-v5.1/Application.bin', as: 'build/Application.bin', offset: 0x10000 },
];

let app: AppSession;
beforeAll(async () => {
  app = await openApp('/');
  await allowUnsigned(app.page, 'Application');
  const zip = new JSZip();
  for (const part of PARTS) zip.file(part.as, await fixturePart(part.from));
  await importThroughLibrary(app.page, 'application-build.zip', await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  await openFlashView(app.page);
});
afterAll(async () => app?.close());

test('an IDF build output without flasher_args boots on a blank chip, each part at its offset', async () => {
  const { page } = app;
  await connectSimulated(page, { chip: 'ESP32', flashSize: '16 MB', wireTime: false });
  // The only release in the library, and it fits: chosen already.
  const chosen = page.getByRole('radio', { name: /^Application / });
  expect(await chosen.isChecked()).toBe(true);
  expect(await page.locator('.flash-release', { has: chosen }).textContent()).toMatch(/ESP32, 3 parts · app Application v0\.8-7-g333c02c-dirty/);

  const result = await flash(page, { release: /^Application /, erase: 'erase-all', baud: 921600 });
  expect(result).toMatch(/bootloader\.bin at 0x01000: .* written, MD5 verified/);
  expect(result).toMatch(/partition-table\.bin at 0x08000: .* written, MD5 verified/);
  expect(result).toMatch(/Application\.bin at 0x10000: .* written, MD5 verified/);

  const image = await savedFlashImage(page);
  let end = 0;
  for (const part of PARTS) {
    const bytes = await fixturePart(part.from);
    expect(image.subarray(part.offset, part.offset + bytes.length).equals(bytes), `${part.as} at 0x${part.offset.toString(16)}`).toBe(true);
    expect(isErased(image, end, part.offset), `erased before 0x${part.offset.toString(16)}`).toBe(true);
    end = part.offset + bytes.length;
  }
  expect(isErased(image, end, 16 * MB)).toBe(true);

  expect(await bootVerdict(page)).toEqual({
    outcome: 'booted',
    text: 'Booted: Application v0.8-7-g333c02c-dirty is running.The board started the app that was written.',
  });
});
