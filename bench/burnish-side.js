// The burnish side of the benchmark: the wasm package the app runs (www/pkg), driven through the
// same Project API as the app's worker.

import init, { Project } from '../www/pkg/burnish.js';

/** RGBA bytes (what both sides are fed) → RGB (what burnish takes). */
export function rgb(rgba) {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) out.set(rgba.subarray(i, i + 3), j);
  return out;
}

/** A Project on `backend` ("flex" or "webgpu"); burn's WebGPU runtime starts once per page. */
export async function burnishSide(backend, weightBytes) {
  await init();
  const project = await Project.create(weightBytes, backend, [], {});
  let samples = 0;

  /** Embeds every pending sample (untimed: the frozen prefix runs once per sample). */
  const embedAll = async () => {
    while ((await project.embedPending(16)) > 0);
  };

  return {
    info: { backend: project.backend },

    /** Embeddings of n concatenated RGBA images (one batch), read back. */
    embed: (rgba) => project.embedImages(rgb(rgba)),

    /** Top-k ImageNet-1k indices and probabilities of one image. */
    predictTop: (rgba, k) => project.predictImagenet(rgb(rgba), k),

    /** Adds the head's training samples to fresh classes and embeds them (untimed). */
    async prepareHead(images, labels, classes) {
      if (samples) throw new Error('burnish: the head samples are added once per page');
      for (let c = 0; c < classes; c++) await project.addClass(`class ${c}`);
      for (const [i, rgba] of images.entries()) await project.addSample(labels[i], rgb(rgba));
      samples = images.length;
      await project.setConfig({ fine_tune_blocks: 0, augment: false });
      await embedAll();
    },

    /** Milliseconds of a full training run of a fresh head (`config` in TrainConfig's names). */
    async trainHead(config) {
      await project.setConfig({ ...config, fine_tune_blocks: 0, augment: false, patience: null, validation_fraction: 0 });
      await embedAll();
      const start = performance.now();
      await project.startTraining();
      while (!(await project.trainEpoch()).done);
      return performance.now() - start;
    },

    /**
     * Milliseconds of each of `epochs` epochs fine-tuning the last block plus the head (the
     * block stage: the run's one head-stage epoch before it is not counted).
     */
    async fineTuneEpochs(config, epochs) {
      await project.setConfig({
        ...config,
        fine_tune_blocks: 1,
        augment: false,
        epochs: 1,
        fine_tune_epochs: epochs,
        patience: null,
        validation_fraction: 0,
      });
      await embedAll();
      const times = [];
      await project.startTraining();
      for (let done = false; !done; ) {
        const start = performance.now();
        const metrics = await project.trainEpoch();
        if (metrics.stage === 'blocks') times.push(performance.now() - start);
        done = metrics.done;
      }
      return times;
    },
  };
}
