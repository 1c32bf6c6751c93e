// The IndexedDB store (www/store.js) on fake-indexeddb: a bundle replaces everything at once,
// removing a class removes its samples, and samples keep the ids they were given.

import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProjectStore } from '../../www/store.js';

let n = 0;
const fresh = () => ProjectStore.open(`store-${n++}`);
const png = (v) => new Blob([new Uint8Array([v])], { type: 'image/png' });

test('a new project is empty, with its classes', async () => {
  const store = await fresh();
  assert.equal(await store.load(), null);
  await store.create(['a', 'b']);
  const saved = await store.load();
  assert.deepEqual(saved.classes, [{ key: 0, name: 'a' }, { key: 1, name: 'b' }]);
  assert.deepEqual(saved.samples, []);
  assert.equal(saved.model, null);
});

test('a trained model comes back as bytes, whether saved as a Blob or as bytes', async () => {
  const store = await fresh();
  await store.create(['a', 'b']);
  await store.saveModel(new Blob([new Uint8Array([1, 2, 3])]));
  assert.deepEqual((await store.load()).model, new Uint8Array([1, 2, 3]));
  await store.saveModel(new Uint8Array([4, 5]));
  assert.deepEqual((await store.load()).model, new Uint8Array([4, 5]));
  await store.saveModel(null);
  assert.equal((await store.load()).model, null);
});

test('samples keep their ids and go with their class', async () => {
  const store = await fresh();
  await store.create(['a', 'b']);
  await store.addSample(41, 0, png(1));
  await store.addSample(7, 1, png(2));
  await store.moveSample(41, 1);
  assert.deepEqual((await store.load()).samples.map((s) => [s.key, s.classKey]), [[7, 1], [41, 1]]);
  await assert.rejects(store.addSample(7, 0, png(3)), /could not be saved/);
  await store.removeClass(1);
  assert.deepEqual((await store.load()).samples, []);
});

test('a bundle replaces the whole project in one go, ids and strictness included', async () => {
  const store = await fresh();
  await store.create(['old']);
  await store.addSample(0, 0, png(1));
  await store.saveModel(new Uint8Array([9]));
  await store.replace({
    classNames: ['x', 'y'],
    settings: { epochs: 3 },
    strictness: 2,
    samples: [{ id: 5, label: 1, png: new Uint8Array([1]) }],
    model: null,
  });
  const saved = await store.load();
  assert.deepEqual(saved.classes.map((c) => c.name), ['x', 'y']);
  assert.deepEqual(saved.samples.map((s) => [s.key, s.classKey]), [[5, 1]]);
  assert.equal(saved.strictness, 2);
  assert.deepEqual(saved.settings, { epochs: 3 });
  assert.equal(saved.model, null);
});
