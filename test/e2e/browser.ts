// Debian Chromium driven by playwright-core, against the built app served on 127.0.0.1.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { startStaticServer } from '../../scripts/static-server.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface AppSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  url: string;
  /** Stops the web server, as if the network were gone. */
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function checkChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);
}

export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  checkChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * Chromium with a profile on disk: closing it and launching it again on the same folder is a browser restart,
 * IndexedDB and service workers included.
 */
export async function launchProfile(userDataDir: string): Promise<BrowserContext> {
  checkChromium();
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true });
}

/** Serves dist/ on a fresh port and opens the app in a fresh profile. */
export async function openApp(path = '/'): Promise<AppSession> {
  const server = await startStaticServer({ root: 'dist', port: 0 });
  const browser = await launchBrowser();
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('[page error]', err.message));
  await page.goto(new URL(path, server.url).href);
  let serverOpen = true;
  return {
    browser,
    context,
    page,
    url: server.url,
    async stopServer() {
      if (serverOpen) await server.close();
      serverOpen = false;
    },
    async close() {
      await browser.close();
      if (serverOpen) await server.close();
    },
  };
}
