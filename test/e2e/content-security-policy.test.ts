// The app's Content-Security-Policy is on, online and offline: the header and the built page's <meta> carry it, and
// what an injected string would try (an inline script, an inline event handler, eval, a javascript: link) is
// blocked and reported. Every other e2e test runs under the same policy (policy-guard.setup.ts).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CSP_HEADER, CSP_META } from '../../scripts/content-security-policy.mjs';
import { openApp, takePolicyViolations, type AppSession } from './browser.ts';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => app?.close());

interface Attempts {
  inlineScript: boolean;
  inlineHandler: boolean;
  evalOutcome: string;
  functionOutcome: string;
  javascriptLink: boolean;
}

/** Tries, from inside the page, what hostile markup would: each flag says whether the attempt ran. */
async function attackFromThePage(page: Page): Promise<Attempts> {
  return page.evaluate(async () => {
    const flags = window as unknown as Record<string, boolean>;
    const script = document.createElement('script');
    script.textContent = 'window.inlineScriptRan = true';
    document.body.append(script);

    const holder = document.createElement('div');
    holder.innerHTML = '<img src="/no-such-image.png" onerror="window.inlineHandlerRan = true">';
    document.body.append(holder);
    await new Promise((resolve) => holder.querySelector('img')!.addEventListener('error', resolve));

    const tryCode = (run: () => unknown) => {
      try {
        run();
        return 'ran';
      } catch (error) {
        return (error as Error).name;
      }
    };
    const evalOutcome = tryCode(() => eval('window.evalRan = true'));
    const functionOutcome = tryCode(() => new Function('window.functionRan = true')());

    const link = document.createElement('a');
    link.href = 'javascript:window.javascriptLinkRan = true';
    link.textContent = 'hostile';
    document.body.append(link);
    link.click();
    await new Promise((resolve) => setTimeout(resolve, 100));
    holder.remove();
    link.remove();
    return { inlineScript: !!flags.inlineScriptRan, inlineHandler: !!flags.inlineHandlerRan, evalOutcome, functionOutcome, javascriptLink: !!flags.javascriptLinkRan };
  });
}

async function expectBlockedAndReported(page: Page): Promise<void> {
  expect(await attackFromThePage(page)).toEqual({ inlineScript: false, inlineHandler: false, evalOutcome: 'EvalError', functionOutcome: 'EvalError', javascriptLink: false });
  const reported: string[] = [];
  const expected = [/^securitypolicyviolation: script-src-elem blocked inline/, /^securitypolicyviolation: script-src-attr blocked inline/, /^securitypolicyviolation: script-src blocked eval/, /^console error: .*Content Security Policy/];
  await expect
    .poll(() => {
      reported.push(...takePolicyViolations());
      return expected.filter((pattern) => !reported.some((line) => pattern.test(line)));
    })
    .toEqual([]);
  // What arrives after these (the link's report, more console lines) is this test's too, not the next one's.
  await new Promise((resolve) => setTimeout(resolve, 200));
  takePolicyViolations();
}

test('the page is served with the policy as a header and carries it as a <meta>', async () => {
  const response = await app.page.request.get(app.url);
  expect(response.headers()['content-security-policy']).toBe(CSP_HEADER);
  expect(CSP_HEADER).toContain("frame-ancestors 'none'");
  expect(await app.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(CSP_META);
  expect(CSP_META).not.toMatch(/'unsafe-inline'|'unsafe-eval'|frame-ancestors/);
});

test('an inline script, an inline event handler, eval and a javascript: link are blocked and reported', async () => {
  await app.page.getByRole('heading', { name: 'FieldFlash', level: 1 }).waitFor();
  await expectBlockedAndReported(app.page);
});

test('offline, the page the service worker serves keeps the policy', async () => {
  const { page, context } = app;
  await page.getByRole('status').getByText('Ready to work offline').waitFor({ timeout: 60_000 });
  await app.stopServer();
  await context.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: 'FieldFlash', level: 1 }).waitFor();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(CSP_META);
  await expectBlockedAndReported(page);
});
