// Vite serves the repository as it is (no build step). With BURNISH_ISOLATED=1 (the benchmark's
// all-cores page, bench/run.js) every response carries COOP/COEP, so that the page is
// cross-origin isolated: TF.js's wasm threads need SharedArrayBuffer. The app needs neither.

const isolated = process.env.BURNISH_ISOLATED === '1';

export default {
  server: {
    headers: isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {},
  },
};
