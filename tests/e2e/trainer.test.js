// The trainer end to end in headless Chromium: a fake webcam fed from a real photo (Debian
// darknet's dog, as a Y4M video) records one class by holding the button, files add the other, training
// runs with live charts, predictions come from a file and from the webcam, Stop stops.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, fakeWebcamFile, launchChromium, startServer } from './harness.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
let server;
let browser;

before(async () => {
  server = await startServer();
  const feed = fakeWebcamFile(join(FIXTURES, 'dog.png'));
  browser = await launchChromium([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${feed}`,
  ]);
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `trainer-${name}.png`), fullPage: true });
const state = (page) => page.evaluate(() => document.body.dataset.state);
const cards = (page) => page.locator('[data-testid="class-card"]');

async function count(page, index) {
  return Number((await cards(page).nth(index).locator('.count').textContent()).split(' ')[0]);
}

test('record, add files, train, predict from file and webcam, stop', { timeout: 600_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.url}?backend=flex`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
  assert.equal(await cards(page).count(), 2);
  await shot(page, 'ready');

  await cards(page).nth(0).getByTestId('class-name').fill('animal');
  await cards(page).nth(0).getByTestId('class-name').dispatchEvent('change');
  await cards(page).nth(1).getByTestId('class-name').fill('thing');
  await cards(page).nth(1).getByTestId('class-name').dispatchEvent('change');

  // Webcam: hold "record" with the keyboard (space) for a while.
  await page.click('#camera-button');
  await page.waitForFunction(() => document.querySelector('#camera').videoWidth > 0);
  const record = cards(page).nth(0).locator('.record');
  await record.focus();
  await page.keyboard.down(' ');
  await page.waitForTimeout(2000);
  await page.keyboard.up(' ');
  await page.waitForTimeout(300);
  const recorded = await count(page, 0);
  assert.ok(recorded >= 5, `recorded ${recorded} frames`);

  // Files: more animals, and the things.
  await cards(page).nth(0).getByTestId('file-input').setInputFiles(['chelsea.png', 'eagle.png'].map((f) => join(FIXTURES, f)));
  await cards(page).nth(1).getByTestId('file-input').setInputFiles(['coffee.png', 'rocket.png', 'astronaut.png'].map((f) => join(FIXTURES, f)));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="class-card"]')[1].querySelectorAll('.gallery li').length === 3);
  assert.equal(await count(page, 0), recorded + 2);
  await shot(page, 'samples');

  // Train with the page's controls.
  await page.fill('input[name="epochs"]', '20');
  await page.fill('input[name="batch_size"]', '8');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 300_000 });
  assert.ok(await page.locator('#charts .uplot').count() >= 2, 'loss and accuracy charts');
  await shot(page, 'trained');

  // From a file (the threshold at 0 so "none of these" cannot hide the class).
  await page.fill('#threshold', '0');
  await page.getByTestId('predict-file-input').setInputFiles(join(FIXTURES, 'coffee.png'));
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'thing');
  // From the webcam (the dog).
  await page.check('#live');
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'animal');
  await page.uncheck('#live');
  await shot(page, 'predicting');

  // Stop mid-training: a long run stopped after its first epochs.
  await page.fill('input[name="epochs"]', '1000');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'training');
  await page.waitForFunction(() => /Epoch \d+/.test(document.querySelector('#training-status').textContent));
  await page.getByTestId('stop-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 120_000 });
  assert.match(await page.textContent('#training-status'), /stopped after \d+ epochs/);
  assert.equal(await state(page), 'trained');

  // The second visit takes the (sha256-checked) weights from the Cache API.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
  assert.match(await page.textContent('#backend'), /weights from this browser’s cache/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a denied camera says so', { timeout: 120_000 }, async () => {
  const denied = await launchChromium(['--use-fake-device-for-media-stream', '--deny-permission-prompts']);
  try {
    const page = await denied.newPage();
    await page.goto(`${server.url}?backend=flex`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
    await page.click('#camera-button');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /camera permission was denied/);
    await page.screenshot({ path: join(ARTIFACTS, 'trainer-camera-denied.png'), fullPage: true });
  } finally {
    await denied.close();
  }
});
