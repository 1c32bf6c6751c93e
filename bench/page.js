// What the node-side bench scripts share: the probe photos and the bench page (bench/index.html).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { ROOT } from '../tests/e2e/harness.js';

/** The probe photos (224² PNG, RGBA as base64), in the order of the golden TensorFlow logits. */
export function probeImages() {
  const golden = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/golden.json'), 'utf8')).images;
  const base64 = golden.map((g) => PNG.sync.read(readFileSync(join(ROOT, 'tests/fixtures', g.file))).data.toString('base64'));
  return { golden, base64 };
}

/** A new page of `browser` on the bench page served at `url`, once `window.bench` is ready. */
export async function openBenchPage(browser, url) {
  const page = await browser.newPage();
  await page.goto(`${url}bench/index.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 300_000 });
  return page;
}
