// `npm run bench [-- --quick] [--no-webgpu]`: burnish vs TF.js at its best, on the same
// MobileNetV1 weights and the same photos, in one headless Chromium session (bench/index.html, one
// page per configuration). Every figure is measured over interleaved rounds (the side that goes
// first rotates) after a time-based warm-up of each side, and reported as median and
// interquartile range; a ratio is claimed only where the ranges do not overlap. The run fails
// when a side is not configured as claimed (fused ops, SIMD, thread counts, isolation, answers).
// Prints a table and writes bench/results.json with every round.
// Needs the built wasm package (www/pkg) and the weights (www/models), as `npm start` leaves them.

/* global bench -- the bench page's global, used inside page.evaluate */
import { writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { ROOT, launchChromium, startServer } from '../tests/e2e/harness.js';
import { openBenchPage, probeImages } from './page.js';
import { compare, formatTable, single } from './report.js';
import { sizeFigures } from './sizes.js';
import { stats } from './spread.js';

const FLAGS = ['--quick', '--no-webgpu'];
const args = process.argv.slice(2);
if (args.some((a) => !FLAGS.includes(a))) {
  console.error('usage: npm run bench [-- --quick] [--no-webgpu]');
  process.exit(2);
}
const quick = args.includes('--quick');
const withWebGpu = !args.includes('--no-webgpu');

/** Teachable Machine's head and the issue's data: 5 classes × 50 cached embeddings. */
const HEAD = { classes: 5, perClass: 50, config: { epochs: 50, batch_size: 16, learning_rate: 1e-3, hidden_units: 100, dropout: 0.5 } };
/** Rounds per figure, and each side's warm-up before its first round. `--quick` is for trying the script, not for claims. */
const ROUNDS = quick ? 2 : 5;
const WARMUP_MS = quick ? 500 : 3000;
/** Repetitions per round. A software WebGPU adapter (SwiftShader) needs seconds an image: inference only, once a round. */
const REPS = { embed1: 10, embed32: 2, latency: 20, head: 1, fineTune: 1 };
const SOFTWARE_REPS = { embed1: 1, latency: 1 };
/** Agreement the sides must reach: embeddings burnish vs TF.js, TF.js logits vs TensorFlow's (int16 weights). */
const MAX_EMBEDDING_DIFF = 1e-3;
const MAX_LOGIT_DIFF = 0.05;

const started = performance.now();
async function step(label, fn) {
  const t = performance.now();
  process.stderr.write(`[bench ${((t - started) / 1000).toFixed(0)} s] ${label}…\n`);
  const out = await fn();
  process.stderr.write(`[bench] ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  return out;
}

/**
 * `figure` on every side of `names`: each warmed up for WARMUP_MS, then ROUNDS rounds of `reps`
 * repetitions, the side that goes first rotating. `{ rounds: [{ order, values }], sides: stats }`.
 */
async function rounds(page, figure, names, reps) {
  for (const name of names) await page.evaluate(([f, n, ms]) => bench.warmUp(f, n, ms), [figure, name, WARMUP_MS]);
  const log = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)];
    const values = {};
    for (const name of order) values[name] = await page.evaluate(([f, n, k]) => bench.measure(f, n, k), [figure, name, reps]);
    log.push({ order, values });
  }
  return { rounds: log, sides: Object.fromEntries(names.map((n) => [n, stats(log.map((l) => l.values[n]))])) };
}

/** Throws unless every side of `info` started (a side that is not configured as claimed does not start). */
function requireSides(label, info, names) {
  const missing = names.filter((n) => info[n]?.unavailable);
  if (missing.length) throw new Error(`${label}: ${missing.map((n) => `${n} did not start as claimed: ${info[n].unavailable}`).join('; ')}`);
}

/** Burnish, TF.js and TensorFlow agree: top-1 on every photo, embeddings and logits within bounds. */
function checkAgreement(label, rows) {
  const bad = rows.filter(
    (r) => r.burnish_top1 !== r.tfjs_top1 || r.tfjs_top1 !== r.tensorflow_top1 || r.max_abs_embedding_diff > MAX_EMBEDDING_DIFF || r.tfjs_max_abs_logit_diff_vs_tensorflow > MAX_LOGIT_DIFF,
  );
  if (bad.length) throw new Error(`${label}: burnish, TF.js and TensorFlow disagree: ${JSON.stringify(bad)}`);
}

/** Every figure of one compute kind ("cpu": one thread each, or "webgpu") on a fresh bench page. */
async function runKind(browser, url, kind, images) {
  const page = await openBenchPage(browser, url);
  page.on('pageerror', (err) => process.stderr.write(`[page] ${err.message}\n`));
  const info = await step(`${kind}: load both sides`, () => page.evaluate(([k, b]) => bench.setup(k, b), [kind, images.base64]));
  requireSides(kind, info, ['burnish', 'tfjs']);
  const agreement = await step(`${kind}: agreement`, () => page.evaluate((g) => bench.agreement(g), images.golden));
  checkAgreement(kind, agreement);
  await page.evaluate((h) => bench.setHead(h), HEAD);
  const software = kind === 'webgpu' && !info.adapter?.hardware;
  const reps = software ? SOFTWARE_REPS : REPS;
  const out = { info, agreement, software, reps, figures: {} };
  for (const figure of Object.keys(reps)) {
    const names = figure === 'fineTune' ? ['burnish'] : ['burnish', 'tfjs'];
    out.figures[figure] = await step(`${kind}: ${figure}`, () => rounds(page, figure, names, reps[figure]));
  }
  await page.close();
  return out;
}

/** Embedding on `threads` cores (cross-origin isolated page): burnish's pool, TF.js's threads, a TF.js pool. */
async function runThreads(browser, url, threads, images) {
  const page = await openBenchPage(browser, url);
  page.on('pageerror', (err) => process.stderr.write(`[page] ${err.message}\n`));
  const info = await step(`${threads} cores: load the sides`, () => page.evaluate(([b, t]) => bench.setupThreads(b, t), [images.base64, threads]));
  if (!info.crossOriginIsolated) throw new Error('the all-cores bench page is not cross-origin isolated');
  const names = ['burnish', 'tfjs', 'tfjs_pool'];
  requireSides(`${threads} cores`, info, names);
  if (info.burnish.workers !== threads || info.tfjs_pool.workers !== threads) throw new Error(`${threads} cores: the pools hold ${info.burnish.workers} and ${info.tfjs_pool.workers} workers`);
  const figures = {};
  for (const figure of ['embed1', 'embed32']) figures[figure] = await step(`${threads} cores: ${figure}`, () => rounds(page, figure, names, REPS[figure]));
  await page.close();
  return { threads, info, figures };
}

/** Seconds from navigation to `data-state="ready"` of the app on Flex, ROUNDS times: a fresh context, then a reload. */
async function appLoad(browser, url) {
  const cold = [];
  const cached = [];
  for (let r = 0; r < ROUNDS; r++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const ready = async (navigate) => {
      await navigate();
      await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 300_000, polling: 20 });
      if ((await page.evaluate(() => document.body.dataset.state)) !== 'ready') throw new Error(`the app failed to load: ${await page.textContent('#error')}`);
      return page.evaluate(() => performance.now() / 1000);
    };
    cold.push(await ready(() => page.goto(`${url}index.html?backend=flex`)));
    cached.push(await ready(() => page.reload()));
    await context.close();
  }
  return { cold: stats(cold), cached: stats(cached) };
}

/** The rows of one compute kind. */
function kindFigures(kind, run) {
  const label = kind === 'cpu' ? 'one thread: Flex vs tfjs-wasm' : 'WebGPU: burn-wgpu vs tfjs-webgpu';
  const f = run.figures;
  const adapter = run.info.adapter ? `adapter: ${run.info.adapter.text}` : '';
  const s = (figure, scale = 1) => f[figure] && Object.fromEntries(Object.entries(f[figure].sides).map(([k, v]) => [k, scaleStats(v, scale)]));
  const rows = [
    compare(`embedding, batch 1 (${label})`, 'images/s', 'higher', s('embed1'), adapter),
    compare(`prediction latency, 1 frame (${label})`, 'ms', 'lower', s('latency')),
  ];
  if (f.embed32) rows.splice(1, 0, compare(`embedding, batch 32 (${label})`, 'images/s', 'higher', s('embed32')));
  if (f.head) rows.push(compare(`head training, 5×50, 50 epochs (${label})`, 's', 'lower', s('head', 1e-3), "TF.js: model.fit, yieldEvery 'never'"));
  if (f.fineTune) rows.push(single(`fine-tune last block, 1 epoch on 250 (${kind})`, 's', 'lower', scaleStats(f.fineTune.sides.burnish, 1e-3), 'burnish only'));
  if (run.software) rows.push(single(`(${kind}) batch 32, head and fine-tune`, '', '', null, 'not run on a software WebGPU adapter (seconds an image)'));
  return rows;
}

const scaleStats = (s, k) => ({ median: s.median * k, q1: s.q1 * k, q3: s.q3 * k, values: s.values.map((v) => v * k) });

async function main() {
  const images = probeImages();
  const server = await startServer();
  const browser = await launchChromium();
  const version = browser.version();
  const errors = [];
  const runs = {};
  const scaling = [];
  let isolatedServer;
  let load;
  try {
    runs.cpu = await runKind(browser, server.url, 'cpu', images);
    isolatedServer = await startServer({ isolated: true });
    for (let t = 1; t <= runs.cpu.info.hardwareConcurrency; t++) scaling.push(await runThreads(browser, isolatedServer.url, t, images));
    if (withWebGpu) {
      try {
        runs.webgpu = await runKind(browser, server.url, 'webgpu', images);
      } catch (err) {
        errors.push(`WebGPU: ${err.message}`);
      }
    }
    load = await step('app load to ready (Flex)', () => appLoad(browser, server.url));
  } finally {
    await browser.close().catch(() => {});
    server.stop();
    isolatedServer?.stop();
  }
  const all = scaling.at(-1);
  const allLabel = `all ${all.threads} cores: burnish pool vs TF.js threads | TF.js pool`;
  const sizes = await step('sizes', () => sizeFigures(runs.cpu.info.tfjs));
  const figures = [
    ...kindFigures('cpu', runs.cpu),
    compare(`embedding, batch 1 (${allLabel})`, 'images/s', 'higher', all.figures.embed1.sides, 'pools: one image per worker at once'),
    compare(`embedding, batch 32 (${allLabel})`, 'images/s', 'higher', all.figures.embed32.sides, 'pools: 32 images per worker'),
    ...(runs.webgpu ? kindFigures('webgpu', runs.webgpu) : []),
    single('app load to ready, cold (Flex)', 's', 'lower', load.cold, 'burnish only; fresh profile, vite dev server'),
    single('app load to ready, cached (Flex)', 's', 'lower', load.cached, 'burnish only; reload, weights from the Cache API'),
    ...sizes.figures,
  ];
  const results = {
    date: new Date().toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    method: { rounds: ROUNDS, warmup_ms_per_side: WARMUP_MS, reps_per_round: REPS, software_adapter_reps: SOFTWARE_REPS, order: 'rotates each round', spread: 'median and interquartile range over rounds' },
    browser: `Chromium ${version} (headless)`,
    hardware_concurrency: runs.cpu.info.hardwareConcurrency,
    cpu_model: cpus()[0].model,
    os: `${platform()} ${release()}`,
    node: process.version,
    head: HEAD,
    runs,
    /** Every core count from 1 to all: each side's rounds. */
    cpu_threads_scaling: scaling,
    sizes: sizes.raw,
    figures,
    errors,
  };
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 1)}\n`);
  console.log(`${results.browser}, ${results.cpu_model} (hardwareConcurrency ${results.hardware_concurrency}), ${results.date}`);
  console.log(`${ROUNDS} rounds per figure, ${WARMUP_MS / 1000} s warm-up per side; median (IQR)\n`);
  console.log(formatTable(figures));
  console.log('\nscaling, images/s, median (burnish pool | TF.js threads | TF.js pool):');
  for (const r of scaling) {
    const m = (fig, side) => r.figures[fig].sides[side].median.toFixed(1);
    console.log(`  n = ${r.threads}: batch 1 ${m('embed1', 'burnish')} | ${m('embed1', 'tfjs')} | ${m('embed1', 'tfjs_pool')}; batch 32 ${m('embed32', 'burnish')} | ${m('embed32', 'tfjs')} | ${m('embed32', 'tfjs_pool')}`);
  }
  if (errors.length) {
    console.log(`\nerrors:\n${errors.map((e) => `  ${e}`).join('\n')}`);
    process.exitCode = 1;
  }
  console.log('\nwritten: bench/results.json');
}

await main();
