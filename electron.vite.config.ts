/**
 * Build of the three Electron targets. The main bundle's entries are the shell (index) and the
 * worker threads the engine starts by file URL: feed, simulator, recorder, compressor, replay and
 * export.
 * The preload is CommonJS because sandboxed preloads cannot be ES modules. The renderer is served with the same
 * COOP/COEP/CSP headers as the app:// protocol and the headless host, so dev is cross-origin
 * isolated too.
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { securityHeaders } from './src/main/host/security-headers.ts';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          feedWorker: resolve('src/main/feeds/feed-worker.ts'),
          simWorker: resolve('src/main/sim/sim-worker.ts'),
          recorderWorker: resolve('src/main/recorder/recorder-worker.ts'),
          compressWorker: resolve('src/main/recorder/compress-worker.ts'),
          replayWorker: resolve('src/main/recorder/replay-worker.ts'),
          exportWorker: resolve('src/main/recorder/export-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    resolve: { alias: { '@renderer': resolve('src/renderer/src') } },
    plugins: [react()],
    worker: { format: 'es' },
    server: { headers: securityHeaders({ dev: true }) },
    preview: { headers: securityHeaders({ dev: false }) },
    build: {
      // Never inline assets as data: URLs: the CSP allows fonts and images from 'self' only.
      assetsInlineLimit: 0,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
