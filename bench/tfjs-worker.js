// A worker of the TF.js pool (bench/tfjs-pool-side.js): its own TF.js wasm backend, single-threaded
// SIMD, with the fused network on the weights it is sent; it embeds the images it is handed.

import { serve } from '../www/lib/serve.js';
import { parseSafetensors } from './safetensors.js';
import { tfjsSide } from './tfjs-side.js';

let side = null;

serve({
  /** Starts TF.js on the weights' bytes; returns its info (fused kernels and 1 thread checked). */
  async load(weights, probe) {
    side = await tfjsSide('wasm', parseSafetensors(weights), { threads: 1, probe });
    return side.info;
  },
  /** Embeddings of concatenated 224² RGBA images (a Float32Array). */
  embed: (rgba) => side.embed(rgba, rgba.length / (224 * 224 * 4)),
});
