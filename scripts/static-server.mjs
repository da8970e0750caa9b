// A small static file server for the built app: used by `npm start`, the e2e tests and the benchmarks.
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { CSP_HEADER } from './content-security-policy.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.zip': 'application/zip',
  '.bin': 'application/octet-stream',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/**
 * Serves over https when given `tls` (a PEM key and certificate), as a public FieldFlash would be.
 * @param {{root: string, host?: string, port?: number, tls?: {key: string, cert: string}}} options
 */
export async function startStaticServer({ root, host = '127.0.0.1', port = 0, tls }) {
  const base = resolve(root);
  const sockets = new Set();
  /** @type {import('node:http').RequestListener} */
  const serve = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = normalize(join(base, decodeURIComponent(url.pathname)));
    if (!path.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let info = await stat(path);
      if (info.isDirectory()) {
        path = join(path, 'index.html');
        info = await stat(path);
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
        // On every response: the page's policy, and the service worker's own (a worker takes its policy from its script).
        'content-security-policy': CSP_HEADER,
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(path).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  };
  const server = tls ? createTlsServer(tls, serve) : createServer(serve);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${address.port}/`,
    port: address.port,
    close: () =>
      new Promise((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok(undefined));
      }),
  };
}
