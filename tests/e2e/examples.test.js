// Each example of examples/ opened as a person would (served from the repository, in Chromium):
// the webcam classifier taught from a fake camera fed real photos, training from a folder of
// photos with its progress bar, and predict-only from a model the CLI trained. Each test reads
// what the example's page says.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { photoSplit } from '../fixtures/photo-sets.js';
import { ROOT, burnish, crop224, fakeWebcamFile, meanLuma, serverAndChromium } from './harness.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
const WEBCAM = [
  { photo: 'dog.png', button: 'a', label: 'A' },
  { photo: 'coffee.png', button: 'b', label: 'B' },
].map((w) => ({ ...w, luma: meanLuma(join(FIXTURES, w.photo)) }));
const feed = fakeWebcamFile(WEBCAM.map((w) => join(FIXTURES, w.photo)), 30);
const env = serverAndChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${feed}`]);
const work = mkdtempSync(join(tmpdir(), 'burnish-examples-'));
after(() => rmSync(work, { recursive: true, force: true }));
const text = (page, id) => page.textContent(`#${id}`);

/** Which photo the example's <video> shows now (nearest mean luma). */
async function showing(page) {
  const luma = await page.evaluate(() => {
    const context = new OffscreenCanvas(32, 32).getContext('2d');
    context.drawImage(document.querySelector('video'), 0, 0, 32, 32);
    const d = context.getImageData(0, 0, 32, 32).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    return sum / (d.length / 4);
  });
  return WEBCAM.reduce((a, b) => (Math.abs(a.luma - luma) <= Math.abs(b.luma - luma) ? a : b));
}

/** A folder of class folders (copies: a picked folder's symlinks are not followed). */
function classFolder(dir, classes) {
  for (const [name, paths] of Object.entries(classes)) {
    mkdirSync(join(dir, name), { recursive: true });
    for (const path of paths) copyFileSync(path, join(dir, name, basename(path)));
  }
  return dir;
}

test('the webcam example learns two things held up to the camera and names them live', { timeout: 600_000 }, async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}examples/webcam/`);
  await page.waitForFunction(() => /Hold a button/.test(document.querySelector('#answer').textContent), null, { timeout: 180_000 });
  for (const w of WEBCAM) {
    // Wait for the camera to switch to this photo, then hold its button for a second of frames.
    while ((await showing(page)).photo === w.photo) await page.waitForTimeout(50);
    while ((await showing(page)).photo !== w.photo) await page.waitForTimeout(50);
    await page.hover(`#${w.button}`);
    await page.mouse.down();
    await page.waitForFunction((l) => new RegExp(`${l}: [3-9]\\d* images|${l}: \\d\\d+ images`).test(document.querySelector('#answer').textContent), w.label);
    await page.mouse.up();
  }
  await page.click('#train');
  const seen = new Set();
  for (let i = 0; i < 400 && seen.size < 2; i++) {
    const [before, answer, after] = [await showing(page), await text(page, 'answer'), await showing(page)];
    if (before === after && answer === before.label) seen.add(answer);
    await page.waitForTimeout(100);
  }
  assert.deepEqual([...seen].sort(), ['A', 'B'], 'the live answer follows what the camera shows');
  await page.close();
});

test('the folder example trains from a folder of class folders with progress, then names unseen photos', { timeout: 900_000 }, async () => {
  const split = photoSplit('gcompris');
  const dir = classFolder(join(work, 'folder'), split.train);
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}examples/folder/`);
  await page.waitForFunction(() => document.querySelector('#status').textContent === 'Pick a folder.', null, { timeout: 180_000 });
  await page.setInputFiles('#folder', dir);
  await page.waitForFunction(() => /^Adding photos: \d+ of \d+/.test(document.querySelector('#status').textContent));
  await page.waitForFunction(() => /^Training: epoch \d+/.test(document.querySelector('#status').textContent), null, { timeout: 300_000 });
  assert.ok(await page.evaluate(() => document.querySelector('#progress').value > 0), 'the progress bar moves');
  await page.waitForFunction(() => /^Trained on/.test(document.querySelector('#status').textContent), null, { timeout: 600_000 });
  const total = Object.values(split.train).flat().length;
  assert.match(await text(page, 'status'), new RegExp(`^Trained on ${total} photos of fishes, tools in \\d+ epochs\\.$`));
  let right = 0;
  const held = Object.entries(split.eval).flatMap(([name, paths]) => paths.slice(0, 4).map((path) => ({ name, path })));
  for (const { name, path } of held) {
    await page.evaluate(() => (document.querySelector('#answer').textContent = ''));
    await page.setInputFiles('#photo', path);
    await page.waitForFunction(() => document.querySelector('#answer').textContent !== '');
    if ((await text(page, 'answer')) === name) right++;
  }
  assert.ok(right / held.length >= 0.75, `${right} of ${held.length} unseen photos named right`);
  await page.close();
});

test('the predict example loads a model the CLI trained and answers as the CLI does', { timeout: 600_000 }, async () => {
  const split = photoSplit('gcompris');
  const data = classFolder(join(work, 'cli-data'), split.train);
  const model = join(work, 'cli.safetensors');
  await burnish('train', data, '--fine-tune-blocks', '0', '--out', model);
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}examples/predict/`);
  // 224² crops, so that the CLI and the browser see the same pixels.
  const photos = await crop224(page, Object.values(split.eval).flatMap((paths) => paths.slice(0, 3)), join(work, 'crops'));
  const expected = (await burnish('predict', '--model', model, ...photos)).trim().split('\n').map((l) => JSON.parse(l));
  await page.setInputFiles('#model', join(ROOT, 'tests/fixtures/images/dog.png'));
  await page.waitForFunction(() => /could not be loaded/.test(document.querySelector('#status').textContent), null, { timeout: 180_000 });
  assert.match(await text(page, 'status'), /This model could not be loaded: .+/, 'a file that is not a model is reported');
  await page.setInputFiles('#model', model);
  await page.waitForFunction(() => /^Ready: fishes, tools\./.test(document.querySelector('#status').textContent), null, { timeout: 180_000 });
  for (const [i, path] of photos.entries()) {
    await page.evaluate(() => document.querySelector('#bars').replaceChildren());
    await page.setInputFiles('#photo', path);
    await page.waitForFunction(() => document.querySelector('#bars').children.length === 2);
    const want = expected[i].none_of_these ? /^none of these \(closest: \w+\)$/ : new RegExp(`^${expected[i].top5[0].label}$`);
    assert.match(await text(page, 'status'), want, basename(path));
  }
  await page.close();
});
