/**
 * The web UI's build: src/web → dist/web (index.html + hashed assets/). No
 * inline script is emitted (the CSP allows scripts from the origin only).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: 'src/web',
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: process.env.APPSTORE_UI_OUT_DIR ?? '../../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No module-preload polyfill: it would be an inline script.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 900,
  },
  test: {
    root: '.',
    include: ['test/web/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
  },
});
