// Imports a shelf of small releases one after another through FieldFlash's library view, and reads back what
// the page measured for each: the import itself (read, verify, store) and the time until the release is on
// screen in the list (the list updated and painted). Right after each, the same release goes into a
// second library kept empty, in another profile of the same browser: the baseline at that moment, for that release.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { watchImportOutcome } from './import-outcome.ts';
import { jsMemoryAfterGc, type JsMemory } from './js-memory.ts';

export interface ImportFigures {
  /** Read, verify and store, as the page measured it (User Timing `fieldflash:import`). */
  importMs: number;
  /** Its two parts: unzip, verify and inspect; then the IndexedDB transaction. */
  readMs: number;
  saveMs: number;
  /** From the import's start to the frame that shows the new release in the list. */
  onScreenMs: number;
}

export interface ShelfImportFigures extends ImportFigures {
  /** How many releases the growing library held before this import. */
  before: number;
  /** The same release imported into an empty library just after. */
  empty: ImportFigures;
}

export interface ShelfZip {
  name: string;
  product: string;
  version: string;
  zip: Buffer;
}

async function openLibrary(browser: Browser, appUrl: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(appUrl);
  await page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
  await page.getByText('No releases on this device yet').waitFor();
  return { context, page };
}

/** Imports through the file input and waits for the release's row; `rows` is how many the list then shows. */
async function importOne(page: Page, release: ShelfZip, rows: number): Promise<ImportFigures> {
  await page.evaluate(() => performance.clearMeasures('fieldflash:library:list'));
  const input = page.getByLabel('Release zip or .bin files');
  await input.waitFor({ state: 'attached' });
  const outcome = await watchImportOutcome(page, 60_000);
  await input.setInputFiles({ name: release.name, mimeType: 'application/zip', buffer: release.zip });
  const settled = await outcome();
  if (!settled.added) throw new Error(`the import of ${release.name} failed: ${settled.failure}`);
  const expected = `Added ${release.product} ${release.version} to the library.`;
  if (!settled.status.startsWith(expected)) throw new Error(`the import of ${release.name} ended on "${settled.status}", not "${expected}"`);
  // The list measures itself one frame after it renders.
  await page.waitForFunction(
    (n) => performance.getEntriesByName('fieldflash:library:list', 'measure').some((m) => (m as PerformanceMeasure).detail?.rows === n),
    rows,
  );
  const figures = await page.evaluate((rows) => {
    // No named functions in here: the page runs this text as it is.
    const [imported, read, save] = ['fieldflash:import', 'fieldflash:import:read', 'fieldflash:import:save'].map((name) =>
      performance.getEntriesByName(name, 'measure').at(-1),
    );
    if (!imported || !read || !save) throw new Error('the page measured no import');
    const shown = performance
      .getEntriesByName('fieldflash:library:list', 'measure')
      .find((m) => m.startTime >= imported.startTime && (m as PerformanceMeasure).detail?.rows === rows);
    if (!shown) throw new Error(`the page measured no list of ${rows} releases after the import`);
    return { importMs: imported.duration, readMs: read.duration, saveMs: save.duration, onScreenMs: shown.startTime + shown.duration - imported.startTime };
  }, rows);
  return figures;
}

async function deleteOnly(page: Page, release: ShelfZip): Promise<void> {
  const name = `${release.product} ${release.version}`;
  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await page.getByRole('alertdialog', { name: `Confirm deleting ${name}` }).getByRole('button', { name: 'Delete release' }).click();
  await page.getByText('No releases on this device yet').waitFor();
}

/** JS memory after garbage collection, after the first import and after the last, in each library. */
export interface ShelfMemory {
  growing: { first: JsMemory; last: JsMemory };
  /** Measured once the release is deleted again: what the import left behind. */
  keptEmpty: { first: JsMemory; last: JsMemory };
}

export async function importShelfOneByOne(
  browser: Browser,
  appUrl: string,
  shelf: readonly ShelfZip[],
): Promise<{ imports: ShelfImportFigures[]; memory: ShelfMemory }> {
  const growing = await openLibrary(browser, appUrl);
  const empty = await openLibrary(browser, appUrl);
  try {
    const growingCdp = await growing.context.newCDPSession(growing.page);
    const emptyCdp = await empty.context.newCDPSession(empty.page);
    const imports: ShelfImportFigures[] = [];
    const memory: Partial<Record<'growingFirst' | 'growingLast' | 'emptyFirst' | 'emptyLast', JsMemory>> = {};
    for (const [before, release] of shelf.entries()) {
      const figures = await importOne(growing.page, release, before + 1);
      const baseline = await importOne(empty.page, release, 1);
      await deleteOnly(empty.page, release);
      imports.push({ before, ...figures, empty: baseline });
      // Only after the first import and the last: a forced collection throws away compiled code, and one after
      // every import would change what is timed.
      const at = before === 0 ? 'First' : before === shelf.length - 1 ? 'Last' : undefined;
      if (at) {
        memory[`growing${at}`] = await jsMemoryAfterGc(growingCdp);
        memory[`empty${at}`] = await jsMemoryAfterGc(emptyCdp);
      }
    }
    return {
      imports,
      memory: { growing: { first: memory.growingFirst!, last: memory.growingLast! }, keptEmpty: { first: memory.emptyFirst!, last: memory.emptyLast! } },
    };
  } finally {
    await growing.context.close();
    await empty.context.close();
  }
}
