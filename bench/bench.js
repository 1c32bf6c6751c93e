// The benchmark page: burnish and TF.js side by side, driven by bench/run.js through
// `window.bench`. One page per configuration: "cpu" (Flex vs tfjs-wasm, one thread each),
// "webgpu" (burn-wgpu vs tfjs-webgpu), and n cores on a cross-origin isolated page (burnish's pool
// of n workers vs TF.js's n threads and a pool of n TF.js workers). The node side decides the
// rounds and their order; this page warms a side up (`warmUp`) and measures one round (`measure`).

import { probeWebGpu } from '../www/lib/backend.js';
import { burnishPoolSide } from './burnish-pool-side.js';
import { burnishSide } from './burnish-side.js';
import { concat } from './concat.js';
import { parseSafetensors } from './safetensors.js';
import { tfjsPoolSide } from './tfjs-pool-side.js';
import { tfjsSide } from './tfjs-side.js';

const WEIGHTS_URL = '/www/models/mobilenet_v1_1.0_224.safetensors';
/** Outputs of the ImageNet graph (index 0 = background) and width of the embedding. */
const CLASSES = 1001;
const FEATURES = 1024;
const BACKENDS = { cpu: { burnish: 'flex', tfjs: 'wasm' }, webgpu: { burnish: 'webgpu', tfjs: 'webgpu' } };

// A run must not reload when a served file changes (vite's HMR, e.g. a rebuild of www/pkg): accept
// updates of this page's imports and keep running the modules already loaded.
if (import.meta.hot) {
  import.meta.hot.accept(
    ['../www/lib/backend.js', './burnish-pool-side.js', './burnish-side.js', './concat.js', './safetensors.js', './tfjs-pool-side.js', './tfjs-side.js'],
    () => {},
  );
}

let images = [];
const sides = {};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `n` images cycling through the fixtures. */
const take = (n) => Array.from({ length: n }, (_, i) => images[i % images.length]);

const argmax = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

/** Milliseconds of `fn()`. */
async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Embedding throughput: a side with several images in flight (a pool: one per worker) embeds that many batches at once. */
const embedding = (batch) => ({
  throughput: true,
  async once(side) {
    const n = batch * (side.inFlight ?? 1);
    const rgba = concat(take(n));
    return { ms: await timed(() => side.embed(rgba, n)), images: n };
  },
});

/** Head training config (Teachable Machine's head and data: 5 classes × 50 cached embeddings). */
let head = null;

/**
 * The figures. `once(side)` runs one repetition: `{ ms, images }` for a throughput (a round is
 * images/s over its repetitions), `{ ms }` for a time (a round is the median of its repetitions);
 * `prepare(side)` runs once per side (and per `prepareAs`, when figures share it), untimed.
 */
const FIGURES = {
  embed1: embedding(1),
  embed32: embedding(32),
  /** Single-frame ImageNet prediction: pixels in, top 5 read back. */
  latency: { once: async (side) => ({ ms: await timed(() => side.predictTop(images[0], 5)) }) },
  /** A full training run of a fresh head on cached embeddings. */
  head: {
    prepare: (side) => side.prepareHead(take(head.classes * head.perClass), Array.from({ length: head.classes * head.perClass }, (_, i) => Math.floor(i / head.perClass)), head.classes, 32),
    once: async (side) => ({ ms: await side.trainHead(head.config) }),
  },
  /** One epoch fine-tuning the last block plus the head (burnish only), on the head's samples. */
  fineTune: {
    prepareAs: 'head',
    prepare: (side) => FIGURES.head.prepare(side),
    once: async (side) => ({ ms: (await side.fineTuneEpochs(head.config, 1))[0] }),
  },
};

const prepared = new Set();

/** Decodes the probe images, then starts each side with the weights' bytes; returns each side's info, or why it is unavailable. */
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
   * Loads both sides on `kind` ("cpu": one thread each); returns their info (or why a side is
   * unavailable), the machine's `hardwareConcurrency` and, for WebGPU, the adapter.
   */
  async setup(kind, base64Images) {
    const info = { hardwareConcurrency: navigator.hardwareConcurrency };
    if (kind === 'webgpu') info.adapter = await probeWebGpu();
    return startSides(base64Images, info, {
      burnish: (bytes) => burnishSide(BACKENDS[kind].burnish, bytes),
      tfjs: (bytes) => tfjsSide(BACKENDS[kind].tfjs, parseSafetensors(bytes), { probe: images[0] }),
    });
  },

  /**
   * `threads` cores (on a cross-origin isolated page): burnish's pool of `threads` embedding
   * workers, TF.js's wasm backend with `threads` threads, and a pool of `threads` TF.js workers.
   */
  setupThreads: (base64Images, threads) =>
    startSides(base64Images, { hardwareConcurrency: navigator.hardwareConcurrency, crossOriginIsolated: self.crossOriginIsolated, threads }, {
      burnish: (bytes) => burnishPoolSide(bytes, threads),
      tfjs: (bytes) => tfjsSide('wasm', parseSafetensors(bytes), { threads, probe: images[0] }),
      tfjs_pool: (bytes) => tfjsPoolSide(bytes, threads, images[0]),
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

  /** The head figures' data and config (`{ classes, perClass, config }`). */
  setHead(config) {
    head = config;
  },

  /** Runs `figure` on side `name` until `ms` have passed (at least once); returns how many runs. */
  async warmUp(figure, name, ms) {
    const f = FIGURES[figure];
    const key = `${f.prepareAs ?? figure}/${name}`;
    if (f.prepare && !prepared.has(key)) {
      await f.prepare(sides[name]);
      prepared.add(key);
    }
    const end = performance.now() + ms;
    let runs = 0;
    do {
      await f.once(sides[name]);
      runs++;
    } while (performance.now() < end);
    return runs;
  },

  /** One round of `figure` on side `name`: `reps` repetitions → images/s, or the median ms. */
  async measure(figure, name, reps) {
    const f = FIGURES[figure];
    const runs = [];
    for (let i = 0; i < reps; i++) runs.push(await f.once(sides[name]));
    if (!f.throughput) return median(runs.map((r) => r.ms));
    return (runs.reduce((n, r) => n + r.images, 0) * 1000) / runs.reduce((t, r) => t + r.ms, 0);
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
};
window.benchReady = true;
