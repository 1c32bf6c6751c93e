// `npm run bench [-- --quick] [--no-webgpu]`: burnish vs TF.js on the same MobileNetV1 weights and
// the same photos, in one headless Chromium session (bench/index.html, one page per compute kind:
// burn's WebGPU runtime starts once per page). Prints a table and writes bench/results.json.
// Needs the built wasm package (www/pkg) and the weights (www/models), as `npm start` leaves them.

/* global bench -- the bench page's global, used inside page.evaluate */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { ROOT, launchChromium, startServer } from '../tests/e2e/harness.js';
import { openBenchPage, probeImages } from './page.js';
import { figure, formatTable } from './report.js';
import { SCALE_SUFFIX } from './safetensors.js';

const FLAGS = ['--quick', '--no-webgpu'];
const args = process.argv.slice(2);
if (args.some((a) => !FLAGS.includes(a))) {
  console.error('usage: npm run bench [-- --quick] [--no-webgpu]');
  process.exit(2);
}
const quick = args.includes('--quick');
const withWebGpu = !args.includes('--no-webgpu');

const WEIGHTS = join(ROOT, 'www/models/mobilenet_v1_1.0_224.safetensors');
const WASM = join(ROOT, 'www/pkg/burnish_bg.wasm');
const TFJS_WASM_DIR = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
/** Teachable Machine's head and the issue's data: 5 classes × 50 cached embeddings. */
const HEAD = { classes: 5, perClass: 50, config: { epochs: 50, batch_size: 16, learning_rate: 1e-3, hidden_units: 100, dropout: 0.5 } };

/**
 * Warm-up and timed repetitions per figure. A software WebGPU adapter (SwiftShader) needs seconds
 * per image, so there only inference is timed, briefly: embedding the 250 training samples alone
 * would take over ten minutes per side.
 */
function plan(softwareAdapter) {
  if (softwareAdapter) {
    return {
      embed1: { warmup: 1, reps: quick ? 1 : 3 },
      embed32: { warmup: 1, reps: 1 },
      latency: { warmup: 1, reps: quick ? 2 : 3 },
      head: null,
      fineTune: null,
    };
  }
  return {
    embed1: { warmup: 2, reps: quick ? 3 : 10 },
    embed32: { warmup: 1, reps: quick ? 2 : 5 },
    latency: { warmup: 2, reps: quick ? 5 : 20 },
    head: { warmupEpochs: 5, reps: quick ? 1 : 3 },
    fineTune: { warmup: 1, reps: quick ? 2 : 5 },
  };
}

