// Serves the built app from dist/ on 127.0.0.1 (or --host/--port), as a static host would.
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
