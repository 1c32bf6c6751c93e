// The TF.js side of the all-cores benchmark as a worker pool: `threads` workers, each one
// single-threaded SIMD TF.js instance (bench/tfjs-worker.js), the images split across them exactly
// as burnish's pool splits them (`runSplit` of www/lib/prefix-pool.js).

import { WorkerClient } from '../www/lib/client.js';
import { runSplit } from '../www/lib/prefix-pool.js';

export async function tfjsPoolSide(weightBytes, threads, probe) {
  const workers = Array.from({ length: threads }, () => new WorkerClient(new Worker(new URL('./tfjs-worker.js', import.meta.url), { type: 'module' }), () => {}));
  const infos = await Promise.all(workers.map((w) => w.request('load', [weightBytes, probe])));
  return {
    info: { ...infos[0], workers: workers.length, threads: infos.map((i) => i.threads) },
    /** Embeddings of n concatenated RGBA images, split across the workers, read back. */
    embed: (rgba, n) => runSplit(workers, rgba, n, (w, part) => w.request('embed', [part])),
    /** Single images in flight at once at batch 1: one per worker, as burnish's pool. */
    inFlight: workers.length,
  };
}
