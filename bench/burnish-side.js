// The burnish side of the benchmark: the wasm package the app runs (www/pkg), driven through the
// same Project API as the app's worker.

import init, { Project } from '../www/pkg/burnish.js';

/** A Project on `backend` ("flex" or "webgpu"); burn's WebGPU runtime starts once per page. */
export async function burnishSide(backend, weightBytes) {
  await init();
  const project = await Project.create(weightBytes, backend, []);
  let samples = 0;

  /** Embeds every pending sample (untimed: the frozen prefix runs once per sample). */
  const embedAll = () => {
    while (project.embedPending(16) > 0);
  };

  return {
    info: { backend: project.backend },

    /** Embeddings of n concatenated RGBA images (one batch), read back. */
    embed: (rgba) => project.embedImages(rgba),

    /** Top-k ImageNet-1k indices and probabilities of one image. */
    predictTop: (rgba, k) => project.predictImagenet(rgba, k),

    /** Adds the head's training samples to fresh classes and embeds them (untimed). */
    async prepareHead(images, labels, classes) {
      if (samples) throw new Error('burnish: the head samples are added once per page');
      for (let c = 0; c < classes; c++) project.addClass(`class ${c}`);
      images.forEach((rgba, i) => project.addSample(labels[i], rgba));
      samples = images.length;
      project.setConfig({ fine_tune_blocks: 0 });
      embedAll();
    },

    /** Milliseconds of a full training run of a fresh head (`config` in TrainConfig's names). */
    async trainHead(config) {
      project.setConfig({ ...config, fine_tune_blocks: 0, patience: null, validation_fraction: 0 });
      embedAll();
      const start = performance.now();
      while (!(await project.trainEpoch()).done);
      return performance.now() - start;
    },

    /** Milliseconds of each of `epochs` epochs fine-tuning the last block plus the head. */
    async fineTuneEpochs(config, epochs) {
      project.setConfig({ ...config, fine_tune_blocks: 1, epochs: epochs + 1, patience: null, validation_fraction: 0 });
      embedAll();
      const times = [];
      for (let e = 0; e < epochs; e++) {
        const start = performance.now();
        await project.trainEpoch();
        times.push(performance.now() - start);
      }
      return times;
    },
  };
}
