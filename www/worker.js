// The module worker: owns the wasm instance and burn, so the page never blocks.
// Protocol: request { id, type, args } → reply { id, ok, result | error };
// unsolicited { type: 'progress', phase: 'weights' | 'restore', loaded, total } during long steps,
// and { type: 'gpu-lost', message } when the GPU goes away under a WebGPU project.
// Each handler is one call into the wasm `Project` (src/web): no logic lives here.

import init, { BundleWriter, Project, readBundle, trainingSettings } from './pkg/burnish.js';
import { chooseBackend } from './backend.js';
import { loadWeights } from './weights.js';
import { serve } from './serve.js';
import { POOL_WORKER_URL, PrefixPool, poolSize } from './prefix-pool.js';

let project = null;
/** The pool of embedding workers (a promise; null where there is none: WebGPU, one core). */
let pool = Promise.resolve(null);

function needProject() {
  if (!project) throw new Error('the model is not loaded yet');
  return project;
}

/**
 * burn keeps its WebGPU device to itself, so a sentinel device on the same adapter reports a lost
 * GPU (a GPU-process crash or a driver reset loses every device); burn's calls may then hang.
 */
let sentinel = null;

async function watchGpu() {
  try {
    const adapter = await navigator.gpu.requestAdapter();
    sentinel = await adapter?.requestDevice();
    sentinel?.lost.then(({ reason, message }) => {
      if (reason !== 'destroyed') postMessage({ type: 'gpu-lost', message: message || 'device lost' });
    });
  } catch {
    // No sentinel: errors from burn still reveal a lost device.
  }
}

const handlers = {
  /** Loads wasm, picks a backend (falling back to CPU) and loads the weights. */
  async load({ weightsUrl, backend: requested, classNames }) {
    await init();
    const { bytes: weights, cached, verified } = await loadWeights(weightsUrl, (loaded, total) =>
      postMessage({ type: 'progress', phase: 'weights', loaded, total }),
    );
    let { backend, reason } = await chooseBackend(requested);
    try {
      project = await Project.create(weights, backend, classNames);
    } catch (err) {
      if (backend !== 'webgpu') throw err;
      reason = `WebGPU failed (${err.message}); using CPU (Flex)`;
      backend = 'flex';
      project = await Project.create(weights, backend, classNames);
    }
    if (backend === 'webgpu') watchGpu();
    const cores = backend === 'flex' ? poolSize() : 0;
    if (cores) {
      // Started now, while the person collects samples; embedding falls back to this worker alone
      // if it cannot start (a browser without nested workers).
      pool = PrefixPool.start(cores, weights).catch((err) => {
        console.warn(`no pool of embedding workers: ${err.message}`);
        return null;
      });
    }
    return { backend, reason, weightsBytes: weights.length, cached, verified, settings: await trainingSettings() };
  },
  /**
   * Re-adds saved samples ([{ id, label, png }], decoded in wasm) and the saved model; returns the
   * model's description, or why it was not restored (the samples stay usable).
   */
  async restore({ samples, model }) {
    for (const [i, { id, label, png }] of samples.entries()) {
      await needProject().insertSamplePng(id, label, new Uint8Array(await png.arrayBuffer()));
      if (i % 16 === 15) postMessage({ type: 'progress', phase: 'restore', loaded: i + 1, total: samples.length });
    }
    try {
      return { model: model ? await needProject().installModel(model) : null, modelError: null };
    } catch (err) {
      return { model: null, modelError: err.message };
    }
  },
  addClass: ({ name }) => needProject().addClass(name),
  renameClass: ({ label, name }) => needProject().renameClass(label, name),
  removeClass: ({ label }) => needProject().removeClass(label),
  addSample: ({ label, rgb }) => needProject().addSample(label, rgb),
  removeSample: ({ id }) => needProject().removeSample(id),
  relabelSample: ({ id, label }) => needProject().relabelSample(id, label),
  setConfig: ({ config }) => needProject().setConfig(config),
  /** How many embedding workers started (0: none; this worker embeds alone), once they have. */
  poolSize: async () => (await pool)?.size ?? 0,
  /** Embeds a round of pending images (on the pool where there is one); returns how many remain. */
  async embedPending({ limit }) {
    const workers = limit > 0 ? await pool : null;
    return workers ? workers.embedPending(needProject(), limit) : needProject().embedPending(limit);
  },
  async trainEpoch() {
    const started = performance.now();
    const metrics = await needProject().trainEpoch();
    return { ...metrics, ms: performance.now() - started };
  },
  stop: () => needProject().stop(),
  async classify({ rgb, strictness }) {
    const started = performance.now();
    const result = await needProject().classify(rgb, strictness);
    return { ...result, ms: performance.now() - started };
  },
  async predictImagenet({ rgb }) {
    const started = performance.now();
    const top = await needProject().predictImagenet(rgb, 5);
    return { top, ms: performance.now() - started };
  },
  /** URLs this worker and its pool load (their scripts, the wasm), for the offline cache. */
  resources: () => [...performance.getEntriesByType('resource').map((e) => e.name), POOL_WORKER_URL],
  evaluate: () => needProject().evaluate(),
  model: () => needProject().model(),
  checkModel: ({ bytes }) => needProject().checkModel(bytes),
  /** The trained model's `.safetensors`, as a Blob: posting and storing it costs the page nothing. */
  exportModel: async () => new Blob([await needProject().exportModel()]),
  /** The trained model in another format: `{ name, bytes, ms }` (a zip for several files). */
  exportModelAs: ({ format, strictness }) => needProject().exportModelAs(format, strictness),
  noneOfTheseBelow: ({ strictness }) => needProject().noneOfTheseBelow(strictness),
  /** A project bundle (zip bytes) of a saved project (ProjectStore.load's shape). */
  async writeBundle({ project: saved }) {
    const writer = new BundleWriter();
    const label = new Map(saved.classes.map((c, i) => [c.key, i]));
    for (const { key, classKey, png } of saved.samples) {
      await writer.addSample(key, label.get(classKey), new Uint8Array(await png.arrayBuffer()));
    }
    return writer.finish(saved.classes.map((c) => c.name), saved.settings ?? null, saved.strictness ?? undefined, saved.model ?? undefined);
  },
  /** Reads and validates a bundle (throws naming the problem). */
  readBundle: ({ bytes }) => readBundle(bytes),
};

// `poolSize` waits for the pool, not for the project: it must not hold up the queue.
serve(handlers, ['stop', 'poolSize']);
