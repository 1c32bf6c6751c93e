// The burnish side of the all-cores benchmark: the app's pool of embedding workers
// (www/lib/prefix-pool.js), `threads` of them, each a wasm instance with its own copy of the frozen
// layers on Flex.

import { PrefixPool } from '../www/lib/prefix-pool.js';
import { rgb } from './burnish-side.js';

/** The pooled embedding is the input of block 13 (after the last block, pooled). */
const EMBEDDING = 13;

export async function burnishPoolSide(weightBytes, threads) {
  const pool = await PrefixPool.start(threads, weightBytes);
  return {
    info: { backend: 'flex', workers: pool.size },
    /** Embeddings of n concatenated RGBA images, split across the workers, read back. */
    embed: (rgba, n) => pool.run(rgb(rgba), n, EMBEDDING),
    /** Single images in flight at once at batch 1: one per worker. */
    inFlight: pool.size,
  };
}