const started = performance.now();
async function step(label, fn) {
  const t = performance.now();
  process.stderr.write(`[bench ${((t - started) / 1000).toFixed(0)} s] ${label}…\n`);
  const out = await fn();
  process.stderr.write(`[bench] ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  return out;
}

/** Every figure of one compute kind ("cpu" or "webgpu") on a fresh bench page. */
async function runKind(browser, url, kind, images) {
  const page = await openBenchPage(browser, url);
  page.on('pageerror', (err) => process.stderr.write(`[page] ${err.message}\n`));
  const call = (fn, arg) => page.evaluate(fn, arg);
  const info = await step(`${kind}: load both sides`, () => call(([k, b]) => bench.setup(k, b), [kind, images.base64]));
  const missing = ['burnish', 'tfjs'].filter((side) => info[side].unavailable);
  const out = { info, agreement: null, values: {}, plan: plan(kind === 'webgpu' && !info.adapter?.hardware) };
  if (missing.length === 0) {
    out.agreement = await step(`${kind}: top-1 agreement`, () => call((g) => bench.agreement(g), images.golden));
    const bad = out.agreement.filter((r) => r.burnish_top1 !== r.tfjs_top1 || r.tfjs_top1 !== r.tensorflow_top1);
    if (bad.length) throw new Error(`${kind}: burnish, TF.js and TensorFlow disagree on top-1: ${JSON.stringify(bad)}`);
  }
  const p = out.plan;
  const v = out.values;
  v.embed1 = await step(`${kind}: embedding, batch 1`, () => call((pl) => bench.embedding(1, pl), p.embed1));
  v.embed32 = await step(`${kind}: embedding, batch 32`, () => call((pl) => bench.embedding(32, pl), p.embed32));
  v.latency = await step(`${kind}: prediction latency`, () => call((pl) => bench.latency(pl), p.latency));
  if (p.head) v.head = await step(`${kind}: head training`, () => call((a) => bench.headTraining(a), { ...HEAD, ...p.head }));
  if (p.fineTune && !info.burnish.unavailable) {
    v.fineTune = await step(`${kind}: fine-tune epoch`, () => call((a) => bench.fineTuneEpoch(a), { config: HEAD.config, ...p.fineTune }));
  }
  await page.close();
  return out;
}

/**
 * Embedding on `threads` cores, on a cross-origin isolated bench page: burnish's pool of
 * embedding workers vs TF.js's wasm backend with its threads.
 */
async function runThreads(browser, url, threads, images) {
  const page = await openBenchPage(browser, url);
  page.on('pageerror', (err) => process.stderr.write(`[page] ${err.message}\n`));
  const call = (fn, arg) => page.evaluate(fn, arg);
  const info = await step(`${threads} threads: load both sides`, () => call(([b, t]) => bench.setupThreads(b, t), [images.base64, threads]));
  if (!info.crossOriginIsolated) throw new Error('the all-cores bench page is not cross-origin isolated');
  const p = plan(false);
  const values = {
    embed1: await step(`${threads} threads: embedding, batch 1`, () => call((pl) => bench.embedding(1, pl), p.embed1)),
    embed32: await step(`${threads} threads: embedding, batch 32`, () => call((pl) => bench.embedding(32, pl), p.embed32)),
  };
  await page.close();
  return { threads, info, values };
}

/** Seconds from navigation to `data-state="ready"` of the app on Flex: a fresh context, then a reload. */
async function appLoad(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const ready = async (navigate) => {
    const t = performance.now();
    await navigate();
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 300_000, polling: 20 });
    const seconds = (performance.now() - t) / 1000;
    if ((await page.evaluate(() => document.body.dataset.state)) !== 'ready') throw new Error(`the app failed to load: ${await page.textContent('#error')}`);
    return seconds;
  };
  const cold = await ready(() => page.goto(`${url}index.html?backend=flex`));
  const cached = await ready(() => page.reload());
  await context.close();
  return { cold, cached };
}

const brotli = (bytes) =>
  brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length;

/** The .wasm TF.js loaded (it picks by SIMD and thread support). */
function tfjsWasmFile({ simd, threads }) {
  return join(TFJS_WASM_DIR, `tfjs-backend-wasm${threads ? '-threaded' : ''}${simd ? '-simd' : ''}.wasm`);
}

/** Weights bytes: our file, and its tensor data alone (what TF.js's own f32 shards would hold). */
function weightsBytes() {
  const bytes = readFileSync(WEIGHTS);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  // TF.js holds the same tensors as float32: 4 bytes a value, whatever burnish stores.
  const data = Object.entries(header)
    .filter(([name]) => name !== '__metadata__' && !name.endsWith(SCALE_SUFFIX))
    .reduce((n, [, t]) => n + 4 * t.shape.reduce((a, b) => a * b, 1), 0);
  return { file: bytes.length, data };
}

/** The table's rows for one compute kind. */
function kindFigures(kind, run) {
  const label = kind === 'cpu' ? 'CPU: Flex vs tfjs-wasm' : 'WebGPU: burn-wgpu vs tfjs-webgpu';
  const unavailable = ['burnish', 'tfjs']
    .filter((side) => run.info[side].unavailable)
    .map((side) => `${side} unavailable: ${run.info[side].unavailable}`)
    .join('; ');
  const skipped = 'not run on a software WebGPU adapter';
  const seconds = (v) => v && { burnish: v.burnish && v.burnish / 1000, tfjs: v.tfjs && v.tfjs / 1000 };
  const v = run.values;
  const adapter = run.info.adapter ? `adapter: ${run.info.adapter.text}` : '';
  return [
    figure(`embedding, batch 1 (${label})`, 'images/s', 'higher', v.embed1, [adapter, unavailable].filter(Boolean).join('; ')),
    figure(`embedding, batch 32 (${label})`, 'images/s', 'higher', v.embed32, unavailable),
    figure(`prediction latency, 1 frame (${label})`, 'ms', 'lower', v.latency, unavailable),
    figure(`head training, 5×50, 50 epochs (${label})`, 's', 'lower', seconds(v.head), v.head ? unavailable : skipped),
    figure(`fine-tune last block, 1 epoch on 250 (${kind})`, 's', 'lower', { burnish: v.fineTune && v.fineTune / 1000 }, v.fineTune ? 'burnish only' : skipped),
  ];
}

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
    // 1 … n threads on the cross-origin isolated server: the scaling, and all cores at n.
    isolatedServer = await startServer({ isolated: true });
    for (let t = 1; t <= runs.cpu.info.hardwareConcurrency; t++) scaling.push(await runThreads(browser, isolatedServer.url, t, images));
    if (withWebGpu) {
      try {
        runs.webgpu = await runKind(browser, server.url, 'webgpu', images);
      } catch (err) {
        errors.push(`WebGPU: ${err.message}`);
      }
    }
    try {
      load = await step('app load to ready (Flex)', () => appLoad(browser, server.url));
    } catch (err) {
      errors.push(`app load: ${err.message}`);
    }
  } finally {
    await browser.close().catch(() => {});
    server.stop();
    isolatedServer?.stop();
  }
  const weights = weightsBytes();
  const wasm = readFileSync(WASM);
  const tfWasmPath = tfjsWasmFile(runs.cpu.info.tfjs);
  const tfWasm = readFileSync(tfWasmPath);
  const wasmBrotli = await step('brotli (quality 11) of the wasm files', () => ({ burnish: brotli(wasm), tfjs: brotli(tfWasm) }));
  const mb = (v) => ({ burnish: v.burnish / 1e6, tfjs: v.tfjs / 1e6 });
  const tfWasmName = tfWasmPath.slice(TFJS_WASM_DIR.length + 1);

  const all = scaling.at(-1);
  const allLabel = `CPU, all ${all.threads} cores: Flex worker pool vs tfjs-wasm threads`;
  const figures = [
    ...kindFigures('cpu', runs.cpu),
    figure(`embedding, batch 1 (${allLabel})`, 'images/s', 'higher', all.values.embed1, 'burnish: one single image per worker at once'),
    figure(`embedding, batch 32 (${allLabel})`, 'images/s', 'higher', all.values.embed32, 'burnish: 32 images per worker'),
    ...(runs.webgpu ? kindFigures('webgpu', runs.webgpu) : []),
    figure('app load to ready, cold (Flex)', 's', 'lower', { burnish: load?.cold }, 'burnish only; fresh profile, vite dev server'),
    figure('app load to ready, cached (Flex)', 's', 'lower', { burnish: load?.cached }, 'burnish only; reload, weights from the Cache API'),
    figure('wasm size, raw', 'MB', 'lower', mb({ burnish: wasm.length, tfjs: tfWasm.length }), `TF.js: ${tfWasmName}; JS not counted on either side`),
    figure('wasm size, brotli', 'MB', 'lower', mb(wasmBrotli), 'brotli quality 11'),
    figure('weights', 'MB', 'lower', mb({ burnish: weights.file, tfjs: weights.data }), 'TF.js: the same f32 tensors without the safetensors header'),
  ];
  const results = {
    date: new Date().toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    browser: `Chromium ${version} (headless)`,
    hardware_concurrency: runs.cpu.info.hardwareConcurrency,
    weights_bytes: weights.file,
    cpu_model: cpus()[0].model,
    os: `${platform()} ${release()}`,
    node: process.version,
    sides: Object.fromEntries(Object.entries(runs).map(([kind, r]) => [kind, r.info])),
    plans: Object.fromEntries(Object.entries(runs).map(([kind, r]) => [kind, r.plan])),
    head: HEAD,
    agreement: Object.fromEntries(Object.entries(runs).map(([kind, r]) => [kind, r.agreement])),
    figures,
    /** images/s by thread count: burnish's pool of n workers, TF.js's wasm with n threads. */
    cpu_threads_scaling: scaling.map(({ threads, info, values }) => ({
      threads,
      tfjs_threads_used: info.tfjs.threads ?? null,
      burnish_embed1: values.embed1.burnish,
      tfjs_embed1: values.embed1.tfjs,
      burnish_embed32: values.embed32.burnish,
      tfjs_embed32: values.embed32.tfjs,
    })),
    /** burnish ÷ TF.js embedding throughput: single-threaded (both sides), and all cores. */
    ratios: {
      cpu_single_embed1: runs.cpu.values.embed1.burnish / runs.cpu.values.embed1.tfjs,
      cpu_single_embed32: runs.cpu.values.embed32.burnish / runs.cpu.values.embed32.tfjs,
      cpu_threads_embed1: all.values.embed1.burnish / all.values.embed1.tfjs,
      cpu_threads_embed32: all.values.embed32.burnish / all.values.embed32.tfjs,
    },
    errors,
  };
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`${results.browser}, ${results.cpu_model} (hardwareConcurrency ${results.hardware_concurrency}), ${results.date}\n`);
  console.log(formatTable(figures));
  console.log('\nscaling, images/s (burnish pool of n workers | TF.js wasm, n threads):');
  for (const r of results.cpu_threads_scaling) {
    const f = (v) => (v == null ? '–' : v.toFixed(1));
    console.log(`  n = ${r.threads}: batch 1 ${f(r.burnish_embed1)} | ${f(r.tfjs_embed1)}; batch 32 ${f(r.burnish_embed32)} | ${f(r.tfjs_embed32)}`);
  }
  if (errors.length) {
    console.log(`\nerrors:\n${errors.map((e) => `  ${e}`).join('\n')}`);
    process.exitCode = 1;
  }
  console.log('\nwritten: bench/results.json');
}

await main();
