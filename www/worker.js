// The module worker: owns the wasm instance and burn, so the page never blocks.
// Protocol: request { id, type, ...args } → reply { id, ok, result | error };
// unsolicited { type: 'progress', phase: 'weights' | 'restore', loaded, total } during long steps.

import init, { Project } from './pkg/burnish.js';
import { chooseBackend } from './backend.js';
import { pngToRgba } from './capture.js';
import { loadWeights } from './weights.js';

let project = null;

function needProject() {
  if (!project) throw new Error('the model is not loaded yet');
  return project;
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
    return { backend, reason, weightsBytes: weights.length, cached, verified };
  },
  addClass: ({ name }) => needProject().addClass(name),
  renameClass: ({ label, name }) => needProject().renameClass(label, name),
  removeClass: ({ label }) => needProject().removeClass(label),
  addSample: ({ label, rgba }) => needProject().addSample(label, rgba),
  /**
   * Re-adds saved samples ([{ label, png }], decoded here, off the page's thread) and the saved
   * model; returns the new sample ids in the same order, whether a model was restored and its classes.
   */
  async restore({ samples, model }) {
    const ids = [];
    for (const [i, { label, png }] of samples.entries()) {
      ids.push(needProject().addSample(label, await pngToRgba(png)));
      if (i % 16 === 15) postMessage({ type: 'progress', phase: 'restore', loaded: i + 1, total: samples.length });
    }
    const modelClasses = model ? needProject().importModel(model) : null;
    return { ids, modelRestored: Boolean(model), modelClasses };
  },
  removeSample: ({ id }) => needProject().removeSample(id),
  relabelSample: ({ id, label }) => needProject().relabelSample(id, label),
  setConfig: ({ config }) => needProject().setConfig(config),
  embedPending: ({ limit }) => needProject().embedPending(limit),
  async trainEpoch() {
    const started = performance.now();
    const metrics = await needProject().trainEpoch();
    return { ...metrics, ms: performance.now() - started };
  },
  stop: () => needProject().stop(),
  async predict({ rgba }) {
    const started = performance.now();
    const result = await needProject().predict(rgba);
    return { ...result, ms: performance.now() - started };
  },
  async predictImagenet({ rgba }) {
    const started = performance.now();
    const top = await needProject().predictImagenet(rgba, 5);
    return { top, ms: performance.now() - started };
  },
  evaluate: () => needProject().evaluate(),
  threshold: () => needProject().threshold(),
  exportModel: () => needProject().exportModel(),
  importModel: ({ bytes }) => needProject().importModel(bytes),
};

self.onmessage = async ({ data }) => {
  const { id, type, ...args } = data;
  try {
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${type}`);
    postMessage({ id, ok: true, result: await handler(args) });
  } catch (err) {
    postMessage({ id, ok: false, error: err?.message ?? String(err) });
  }
};
