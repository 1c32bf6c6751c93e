// The model worker as the page uses it: started on a backend, filled from the saved project, and
// rebuilt on the CPU (Flex) from the saved project when WebGPU is lost, so nothing is lost.

import { WorkerClient, startModelWorker } from './client.js';

/** How a lost WebGPU device shows up in burn-wgpu's errors (and a trapped wasm instance). */
const DEVICE_LOST = /device is poisoned|device (?:was |is )?lost|instance reference no longer exists|unreachable/i;

/**
 * A training run's steps: the run lives in the worker and is lost with it, so these are the only
 * requests not sent again once the worker has been rebuilt from the saved project.
 */
const RUN_STEPS = new Set(['startTraining', 'trainEpoch']);

export class ModelSession {
  /**
   * `store`: the ProjectStore; `flush()`: resolves when queued saves are done; `weightsUrl`;
   * `onProgress({ phase, loaded, total })`;
   * `onRecovering(reason)`: WebGPU was lost, the worker is being rebuilt on Flex;
   * `onRecovered(reason)`: the worker was rebuilt on Flex (samples keep their ids).
   */
  constructor({ store, flush, weightsUrl, onProgress, onRecovering, onRecovered }) {
    Object.assign(this, { store, flush, weightsUrl, onProgress, onRecovering, onRecovered });
    this.backend = null;
    this.recovering = null;
  }

  /**
   * Starts a worker on `requested` ("auto", "webgpu", "flex") and opens `saved` (from
   * ProjectStore.load) in it: its classes under their ids, its settings, samples and model.
   * Returns { backend, reason, cached, schema, settings, model, modelError }.
   */
  async start(requested, saved) {
    this.client = new WorkerClient(startModelWorker(), (message) => {
      if (message.type === 'progress') this.onProgress(message);
      if (message.type === 'gpu-lost') this.recover(message.message);
    });
    const { classes, settings, samples, next_ids, model } = saved;
    const info = await this.client.request('load', [{ weights_url: this.weightsUrl, backend: requested, classes, settings: settings ?? {} }]);
    this.backend = info.backend;
    return { ...info, ...(await this.client.request('restore', [{ samples, next_ids, model }])) };
  }

  /** Sends a request; when WebGPU is lost, rebuilds on Flex and (when safe) sends it again. */
  async request(type, args, transfer) {
    // A request made while the worker is being rebuilt waits for the new one (the old one is gone).
    if (this.recovering) await this.recovering;
    try {
      return await this.client.request(type, args, transfer);
    } catch (err) {
      const lost = this.recovering || (this.backend === 'webgpu' && DEVICE_LOST.test(err.message));
      if (!lost) throw err;
      await this.recover(err.message);
      if (!RUN_STEPS.has(type)) return this.client.request(type, args, transfer);
      throw new Error('the GPU was lost during this step: burnish moved to the CPU (Flex) and kept your project; please try again');
    }
  }

  /** Rebuilds the worker on Flex from the saved project (once, however many requests failed);
   * requests in flight fail and are sent again (when safe) by `request`. */
  recover(reason) {
    this.recovering ??= (async () => {
      this.client.terminate();
      this.onRecovering(reason.split('\n')[0]);
      await this.flush();
      const saved = await this.store.load();
      await this.start('flex', saved);
      this.onRecovered(`WebGPU was lost (${reason.split('\n')[0]}); continuing on the CPU (Flex)`);
    })().finally(() => {
      this.recovering = null;
    });
    return this.recovering;
  }
}
