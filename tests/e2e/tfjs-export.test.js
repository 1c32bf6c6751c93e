// A model exported for Teachable Machine (`burnish export-model --format tfjs`) used as a
// Teachable Machine model is: a plain page loads the unmodified `@teachablemachine/image`
// (npm 0.8.5, its own bundle) on TF.js, `tmImage.load(modelURL, metadataURL)` reads the three
// files and `model.predict(img)` must name each fixture photo as `burnish predict` does, with
// the same probabilities (within 1e-3). Run on TF.js 4.22.0 and on 1.3.1, the version Teachable
// Machine's library pins as its peer and its snippet loads. `tf.loadLayersModel` must load
// model.json on its own too, giving the same answers from TM's preprocessing done by hand.
// Two models: the last block fine-tuned with the default Dense(100) head (2 classes), and a
// linear head on the pretrained features (3 classes).

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, ROOT, burnish, launchChromium, serve } from './harness.js';

const IMAGES = join(ROOT, 'tests/fixtures/images');
const PHOTOS = ['astronaut', 'chelsea', 'coffee', 'dog', 'eagle', 'rocket'];
const TOLERANCE = 1e-3;
const RUNTIMES = {
  'tfjs-4.22.0': join(ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js'),
  'tfjs-1.3.1': join(ROOT, 'node_modules/tfjs-1.3.1/dist/tf.min.js'),
};
const MODELS = {
  // As .ci/python-model.sh trains its ONNX model: nothing held out, so the fine-tuned block is kept.
  tuned: {
    classes: { animal: ['dog', 'chelsea', 'eagle'], thing: ['coffee', 'rocket', 'astronaut'] },
    args: ['--fine-tune-blocks', '1', '--validation-fraction', '0', '--epochs', '5', '--fine-tune-epochs', '3'],
  },
  linear: {
    classes: { pets: ['dog', 'chelsea'], flying: ['eagle', 'rocket'], things: ['coffee', 'astronaut'] },
    args: ['--fine-tune-blocks', '0', '--head', 'linear', '--validation-fraction', '0', '--epochs', '10'],
  },
};

const work = mkdtempSync(join(tmpdir(), 'burnish-tfjs-'));
const env = { server: null, url: null, browser: null, burnish: {} };

/** Teachable Machine's snippet, reduced: its two script tags, then tmImage.load and predict. */
function page(tfScript) {
  return `<!doctype html>
<meta charset="utf-8">
<title>Teachable Machine image model</title>
<script src="${tfScript}"></script>
<script src="teachablemachine-image.min.js"></script>
<script>
  const image = async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    return img;
  };
  // What a Teachable Machine page does with the exported files.
  window.classify = async (url, photos) => {
    const model = await tmImage.load(url + 'model.json', url + 'metadata.json');
    const out = { backend: tf.getBackend(), tfjs: tf.version.tfjs, classes: model.getTotalClasses(), labels: model.getClassLabels(), predictions: {} };
    for (const photo of photos) out.predictions[photo] = await model.predict(await image('images/' + photo + '.png'));
    return out;
  };
  // The same model through TF.js alone, with TM's preprocessing written out (value / 127 - 1).
  window.layersModel = async (url, photos) => {
    const model = await tf.loadLayersModel(url + 'model.json');
    const out = { inputShape: model.inputs[0].shape, outputShape: model.outputs[0].shape, layers: model.layers.length, probs: {} };
    for (const photo of photos) {
      const img = await image('images/' + photo + '.png');
      const x = tf.tidy(() => tf.browser.fromPixels(img).toFloat().div(127).sub(1).expandDims(0));
      const y = model.predict(x);
      out.probs[photo] = Array.from(await y.data());
      tf.dispose([x, y]);
    }
    return out;
  };
</script>`;
}

before(async () => {
  for (const [name, { classes, args }] of Object.entries(MODELS)) {
    for (const [label, photos] of Object.entries(classes)) {
      mkdirSync(join(work, name, 'data', label), { recursive: true });
      for (const photo of photos) copyFileSync(join(IMAGES, `${photo}.png`), join(work, name, 'data', label, `${photo}.png`));
    }
    const model = join(work, name, 'model.safetensors');
    await burnish('train', join(work, name, 'data'), ...args, '--out', model);
    const site = join(work, 'site', name);
    const exported = JSON.parse(await burnish('export-model', model, '--format', 'tfjs', '--out', site));
    const lines = (await burnish('predict', '--model', model, ...PHOTOS.map((p) => join(IMAGES, `${p}.png`)))).trim().split('\n');
    env.burnish[name] = {
      labels: Object.keys(classes).sort(), // burnish train orders class folders by name
      exported,
      probs: Object.fromEntries(lines.map((l) => JSON.parse(l)).map((r) => [r.file.split('/').pop().replace('.png', ''), r.probs])),
    };
  }
  const site = join(work, 'site');
  mkdirSync(join(site, 'images'));
  for (const photo of PHOTOS) copyFileSync(join(IMAGES, `${photo}.png`), join(site, 'images', `${photo}.png`));
  copyFileSync(join(ROOT, 'node_modules/@teachablemachine/image/dist/teachablemachine-image.min.js'), join(site, 'teachablemachine-image.min.js'));
  for (const [runtime, script] of Object.entries(RUNTIMES)) {
    copyFileSync(script, join(site, `${runtime}.min.js`));
    writeFileSync(join(site, `${runtime}.html`), page(`${runtime}.min.js`));
  }
  const server = await serve(site);
  env.server = server;
  env.url = server.url;
  env.browser = await launchChromium();
});

after(async () => {
  await env.browser?.close();
  await env.server?.close();
  rmSync(work, { recursive: true, force: true });
});

const argmax = (xs) => xs.indexOf(Math.max(...xs));
const summary = {};

test('the exported files are Teachable Machine\'s three, with its metadata fields', () => {
  for (const [name, { labels, exported }] of Object.entries(env.burnish)) {
    const dir = join(work, 'site', name);
    assert.deepEqual(exported.files.map((f) => f.split('/').pop()), ['model.json', 'weights.bin', 'metadata.json']);
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
    for (const key of ['tfjsVersion', 'tmVersion', 'packageVersion', 'packageName', 'timeStamp', 'userMetadata', 'modelName', 'labels', 'imageSize']) {
      assert.ok(key in meta, `metadata.json has ${key}`);
    }
    assert.equal(meta.packageName, '@teachablemachine/image');
    assert.deepEqual(meta.labels, labels);
    assert.equal(meta.imageSize, 224);
    assert.ok(!Number.isNaN(Date.parse(meta.timeStamp)));
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    assert.equal(model.format, 'layers-model');
    const weights = model.weightsManifest.flatMap((g) => g.weights);
    const bytes = weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(statSync(join(dir, 'weights.bin')).size, bytes);
    summary[name] = { bytes: Object.fromEntries(['model.json', 'weights.bin', 'metadata.json'].map((f) => [f, statSync(join(dir, f)).size])) };
  }
});

for (const runtime of Object.keys(RUNTIMES)) {
  test(`@teachablemachine/image on ${runtime} answers as burnish predict`, { timeout: 300_000 }, async () => {
    const page = await env.browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${env.url}${runtime}.html`);
    await page.waitForFunction(() => typeof window.tmImage?.load === 'function' && typeof window.classify === 'function');
    for (const [name, expected] of Object.entries(env.burnish)) {
      const tm = await page.evaluate(([url, photos]) => window.classify(url, photos), [`${name}/`, PHOTOS]);
      assert.equal(tm.classes, expected.labels.length);
      assert.deepEqual(tm.labels, expected.labels);
      let maxDelta = 0;
      for (const photo of PHOTOS) {
        const want = expected.probs[photo];
        const got = tm.predictions[photo];
        assert.deepEqual(got.map((p) => p.className), expected.labels, photo);
        const probs = got.map((p) => p.probability);
        assert.equal(argmax(probs), argmax(want), `${runtime} ${name} ${photo}: top-1 ${probs} vs burnish ${want}`);
        for (const [i, p] of probs.entries()) maxDelta = Math.max(maxDelta, Math.abs(p - want[i]));
        assert.ok(maxDelta <= TOLERANCE, `${runtime} ${name} ${photo}: |Δprob| ${maxDelta} (${probs} vs burnish ${want})`);
      }

      const direct = await page.evaluate(([url, photos]) => window.layersModel(url, photos), [`${name}/`, PHOTOS]);
      assert.deepEqual(direct.inputShape, [null, 224, 224, 3]);
      assert.deepEqual(direct.outputShape, [null, expected.labels.length]);
      let maxDirect = 0;
      for (const photo of PHOTOS) {
        const tmProbs = tm.predictions[photo].map((p) => p.probability);
        for (const [i, p] of direct.probs[photo].entries()) maxDirect = Math.max(maxDirect, Math.abs(p - tmProbs[i]));
      }
      assert.ok(maxDirect <= 1e-6, `${runtime} ${name}: tf.loadLayersModel vs tmImage |Δ| ${maxDirect}`);
      summary[name] = { ...summary[name], [runtime]: { backend: tm.backend, tfjs: tm.tfjs, layers: direct.layers, maxDeltaVsBurnish: maxDelta } };
    }
    assert.deepEqual(errors, []);
    await page.close();
    writeFileSync(join(ARTIFACTS, 'tfjs-export.json'), JSON.stringify(summary, null, 2));
    console.log(JSON.stringify(summary));
  });
}
