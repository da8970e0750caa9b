// Builds the app once for all end-to-end tests: they run against the production build, service worker included.
import { execFileSync } from 'node:child_process';

export default function setup() {
  if (process.env.FIELDFLASH_SKIP_BUILD === '1') return;
  // Vitest sets NODE_ENV=test, which would make Vite emit a development build; test what ships.
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}
