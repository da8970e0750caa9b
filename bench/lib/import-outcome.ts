// Waits for an import's outcome from inside the page, woken by the page's own changes. Playwright's text locators
// poll by searching the whole page at every frame; on a page that lists 50 releases that search alone would slow
// the very import being measured, and more so the more releases the list shows.
import type { Page } from 'playwright-core';

/** The status the import ended on ("Added … to the library."), or the failure shown. */
export type ImportOutcome = { added: true; status: string } | { added: false; failure: string };

/** Call before handing over the files; await the result once they are handed over. */
export async function watchImportOutcome(page: Page, timeoutMs: number): Promise<() => Promise<ImportOutcome>> {
  // As text: the page runs it as written (the TypeScript loader would add helpers the page lacks). Wrapped in an
  // object, since evaluateHandle would otherwise wait for the promise itself.
  const handle = await page.evaluateHandle<{ outcome: Promise<ImportOutcome> }>(`({ outcome: new Promise((resolve, reject) => {
    const panel = [...document.querySelectorAll('h2')].find((h) => h.textContent === 'Add a release')?.closest('section');
    if (!panel) return reject(new Error('the page shows no "Add a release" panel'));
    const observer = new MutationObserver(() => {
      const failure = [...panel.querySelectorAll('[role=alert]')].find((a) => a.textContent.startsWith('Could not import'));
      const status = panel.querySelector('[role=status]')?.textContent ?? '';
      if (failure) resolve({ added: false, failure: failure.textContent });
      else if (/^Added .* to the library\\./.test(status)) resolve({ added: true, status });
      else return;
      observer.disconnect();
    });
    // The outcome of the previous import may still be shown: only a change from now on counts.
    observer.observe(panel, { childList: true, subtree: true, characterData: true });
  }) })`);
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the import showed no outcome within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      return await Promise.race([handle.evaluate((watch) => watch.outcome), timeout]);
    } finally {
      clearTimeout(timer);
      await handle.dispose();
    }
  };
}
