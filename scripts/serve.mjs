// Serves the built app from dist/ on 127.0.0.1 (or --host/--port), as a static host would, and runs the two demo
// devices beside it (scripts/demo-agents.ts): --demo-ports A,B and --demo-dir DIR move them, --no-demo leaves them out.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from './static-server.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const server = await startStaticServer({
  root: 'dist',
  host: opt('host', '127.0.0.1'),
  port: Number(opt('port', process.env.PORT ?? 4173)),
});
console.log(`FieldFlash is ready at ${server.url}  (Ctrl+C to stop)`);

let stopping = false;
// A process of its own, so a demo device never slows the app; its IPC channel ends it should this process die.
const demoArgs = [['demo-ports', '--ports'], ['demo-dir', '--dir']].flatMap(([name, flag]) => (opt(name) === undefined ? [] : [flag, opt(name)]));
const demo = args.includes('--no-demo')
  ? undefined
  : spawn(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('demo-agents.ts', import.meta.url)), ...demoArgs], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
const demoEnded = new Promise((resolve) => (demo ? demo.once('exit', resolve) : resolve(undefined)));
void demoEnded.then(() => {
  if (demo && !stopping) console.error('The demo devices are not running; the app is served all the same.');
});

// `npm start` runs this under `sh -c`, which dies on SIGTERM without passing it on: a server left behind would keep
// the demo devices' ports, so under npm it stops once its parent is gone too.
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop(), 1000).unref();
}

async function stop() {
  if (stopping) return;
  stopping = true;
  demo?.kill('SIGTERM');
  await demoEnded;
  await server.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
