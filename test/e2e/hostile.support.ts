// Strings a hostile manifest or device may carry, and the checks that they stayed text: no element made from them,
// no handler run, every link http(s), the text shown as written.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { writeNativeManifest } from '../../packages/bundle/src/index.ts';
import JSZip from 'jszip';

/** Each would become an element, run a handler or make a script link if it ever reached the page as markup. */
export const HOSTILE = {
  img: `<img src=x onerror="window.hostileRan='img'">`,
  script: `<script>window.hostileRan='script'</script>`,
  svg: `"><svg onload="window.hostileRan='svg'">`,
  link: `javascript:window.hostileRan='link'`,
  // Right-to-left override: turns the rest of the line around when shown, a filename trick.
  rtl: 'report\u202Efdp.exe',
};

export const HOSTILE_TEXT = `${HOSTILE.img} ${HOSTILE.script} ${HOSTILE.svg} ${HOSTILE.rtl}`;

/** A board name that is hostile and very long, without a space to break it at. */
export const HOSTILE_BOARD = `${HOSTILE.link}${HOSTILE.svg}${'-long-board-name'.repeat(40)}`;

/** A FieldFlash release whose product, notes, board and part file name are hostile, as its files. */
export async function hostileReleaseFiles(product: string): Promise<Array<{ path: string; data: Uint8Array }>> {
  const part = `${HOSTILE.img}.bin`;
  const data = new Uint8Array(4096).fill(0x5a);
  const manifest = await writeNativeManifest({
    product,
    version: '6.6.6',
    sequence: 1,
    securityVersion: 0,
    releaseNotes: `${HOSTILE_TEXT} ${HOSTILE.link} ${'very long notes '.repeat(400)}`,
    targets: [{ chipFamily: 'ESP32', board: HOSTILE_BOARD, flash: { erase: 'parts', parts: [{ path: part, offset: 0x310000 }] } }],
    files: [{ path: part, data, role: 'data' }],
  });
  return [
    { path: 'manifest.json', data: new TextEncoder().encode(manifest) },
    { path: part, data },
  ];
}

/** The same release as a zip. */
export async function hostileReleaseZip(product: string): Promise<Buffer> {
  const zip = new JSZip();
  for (const file of await hostileReleaseFiles(product)) zip.file(file.path, file.data);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

export interface PageMarkup {
  /** Elements carrying an inline handler, scripts without a src, elements with a hostile src (src=x). */
  made: string[];
  /** Every link target that is not http(s). */
  scriptLinks: string[];
  ran: unknown;
  text: string;
  /** How far the page runs wider than the window: a long string must wrap, not push the layout sideways. */
  overflow: number;
}

/** What the page holds now: anything hostile markup could have made, and the text as shown. */
export function pageMarkup(page: Page): Promise<PageMarkup> {
  return page.evaluate(() => {
    const made = [...document.querySelectorAll('[onerror], [onload], [onclick], script:not([src]), [src="x"], svg[onload]')].map((e) => e.outerHTML.slice(0, 120));
    const scriptLinks = [...document.querySelectorAll<HTMLAnchorElement>('a[href]')]
      .map((a) => a.href)
      .filter((href) => !/^https?:/.test(href) && !href.startsWith('blob:'));
    return {
      made,
      scriptLinks,
      ran: (window as unknown as { hostileRan?: unknown }).hostileRan,
      text: document.body.innerText,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
  });
}

/** Nothing made from the strings, nothing run; each of `shown` is on the page as written. */
export async function expectInert(page: Page, shown: readonly string[]): Promise<void> {
  const markup = await pageMarkup(page);
  expect(markup.made).toEqual([]);
  expect(markup.scriptLinks).toEqual([]);
  expect(markup.ran).toBeUndefined();
  expect(markup.overflow).toBeLessThanOrEqual(0);
  for (const text of shown) expect(markup.text).toContain(text);
}
