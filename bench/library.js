// The library against the page it serves: how long a predict-only `Classifier.load` of a trained
// model plus its first answer takes, beside the trainer page's time from navigation to ready
// (both cold — a fresh browser profile — and with the weights cached), interleaved over rounds
// (which side goes first alternates), on Flex. Median and interquartile range of each.
//
//   node bench/library.js [rounds]        (needs `npm run build` and the weights)
//
// Prints a table and writes bench/library-results.json.

import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, burnish, launchChromium, startServer } from '../tests/e2e/harness.js';
import { stats, statsLine } from './spread.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const FIXTURES = join(ROOT, 'tests/fixtures/images');

/**
 * A small trained model (the CLI's, head only on the fixture photos) for the Classifier to load,
 * written where the server serves it; returns its URL path.
 */
async function trainedModel() {
  const dir = mkdtempSync(join(tmpdir(), 'burnish-library-bench-'));
  for (const [name, files] of [['animal', ['dog.png', 'chelsea.png', 'eagle.png']], ['thing', ['coffee.png', 'rocket.png', 'astronaut.png']]]) {
    mkdirSync(join(dir, 'data', name), { recursive: true });
    for (const f of files) copyFileSync(join(FIXTURES, f), join(dir, 'data', name, f));
  }
  await burnish('train', join(dir, 'data'), '--fine-tune-blocks', '0', '--augment', 'false', '--epochs', '10', '--out', join(dir, 'model.safetensors'));
  mkdirSync(ARTIFACTS, { recursive: true });
  copyFileSync(join(dir, 'model.safetensors'), join(ARTIFACTS, 'library-bench-model.safetensors'));
  return '/tests/e2e/artifacts/library-bench-model.safetensors';
}

/**
 * Seconds from navigation start to the trainer page's ready state (the page's own clock, polled
 * every 10 ms), cold, then reloaded with the weights cached.
 */
async function pageReady(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const times = [];
  for (const go of [() => page.goto(`${url}?backend=flex`), () => page.reload()]) {
    await go();
    const at = await page.waitForFunction(() => document.body.dataset.state === 'ready' && performance.now(), null, { timeout: 300_000, polling: 10 });
    times.push((await at.jsonValue()) / 1000);
  }
  await context.close();
  return times;
}

/**
 * Seconds from navigation start to a Classifier's first answer (the page's own clock: import,
 * model download, load, one classification), cold, then with the weights cached.
 */
async function classifierFirstAnswer(browser, url, modelPath) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const times = [];
  for (let visit = 0; visit < 2; visit++) {
    await page.goto(`${url}examples/`);
    const { label, at } = await page.evaluate(async (path) => {
      const { Classifier } = await import('/www/lib/burnish.js');
      const classifier = await Classifier.load(await (await fetch(path)).blob(), { backend: 'cpu' });
      const image = Object.assign(new Image(), { src: '/tests/fixtures/images/dog.png' });
      await image.decode();
      const answer = await classifier.classify(image);
      return { label: answer.nearest, at: performance.now() };
    }, modelPath);
    times.push(at / 1000);
    if (label !== 'animal') throw new Error(`the classifier answered ${label}`);
  }
  await context.close();
  return times;
}

const model = await trainedModel();
const server = await startServer();
const browser = await launchChromium();
const rounds = [];
try {
  // One untimed round: Vite transforms the modules on first request.
  await pageReady(browser, server.url);
  await classifierFirstAnswer(browser, server.url, model);
  for (let r = 0; r < ROUNDS; r++) {
    const round = {};
    const sides = [['page', () => pageReady(browser, server.url)], ['classifier', () => classifierFirstAnswer(browser, server.url, model)]];
    for (const [side, run] of r % 2 ? sides.reverse() : sides) round[side] = await run();
    rounds.push(round);
  }
} finally {
  await browser.close();
  await server.stop();
}
const result = {
  date: new Date().toISOString(),
  command: `node bench/library.js ${ROUNDS}`,
  page_ready_cold_s: stats(rounds.map((r) => r.page[0])),
  page_ready_cached_s: stats(rounds.map((r) => r.page[1])),
  classifier_first_answer_cold_s: stats(rounds.map((r) => r.classifier[0])),
  classifier_first_answer_cached_s: stats(rounds.map((r) => r.classifier[1])),
};
writeFileSync(join(ROOT, 'bench/library-results.json'), `${JSON.stringify(result, null, 2)}\n`);
for (const [name, s] of Object.entries(result)) if (s.median !== undefined) console.log(statsLine(name, s, 34));
