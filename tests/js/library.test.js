// The library's public API (www/lib/burnish.js) on the real core under Node: classes by name,
// images in, training with onEpoch and an AbortSignal, answers with names, bundles out and back
// in, predict-only Classifier answers, and every bad input rejected with what to do.

import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { Trainer } from '../../www/lib/burnish.js';
import { CoreSession } from './core-session.js';

/** 224² RGB pixels as the lossless PNG the store keeps. */
function toPng(rgb) {
  const data = Buffer.alloc(224 * 224 * 4, 255);
  for (let p = 0; p < 224 * 224; p++) rgb.slice(p * 3, p * 3 + 3).forEach((v, c) => (data[p * 4 + c] = v));
  return new Blob([PNG.sync.write({ width: 224, height: 224, data })], { type: 'image/png' });
}

const options = () => ({ weights: 'unused', backend: 'cpu', session: new CoreSession() });
/** A trainer as the library makes one (memory store), its thumbnails and PNGs made without a DOM. */
async function create(extra = {}) {
  const trainer = new Trainer({ thumbnail: () => 'data:thumb', toPng: async (rgb) => toPng(rgb) });
  await trainer.open({ ...options(), ...extra });
  return trainer;
}
const rgb = (v) => new Uint8Array(224 * 224 * 3).map((_, i) => (i % 3 === v % 3 ? 220 : 30) + ((i / 3) % 17));
const QUICK = { epochs: 3, fine_tune_blocks: 0, augment: false, validation_fraction: 0, patience: null };

async function taught() {
  const trainer = await create();
  await trainer.addClass('cup');
  await trainer.addClass('phone');
  for (let i = 0; i < 3; i++) {
    await trainer.addImage('cup', rgb(3 * i));
    await trainer.addImage('phone', rgb(3 * i + 1));
  }
  return trainer;
}

test('teach two classes by name, train with onEpoch, classify with names', async () => {
  const trainer = await taught();
  assert.deepEqual(trainer.names(), ['cup', 'phone'], 'a library trainer starts with no classes');
  const epochs = [];
  const last = await trainer.train({ ...QUICK, onEpoch: (m) => epochs.push(m.epoch) });
  assert.deepEqual(epochs, [1, 2, 3]);
  assert.equal(last.done, true);
  const answer = await trainer.classify(rgb(1));
  assert.equal(answer.nearest, 'phone');
  assert.equal(answer.label, answer.none_of_these ? null : 'phone');
  assert.deepEqual(Object.keys(answer.confidences), ['cup', 'phone']);
  assert.ok(Math.abs(answer.confidences.cup + answer.confidences.phone - 1) < 1e-5);
  assert.equal(typeof answer.similarity, 'number');
});

test('an AbortSignal ends a run and keeps the model from before it', async () => {
  const trainer = await taught();
  await trainer.train(QUICK);
  const before = await trainer.classify(rgb(4));
  const controller = new AbortController();
  const run = trainer.train({ epochs: 1000, onEpoch: (m) => m.epoch === 2 && controller.abort(), signal: controller.signal });
  await assert.rejects(run, (err) => err.name === 'AbortError' && /model from before it is kept/.test(err.message));
  assert.equal(trainer.state, 'trained');
  assert.deepEqual((await trainer.classify(rgb(4))).probs, before.probs, 'the previous model answers as before');
  const again = await trainer.train({ epochs: 2 });
  assert.equal(again.epoch, 2, 'and the next run is whole');
});

test('save() and Trainer.open() bring the whole project back, answers included', async () => {
  const trainer = await taught();
  await trainer.train(QUICK);
  const answer = await trainer.classify(rgb(2));
  const blob = await trainer.save();
  assert.equal(blob.type, 'application/zip');
  const again = await Trainer.open(blob, options());
  assert.deepEqual(again.names(), ['cup', 'phone']);
  assert.deepEqual(again.counts(), [3, 3]);
  assert.equal(again.state, 'trained');
  assert.deepEqual((await again.classify(rgb(2))).probs, answer.probs);
  const model = await trainer.exportModel('safetensors');
  assert.ok(model instanceof File && model.name.endsWith('.safetensors') && model.size > 1000);
});

