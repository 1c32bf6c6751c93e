// The pool of embedding workers on the CPU path: one per core (up to 8), each with its own wasm
// instance and copy of the frozen layers, so that embedding new samples uses every core without
// wasm threads (no cross-origin isolation needed). The model worker hands out its pending images
// (Project.pendingPrefixWork), the pool splits them, and the project caches what comes back.

import { WorkerClient } from './client.js';

/** The embedding workers' script (also what the offline cache must hold). */
export const POOL_WORKER_URL = new URL('./prefix-worker.js', import.meta.url).href;

/** Images per worker per round: single-threaded Flex in wasm is fastest per image at batch 4. */
const PER_WORKER = 4;

/** How many embedding workers this machine gets (none on one core: the model worker embeds). */
export function poolSize(cores = navigator.hardwareConcurrency || 1) {
  return cores > 1 ? Math.min(cores, 8) : 0;
}

export class PrefixPool {
  /** Starts `size` workers on the base weights' bytes; resolves once every one has loaded them. */
  static async start(size, weights) {
    // The literal `new Worker(new URL(…))` lets bundlers find the embedding workers' script.
    const start = () => new Worker(new URL('./prefix-worker.js', import.meta.url), { type: 'module' });
    const workers = Array.from({ length: size }, () => new WorkerClient(start(), () => {}));
    try {
      await Promise.all(workers.map((w) => w.request('load', [weights])));
    } catch (err) {
      for (const w of workers) w.terminate();
      throw err;
    }
    return new PrefixPool(workers);
  }

  constructor(workers) {
    this.workers = workers;
  }

  get size() {
    return this.workers.length;
  }

  /**
   * The input of block `firstBlock` for `n` concatenated 224×224 RGB images, split evenly across
   * the workers (block 13: the pooled 1024-d embeddings). A Float32Array, in the images' order.
   */
  async run(pixels, n, firstBlock) {
    return runSplit(this.workers, pixels, n, (w, part) => w.request('run', [part, firstBlock]));
  }

  /** Embeds one round of `project`'s pending images (at least `limit`); returns how many remain. */
  async embedPending(project, limit) {
    const work = await project.pendingPrefixWork(Math.max(limit, PER_WORKER * this.size));
    const n = work.slots.length;
    if (!n) return 0;
    const values = await this.run(work.pixels, n, work.first_block);
    return project.insertPrefixWork(work.slots, work.first_block, values);
  }
}

/**
 * `n` concatenated images split evenly across `workers` (contiguous shares of ⌈n / workers⌉),
 * each share run by `run(worker, part)` at once; their Float32Array results, in the images' order.
 */
export async function runSplit(workers, pixels, n, run) {
  const bytesPerImage = pixels.length / n;
  const share = Math.ceil(n / workers.length);
  const parts = await Promise.all(
    workers
      .map((w, i) => [w, pixels.subarray(i * share * bytesPerImage, Math.min(n, (i + 1) * share) * bytesPerImage)])
      .filter(([, part]) => part.length)
      .map(([w, part]) => run(w, part)),
  );
  const values = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
  parts.reduce((offset, p) => (values.set(p, offset), offset + p.length), 0);
  return values;
}
