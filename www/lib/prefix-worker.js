// An embedding worker of the pool (prefix-pool.js): its own wasm instance holding its own copy of
// the frozen layers on the CPU (Flex); it runs the images the model worker hands it.

import init, { FrozenPrefix } from '../pkg/burnish.js';
import { serve } from './serve.js';

let prefix = null;

serve({
  /** Loads wasm and the base weights (the model worker's own bytes). */
  async load(weights) {
    await init();
    prefix = await FrozenPrefix.create(weights);
  },
  /** The input of block `firstBlock` for concatenated 224×224 RGB images (a Float32Array). */
  run: (pixels, firstBlock) => prefix.run(pixels, firstBlock),
});
