// The benchmark page: burnish and TF.js side by side on one compute kind ("cpu": Flex vs
// tfjs-wasm, "webgpu": burn-wgpu vs tfjs-webgpu), driven by bench/run.js through `window.bench`.
// Every figure is the median of `reps` timed runs after `warmup` untimed ones.

import { probeWebGpu } from '../www/lib/backend.js';
import { burnishPoolSide } from './burnish-pool-side.js';
import { burnishSide } from './burnish-side.js';
import { concat } from './concat.js';
import { parseSafetensors } from './safetensors.js';
import { tfjsSide } from './tfjs-side.js';

const WEIGHTS_URL = '/www/models/mobilenet_v1_1.0_224.safetensors';
/** Outputs of the ImageNet graph (index 0 = background) and width of the embedding. */
const CLASSES = 1001;
const FEATURES = 1024;
const BACKENDS = { cpu: { burnish: 'flex', tfjs: 'wasm' }, webgpu: { burnish: 'webgpu', tfjs: 'webgpu' } };

// A run must not reload when a served file changes (vite's HMR, e.g. a rebuild of www/pkg): accept
// updates of this page's imports and keep running the modules already loaded.
if (import.meta.hot) {
  import.meta.hot.accept(['../www/lib/backend.js', './burnish-pool-side.js', './burnish-side.js', './concat.js', './safetensors.js', './tfjs-side.js'], () => {});
}

let images = [];
const sides = {};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median milliseconds of `fn`. */
async function medianMs(fn, { warmup, reps }) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** `n` images cycling through the fixtures. */
const take = (n) => Array.from({ length: n }, (_, i) => images[i % images.length]);

/** `fn(side)` for each side that started; `null` for one that did not. */
async function both(fn) {
  const out = {};
  for (const name of ['burnish', 'tfjs']) out[name] = sides[name] ? await fn(sides[name]) : null;
  return out;
}

const argmax = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

/**
 * Decodes the probe images, then starts each side with the weights' bytes (`starts[name](bytes)`);
 * returns `info` with each side's info, or why it is unavailable.
 */
async function startSides(base64Images, info, starts) {
  images = base64Images.map((b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  const bytes = new Uint8Array(await (await fetch(WEIGHTS_URL)).arrayBuffer());
  for (const [name, start] of Object.entries(starts)) {
    try {
      sides[name] = await start(bytes);
      info[name] = sides[name].info;
    } catch (err) {
      info[name] = { unavailable: String(err?.message ?? err) };
    }
  }
  return info;
}

window.bench = {
  /**
   * Loads both sides on `kind`; returns their info (or why a side is unavailable), the machine's
   * `hardwareConcurrency` and, for WebGPU, the adapter as the app sees it.
   */
  async setup(kind, base64Images) {
    const info = { hardwareConcurrency: navigator.hardwareConcurrency };
    if (kind === 'webgpu') info.adapter = await probeWebGpu();
    return startSides(base64Images, info, {
      burnish: (bytes) => burnishSide(BACKENDS[kind].burnish, bytes),
      tfjs: (bytes) => tfjsSide(BACKENDS[kind].tfjs, parseSafetensors(bytes)),
    });
  },

  /**
   * All cores (on a cross-origin isolated page): burnish's pool of `threads` embedding workers
   * and TF.js's wasm backend with `threads` threads. Returns both sides' info.
   */
  setupThreads: (base64Images, threads) =>
    startSides(base64Images, { hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated: self.crossOriginIsolated, threads }, {
      burnish: (bytes) => burnishPoolSide(bytes, threads),
      tfjs: (bytes) => tfjsSide('wasm', parseSafetensors(bytes), threads),
    }),

  /**
   * Per image: the top-1 of burnish's ImageNet prediction, of TF.js's logits and of TensorFlow's
   * own logits (golden: tests/fixtures/golden.json), the largest embedding difference between the
   * sides and TF.js's largest logit difference from TensorFlow.
   */
  async agreement(golden) {
    const all = concat(images);
    const n = images.length;
    const burnishEmbeddings = await sides.burnish.embed(all, n);
    const tfjsEmbeddings = await sides.tfjs.embed(all, n);
    const tfjsLogits = await sides.tfjs.logits(all, n);
    const rows = [];
    for (const [i, rgba] of images.entries()) {
      const [top] = await sides.burnish.predictTop(rgba, 1);
      const logits = tfjsLogits.subarray(i * CLASSES, (i + 1) * CLASSES);
      const row = (values) => values.subarray(i * FEATURES, (i + 1) * FEATURES);
      const [eb, et] = [row(burnishEmbeddings), row(tfjsEmbeddings)];
      rows.push({
        image: golden[i].name,
        burnish_top1: top.index,
        tfjs_top1: argmax(logits.subarray(1)),
        tensorflow_top1: argmax(golden[i].logits.slice(1)),
        max_abs_embedding_diff: Math.max(...eb.map((v, j) => Math.abs(v - et[j]))),
        tfjs_max_abs_logit_diff_vs_tensorflow: Math.max(...logits.map((v, j) => Math.abs(v - golden[i].logits[j]))),
      });
    }
    return rows;
  },

  /**
   * Embedding throughput (images/s) at one batch size, input conversion and readback included.
   * A side with several single images in flight at once (burnish's pool: one per worker) embeds
   * that many batches of `batch` per round.
   */
  embedding: (batch, plan) =>
    both(async (side) => {
      const n = batch * (side.inFlight ?? 1);
      const rgba = concat(take(n));
      return (n * 1000) / (await medianMs(() => side.embed(rgba, n), plan));
    }),

  /** Single-frame ImageNet prediction latency (ms): pixels in, top 5 read back. */
  latency: (plan) => both((side) => medianMs(() => side.predictTop(images[0], 5), plan)),

  /** Head training (ms): `classes` × `perClass` cached embeddings, one full run per rep. */
  async headTraining({ classes, perClass, config, warmupEpochs, reps }) {
    const n = classes * perClass;
    const labels = Array.from({ length: n }, (_, i) => Math.floor(i / perClass));
    return both(async (side) => {
      await side.prepareHead(take(n), labels, classes, 32);
      await side.trainHead({ ...config, epochs: warmupEpochs });
      const times = [];
      for (let i = 0; i < reps; i++) times.push(await side.trainHead(config));
      return median(times);
    });
  },

  /** One side's embedding of `reps` batches of `batch` (bench/profile.js profiles this). */
  async profileEmbedding(side, batch, reps) {
    const rgba = concat(take(batch));
    for (let i = 0; i < reps; i++) await sides[side].embed(rgba, batch);
  },

  /** One side's single-frame ImageNet prediction, `reps` times (bench/profile.js). */
  async profileLatency(side, reps) {
    for (let i = 0; i < reps; i++) await sides[side].predictTop(images[0], 5);
  },

  /** Epoch time (ms) fine-tuning the last block plus the head on the samples `headTraining` added. */
  async fineTuneEpoch({ config, warmup, reps }) {
    const times = await sides.burnish.fineTuneEpochs(config, warmup + reps);
    return median(times.slice(warmup));
  },
};
window.benchReady = true;
