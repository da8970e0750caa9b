import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => app?.close());

test('the app shell renders its heading', async () => {
  await expect(app.page.getByRole('heading', { name: 'FieldFlash', level: 1 }).textContent()).resolves.toBe('FieldFlash');
});
