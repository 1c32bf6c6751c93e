// The library as a web developer gets it: `npm pack` → installed into an empty project → built
// with Vite (no configuration) → served statically → opened in Chromium (and, without a bundler,
// from a plain module script). It teaches two classes
// of real photos, trains (the same settings and seed as the page's) and names held-out photos;
// the trainer page, taught the same photos, reads the same names, and the CLI, given the model the library exported, answers the same
// (labels equal, likeness within 1e-5). The photos are first cut to 224² PNGs by the library's
// own conversion, so every side sees the same pixels.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { photoSplit } from '../fixtures/photo-sets.js';
import { ARTIFACTS, ROOT, burnish, crop224, serve, serverAndChromium } from './harness.js';
import { fillClasses, setQuickSettings } from './journey.js';

const env = serverAndChromium();
const work = mkdtempSync(join(tmpdir(), 'burnish-package-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The app a developer writes: the public API on `window`, nothing else. */
const APP = {
  'index.html': '<!doctype html><html lang="en"><title>app</title><script type="module" src="./main.js"></script></html>',
  'main.js': `import { Trainer, Classifier, toRgb } from 'burnish';
window.burnish = { Trainer, Classifier, toRgb };
window.ready = true;
`,
  // No bundler: the installed package's entry from a plain module script on a static server.
  'plain.html': `<!doctype html><html lang="en"><title>plain</title><script type="module">
import { Trainer, Classifier, toRgb } from './node_modules/burnish/www/lib/burnish.js';
window.burnish = { Trainer, Classifier, toRgb };
window.ready = true;
</script></html>`,
};

/** Packs the repository, installs the tarball into an empty project and builds it with Vite; returns dist/. */
function buildApp() {
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1);
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-app', private: true, type: 'module' }));
  for (const [file, text] of Object.entries(APP)) writeFileSync(join(app, file), text);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(work, tarball)], { cwd: app, stdio: 'pipe' });
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: app, stdio: 'pipe' });
  return app;
}

