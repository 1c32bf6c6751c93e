// The module worker: owns the wasm instance and burn, so the page never blocks.
// Protocol: request { id, type, ...args } → reply { id, ok, result | error };
// unsolicited { type: 'progress', loaded, total }.

import init, { Classifier } from './pkg/burnish.js';
import { chooseBackend } from './backend.js';
import { fetchWithProgress } from './weights.js';

let classifier = null;

const handlers = {
  /** Loads wasm, picks a backend and loads the weights. */
  async load({ weightsUrl, backend: requested }) {
    await init();
    const weights = await fetchWithProgress(weightsUrl, (loaded, total) =>
      postMessage({ type: 'progress', loaded, total }),
    );
    let { backend, reason } = await chooseBackend(requested);
    try {
      classifier = await Classifier.create(weights, backend);
    } catch (err) {
      if (backend !== 'webgpu') throw err;
      reason = `WebGPU failed (${err.message}); using CPU (Flex)`;
      backend = 'flex';
      classifier = await Classifier.create(weights, backend);
    }
    return { backend, reason, weightsBytes: weights.length };
  },

  /** Top-5 ImageNet classes of one 224×224 RGBA image. */
  async predict({ rgba }) {
    if (!classifier) throw new Error('the model is not loaded yet');
    const started = performance.now();
    const top = await classifier.predictImagenet(rgba, 5);
    return { top, ms: performance.now() - started };
  },
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
