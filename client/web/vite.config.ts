import { defineConfig } from 'vite';

/**
 * The web app's build (docs/web.md): `npm run build:web` writes dist/web, which `npm start`
 * serves on the API's origin. The download Service Worker is a second entry with a fixed name
 * (a Service Worker's URL is its identity); everything else is hashed under assets/. Nothing is
 * inlined (assetsInlineLimit 0): the policy allows no data: URLs and no inline code.
 */
export default defineConfig({
  root: import.meta.dirname,
  publicDir: 'public',
  logLevel: 'warn',
  // A module worker can split: the strength dictionaries (zxcvbn) stay in a chunk of their own, loaded on first use.
  worker: { format: 'es' },
  build: {
    outDir: `${import.meta.dirname}/../../dist/web`,
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    rolldownOptions: {
      input: { app: `${import.meta.dirname}/index.html`, 'download-sw': `${import.meta.dirname}/src/download/downloadServiceWorker.ts` },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'download-sw' ? 'download-sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
