// Predict-only: a trained model answering images — the same worker, wasm and answers as the
// Trainer, without a project (no samples, no store, no training requests).

import { answer, explanation, labelOf } from './answer.js';
import { WorkerClient, startModelWorker } from './client.js';
import { toRgb } from './sources.js';
import { DEFAULT_WEIGHTS, bytesOf } from './trainer.js';

/** A zip's first bytes ("PK\x03\x04"): a project bundle rather than a model file. */
const isZip = (bytes) => bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;

export class Classifier {
  /**
   * Loads a trained model — `.safetensors` (Trainer.exportModel('safetensors'), the app's
   * Download model, `burnish train`) or a project bundle holding one — as a Blob, File,
   * ArrayBuffer or Uint8Array. Options: `backend`, `weights`, `onProgress` as for
   * Trainer.create, and `strictness` ("none of these", percent; default the bundle's or 2).
   */
  static async load(model, { backend = 'auto', weights = DEFAULT_WEIGHTS, onProgress = () => {}, strictness = null } = {}) {
    let bytes = await bytesOf(model, 'a model');
    const client = new WorkerClient(startModelWorker(), (message) => message.type === 'progress' && onProgress(message));
    try {
      const requested = backend === 'cpu' ? 'flex' : backend;
      const info = await client.request('load', [{ weights_url: weights, backend: requested, classes: [], settings: {}, pool: false }]);
      let saved = null;
      if (isZip(bytes)) {
        const bundle = await client.request('readBundle', [bytes]);
        if (!bundle.model) throw new Error('this project bundle has no trained model: train it first, then save it');
        [bytes, saved] = [bundle.model, bundle.strictness];
      }
      const meta = await client.request('installModel', [bytes]);
      return new Classifier(client, info, meta, strictness ?? saved ?? info.schema.default_strictness);
    } catch (err) {
      client.terminate();
      throw err;
    }
  }

  constructor(client, info, meta, strictness) {
    Object.assign(this, { client, backend: info.backend, reason: info.reason, model: meta, strictness });
  }

  /** The model's class names, by label. */
  get classNames() {
    return this.model.class_names;
  }

  /** What the model says of an image: as Trainer.classify. */
  async classify(source, { letterbox = false } = {}) {
    const rgb = await toRgb(source, { letterbox });
    const started = performance.now();
    const result = await this.client.request('classify', [rgb, this.strictness]);
    return answer(result, this.classNames, performance.now() - started);
  }

  /** Where the model found the evidence for a class (name or label; the predicted one when absent): as Trainer.explain. */
  async explain(source, classRef = null) {
    const map = await this.client.request('explain', [await toRgb(source), labelOf(classRef, this.classNames)]);
    return explanation(map, this.classNames);
  }

  /** Ends the worker (and its wasm). */
  close() {
    this.client.terminate();
  }
}