test('behaviours are checked by the core, saved in bundles and packed into the web app', async () => {
  const trainer = await taught();
  const png = await toPng(rgb(5)).arrayBuffer();
  const wav = new Blob([Buffer.from('RIFF\0\0\0\0WAVEfmt ')], { type: 'audio/wav' });
  await trainer.setBehaviour('cup', { kind: 'text', text: 'A cup!' });
  await trainer.setBehaviour('phone', { kind: 'sound', file: new File([wav], 'ring.wav') });
  await trainer.setBehaviour(null, { kind: 'picture', file: new File([png], 'what.png') });
  await assert.rejects(trainer.setBehaviour('cup', { kind: 'picture', file: new File(['hello'], 'notes.txt') }), /“notes\.txt” is not a picture or a sound/);
  await assert.rejects(trainer.setBehaviour('cup', { kind: 'sound', file: new File([png], 'what.png') }), /“what\.png” is not a sound/);
  await assert.rejects(trainer.setBehaviour('cup', { kind: 'picture', file: new File([new Uint8Array(png), new Uint8Array(6 << 20)], 'big.png') }), /at most 5 MB/);
  await assert.rejects(trainer.setBehaviour('cup', { kind: 'text', text: 'x', color: 'red' }), /#rrggbb/);
  assert.deepEqual(trainer.classes[0].behaviour, { kind: 'text', text: 'A cup!', size: 15, color: '#ffffff' }, 'a refused behaviour changes nothing');
  assert.equal(trainer.classes[1].behaviour.media.type, 'audio/wav');
  await assert.rejects(trainer.exportApp(), /train the model first/);
  await trainer.train(QUICK);
  const again = await Trainer.open(await trainer.save(), options());
  assert.deepEqual(again.behaviours(), trainer.behaviours(), 'a bundle brings every behaviour back');
  const app = await again.exportApp({ title: 'Cup or phone?' });
  assert.equal(app.name, 'app.zip');
  const names = Buffer.from(await app.arrayBuffer()).toString('latin1');
  for (const file of ['index.html', 'app.json', 'model.safetensors', 'media/0.wav', 'media/1.png', 'lib/burnish.js', 'pkg/burnish_bg.wasm', 'sw.js']) {
    assert.ok(names.includes(file), `the app holds ${file}`);
  }
});

test('bad input is refused with what to do, and changes nothing', async () => {
  const trainer = await create();
  await assert.rejects(trainer.addClass(''), /a class needs a name/);
  await assert.rejects(trainer.addClass(7), /a class needs a name/);
  await trainer.addClass('cup');
  await assert.rejects(trainer.addClass('Cup'), /already a class named/);
  await assert.rejects(trainer.addImage('mug', rgb(0)), /no class named “mug”: add it with addClass first/);
  await assert.rejects(trainer.addImage('cup', { width: 3 }), /unsupported image source \(Object\): pass an <img>/);
  await assert.rejects(trainer.addImage('cup', new Uint8Array(10)), /224×224 RGB \(150528 bytes\), got 10/);
  await assert.rejects(trainer.train(QUICK), /at least 2 classes.*add another class/);
  await trainer.addClass('phone');
  await trainer.addImage('cup', rgb(0));
  await assert.rejects(trainer.train(QUICK), /class "phone" has no samples: add images to it/);
  await assert.rejects(trainer.classify(rgb(0)), /no trained model yet: train first/);
  await assert.rejects(trainer.exportModel('keras'), /unknown format "keras"/);
  await assert.rejects(Trainer.open(new Uint8Array([1, 2, 3]), options()), /not a zip file/);
  await assert.rejects(create({ backend: 'tpu' }), /unknown backend "tpu"/);
  assert.deepEqual(trainer.counts(), [1, 0], 'nothing was added by the refused calls');
});
