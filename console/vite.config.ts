/**
 * The staff console's build: a static single-page app (Preact), written to
 * console/dist/ and served by local mode at / and, in AWS, from S3 behind
 * CloudFront. No inline scripts or styles, so the strict Content-Security-Policy
 * both serve holds.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Inlined assets would be data: URLs, which the CSP does not allow for scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
