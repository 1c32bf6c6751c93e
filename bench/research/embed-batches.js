// Embedding throughput by batch size, burnish (Flex) and tfjs-wasm side by side on the bench page:
// the measurement behind burnish's embedding batch size on the CPU (`embed_batch` in the core).
//
//   node bench/research/embed-batches.js [1,2,4,8,16,32]      (needs `npm run build` and the weights)

import { launchChromium, startServer } from '../../tests/e2e/harness.js';
import { openBenchPage, probeImages } from '../page.js';

const sizes = (process.argv[2] ?? '1,2,4,8,16,32').split(',').map(Number);
const images = probeImages().base64;

const server = await startServer();
const browser = await launchChromium();
try {
  const page = await openBenchPage(browser, server.url);
  await page.evaluate((base64) => window.bench.setup('cpu', base64), images);
  const rows = [];
  for (const batch of sizes) {
    const { burnish, tfjs } = await page.evaluate((b) => window.bench.embedding(b, { warmup: 1, reps: 3 }), batch);
    rows.push({ batch, 'burnish images/s': +burnish.toFixed(2), 'tfjs-wasm images/s': +tfjs.toFixed(2) });
  }
  console.table(rows);
} finally {
  await browser.close();
  server.stop();
}
