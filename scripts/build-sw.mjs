// Builds sw/sw.ts into dist/sw.js and injects the Workbox precache manifest of every built asset.
import { build } from 'vite';
import { injectManifest } from 'workbox-build';

await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: '.tmp/sw',
    emptyOutDir: true,
    minify: true,
    lib: { entry: 'sw/sw.ts', formats: ['es'], fileName: () => 'sw.js' },
  },
  define: { 'process.env.NODE_ENV': '"production"' },
});

const { count, size, warnings } = await injectManifest({
  swSrc: '.tmp/sw/sw.js',
  swDest: 'dist/sw.js',
  globDirectory: 'dist',
  globPatterns: ['**/*.{html,js,css,svg,png,webmanifest,json,zip,wasm}'],
  globIgnores: ['sw.js', '**/*.map'],
  // Lazy chunks such as the esptool-js flasher stubs are large; they must still be precached.
  maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
});
for (const w of warnings) console.warn(w);
console.log(`service worker: precaching ${count} files, ${(size / 1024).toFixed(0)} KiB`);
