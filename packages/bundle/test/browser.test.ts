// The package in real Chromium: the same zip gives the same release (same id) as in Node, through the
// browser's own DecompressionStream, Blob streams and WebCrypto; damage is refused there too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../../test/e2e/browser.ts';
import { readBundle } from '../src/index.ts';
import { bundleErrorOf, fixtureFiles, flip, zipFiles } from './helpers.ts';

let browser: Browser;
let page: Page;
let zip: Uint8Array;
let damaged: Uint8Array;

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
  browser = await launchBrowser();
  page = await browser.newPage();
  // localhost is a secure context, so WebCrypto is available as on the deployed app.
  await page.route('http://localhost:4999/**', (route) => {
    const url = route.request().url();
    if (url.endsWith('/bundle.js')) return route.fulfill({ body: script, contentType: 'text/javascript' });
    if (url.endsWith('/release.zip')) return route.fulfill({ body: Buffer.from(zip), contentType: 'application/zip' });
    if (url.endsWith('/damaged.zip')) return route.fulfill({ body: Buffer.from(damaged), contentType: 'application/zip' });
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
});
