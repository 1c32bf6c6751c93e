// The Export dialog end to end: a person trains two classes of photos, opens "Export model…",
// downloads each format, and copies each snippet. Each snippet then runs as written, served from
// a temporary folder with the downloaded files (and the runtime files its comment names), and
// must answer as burnish does (`burnish predict` on the downloaded .safetensors): onnxruntime-web
// in Chromium and ONNX Runtime in Python within 1e-4, Teachable Machine's own library within 1e-3;
// the safetensors snippet must read the class names and tensors.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { ARTIFACTS, ROOT, burnish, serve, serverAndChromium } from './harness.js';
import { CLASSES, cards, fillClasses, openPage } from './journey.js';

const env = serverAndChromium();
const work = mkdtempSync(join(tmpdir(), 'burnish-export-'));
after(() => rmSync(work, { recursive: true, force: true }));
const PHOTOS = CLASSES.flatMap((c) => c.files);
const PYTHON = join(homedir(), '.cache/burnish/pyvenv/bin/python');
const argmax = (xs) => xs.indexOf(Math.max(...xs));

/** Runs `snippet` (an HTML page) from `dir` once per photo (served as its photo.jpg); resolves each #result. */
async function runPage(browser, dir, snippet) {
  writeFileSync(join(dir, 'index.html'), snippet);
  const site = await serve(dir);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const results = {};
  try {
    for (const photo of PHOTOS) {
      await page.route('**/photo.jpg', (route) => route.fulfill({ body: readFileSync(photo), contentType: 'image/png' }));
      await page.goto(`${site.url}index.html`);
      await page.waitForFunction(() => document.querySelector('#result').textContent !== 'Classifying…', null, { timeout: 120_000 });
      const text = await page.textContent('#result');
      assert.ok(!text.startsWith('Error'), `${photo}: ${text}`);
      results[photo] = JSON.parse(text);
      await page.unroute('**/photo.jpg');
    }
  } finally {
    await page.close();
    await site.close();
  }
  assert.deepEqual(errors, []);
  return results;
}

