// Vite builds the dashboard into dist/, which hazmond serves from http.static_dir. The build must
// satisfy hazmond's Content-Security-Policy (script-src 'self', style-src 'self', no eval): Vue's
// runtime-only build with templates precompiled by @vitejs/plugin-vue, CSS in files, no inline
// scripts. See docs/adr/0017-dashboard-vue-vite-echarts.md.
import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
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
