// Many samples: time and memory to add 1,000 / 10,000 samples in the app (Flex) and to restore
// them on reload, with the storage used. Memory is the resident size of all Chromium processes
// (the page, its model worker, the GPU and browser processes) above the freshly loaded app.
//
//   node bench/samples.js [1000] [10000]      (needs `npm run build` and the weights)

import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchChromium, startServer } from '../tests/e2e/harness.js';

const sizes = process.argv.slice(2).map(Number);
if (!sizes.length) sizes.push(1000, 10000);

/** Resident MB of every chromium process. */
const chromiumMb = () =>
  Number(execSync("ps -C chromium -o rss= | awk '{s+=$1} END {print s}'").toString().trim()) / 1024;

async function run(browser, server, n) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}?backend=flex`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
  const base = chromiumMb();
  const t0 = Date.now();
  await page.evaluate(async (count) => {
    const photos = await Promise.all(
      ['dog', 'chelsea', 'eagle', 'coffee', 'rocket', 'astronaut'].map(async (name) => {
        const bitmap = await createImageBitmap(await (await fetch(`/tests/fixtures/images/${name}.png`)).blob());
        const context = new OffscreenCanvas(224, 224).getContext('2d');
        context.drawImage(bitmap, 0, 0);
        const rgba = context.getImageData(0, 0, 224, 224).data;
        return rgba.filter((_, i) => i % 4 !== 3); // RGB, what the page's model takes
      }),
    );
    for (let i = 0; i < count; i++) {
      const rgb = new Uint8Array(photos[i % 6]);
      rgb[(i * 3) % rgb.length] ^= (i % 255) + 1; // every sample distinct
      await window.burnishHooks.addSample(i % 6 < 3 ? 0 : 1, rgb);
    }
    await window.burnishHooks.saved();
  }, n);
  const addS = (Date.now() - t0) / 1000;
  const added = chromiumMb();
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
  const t1 = Date.now();
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 1_800_000 });
  const restoreS = (Date.now() - t1) / 1000;
  const restored = await page.$$eval('.count', (counts) => counts.reduce((n, c) => n + parseInt(c.textContent.replace(/,/g, ''), 10), 0));
  const result = {
    samples: n,
    add_s: addS,
    add_ms_per_sample: (addS * 1000) / n,
    chromium_mb_before: Math.round(base),
    chromium_mb_after_adding: Math.round(added),
    mb_per_1000_samples: Math.round(((added - base) / n) * 1000),
    storage_mb: Math.round(usage / 1e6),
    reload_restore_s: restoreS,
    restored_samples: restored,
    chromium_mb_after_restore: Math.round(chromiumMb()),
    state_after_restore: await page.evaluate(() => document.body.dataset.state),
  };
  console.log(JSON.stringify(result));
  await context.close();
  return result;
}

const server = await startServer();
const browser = await launchChromium();
const version = browser.version();
const results = [];
try {
  for (const n of sizes) results.push(await run(browser, server, n));
} finally {
  await browser.close();
  server.stop();
}
console.table(results);
writeFileSync(join(ROOT, 'bench/samples-results.json'), `${JSON.stringify({ date: new Date().toISOString(), browser: `Chromium ${version}`, results }, null, 2)}\n`);
