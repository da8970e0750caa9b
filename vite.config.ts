import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';
import { CSP_META } from './scripts/content-security-policy.mjs';

const APP_SOURCE = fileURLToPath(new URL('./src/', import.meta.url));

/**
 * A folder's index.ts (src/store, src/sw-bridge) only re-exports its modules. Said to be free of side effects, a
 * module that imports one name through it depends on the module that defines the name, not on the whole folder:
 * otherwise the Library view's first load would carry the paired-device, compatibility and field-report stores
 * that only the Devices view uses. The build stops if such a file ever holds anything else.
 */
function folderIndexReExportsOnly(): Plugin {
  return {
    name: 'fieldflash:folder-index-re-exports-only',
    enforce: 'pre', // reads the file as written
    transform(code, id) {
      if (!id.startsWith(APP_SOURCE) || !/^[^/]+\/index\.ts$/.test(id.slice(APP_SOURCE.length))) return null;
      const rest = code
        .replace(/\/\/.*$/gm, '')
        .replace(/export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s+'[^']+';/g, '')
        .trim();
      if (rest) this.error(`${id} may only re-export (export … from), as the first load counts on; it also holds: ${rest.slice(0, 80)}`);
      return { code, map: null, moduleSideEffects: false };
    },
  };
}

/**
 * The built page carries its Content-Security-Policy itself, so it holds wherever the page is served from, the
 * service worker's precache included. Not in `npm run dev`: Vite's dev server injects inline scripts.
 */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'fieldflash:content-security-policy-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP_META }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  plugins: [preact(), folderIndexReExportsOnly(), contentSecurityPolicyMeta()],
  build: {
    target: 'es2022',
    sourcemap: true,
    // esptool-js carries base64 flasher stubs; they load lazily, so a large chunk is expected.
    chunkSizeWarningLimit: 2048,
    // FieldFlash is made for Chrome, which preloads modules natively: the polyfill would only add to the first load.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        // What the first paint needs in one chunk: modules the lazy views share with it would otherwise be split
        // into a dozen small chunks, each gzipped apart and fetched apart.
        codeSplitting: { groups: [{ name: 'first-load', tags: ['$initial'] }] },
      },
    },
  },
  worker: { format: 'es' },
});
