// Fills a freshly created wasm Project from a saved project (ProjectStore.load's shape): the
// model worker does it on every start, and the JS unit tests do it on the real core the same way.

/**
 * Re-adds `samples` ([{ id, class_id, png: Blob }], decoded in wasm) under their ids, the saved
 * `next_ids` (ids are never given twice) and the saved `model`; returns `{ model, modelError }`:
 * the model's description, or why it was not restored (the samples stay usable).
 * `onProgress(loaded, total)` is told every 16 samples.
 */
export async function restoreSaved(project, { samples, next_ids: nextIds, model }, onProgress = () => {}) {
  for (const [i, { id, class_id: classId, png }] of samples.entries()) {
    await project.insertSamplePng(id, classId, new Uint8Array(await png.arrayBuffer()));
    if (i % 16 === 15) onProgress(i + 1, samples.length);
  }
  if (nextIds) await project.reserveIds(nextIds);
  try {
    return { model: model ? await project.installModel(model) : null, modelError: null };
  } catch (err) {
    return { model: null, modelError: err.message };
  }
}
