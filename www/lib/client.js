// The calling side of the worker protocol (the page's to the model worker, the model worker's to
// its pool of embedding workers): a promise per request; unsolicited messages (progress, GPU
// lost) go to `onMessage`.

/**
 * Starts the model worker. Written as `new Worker(new URL(…, import.meta.url), { type: 'module' })`
 * so that bundlers (Vite, webpack) find the worker and its wasm in an app that imports burnish.
 */
export function startModelWorker() {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

export class WorkerClient {
  /** Talks to `worker` (a started module worker). */
  constructor(worker, onMessage) {
    this.worker = worker;
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
      const error = new Error(event.message || 'a worker failed to start');
      for (const entry of this.pending.values()) entry.reject(error);
      this.pending.clear();
    };
  }

  /** Ends the worker (and the wasm instance in it); pending requests fail. */
  terminate() {
    this.terminated = true;
    this.worker.terminate();
    for (const entry of this.pending.values()) entry.reject(new Error('the worker was restarted'));
    this.pending.clear();
  }

  /** Sends `type` with `args` (an array: the call's arguments; transferring `transfer`) and resolves with the worker's result. */
  request(type, args = [], transfer = []) {
    if (this.terminated) return Promise.reject(new Error('the worker was restarted'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, args }, transfer);
    });
  }
}
