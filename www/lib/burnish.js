// burnish — teach a pretrained MobileNet new classes in the browser. The package's one entry:
// everything a page may use is exported here (types: burnish.d.ts); the other modules of this
// folder are its internals. The model runs in a module worker (worker.js) on WebGPU or every CPU
// core; the wasm (../pkg) and the ImageNet weights (../models) ship beside it.

export { Trainer, DEFAULT_WEIGHTS } from './trainer.js';
export { Classifier } from './classifier.js';
export { toRgb } from './sources.js';
export { INPUT_SIZE, toRgb224 } from './capture.js';
export { storageText } from './store.js';
export { forgetWeights, progressText } from './weights.js';
export { keepOffline } from './offline.js';
export { BehaviourView, NOTHING, TEXT_DEFAULTS } from './behaviours.js';
