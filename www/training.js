// The training loop as the page sees it: one worker call per epoch, so Stop and charts are easy.

/** Reads the training form into a TrainConfig object. */
export function readConfig(form) {
  const f = new FormData(form);
  return {
    epochs: Number(f.get('epochs')),
    batch_size: Number(f.get('batch_size')),
    learning_rate: Number(f.get('learning_rate')),
    fine_tune_blocks: Number(f.get('fine_tune_blocks')),
    augment: f.get('augment') === 'on',
    seed: Number(f.get('seed')),
  };
}

/**
 * Embeds pending samples (reporting progress), then trains epoch by epoch until done or stopped.
 * `onEpoch(metrics)` and `onProgress(text)` report; `shouldStop()` is polled between epochs.
 */
export async function train(request, config, { onEpoch, onProgress, shouldStop }) {
  await request('setConfig', { config });
  let pending = await request('embedPending', { limit: 0 });
  const total = pending;
  while (pending > 0) {
    onProgress(`Embedding samples… ${total - pending} of ${total}`);
    pending = await request('embedPending', { limit: 8 });
  }
  for (;;) {
    if (shouldStop()) await request('stop');
    const metrics = await request('trainEpoch');
    onEpoch(metrics);
    if (metrics.done) return metrics;
  }
}
