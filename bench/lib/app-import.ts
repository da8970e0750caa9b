// Imports a zip through FieldFlash's own library view in Debian Chromium (the real file input, the real
// store) while sampling the page's JavaScript memory over CDP.
import type { Browser, CDPSession, Page } from 'playwright-core';
import { watchImportOutcome } from './import-outcome.ts';

export interface AppImportFigures {
  /** Whole import as the page measured it (User Timing): read and verify, then store. */
  importSeconds: number;
  readSeconds: number;
  saveSeconds: number;
  /** Highest V8 heap in use, plus ArrayBuffer backing stores, seen during the import. */
  peakHeapBytes: number;
  peakHeapOnlyBytes: number;
  heapBeforeBytes: number;
  /** Heap samples that arrived while the import ran: with too few, the peak may have been missed. */
  samples: number;
}

interface HeapUsage {
  usedSize: number;
  totalSize: number;
  backingStorageSize?: number;
}

interface HeapSample {
  /** When the answer arrived (epoch ms). */
  at: number;
  total: number;
  heapOnly: number;
}

/** Samples Runtime.getHeapUsage back to back until stopped; V8 answers between tasks and on interrupts. */
function sampleHeap(cdp: CDPSession): { stop: () => Promise<HeapSample[]> } {
  let running = true;
  const samples: HeapSample[] = [];
  const loop = (async () => {
    while (running) {
      const usage = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
      samples.push({ at: Date.now(), total: usage.usedSize + (usage.backingStorageSize ?? 0), heapOnly: usage.usedSize });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

async function importOnce(page: Page, cdp: CDPSession, zipPath: string): Promise<AppImportFigures> {
  // No forced garbage collection here: a memory-reducing GC discards compiled code, and the first import would
  // then measure V8 recompiling the reader, which no technician's browser does.
  await page.evaluate(() => performance.clearMeasures());
  const outcome = await watchImportOutcome(page, 600_000);
  const before = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
  const sampler = sampleHeap(cdp);
  // The same file input the "Choose release files…" button opens; Chromium reads the zip from disk.
  await page.getByLabel('Release zip or .bin files').setInputFiles(zipPath);
  const settled = await outcome();
  const heap = await sampler.stop();
  if (!settled.added) throw new Error(`the import failed: ${settled.failure}`);
  const measures = await page.evaluate(() =>
    Object.fromEntries(performance.getEntriesByType('measure').filter((m) => m.name.startsWith('fieldflash:import')).map((m) => [m.name, m.duration / 1000])),
  );
  const [startsAt, endsAt] = await page.evaluate(() => {
    const m = performance.getEntriesByName('fieldflash:import', 'measure').at(-1)!;
    return [performance.timeOrigin + m.startTime, performance.timeOrigin + m.startTime + m.duration];
  });
  return {
    importSeconds: measures['fieldflash:import']!,
    readSeconds: measures['fieldflash:import:read']!,
    saveSeconds: measures['fieldflash:import:save']!,
    peakHeapBytes: Math.max(...heap.map((h) => h.total)),
    peakHeapOnlyBytes: Math.max(...heap.map((h) => h.heapOnly)),
    heapBeforeBytes: before.usedSize + (before.backingStorageSize ?? 0),
    samples: heap.filter((h) => h.at >= startsAt && h.at <= endsAt).length,
  };
}

/**
 * In a fresh browser profile: the first import a technician makes after opening FieldFlash, then, after
 * deleting it, the same import again in the same page (code compiled and warm).
 */
export async function importThroughApp(browser: Browser, appUrl: string, zipPath: string): Promise<{ first: AppImportFigures; again: AppImportFigures }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(appUrl);
    // Let the service worker finish precaching first, so it does not compete with the import.
    await page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
    await page.getByText('No releases on this device yet').waitFor();
    await page.waitForTimeout(500); // an idle moment, as a person takes before picking a file
    const cdp = await context.newCDPSession(page);
    const first = await importOnce(page, cdp, zipPath);
    const row = page.getByRole('grid', { name: 'Releases' }).getByRole('rowgroup').nth(1).getByRole('row').first();
    const name = (await row.getAttribute('aria-label')) ?? '';
    await row.getByRole('button', { name: `Delete ${name}` }).click();
    await page.getByRole('alertdialog', { name: `Confirm deleting ${name}` }).getByRole('button', { name: 'Delete release' }).click();
    await page.getByText('No releases on this device yet').waitFor();
    const again = await importOnce(page, cdp, zipPath);
    await cdp.detach();
    return { first, again };
  } finally {
    await context.close();
  }
}
