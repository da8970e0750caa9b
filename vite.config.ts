import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  build: {
    target: 'es2022',
    sourcemap: true,
    // esptool-js carries base64 flasher stubs; they load lazily, so a large chunk is expected.
    chunkSizeWarningLimit: 2048,
  },
  worker: { format: 'es' },
});