test('each format downloads from the Export dialog and each snippet answers as burnish', { timeout: 900_000 }, async () => {
  const page = await openPage(env.browser, env.server.url, { acceptDownloads: true });
  await fillClasses(page);
  await page.fill('input[name="epochs"]', '20');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 600_000 });
  const labels = CLASSES.map((c) => c.name);
  assert.deepEqual(await cards(page).getByTestId('class-name').evaluateAll((els) => els.map((e) => e.value)), labels);

  await page.getByTestId('download-model').click();
  await page.waitForFunction(() => document.querySelector('#export-dialog').open);
  const formats = {};
  for (const [format, tab] of [['tfjs', 'Teachable Machine / TF.js'], ['onnx', 'ONNX'], ['safetensors', 'safetensors']]) {
    await page.getByRole('tab', { name: tab }).click();
    assert.equal(await page.getByRole('tab', { name: tab }).getAttribute('aria-selected'), 'true');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
    const path = join(work, download.suggestedFilename());
    await download.saveAs(path);
    await page.waitForFunction(() => /written in/.test(document.querySelector('.export-status').textContent));
    const status = await page.textContent('.export-status');
    const snippets = await page.$$eval('#export-panel pre code', (codes) => codes.map((c) => c.textContent));
    const ms = Number(await page.getAttribute('#export-dialog', 'data-export-ms'));
    formats[format] = { file: download.suggestedFilename(), bytes: statSync(path).size, status, ms, snippets };
  }
  assert.deepEqual(Object.values(formats).map((f) => f.file), ['burnish-tfjs.zip', 'model.onnx', 'model.safetensors']);
  await page.getByRole('button', { name: 'Close' }).click();

  // What burnish answers, from the downloaded model.
  const reference = Object.fromEntries(
    (await burnish('predict', '--model', join(work, 'model.safetensors'), ...PHOTOS)).trim().split('\n')
      .map((line) => JSON.parse(line)).map((r) => [r.file, r]),
  );
  const worst = {};

  // onnxruntime-web, the dialog's web snippet as copied.
  const onnxDir = join(work, 'onnx');
  mkdirSync(onnxDir);
  copyFileSync(join(work, 'model.onnx'), join(onnxDir, 'model.onnx'));
  const ortDist = join(ROOT, 'node_modules/onnxruntime-web/dist');
  for (const f of readdirSync(ortDist).filter((f) => f === 'ort.min.js' || /^ort-wasm-.*\.(mjs|wasm)$/.test(f))) copyFileSync(join(ortDist, f), join(onnxDir, f));
  const web = await runPage(env.browser, onnxDir, formats.onnx.snippets[0]);
  worst.onnxruntime_web = 0;
  for (const photo of PHOTOS) {
    const want = reference[photo];
    const got = web[photo];
    assert.equal(got.label, want.none_of_these ? 'none of these' : want.top5[0].label, photo);
    for (const [i, p] of got.probabilities.entries()) worst.onnxruntime_web = Math.max(worst.onnxruntime_web, Math.abs(p - want.probs[i]));
    worst.onnxruntime_web = Math.max(worst.onnxruntime_web, Math.abs(got.similarity - want.similarity));
  }
  assert.ok(worst.onnxruntime_web < 1e-4, `onnxruntime-web max |Δ| ${worst.onnxruntime_web}`);

  // ONNX Runtime in Python, the dialog's Python snippet as copied (the venv .ci/python-model.sh makes).
  writeFileSync(join(onnxDir, 'classify.py'), formats.onnx.snippets[1]);
  const { stdout } = await promisify(execFile)(PYTHON, [join(onnxDir, 'classify.py'), join(onnxDir, 'model.onnx'), ...PHOTOS]);
  worst.onnxruntime_python = 0;
  for (const row of stdout.trim().split('\n').map((l) => JSON.parse(l))) {
    const want = reference[row.file];
    assert.equal(row.label, want.none_of_these ? 'none of these' : want.top5[0].label, row.file);
    for (const [i, p] of row.probabilities.entries()) worst.onnxruntime_python = Math.max(worst.onnxruntime_python, Math.abs(p - want.probs[i]));
    worst.onnxruntime_python = Math.max(worst.onnxruntime_python, Math.abs(row.similarity - want.similarity));
  }
  assert.ok(worst.onnxruntime_python < 1e-4, `ONNX Runtime (Python) max |Δ| ${worst.onnxruntime_python}`);

  // Teachable Machine's library, the dialog's snippet as copied, on the unzipped export.
  const tmDir = join(work, 'tm');
  mkdirSync(tmDir);
  await promisify(execFile)('python3', ['-m', 'zipfile', '-e', join(work, 'burnish-tfjs.zip'), tmDir]);
  assert.deepEqual(readdirSync(tmDir).sort(), ['metadata.json', 'model.json', 'weights.bin']);
  copyFileSync(join(ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js'), join(tmDir, 'tf.min.js'));
  copyFileSync(join(ROOT, 'node_modules/@teachablemachine/image/dist/teachablemachine-image.min.js'), join(tmDir, 'teachablemachine-image.min.js'));
  const tm = await runPage(env.browser, tmDir, formats.tfjs.snippets[0]);
  worst.teachablemachine_image = 0;
  for (const photo of PHOTOS) {
    const want = reference[photo].probs;
    assert.deepEqual(tm[photo].map((p) => p.className), labels);
    const got = tm[photo].map((p) => p.probability);
    assert.equal(argmax(got), argmax(want), photo);
    for (const [i, p] of got.entries()) worst.teachablemachine_image = Math.max(worst.teachablemachine_image, Math.abs(p - want[i]));
  }
  assert.ok(worst.teachablemachine_image < 1e-3, `@teachablemachine/image max |Δ| ${worst.teachablemachine_image}`);

  // burnish's .safetensors from Python, the dialog's snippet as copied (run next to the file).
  writeFileSync(join(work, 'read_model.py'), formats.safetensors.snippets[0]);
  const read = await promisify(execFile)(PYTHON, [join(work, 'read_model.py')], { cwd: work });
  assert.match(read.stdout, new RegExp(`^\\['${labels[0]}', '${labels[1]}'\\] \\[.*'novelty.prototypes'`));

  const summary = { worst, formats: Object.fromEntries(Object.entries(formats).map(([k, f]) => [k, { file: f.file, bytes: f.bytes, ms: f.ms }])) };
  console.log(JSON.stringify(summary));
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'export-results.json'), JSON.stringify(summary, null, 2));
});
