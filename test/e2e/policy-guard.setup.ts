// Every end-to-end test runs under the app's Content-Security-Policy: one that made a page break it fails.
import { afterAll, afterEach } from 'vitest';
import { takePolicyViolations } from './browser.ts';

afterEach(() => {
  const violations = takePolicyViolations();
  if (violations.length > 0) throw new Error(`The page broke its Content-Security-Policy:\n${violations.join('\n')}`);
});
// What a file's last hooks provoked (closing pages, say) fails the file.
afterAll(() => {
  const violations = takePolicyViolations();
  if (violations.length > 0) throw new Error(`The page broke its Content-Security-Policy:\n${violations.join('\n')}`);
});
