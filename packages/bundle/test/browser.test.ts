// The package in real Chromium: the same zip gives the same release (same id) as in Node, through the
// browser's own DecompressionStream, Blob reads and WebCrypto; damage is refused there too, and a read gives back
// the memory it read into.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import JSZip from 'jszip';
import { build } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../../test/e2e/browser.ts';
import { pseudoRandomBytes, readBundle } from '../src/index.ts';
import { bundleErrorOf, fixtureFiles, flip, zipFiles } from './helpers.ts';

let browser: Browser;
let page: Page;
let zip: Uint8Array;
let damaged: Uint8Array;
let large: Uint8Array;

beforeAll(async () => {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry: new URL('../src/index.ts', import.meta.url).pathname, formats: ['iife'], name: 'FieldFlashBundle' } },
  });
  const first = (Array.isArray(output) ? output[0] : output) as { output: Array<{ type: string; code?: string }> };
  const script = first.output.find((o) => o.type === 'chunk')!.code!;
  zip = new Uint8Array(await (await zipFiles(fixtureFiles())).arrayBuffer());
  damaged = zip.slice();
  flip(damaged, damaged.length >> 1, 0x5a);
  // The fixture (deflated) with a filesystem image kept uncompressed beside it: both ways of reading an entry.
  const withImage = new JSZip();
  for (const f of fixtureFiles()) withImage.file(f.path, f.data, { compression: 'DEFLATE' });
  withImage.file('spiffs.bin', pseudoRandomBytes(6 * 1024 * 1024, 7), { compression: 'STORE' });
  large = await withImage.generateAsync({ type: 'uint8array' });
  browser = await launchBrowser();
  page = await browser.newPage();
  // localhost is a secure context, so WebCrypto is available as on the deployed app.
  await page.route('http://localhost:4999/**', (route) => {
    const url = route.request().url();
    if (url.endsWith('/bundle.js')) return route.fulfill({ body: script, contentType: 'text/javascript' });
    if (url.endsWith('/release.zip')) return route.fulfill({ body: Buffer.from(zip), contentType: 'application/zip' });
    if (url.endsWith('/damaged.zip')) return route.fulfill({ body: Buffer.from(damaged), contentType: 'application/zip' });
    if (url.endsWith('/large.zip')) return route.fulfill({ body: Buffer.from(large), contentType: 'application/zip' });
    return route.fulfill({ body: '<!doctype html><title>bundle</title><script src="/bundle.js"></script>', contentType: 'text/html' });
  });
  await page.goto('http://localhost:4999/');
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('readBundle in Chromium', () => {
  it('reads the real fixture zip to the same release as Node does', async () => {
    const [inNode] = await readBundle({ name: 'release.zip', data: new Blob([zip as BlobPart]) });
    const inBrowser = await page.evaluate(`(async () => {
      const blob = await (await fetch('/release.zip')).blob();
      const [r] = await FieldFlashBundle.readBundle({ name: 'release.zip', data: blob });
      const app = r.files.find((f) => f.role === 'app');
      const bytes = new Uint8Array(await app.data.arrayBuffer());
      const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
      return { id: r.id, version: r.version, chip: r.builds[0].target.chipFamily, project: app.image.app.projectName, sha256: app.sha256, digest, hashValid: app.image.appendedHashValid };
    })()`);
    expect(inBrowser).toEqual({
      id: inNode!.id,
      version: '0.100.0',
      chip: 'ESP32',
      project: 'Application',
      sha256: inNode!.files.find((f) => f.role === 'app')!.sha256,
      digest: inNode!.files.find((f) => f.role === 'app')!.sha256,
      hashValid: true,
    });
  });

  it('refuses a damaged zip with the same error as Node', async () => {
    const inNode = await bundleErrorOf(readBundle({ name: 'release.zip', data: new Blob([damaged as BlobPart]) }));
    const result = await page.evaluate(`(async () => {
      const blob = await (await fetch('/damaged.zip')).blob();
      try {
        await FieldFlashBundle.readBundle({ name: 'release.zip', data: blob });
        return 'accepted';
      } catch (err) {
        return { name: err.name, code: err.code, file: err.file, hint: err.hint.length > 0 };
      }
    })()`);
    expect(result).toEqual({ name: 'BundleError', code: inNode.code, file: 'firmware_esp-idf-v5.1/Application.bin', hint: true });
    expect(['crc-mismatch', 'corrupt-zip', 'size-mismatch']).toContain(inNode.code);
  });

  it('gives back every buffer it read the zip into, without waiting for the garbage collector', async () => {
    // About 16 MiB pass through buffers here (the zip read a piece at a time, inflated chunks, the buffer each entry
    // is unpacked into); left to the collector they would still be allocated when the next import starts.
    const cdp = await page.context().newCDPSession(page);
    const arrayBuffers = async () => ((await cdp.send('Runtime.getHeapUsage')) as { backingStorageSize: number }).backingStorageSize;
    await page.evaluate(`(async () => { window.zip = await (await fetch('/large.zip')).blob(); })()`);
    await cdp.send('HeapProfiler.collectGarbage');
    const before = await arrayBuffers();
    const files = await page.evaluate(`(async () => {
      window.releases = await FieldFlashBundle.readBundle({ name: 'large.zip', data: window.zip });
      return window.releases[0].files.map((f) => f.path + ' ' + f.size);
    })()`);
    const after = await arrayBuffers();
    expect(files).toContain(`spiffs.bin ${6 * 1024 * 1024}`);
    expect(files).toContain('firmware_esp-idf-v5.1/Application.bin 2049184');
    expect(after - before).toBeLessThan(256 * 1024);
    await cdp.detach();
  });
});
