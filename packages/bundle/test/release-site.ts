// A static web host on 127.0.0.1 for release tests, as GitHub Pages serves a project site: files by path,
// "/folder" redirected to "/folder/" and its index.html, and (when asked) CORS headers as GitHub Pages sends them.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReleaseSite {
  /** "http://127.0.0.1:port" (no trailing slash). */
  origin: string;
  host: string;
  /** Every request path, in order. */
  requests: string[];
  put(path: string, body: Uint8Array | string): void;
  /** Sends `path` at about `bytesPerSecond`, so that a download's progress can be watched. */
  throttle(path: string, bytesPerSecond: number): void;
  remove(path: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json; charset=utf-8', '.zip': 'application/zip' };

function typeOf(path: string): string {
  const ext = /\.[^./]+$/.exec(path)?.[0] ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}

export async function startReleaseSite(options: { cors: boolean }): Promise<ReleaseSite> {
  const files = new Map<string, Uint8Array>();
  const slow = new Map<string, number>();
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const cors: Record<string, string> = options.cors ? { 'access-control-allow-origin': '*' } : {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (!path.endsWith('/') && files.has(`${path}/index.html`)) {
      res.writeHead(301, { location: `${path}/`, ...cors }).end();
      return;
    }
    const body = files.get(path.endsWith('/') ? `${path}index.html` : path);
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/html', ...cors }).end('<h1>404</h1><p>File not found</p>');
      return;
    }
    res.writeHead(200, { 'content-type': typeOf(path.endsWith('/') ? 'index.html' : path), 'content-length': body.length, 'cache-control': 'max-age=600', ...cors });
    const rate = slow.get(path);
    if (req.method === 'HEAD' || rate === undefined) {
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const chunk = 32 * 1024;
    let at = 0;
    const next = () => {
      if (res.destroyed) return;
      res.write(body.subarray(at, at + chunk));
      at += chunk;
      if (at >= body.length) res.end();
      else setTimeout(next, (chunk / rate) * 1000);
    };
    next();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    put: (path, body) => files.set(path, typeof body === 'string' ? new TextEncoder().encode(body) : body),
    remove: (path) => files.delete(path),
    throttle: (path, bytesPerSecond) => slow.set(path, bytesPerSecond),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An ESP Web Tools install page, as project sites publish them. */
export function installPage(title: string, manifest: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <script type="module" src="https://unpkg.com/esp-web-tools@10/dist/web/install-button.js?module"></script>
  </head>
  <body>
    <h1>${title}</h1>
    <p>Connect your ESP32 with a USB cable and press the button.</p>
    <esp-web-install-button manifest="${manifest}">
      <button slot="activate">Install</button>
    </esp-web-install-button>
  </body>
</html>
`;
}

/**
 * An install page that picks its manifest by script, as many project sites do (ESP Web Tools' examples among them):
 * one radio button per variant, and the chosen value built into the button's manifest address.
 */
export function scriptedInstallPage(title: string, variants: ReadonlyArray<{ value: string; label: string }>): string {
  const radios = variants.map((v) => `        <li><label><input type="radio" name="variant" value="${v.value}" /> ${v.label}</label></li>`).join('\n');
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
  </head>
  <body>
    <h1>${title}</h1>
    <p>Choose your board:</p>
    <ul>
${radios}
    </ul>
    <esp-web-install-button hidden></esp-web-install-button>
    <script>
      for (const radio of document.querySelectorAll('input[name="variant"]')) {
        radio.addEventListener('change', () => {
          const button = document.querySelector('esp-web-install-button');
          button.manifest = \`./manifest_\${radio.value}.json\`;
          button.hidden = false;
        });
      }
    </script>
  </body>
</html>
`;
}
