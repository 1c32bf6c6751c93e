// The page's side of the worker protocol: a promise per request; unsolicited messages (progress,
// GPU lost) go to `onMessage`.

export class ModelClient {
  constructor(onMessage) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.onmessage = ({ data }) => {
      if (data.id === undefined) return onMessage(data);
      const entry = this.pending.get(data.id);
      if (!entry) return;
      this.pending.delete(data.id);
      data.ok ? entry.resolve(data.result) : entry.reject(new Error(data.error));
    };
    this.worker.onerror = (event) => {
      const error = new Error(event.message || 'the model worker failed to start');
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
    };
  }

  /** Ends the worker (and the wasm instance in it); pending requests fail. */
  terminate() {
    this.terminated = true;
    this.worker.terminate();
    for (const entry of this.pending.values()) entry.reject(new Error('the model worker was restarted'));
    this.pending.clear();
  }

  /** Sends `type` with `args` (transferring `transfer`) and resolves with the worker's result. */
  request(type, args = {}, transfer = []) {
    if (this.terminated) return Promise.reject(new Error('the model worker was restarted'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, args }, transfer);
    });
  }
}
