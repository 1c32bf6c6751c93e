// The module worker: owns the wasm instance and burn, so the page never blocks. A generic
// dispatcher: a request { id, type, args } whose type is a method of the wasm `Project` (src/web)
// calls it with `args` (an array of its arguments); the few requests below are the worker's own,
// called the same way.
// Unsolicited messages: { type: 'progress', phase: 'weights' | 'restore', loaded, total } during
// long steps, and { type: 'gpu-lost', message } when the GPU goes away under a WebGPU project.

import init, { Project, checkBehaviour, readBundle, trainingSettings } from '../pkg/burnish.js';
import { chooseBackend } from './backend.js';
import { loadWeights } from './weights.js';
import { serve } from './serve.js';
import { restoreSaved } from './restore.js';
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

/** The requests that are not one call of the wasm Project. */
const handlers = {
  /**
   * Loads wasm, picks a backend (falling back to CPU), loads the weights and opens the project
   * on `classes` ([{ id, name }]) with `settings` (missing ones take the core's defaults); returns
   * the core's settings schema and the project's settings as the core holds them. `pool: false`
   * starts no embedding workers (a predict-only Classifier embeds nothing in bulk).
   */
  async load({ weights_url: weightsUrl, backend: requested, classes, settings, pool: withPool = true }) {
    await init();
    const { bytes: weights, cached, verified } = await loadWeights(weightsUrl, (loaded, total) =>
      postMessage({ type: 'progress', phase: 'weights', loaded, total }),
    );
    let { backend, reason } = await chooseBackend(requested);
    try {
      project = await Project.create(weights, backend, classes, settings);
    } catch (err) {
      if (backend !== 'webgpu') throw err;
      reason = `WebGPU failed (${err.message}); using CPU (Flex)`;
      backend = 'flex';
      project = await Project.create(weights, backend, classes, settings);
    }
    if (backend === 'webgpu') watchGpu();
    const cores = backend === 'flex' && withPool ? poolSize() : 0;
    if (cores) {
      // Started now, while the person collects samples; embedding falls back to this worker alone
      // if it cannot start (a browser without nested workers).
      pool = PrefixPool.start(cores, weights).catch((err) => {
        console.warn(`no pool of embedding workers: ${err.message}`);
        return null;
      });
    }
    return { backend, reason, cached, verified, schema: await trainingSettings(), settings: await project.config() };
  },
  /**
   * Re-adds a saved project's samples ([{ id, class_id, png }], decoded in wasm), its next ids
   * (ids are never given twice) and its model; returns the model's description, or why it was
   * not restored (the samples stay usable).
   */
  restore: (saved) =>
    restoreSaved(needProject(), saved, (loaded, total) => postMessage({ type: 'progress', phase: 'restore', loaded, total })),
  /** How many embedding workers started (0: none; this worker embeds alone), once they have. */
  poolSize: async () => (await pool)?.size ?? 0,
  /** Embeds a round of up to `limit` pending images (on the pool where there is one); returns how many remain. */
  async embedPending(limit) {
    const workers = await pool;
    return workers ? workers.embedPending(needProject(), limit) : needProject().embedPending(limit);
  },
  /** URLs this worker and its pool load (their scripts, the wasm), for the offline cache. */
  resources: () => [...performance.getEntriesByType('resource').map((e) => e.name), POOL_WORKER_URL],
  /** The trained model's `.safetensors`, as a Blob: posting and storing it costs the page nothing. */
  exportModel: async () => new Blob([await needProject().exportModel()]),
  /** Reads and validates a bundle (throws naming the problem). */
  readBundle: (bytes) => readBundle(bytes),
  /** A behaviour checked by the core (its media's type read from its bytes), or why not. */
  checkBehaviour: (behaviour) => checkBehaviour(behaviour),
  /**
   * The project's web app (zip bytes): the runtime (pkg/app-runtime.zip, beside the wasm) and
   * the base weights (from their cache) around the trained model, as Project.writeApp.
   */
  async writeApp(strictness, behaviours, title, weightsUrl) {
    const response = await fetch(new URL('../pkg/app-runtime.zip', import.meta.url));
    if (!response.ok) throw new Error(`the web app's runtime is missing (HTTP ${response.status}): build it with npm run build`);
    const runtime = new Uint8Array(await response.arrayBuffer());
    const { bytes: weights } = await loadWeights(weightsUrl, () => {});
    return needProject().writeApp(strictness, behaviours, title, runtime, weights);
  },
};

/** Any other request: the Project method of that name, with `args` as its arguments. */
function callProject(type, args) {
  const target = needProject();
  if (typeof Project.prototype[type] !== 'function') throw new Error(`unknown request ${type}`);
  return target[type](...args);
}

// `stop` and `discardTraining` must reach the run during an epoch; `poolSize` waits for the pool, not the queue.
serve(handlers, ['stop', 'discardTraining', 'poolSize'], callProject);
