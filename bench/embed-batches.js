// Embedding throughput by batch size, burnish (Flex) and tfjs-wasm side by side on the bench page:
// the measurement behind burnish's embedding batch size on the CPU (`embed_batch` in the core).
//
//   node bench/embed-batches.js [1,2,4,8,16,32]      (needs `npm run build` and the weights)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { ROOT, launchChromium, startServer } from '../tests/e2e/harness.js';

const sizes = (process.argv[2] ?? '1,2,4,8,16,32').split(',').map(Number);
const golden = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/golden.json'), 'utf8')).images;
const images = golden.map((g) => PNG.sync.read(readFileSync(join(ROOT, 'tests/fixtures', g.file))).data.toString('base64'));

const server = await startServer();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}bench/index.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 300_000 });
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
