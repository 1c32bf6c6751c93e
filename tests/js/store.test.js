// The IndexedDB store (www/lib/store.js) on fake-indexeddb: a bundle replaces everything at once,
// removing a class removes its samples, samples keep the ids they were given, the next ids only
// grow, and a project saved by the first version of the store opens with nothing lost.

import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDB } from 'idb';
import { ProjectStore } from '../../www/lib/store.js';

let n = 0;
const fresh = () => ProjectStore.open(`store-${n++}`);
const png = (v) => new Blob([new Uint8Array([v])], { type: 'image/png' });

test('a new project is empty, with its classes', async () => {
  const store = await fresh();
  assert.equal(await store.load(), null);
  await store.create(['a', 'b']);
  const saved = await store.load();
  assert.deepEqual(saved.classes, [{ id: 0, name: 'a' }, { id: 1, name: 'b' }]);
  assert.deepEqual(saved.next_ids, { class: 2, sample: 0 });
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
  assert.deepEqual((await store.load()).samples.map((s) => [s.id, s.class_id]), [[7, 1], [41, 1]]);
  await assert.rejects(store.addSample(7, 0, png(3)), /could not be saved/);
  await store.removeSample(41);
  assert.equal((await store.load()).next_ids.sample, 42, 'a deleted sample\'s id is not given again');
  await store.removeClass(1);
  assert.deepEqual((await store.load()).samples, []);
});

test('a bundle replaces the whole project in one go, ids and strictness included', async () => {
  const store = await fresh();
  await store.create(['old']);
  await store.addSample(0, 0, png(1));
  await store.saveModel(new Uint8Array([9]));
  await store.replace({
    class_names: ['x', 'y'],
    settings: { epochs: 3 },
    strictness: 2,
    next_ids: { class: 4, sample: 9 },
    samples: [{ id: 5, label: 1, png: new Uint8Array([1]) }],
    model: null,
  });
  const saved = await store.load();
  assert.deepEqual(saved.classes.map((c) => c.name), ['x', 'y']);
  assert.deepEqual(saved.samples.map((s) => [s.id, s.class_id]), [[5, 1]]);
  assert.deepEqual(saved.next_ids, { class: 4, sample: 9 });
  assert.equal(saved.strictness, 2);
  assert.deepEqual(saved.settings, { epochs: 3 });
  assert.equal(saved.model, null);
});

test('a project saved by version 1 of the store (key, classKey) opens with everything', async () => {
  const name = `store-${n++}`;
  const v1 = await openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('meta');
      db.createObjectStore('model');
      db.createObjectStore('samples', { keyPath: 'key', autoIncrement: true }).createIndex('classKey', 'classKey');
    },
  });
  await v1.put('meta', { classes: [{ key: 0, name: 'a' }, { key: 3, name: 'b' }], settings: { epochs: 3 }, strictness: 4 }, 'project');
  await v1.add('samples', { key: 8, classKey: 3, png: new Uint8Array([1]).buffer });
  await v1.put('model', new Uint8Array([7]), 'current');
  v1.close();
  const store = await ProjectStore.open(name);
  const saved = await store.load();
  assert.deepEqual(saved.classes, [{ id: 0, name: 'a' }, { id: 3, name: 'b' }]);
  assert.deepEqual(saved.samples.map((s) => [s.id, s.class_id]), [[8, 3]]);
  assert.deepEqual(saved.model, new Uint8Array([7]));
  assert.equal(saved.next_ids, null, 'not kept then: the core starts past the model\'s split');
  assert.equal(saved.strictness, 4);
  await store.removeClass(3);
  assert.deepEqual((await store.load()).samples, [], 'the class index works after the upgrade');
});
