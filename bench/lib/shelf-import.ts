// Imports a shelf of small releases one after another through FieldFlash's library view, in one fresh profile,
// and reads back what the page measured for each: the import itself (read, verify, store) and the time until
// the release is on screen in the list (the library re-read and the list painted).
import type { Browser, Page } from 'playwright-core';

export interface ShelfImportFigures {
  /** How many releases the library held before this import. */
  before: number;
  /** Read, verify and store, as the page measured it (User Timing `fieldflash:import`). */
  importMs: number;
  /** From the import's start to the frame that shows the new release in the list. */
  onScreenMs: number;
}

export interface ShelfZip {
  name: string;
  product: string;
  version: string;
  zip: Buffer;
}

async function figuresFor(page: Page, rows: number): Promise<{ importMs: number; onScreenMs: number }> {
  return page.evaluate((rows) => {
    const imported = performance.getEntriesByName('fieldflash:import').at(-1);
    if (!imported) throw new Error('the page measured no import');
    const shown = performance
      .getEntriesByName('fieldflash:library:list')
      .find((m) => m.startTime >= imported.startTime && (m as PerformanceMeasure).detail?.rows === rows);
    if (!shown) throw new Error(`the page measured no list of ${rows} releases after the import`);
    return { importMs: imported.duration, onScreenMs: shown.startTime + shown.duration - imported.startTime };
  }, rows);
}

export async function importShelfOneByOne(browser: Browser, appUrl: string, shelf: readonly ShelfZip[]): Promise<ShelfImportFigures[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(appUrl);
    await page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
    await page.getByText('No releases on this device yet').waitFor();
    const rows = page.getByRole('grid', { name: 'Releases' }).getByRole('rowgroup').nth(1).getByRole('row');
    const out: ShelfImportFigures[] = [];
    for (const [before, release] of shelf.entries()) {
      await page.getByLabel('Release zip or .bin files').setInputFiles({ name: release.name, mimeType: 'application/zip', buffer: release.zip });
      const failure = page.getByRole('alert').filter({ hasText: 'Could not import' });
      await page.getByText(`Added ${release.product} ${release.version} to the library.`).or(failure).first().waitFor({ timeout: 60_000 });
      if (await failure.count()) throw new Error(`the import of ${release.name} failed: ${await failure.innerText()}`);
      await rows.nth(before).waitFor();
      // The list measures itself one frame after it renders.
      await page.waitForFunction((n) => performance.getEntriesByName('fieldflash:library:list').some((m) => (m as PerformanceMeasure).detail?.rows === n), before + 1);
      out.push({ before, ...(await figuresFor(page, before + 1)) });
    }
    return out;
  } finally {
    await context.close();
  }
}
