// The Trainer's project (www/lib/project.js, the library's one owner of a project) against the real core (the wasm package under Node, through
// the worker's protocol) and a real IndexedDB implementation (fake-indexeddb): each change is one
// worker request, one store write, one change event; what is saved reloads as it was; class and
// sample ids are the core's everywhere; settings reach the core when the project opens.

import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { Trainer } from '../../www/lib/burnish.js';
import { ProjectStore } from '../../www/lib/store.js';
import { CoreSession } from './core-session.js';

let dbCount = 0;

/** 224² RGB pixels as the lossless PNG the page saves. */
function toPng(rgb) {
  const data = Buffer.alloc(224 * 224 * 4, 255);
  for (let p = 0; p < 224 * 224; p++) rgb.slice(p * 3, p * 3 + 3).forEach((v, c) => (data[p * 4 + c] = v));
  return new Blob([PNG.sync.write({ width: 224, height: 224, data })], { type: 'image/png' });
}

/** A model opened on `store` (a fresh database by default) and the core; `events` collects change events. */
async function open(store = null) {
  store ??= await ProjectStore.open(`test-${dbCount++}`);
  const session = new CoreSession();
  const model = new Trainer({ thumbnail: () => 'data:thumb', toPng: async (rgb) => toPng(rgb) });
  const events = [];
  model.addEventListener('change', ({ detail }) => events.push(detail.what));
  await model.open({ weights: 'unused', backend: 'flex', store, session, classes: ['Class 1', 'Class 2'] });
  return { model, store, session, events };
}

/** An image the core can tell from another `v` (one colour a class). */
const rgb = (v) => new Uint8Array(224 * 224 * 3).map((_, i) => (i % 3 === v % 3 ? 220 : 30) + ((i / 3) % 17));
/** Settings for a quick run on a few samples: the head alone, 3 epochs, nothing held out. */
const QUICK = { epochs: 3, fine_tune_blocks: 0, augment: false, validation_fraction: 0, patience: null };

test('a new project starts with two classes and the core\'s default settings', async () => {
  const { model, session } = await open();
  assert.deepEqual(model.names(), ['Class 1', 'Class 2']);
  assert.equal(model.state, 'ready');
  assert.equal(model.settings.epochs, 50);
  assert.equal(model.settings.fine_tune_blocks, 'auto', 'the core\'s default, not a copy');
  assert.equal(model.strictness, 2, 'the default strictness comes from the core (2%)');
  assert.deepEqual(session.requests, [], 'opening sends nothing more');
});

test('each change is one worker request, one store write and one event', async () => {
  const { model, store, session, events } = await open();
  events.length = 0;
  const classId = await model.addClass('cats');
  assert.deepEqual(session.requests, ['addClass']);
  assert.deepEqual(events, ['classes']);
  assert.deepEqual((await store.load()).classes.map((c) => [c.id, c.name]), [[0, 'Class 1'], [1, 'Class 2'], [classId, 'cats']]);

  events.length = 0;
  const id = await model.addSample(classId, rgb(1));
  await model.saved();
  assert.deepEqual(events, ['sample-added']);
  const saved = await store.load();
  assert.deepEqual(saved.samples.map((s) => [s.id, s.class_id]), [[id, classId]], 'stored under the core\'s ids');
});

test('class ids are the core\'s and never reused: a removed class\'s id is not given again', async () => {
  const first = await open();
  const [a, b] = first.model.classes.map((c) => c.id);
  await first.model.removeClass(a);
  const c = await first.model.addClass('third');
  assert.notEqual(c, a);
  assert.notEqual(c, b);
  const id = await first.model.addSample(c, rgb(2));
  await first.model.saved();
  const again = await open(first.store);
  assert.deepEqual(again.model.classes.map((k) => k.id), [b, c]);
  assert.deepEqual(again.model.classOf(c).samples.map((s) => s.id), [id]);
  const bundle = await again.session.request('readBundle', [await again.session.project.writeBundle(undefined)]);
  assert.deepEqual(bundle.class_names, ['Class 2', 'third'], 'the core writes the bundle from its own classes');
  assert.deepEqual(bundle.samples.map((s) => [s.id, s.label]), [[id, 1]], 'labels are positions');
});

test('everything saved comes back, and settings reach the core when the project opens', async () => {
  const first = await open();
  const dogs = first.model.classes[1].id;
  const ids = [await first.model.addSample(dogs, rgb(1)), await first.model.addSample(dogs, rgb(2))];
  await first.model.renameClass(dogs, 'dogs');
  const settings = { ...first.model.settings, epochs: 7, patience: null, head: 'linear', fine_tune_blocks: 2 };
  await first.model.setSettings(settings);
  await first.model.setStrictness(12.5);
  await first.model.saved();

  const again = await open(first.store);
  assert.deepEqual(again.model.names(), ['Class 1', 'dogs']);
  assert.deepEqual(again.model.classOf(dogs).samples.map((s) => s.id), ids);
  assert.deepEqual(again.model.settings, settings, 'all settings, not a subset');
  assert.deepEqual(await again.session.project.config(), settings, 'the core holds them without being sent them again');
  assert.equal(again.model.strictness, 12.5);
  const bundle = await again.session.request('readBundle', [await again.session.project.writeBundle(12.5)]);
  assert.deepEqual(bundle.samples.map((s) => [s.id, s.label]), ids.map((id) => [id, 1]), 'the core has both samples back');
  assert.deepEqual(bundle.class_names, ['Class 1', 'dogs']);
});

