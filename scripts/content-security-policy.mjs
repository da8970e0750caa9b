// FieldFlash's Content-Security-Policy: one list, sent as a header by scripts/static-server.mjs and written into the
// built index.html as a <meta> by vite.config.ts, so the page keeps it offline too (docs/decisions.md says why each
// source is there).

/** Directive → sources. Every script is a file the build made; nothing runs from a string. */
const DIRECTIVES = {
  'default-src': ["'self'"],
  // 'wasm-unsafe-eval' lets the page compile WebAssembly (the simulated board's MicroPython); it allows no JS eval.
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  // Stylesheets are files; the few styles set from script go through the CSSOM, which the policy does not govern.
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  // Devices answer at any address the technician types (private LAN addresses on any port, http or https) and web
  // releases come from any https host. WebRTC is not governed by connect-src.
  'connect-src': ["'self'", 'http:', 'https:'],
  'worker-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/** Honoured only in a response header: a <meta> policy that names it makes Chromium complain. */
const HEADER_ONLY = { 'frame-ancestors': ["'none'"] };

const render = (directives) =>
  Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');

/** The policy for the Content-Security-Policy response header. */
export const CSP_HEADER = render({ ...DIRECTIVES, ...HEADER_ONLY });

/** The same policy as a <meta http-equiv> may carry it. */
export const CSP_META = render(DIRECTIVES);
