// What the flash end-to-end tests do as a person would: import zips through the library, connect, flash, save the flash.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import JSZip from 'jszip';
import { inspectEspImage } from '@fieldflash/bundle';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const FIXTURE = '../shared/fixtures/esp-web-tools-logibus-dualout';
export const FIXTURE_PARTS = [
  { path: 'firmware_esp-idf-v5.1/bootloader.bin', offset: 0x1000 },
  { path: 'firmware_esp-idf-v5.1/partition-table.bin', offset: 0x8000 },
  { path: 'firmware_esp-idf-v5.1/Application.bin', offset: 0x10000 },
];
export const RELEASE_NAME = /LOGIBUS DualOut ESP32 esp-idf-v5\.1/;
export const MB = 1024 * 1024;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** The real release folder, zipped as it would be published. */
export async function fixtureZip(): Promise<Buffer> {
  const zip = new JSZip();
  for (const path of await filesUnder(FIXTURE)) {
    if (path.endsWith('SOURCE.md')) continue;
    zip.file(relative(FIXTURE, path), await readFile(path));
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

export async function fixturePart(path: string): Promise<Buffer> {
  return readFile(join(FIXTURE, path));
}

/**
 * The fixture app with 64 bytes changed (XOR 0x5A) at each of `at` (moved into the nearest segment's data), its
 * image checksum and appended SHA-256 made right again: what a one-line fix and a rebuild leave.
 */
export async function changedFixtureApp(at: readonly number[]): Promise<Buffer> {
  const app = Buffer.from(await fixturePart('firmware_esp-idf-v5.1/Application.bin'));
  const info = inspectEspImage(app);
  for (const wanted of at) {
    const segment = info.segments.find((s) => wanted + 64 <= s.dataOffset + s.length) ?? info.segments[info.segments.length - 1]!;
    const start = Math.max(wanted, segment.dataOffset + 0x200); // clear of the app description at the start
    for (let i = start; i < start + 64; i++) app[i] = app[i]! ^ 0x5a;
  }
  let checksum = 0xef;
  for (const s of info.segments) for (let i = s.dataOffset; i < s.dataOffset + s.length; i++) checksum ^= app[i]!;
  const checksumAt = Math.max(...info.segments.map((s) => s.dataOffset + s.length)) | 15;
  app[checksumAt] = checksum;
  if (info.hashAppended) createHash('sha256').update(app.subarray(0, checksumAt + 1)).digest().copy(app, checksumAt + 1);
  return app;
}

/** The fixture release at another version, its app changed in a few places (changedFixtureApp). */
export async function changedFixtureZip(version: string, app: Buffer): Promise<Buffer> {
  const zip = new JSZip();
  for (const path of await filesUnder(FIXTURE)) {
    if (path.endsWith('SOURCE.md')) continue;
    const name = relative(FIXTURE, path);
    if (name === 'manifest.json') zip.file(name, JSON.stringify({ ...JSON.parse(await readFile(path, 'utf8')), version }));
    else if (name.endsWith('Application.bin')) zip.file(name, app);
    else zip.file(name, await readFile(path));
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** An ESP Web Tools release holding one data part (no image): handy to fill flash with a known pattern. */
export async function dataReleaseZip(options: { name: string; chipFamily: string; offset: number; size: number; fill: number }): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    'manifest.json',
    JSON.stringify({ name: options.name, version: '1.0.0', builds: [{ chipFamily: options.chipFamily, parts: [{ path: 'fill.bin', offset: options.offset }] }] }),
  );
  zip.file('fill.bin', Buffer.alloc(options.size, options.fill));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

export async function importThroughLibrary(page: Page, fileName: string, bytes: Buffer): Promise<void> {
  await page.getByRole('link', { name: 'Library', exact: true }).click();
  await page.getByLabel('Release zip or .bin files').setInputFiles({ name: fileName, mimeType: 'application/zip', buffer: bytes });
  await page.getByText(/Added .* to the library|already in the library/).first().waitFor({ timeout: 30_000 });
  const failure = page.getByText(/Could not import/);
  if (await failure.count()) throw new Error(`Import failed: ${await page.getByRole('alert').first().textContent()}`);
}

export async function openFlashView(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Flash', exact: true }).click();
  await page.getByRole('heading', { name: 'Flash over USB' }).waitFor();
}

/** `flashTime` (erase and write durations of a real flash chip) is off unless a test asks for it: it costs seconds. */
export async function connectSimulated(
  page: Page,
  options: { chip: string; flashSize: '4 MB' | '16 MB'; wireTime: boolean; flashTime?: boolean },
): Promise<void> {
  await page.getByLabel('Simulated chip').selectOption({ label: options.chip });
  await page.getByLabel('Simulated flash size').selectOption({ label: options.flashSize });
  await page.getByLabel('Simulate real serial speed').setChecked(options.wireTime);
  await page.getByLabel('Simulate real flash speed').setChecked(options.flashTime ?? false);
  await page.getByRole('button', { name: 'Connect simulated ESP32' }).click();
  await page.getByRole('heading', { name: `Simulated ${options.chip} connected` }).waitFor({ timeout: 60_000 });
}

export async function disconnect(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('button', { name: 'Connect simulated ESP32' }).waitFor();
}

/** Chooses the release and options, presses Flash (confirming an erase) and returns the result's text. */
export async function flash(page: Page, options: { release: RegExp; erase: 'erase-all' | 'keep-data'; baud: number }): Promise<string> {
  await page.getByRole('radio', { name: options.release }).check();
  await page.getByRole('radio', { name: options.erase === 'erase-all' ? /Erase everything/ : /Keep data/ }).check();
  await page.getByLabel('Flashing baud rate').selectOption(String(options.baud));
  await page.getByRole('button', { name: 'Flash', exact: true }).click();
  if (options.erase === 'erase-all') {
    const dialog = page.getByRole('alertdialog');
    await expect(dialog.textContent()).resolves.toMatch(/Erase everything on the simulated/);
    await dialog.getByRole('button', { name: 'Erase and flash' }).click();
  }
  const result = page.getByRole('status', { name: 'Flash result' });
  const problem = page.getByRole('alert');
  await Promise.race([result.waitFor({ timeout: 110_000 }), problem.waitFor({ timeout: 110_000 })]);
  if (await problem.isVisible()) throw new Error(`Flashing failed: ${await problem.textContent()}`);
  return (await result.textContent()) ?? '';
}

/** Unfolds a folded-away panel ("Simulated device tools", "Flash log") the way a person clicks its summary. */
export async function unfold(page: Page, title: 'Simulated device tools' | 'Flash log'): Promise<void> {
  const details = page.locator('details', { has: page.getByRole('heading', { name: title }) });
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
}

export async function flashLogText(page: Page): Promise<string> {
  await unfold(page, 'Flash log');
  return (await page.getByRole('log', { name: 'Flash log' }).textContent()) ?? '';
}

/** Waits for the boot verdict after a flash (or a reset) and returns its outcome and words. */
export async function bootVerdict(page: Page): Promise<{ outcome: string; text: string }> {
  const verdict = page.locator('[role="status"][aria-label="Boot result"]:not([data-outcome="watching"])');
  await verdict.waitFor({ timeout: 30_000 });
  return { outcome: (await verdict.getAttribute('data-outcome')) ?? '', text: (await verdict.textContent()) ?? '' };
}

/** The boot fault the simulated board will show from its next start ('' = runs normally, 'silent' = prints nothing). */
export async function setBootFault(page: Page, fault: '' | 'panic' | 'abort' | 'brownout' | 'boot-loop' | 'silent'): Promise<void> {
  await unfold(page, 'Simulated device tools');
  await page.getByLabel('Boot fault').selectOption(fault);
}

/** "Save flash image" in the Simulated device panel: the real download, read back. */
export async function savedFlashImage(page: Page): Promise<Buffer> {
  await unfold(page, 'Simulated device tools');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save flash image' }).click()]);
  const path = await download.path();
  return readFile(path);
}

/** Each part of the real release at its offset, byte for byte. */
export async function expectFixtureParts(image: Buffer): Promise<void> {
  for (const part of FIXTURE_PARTS) {
    const bytes = await fixturePart(part.path);
    const onFlash = image.subarray(part.offset, part.offset + bytes.length);
    expect(onFlash.equals(bytes), `${part.path} at 0x${part.offset.toString(16)}`).toBe(true);
  }
}

export function isErased(image: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (image[i] !== 0xff) return false;
  return true;
}