test('names must differ, and bad or untyped settings change nothing (the core says why)', async () => {
  const { model, store } = await open();
  await assert.rejects(model.renameClass(model.classes[0].id, 'class 2'), /already a class named/);
  await assert.rejects(model.setSettings({ ...model.settings, epochs: 0 }), /epochs must be in 1..=10000, got 0/);
  await assert.rejects(model.setSettings({ ...model.settings, fine_tune_blocks: '1' }), /"auto" or a number of blocks/);
  assert.equal(model.settings.epochs, 50);
  assert.equal((await store.load()).settings, null);
});

test('settings saved by an earlier version (a form\'s "1" for one block) still open', async () => {
  const store = await ProjectStore.open(`test-${dbCount++}`);
  await store.create(['a', 'b']);
  await store.saveSettings({ epochs: 4, fine_tune_blocks: '1' });
  const { model } = await open(store);
  assert.equal(model.settings.fine_tune_blocks, 1);
  assert.equal(model.settings.epochs, 4);
});

test('moving and deleting samples keep the page, the core and the store in step', async () => {
  const { model, store, session } = await open();
  const [a, b] = model.classes.map((c) => c.id);
  const id = await model.addSample(a, rgb(3));
  await model.moveSample(id, b);
  assert.deepEqual(model.counts(), [0, 1]);
  assert.equal((await store.load()).samples[0].class_id, b);
  await model.removeSample(id);
  assert.deepEqual(model.counts(), [0, 0]);
  assert.equal((await store.load()).samples.length, 0);
  assert.equal(await session.project.pendingEmbeddings(), 0, 'the core no longer has it');
});

test('training reports epochs, sends no settings, saves the model and ends in the trained state', async () => {
  const { model, store, session, events } = await open();
  await model.setSettings({ ...model.settings, ...QUICK });
  for (const [i, { id }] of model.classes.entries()) {
    await model.addSample(id, rgb(i));
    await model.addSample(id, rgb(i + 3));
  }
  session.requests.length = 0;
  events.length = 0;
  const last = await model.train();
  assert.equal(last.epoch, 3);
  assert.equal(events.filter((e) => e === 'epoch').length, 3);
  assert.ok(!session.requests.includes('setConfig'), `train sends no settings: ${session.requests}`);
  assert.equal(model.state, 'trained');
  assert.deepEqual(model.model.class_names, ['Class 1', 'Class 2']);
  await model.saved();
  const again = await open(store);
  assert.equal(again.model.state, 'trained', 'the saved model is restored');
  const answer = await again.model.classify(rgb(1));
  assert.equal(again.model.names()[answer.best], 'Class 2', 'and answers as trained');
});

test('stop ends training after the current epoch', async () => {
  const { model } = await open();
  await model.setSettings({ ...model.settings, ...QUICK, epochs: 100 });
  for (const [i, { id }] of model.classes.entries()) await model.addSample(id, rgb(i));
  model.addEventListener('change', ({ detail }) => detail.what === 'epoch' && detail.metrics.epoch === 2 && model.stop());
  const last = await model.train();
  assert.ok(last.cancelled && last.epoch <= 3, JSON.stringify(last));
});

test('a Stop after the last epoch, or while idle, does not cut the next run short', async () => {
  const { model, session } = await open();
  await model.setSettings({ ...model.settings, ...QUICK });
  for (const [i, { id }] of model.classes.entries()) await model.addSample(id, rgb(i));
  // Stop clicked as the last epoch ends: it lands after the run is over.
  model.addEventListener('change', ({ detail }) => detail.what === 'epoch' && detail.metrics.done && model.stop());
  await model.train();
  await session.project.stop(); // and one straight to the core while idle
  const again = await model.train();
  assert.equal(again.epoch, 3, `the next run trains all its epochs: ${JSON.stringify(again)}`);
  assert.ok(!again.cancelled);
});

test('an epoch after an edit that ended the run says so instead of restarting at epoch 1', async () => {
  const { model, session } = await open();
  await model.setSettings({ ...model.settings, ...QUICK, epochs: 100 });
  for (const [i, { id }] of model.classes.entries()) await model.addSample(id, rgb(i));
  // An edit that lands between two epochs (a race with the page's loop) ends the run.
  model.addEventListener('change', ({ detail }) => {
    if (detail.what === 'epoch' && detail.metrics.epoch === 2) session.project.setConfig({ ...model.settings, seed: 9 });
  });
  await assert.rejects(model.train(), /no training run in progress .*start training again/);
  assert.equal(model.state, 'ready', 'the page is ready to train again');
});

test('a deleted sample\'s id is never given again, even after a reload', async () => {
  const first = await open();
  await first.model.setSettings({ ...first.model.settings, ...QUICK, validation_fraction: 0.5 });
  const [a, b] = first.model.classes.map((c) => c.id);
  for (let i = 0; i < 4; i++) {
    await first.model.addSample(a, rgb(i * 3));
    await first.model.addSample(b, rgb(i * 3 + 1));
  }
  await first.model.train();
  const newest = Math.max(...first.model.model.split.validation);
  // Delete every sample from the newest held-out one on, so the largest id left is below it.
  for (const c of first.model.classes) for (const s of [...c.samples]) if (s.id >= newest) await first.model.removeSample(s.id);
  await first.model.saved();

  const again = await open(first.store);
  const added = await again.model.addSample(a, rgb(2));
  assert.ok(added > newest, `sample id ${added} reused (the held-out sample ${newest} was deleted)`);
  const evaluation = await again.model.evaluate();
  assert.equal(evaluation.new_since_training, 1, 'the new sample is new, not held out');
});
