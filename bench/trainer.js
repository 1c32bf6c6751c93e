// The trainer page's own timings, on Flex and on WebGPU (here Chromium's software adapter):
// page load to ready (cold profile, then cached weights), embedding ms per sample, seconds to
// train the default head on 2×30 samples, then (Flex) to fine-tune the last block with augmentation
// on the same samples (k = 1, the view bank; its ratio to the head-only run), live prediction
// frames per second from the webcam.
//
//   node bench/trainer.js [flex] [webgpu]      (needs `npm run build` and the weights)
//
// Prints a table and writes bench/trainer-results.json.

import { mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, fakeWebcamFile, launchChromium, startServer } from '../tests/e2e/harness.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
const PER_CLASS = 30;
const CLASSES = [
  ['dog.png', 'chelsea.png', 'eagle.png'],
  ['coffee.png', 'rocket.png', 'astronaut.png'],
];
const backends = process.argv.slice(2).length ? process.argv.slice(2) : ['flex', 'webgpu'];

/** PER_CLASS distinct file names per class, copies of the real photos. */
function sampleFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'burnish-bench-'));
  return CLASSES.map((photos, c) =>
    Array.from({ length: PER_CLASS }, (_, i) => {
      const file = join(dir, `c${c}-${i}-${photos[i % photos.length]}`);
      copyFileSync(join(FIXTURES, photos[i % photos.length]), file);
      return file;
    }),
  );
}

const now = (page) => page.evaluate(() => performance.now());
const waitState = (page, state, timeout = 1_800_000) =>
  page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout, polling: 50 });

async function measure(browser, server, backend, files) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const url = `${server.url}?backend=${backend}`;
  let t0 = Date.now();
  await page.goto(url);
  await waitState(page, 'ready');
  const readyCold = (Date.now() - t0) / 1000;
  t0 = Date.now();
  await page.reload();
  await waitState(page, 'ready');
  const readyCached = (Date.now() - t0) / 1000;

  const cards = page.locator('[data-testid="class-card"]');
  for (const [i, list] of files.entries()) await cards.nth(i).getByTestId('file-input').setInputFiles(list);
  await page.waitForFunction((n) => document.querySelectorAll('.gallery li').length === n, PER_CLASS * 2, { timeout: 300_000 });

  // Head only on the images as they are (the default is automatic fine-tuning on augmented views,
  // timed below).
  await page.selectOption('select[name="fine_tune_blocks"]', '0');
  await page.uncheck('input[name="augment"]');
  const start = await now(page);
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => /Epoch \d+/.test(document.querySelector('#training-status').textContent), null, {
    timeout: 1_800_000,
    polling: 20,
  });
  const embedded = await now(page);
  await waitState(page, 'trained');
  const trainedAt = await now(page);
  const epochs = Number((await page.textContent('#training-status')).match(/after (\d+) epochs/)?.[1]);

  // The last block fine-tuned with augmentation, Train click to trained: changing k empties the
  // cache, so this run embeds its images (and their views) anew, as the head-only run did.
  let fineTune = {};
  if (backend === 'flex') {
    await page.selectOption('select[name="fine_tune_blocks"]', '"auto"');
    await page.check('input[name="augment"]');
    const t = await now(page);
    await page.getByTestId('train-button').click();
    await waitState(page, 'training');
    await waitState(page, 'trained');
    const seconds = ((await now(page)) - t) / 1000;
    fineTune = {
      fine_tune_augment_click_to_trained_s: seconds,
      fine_tune_augment_vs_head_only: seconds / ((trainedAt - start) / 1000),
    };
  }

  // Live predictions from the webcam as fast as the page allows (its limit: 30 frames/s).
  await page.fill('#fps', '30');
  await page.click('#camera-button');
  await page.waitForFunction(() => document.querySelector('#camera').videoWidth > 0);
  await page.evaluate(() => {
    window.frames = 0;
    new MutationObserver(() => window.frames++).observe(document.querySelector('#timing'), { childList: true, characterData: true, subtree: true });
  });
  await page.check('#live');
  await page.waitForTimeout(2000);
  const f0 = await page.evaluate(() => window.frames);
  await page.waitForTimeout(10_000);
  const fps = ((await page.evaluate(() => window.frames)) - f0) / 10;
  await page.uncheck('#live');
  const backendText = await page.textContent('#backend');
  await context.close();
  return {
    backend,
    adapter: backendText,
    ready_cold_s: readyCold,
    ready_cached_s: readyCached,
    embed_ms_per_sample: (embedded - start) / (PER_CLASS * 2),
    train_s: (trainedAt - embedded) / 1000,
    train_epochs: epochs,
    total_train_click_to_trained_s: (trainedAt - start) / 1000,
    ...fineTune,
    live_fps: fps,
  };
}

const server = await startServer();
const feed = fakeWebcamFile([join(FIXTURES, 'dog.png'), join(FIXTURES, 'coffee.png')], 30);
const browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${feed}`]);
const files = sampleFiles();
const version = browser.version();
const results = [];
try {
  for (const backend of backends) results.push(await measure(browser, server, backend, files));
} finally {
  await browser.close();
  server.stop();
}
console.table(results);
writeFileSync(
  join(ROOT, 'bench/trainer-results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), browser: `Chromium ${version}`, results }, null, 2)}\n`,
);
