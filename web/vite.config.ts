// Vite builds the dashboard into dist/, which hazmond serves from http.static_dir. The build must
// satisfy hazmond's Content-Security-Policy (script-src 'self', style-src 'self', no eval): Vue's
// runtime-only build with templates precompiled by @vitejs/plugin-vue, CSS in files, no inline
// scripts. See docs/adr/0017-dashboard-vue-vite-echarts.md.
import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// CesiumJS for the 三维模型 tab (ADR 0030): its prebuilt files (Cesium.js, workers, assets,
// widget styles; ~12 MB) are copied as they are to dist/cesium/ and loaded by the tab on first
// use (src/kit/plantModel.ts), so no chunk of the dashboard includes them.
function copyCesium(): Plugin {
  return {
    name: 'hazmon-copy-cesium',
    apply: 'build',
    writeBundle(options) {
      const from = fileURLToPath(new URL('./node_modules/cesium/Build/Cesium', import.meta.url));
      const to = join(resolve(options.dir ?? 'dist'), 'cesium');
      for (const part of ['Cesium.js', 'Workers', 'Assets', 'ThirdParty', 'Widgets']) {
        cpSync(join(from, part), join(to, part), { recursive: true });
      }
    },
  };
}

export default defineConfig({
  plugins: [vue(), copyCesium()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // No data: URIs for assets beyond tiny ones; keep the map and sounds as files.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // ECharts (with zrender) and hls.js in chunks of their own, loaded by the pages using them.
        manualChunks(id: string) {
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          if (id.includes('node_modules/hls.js/')) return 'hls';
          return undefined;
        },
      },
    },
  },
  server: {
    // `npm run dev` against a running hazmond (./scripts/run.sh): the API over its self-signed TLS.
    proxy: { '/api': { target: 'https://localhost:8443', secure: false, changeOrigin: true } },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
});
