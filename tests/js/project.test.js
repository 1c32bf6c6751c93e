// The ProjectModel (www/project.js) against a fake worker and a real IndexedDB implementation
// (fake-indexeddb): each change is one worker request, one store write, one change event; what
// is saved reloads as it was; sample ids are the core's everywhere.

import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProjectModel } from '../../www/project.js';
import { ProjectStore } from '../../www/store.js';
import { FakeSession } from './fake-session.js';

let dbCount = 0;

/** A model opened on a fresh database and a fake worker; `events` collects change events. */
async function open(store = null, session = new FakeSession()) {
  store ??= await ProjectStore.open(`test-${dbCount++}`);
  const model = new ProjectModel({ thumbnail: () => 'data:thumb', toPng: async (rgb) => new Blob([rgb]) });
  const events = [];
  model.addEventListener('change', ({ detail }) => events.push(detail.what));
  await model.open({ weightsUrl: 'unused', backend: 'flex', onProgress: () => {}, store, session });
  return { model, store, session, events };
}

const rgb = (v) => new Uint8Array(224 * 224 * 3).fill(v);

test('a new project starts with two classes and the default settings', async () => {
  const { model } = await open();
  assert.deepEqual(model.names(), ['Class 1', 'Class 2']);
  assert.equal(model.state, 'ready');
  assert.equal(model.settings.epochs, 50);
  assert.equal(model.strictness, 1, 'the default strictness comes from the core');
});

test('each change is one worker request, one store write and one event', async () => {
  const { model, store, session, events } = await open();
  const before = session.requests.length;
  events.length = 0;
  const key = await model.addClass('cats');
  assert.deepEqual(session.requests.slice(before).map((r) => r.type), ['addClass']);
  assert.deepEqual(events, ['classes']);
  assert.deepEqual((await store.load()).classes.map((c) => c.name), ['Class 1', 'Class 2', 'cats']);

  events.length = 0;
  const id = await model.addSample(key, rgb(1));
  await model.saved();
  assert.deepEqual(events, ['sample-added']);
  const saved = await store.load();
  assert.deepEqual(saved.samples.map((s) => [s.key, s.classKey]), [[id, key]], 'stored under the core id');
});

test('everything saved comes back: classes, sample ids, every setting, strictness', async () => {
  const first = await open();
  const key = first.model.classes[1].key;
  const ids = [await first.model.addSample(key, rgb(1)), await first.model.addSample(key, rgb(2))];
  await first.model.renameClass(key, 'dogs');
  const settings = { ...first.model.settings, epochs: 7, patience: null, head: 'linear', augment: true };
  await first.model.setSettings(settings);
  await first.model.setStrictness(12.5);
  await first.model.saved();

  const again = await open(first.store);
  assert.deepEqual(again.model.names(), ['Class 1', 'dogs']);
  assert.deepEqual(again.model.classOf(key).samples.map((s) => s.id), ids);
  assert.deepEqual(again.model.settings, settings, 'all settings, not a subset');
  assert.equal(again.model.strictness, 12.5);
  assert.deepEqual([...again.session.samples.keys()], ids, 'the worker gets the same ids back');
});

test('names must differ and bad settings change nothing', async () => {
  const { model, store } = await open();
  await assert.rejects(model.renameClass(model.classes[0].key, 'class 2'), /already a class named/);
  await assert.rejects(model.setSettings({ ...model.settings, epochs: 0 }), /epochs must be/);
  assert.equal(model.settings.epochs, 50);
  assert.equal((await store.load()).settings, null);
});

test('moving and deleting samples keep the page, the worker and the store in step', async () => {
  const { model, store, session } = await open();
  const [a, b] = model.classes.map((c) => c.key);
  const id = await model.addSample(a, rgb(3));
  await model.moveSample(id, b);
  assert.deepEqual(model.counts(), [0, 1]);
  assert.equal(session.samples.get(id), 1);
  assert.equal((await store.load()).samples[0].classKey, b);
  await model.removeSample(id);
  assert.deepEqual(model.counts(), [0, 0]);
  assert.equal((await store.load()).samples.length, 0);
  assert.equal(session.samples.size, 0);
});

test('training reports epochs, saves the model and ends in the trained state', async () => {
  const { model, store, events } = await open();
  for (const { key } of model.classes) await model.addSample(key, rgb(4));
  events.length = 0;
  const last = await model.train();
  assert.equal(last.epoch, 3);
  assert.equal(events.filter((e) => e === 'epoch').length, 3);
  assert.equal(model.state, 'trained');
  assert.deepEqual(model.model.class_names, ['Class 1', 'Class 2']);
  await model.saved();
  assert.deepEqual([...(await store.load()).model], [1, 2, 3]);
});

test('stop ends training after the current epoch', async () => {
  const { model, session } = await open();
  session.epochs = 100;
  for (const { key } of model.classes) await model.addSample(key, rgb(5));
  model.addEventListener('change', ({ detail }) => detail.what === 'epoch' && detail.metrics.epoch === 2 && model.stop());
  const last = await model.train();
  assert.ok(last.cancelled && last.epoch <= 3, JSON.stringify(last));
});
