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

/**
 * Content-Security-Policy violations reported by any page these helpers opened, in the order they came. The e2e
 * setup (policy-guard.setup.ts) fails the test during which one came; a test that provokes one on purpose takes
 * it with takePolicyViolations().
 */
const policyViolations: string[] = [];

export function takePolicyViolations(): string[] {
  return policyViolations.splice(0);
}

const REPORT_BINDING = '__fieldflashPolicyViolation';
// Runs before any of the page's own scripts, in every frame; the binding reaches this process whatever the policy.
const REPORT_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (e) => {
  globalThis.${REPORT_BINDING}?.(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber + (e.sample ? ' (' + e.sample + ')' : ''));
});`;

const watched = new WeakSet<BrowserContext>();

/** Records every policy violation the context's pages report, as an event and as Chromium's console message. */
async function watchPolicy(context: BrowserContext): Promise<void> {
  if (watched.has(context)) return;
  watched.add(context);
  await context.exposeBinding(REPORT_BINDING, (_source, text: string) => {
    policyViolations.push(`securitypolicyviolation: ${text}`);
  });
  await context.addInitScript({ content: REPORT_VIOLATIONS });
  context.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) policyViolations.push(`console ${message.type()}: ${message.text()}`);
  });
}

export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  checkChromium();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
  // Every context, browser.newPage()'s own included (it goes through newContext), reports policy violations.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await watchPolicy(context);
    return context;
  };
  return browser;
}

/**
 * Chromium with a profile on disk: closing it and launching it again on the same folder is a browser restart,
 * IndexedDB and service workers included.
 */
export async function launchProfile(userDataDir: string): Promise<BrowserContext> {
  checkChromium();
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true });
  await watchPolicy(context);
  return context;
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
