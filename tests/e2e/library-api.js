// The library's API as a page script uses it, run in each browser (Chromium, Firefox, WebKit):
// teach two classes from <img> and ImageBitmap sources, train, classify, explain, reload a saved
// bundle, answer with a predict-only Classifier — and bad input rejected with what to do.

import assert from 'node:assert/strict';

/**
 * Runs in the page (served from the repository): starts the check and returns at once; the
 * result lands in `window.libraryApi` ({ done, result | error }). `otherOrigin` serves the same
 * files from another origin (for a tainted image).
 */
export function startLibraryApiCheck(otherOrigin) {
  window.libraryApi = { done: false };
  (async () => {
    const { Trainer, Classifier } = await import('/www/lib/burnish.js');
    const url = (file) => `/tests/fixtures/images/${file}`;
    const image = async (src) => {
      const element = new Image();
      element.src = src;
      await element.decode();
      return element;
    };
    const refused = async (call) => call().then(() => 'accepted', (err) => err.message);
    const trainer = await Trainer.create({ backend: 'cpu' });
    await trainer.addClass('animal');
    await trainer.addClass('thing');
    for (const f of ['dog.png', 'chelsea.png', 'eagle.png']) await trainer.addImage('animal', await image(url(f)));
    for (const f of ['coffee.png', 'rocket.png', 'astronaut.png']) await trainer.addImage('thing', await createImageBitmap(await (await fetch(url(f))).blob()));
    const errors = {
      unsupported: await refused(() => trainer.addImage('animal', { src: 'dog.png' })),
      empty: await refused(() => trainer.addImage('animal', Object.assign(document.createElement('canvas'), { width: 0, height: 0 }))),
      tainted: await refused(async () => trainer.addImage('animal', await image(`${otherOrigin}tests/fixtures/images/dog.png`))),
      duplicate: await refused(() => trainer.addClass('Animal')),
      unknownClass: await refused(() => trainer.addImage('plant', new ImageData(4, 4))),
      beforeTraining: await refused(async () => trainer.classify(await image(url('dog.png')))),
    };
    const epochs = [];
    await trainer.train({ epochs: 8, fine_tune_blocks: 0, augment: false, validation_fraction: 0, patience: null, onEpoch: (m) => epochs.push(m.epoch) });
    const dog = await trainer.classify(await image(url('dog.png')));
    const coffee = await trainer.classify(await createImageBitmap(await (await fetch(url('coffee.png'))).blob()));
    const explained = await trainer.explain(await image(url('dog.png')), 'animal');
    const controller = new AbortController();
    const aborted = await refused(() => trainer.train({ epochs: 500, signal: controller.signal, onEpoch: (m) => m.epoch === 1 && controller.abort() }));
    const afterAbort = await trainer.classify(await image(url('dog.png')));
    const reopened = await Trainer.open(await trainer.save(), { backend: 'cpu' });
    const classifier = await Classifier.load(await trainer.exportModel('safetensors'), { backend: 'cpu' });
    const predicted = await classifier.classify(await image(url('coffee.png')));
    const result = {
      errors,
      epochs,
      dog: { label: dog.label, nearest: dog.nearest, confidences: Object.keys(dog.confidences) },
      coffee: coffee.label ?? `none of these (${coffee.nearest})`,
      explained: { class_name: explained.class_name, region: explained.region, layer: explained.layer.width },
      aborted,
      sameAfterAbort: afterAbort.similarity === dog.similarity,
      reopened: { names: reopened.names(), counts: reopened.counts(), state: reopened.state },
      classifier: { names: classifier.classNames, coffee: predicted.label, similarity: Math.abs(predicted.similarity - coffee.similarity) },
    };
    for (const t of [trainer, reopened, classifier]) t.close();
    window.libraryApi = { done: true, result };
  })().catch((err) => (window.libraryApi = { done: true, error: `${err.message}\n${err.stack}` }));
  return true;
}

/** What every browser must answer. */
export function assertLibraryApi({ result, error }, browser) {
  assert.equal(error, undefined, `${browser}: ${error}`);
  const { errors } = result;
  assert.match(errors.unsupported, /unsupported image source \(Object\): pass an <img>/);
  assert.match(errors.empty, /no pixels/);
  assert.match(errors.tainted, /another origin .* CORS/);
  assert.match(errors.duplicate, /already a class named/);
  assert.match(errors.unknownClass, /no class named “plant”: add it with addClass first/);
  assert.match(errors.beforeTraining, /no trained model yet: train first/);
  assert.deepEqual(result.epochs, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(result.dog, { label: 'animal', nearest: 'animal', confidences: ['animal', 'thing'] }, browser);
  assert.equal(result.coffee, 'thing', browser);
  assert.equal(result.explained.class_name, 'animal');
  assert.equal(result.explained.layer, 224);
  assert.match(result.aborted, /aborted: the model from before it is kept/);
  assert.equal(result.sameAfterAbort, true, 'the model from before the aborted run answers');
  assert.deepEqual(result.reopened, { names: ['animal', 'thing'], counts: [3, 3], state: 'trained' });
  assert.deepEqual(result.classifier.names, ['animal', 'thing']);
  assert.equal(result.classifier.coffee, 'thing');
  assert.ok(result.classifier.similarity < 1e-5, `Classifier within 1e-5 of the Trainer: ${result.classifier.similarity}`);
}