test('npm pack → Vite build → teach, train, answer; the page and the CLI answer the same', { timeout: 1_200_000 }, async () => {
  const app = buildApp();
  const dist = join(app, 'dist');
  const files = readdirSync(join(dist, 'assets'));
  assert.ok(files.some((f) => f.endsWith('.wasm')), `the wasm is emitted: ${files}`);
  assert.ok(files.some((f) => f.endsWith('.safetensors')), `the weights are emitted: ${files}`);
  const site = await serve(dist);
  after(() => site.close());
  const page = await env.browser.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${site.url}index.html`);
  await page.waitForFunction(() => window.ready);

  const split = photoSplit('gcompris');
  const taught = Object.keys(split.train);
  const photos = { train: {}, eval: {} };
  for (const part of ['train', 'eval']) {
    for (const name of taught) photos[part][name] = await crop224(page, split[part][name], join(work, 'photos', part, name));
  }
  const heldOut = taught.flatMap((name) => photos.eval[name].map((path) => ({ name, path })));
  mkdirSync(join(dist, 'photos'));
  const url = (path) => `photos/${path.slice(join(work, 'photos').length + 1)}`;
  execFileSync('cp', ['-r', ...['train', 'eval'].map((p) => join(work, 'photos', p)), join(dist, 'photos')]);

  // The library, as the ten lines use it.
  const built = await page.evaluate(async ({ teach, held }) => {
    const blob = async (u) => (await fetch(u)).blob();
    const trainer = await window.burnish.Trainer.create({ backend: 'cpu' });
    for (const [name, urls] of Object.entries(teach)) {
      await trainer.addClass(name);
      for (const u of urls) await trainer.addImage(name, await blob(u));
    }
    const epochs = [];
    // The page's quick settings (journey.js setQuickSettings): the head alone, 20 epochs, no augmentation.
    const last = await trainer.train({ fine_tune_blocks: 0, epochs: 20, augment: false, onEpoch: (m) => epochs.push(m.epoch) });
    const answers = [];
    for (const u of held) {
      const { label, similarity, none_of_these } = await trainer.classify(await blob(u));
      answers.push({ label, similarity, none_of_these });
    }
    const model = await trainer.exportModel('safetensors');
    return { answers, epochs: epochs.length, last, model: [...new Uint8Array(await model.arrayBuffer())] };
  }, { teach: Object.fromEntries(taught.map((n) => [n, photos.train[n].map(url)])), held: heldOut.map((h) => url(h.path)) });
  assert.deepEqual(problems, []);
  assert.ok(built.epochs >= 2 && built.last.done, JSON.stringify(built.last));
  const named = built.answers.filter((a, i) => a.label === heldOut[i].name).length / heldOut.length;
  assert.ok(named >= 0.85, `the library names ${(named * 100).toFixed(0)}% of held-out photos`);
  const modelPath = join(ARTIFACTS, 'package-model.safetensors');
  writeFileSync(modelPath, Buffer.from(built.model));

  // The CLI on the model the library exported: the same answers.
  const cli = (await burnish('predict', '--model', modelPath, ...heldOut.map((h) => h.path))).trim().split('\n').map((l) => JSON.parse(l));
  let worst = 0;
  for (const [i, line] of cli.entries()) {
    assert.equal(line.none_of_these ? null : line.top5[0].label, built.answers[i].label, line.file);
    worst = Math.max(worst, Math.abs(line.similarity - built.answers[i].similarity));
  }
  assert.ok(worst < 1e-5, `CLI likeness within 1e-5 of the library's: ${worst}`);

  // The trainer page taught the same photos (same seed: the defaults) reads the same names.
  const trainer = await env.browser.newPage();
  await trainer.goto(`${env.server.url}?backend=flex`);
  await trainer.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
  await fillClasses(trainer, taught.map((name) => ({ name, files: photos.train[name] })));
  await setQuickSettings(trainer);
  await trainer.getByTestId('train-button').click();
  await trainer.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 600_000 });
  for (const [i, { path }] of heldOut.entries()) {
    const top = trainer.getByTestId('prediction-top');
    await trainer.evaluate(() => delete document.querySelector('[data-testid="prediction-top"]').dataset.source);
    await trainer.getByTestId('predict-file-input').setInputFiles(path);
    await trainer.waitForFunction((n) => document.querySelector('[data-testid="prediction-top"]').dataset.source === n, basename(path));
    const read = await top.textContent();
    assert.equal(read, built.answers[i].label ?? 'none of these', `the page reads what the library answers for ${basename(path)}`);
    const similarity = Number(await top.getAttribute('data-similarity'));
    assert.ok(Math.abs(similarity - built.answers[i].similarity) < 1e-5, `${basename(path)}: page ${similarity}, library ${built.answers[i].similarity}`);
  }
  // The same package without a bundler: its exported model answers the held-out photos alike.
  const plain = await serve(app);
  after(() => plain.close());
  const unbundled = await env.browser.newPage();
  await unbundled.goto(`${plain.url}plain.html`);
  await unbundled.waitForFunction(() => window.ready, null, { timeout: 60_000 });
  const plainAnswers = await unbundled.evaluate(async ({ model, held, photosUrl }) => {
    const classifier = await window.burnish.Classifier.load(new Uint8Array(model), { backend: 'cpu' });
    const answers = [];
    for (const u of held) answers.push((await classifier.classify(await (await fetch(`${photosUrl}${u}`)).blob())).label);
    return answers;
  }, { model: built.model, held: heldOut.map((h) => url(h.path)), photosUrl: 'dist/' });
  assert.deepEqual(plainAnswers, built.answers.map((a) => a.label), 'a plain <script type="module"> answers as the Vite build');
  await unbundled.close();
  writeFileSync(join(ARTIFACTS, 'package-results.json'), JSON.stringify({ named, worstCliLikeness: worst, answers: built.answers }, null, 2));
  await trainer.close();
  await page.close();
});
