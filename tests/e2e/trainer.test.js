// The trainer end to end in headless Chromium: a fake webcam fed from real photos of two classes
// (Debian darknet's dog, scikit-image's coffee: a looping Y4M video showing each in turn) records
// both classes by holding the buttons (keyboard and mouse), files add more, training runs with
// live charts, predictions come from a file and from the webcam, Stop stops, and a reload brings
// back the project and its trained model without re-training.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, fakeWebcamFile, launchChromium, meanLuma, serverAndChromium } from './harness.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
/** What the fake webcam shows: 3 s of each photo, looping. */
const WEBCAM = [
  { photo: 'dog.png', label: 'animal' },
  { photo: 'coffee.png', label: 'thing' },
].map((w) => ({ ...w, luma: meanLuma(join(FIXTURES, w.photo)) }));
const feed = fakeWebcamFile(WEBCAM.map((w) => join(FIXTURES, w.photo)), 30);
const env = serverAndChromium([
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${feed}`,
]);

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `trainer-${name}.png`), fullPage: true });
const cards = (page) => page.locator('[data-testid="class-card"]');
const top = (page) => page.textContent('[data-testid="prediction-top"]');

async function count(page, index) {
  return Number((await cards(page).nth(index).locator('.count').textContent()).split(' ')[0]);
}

/** The class whose photo the webcam shows now (nearest mean luma of the current frame). */
async function showing(page) {
  const luma = await page.evaluate(() => {
    window.probe ??= new OffscreenCanvas(32, 32).getContext('2d', { willReadFrequently: true });
    const context = window.probe;
    context.drawImage(document.querySelector('#camera'), 0, 0, 32, 32);
    const d = context.getImageData(0, 0, 32, 32).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    return sum / (d.length / 4);
  });
  return WEBCAM.reduce((a, b) => (Math.abs(a.luma - luma) <= Math.abs(b.luma - luma) ? a : b)).label;
}

/** Waits until the webcam has just switched to `label`'s photo (so a 1.2 s hold stays on it). */
async function waitForFreshSwitchTo(page, label) {
  while ((await showing(page)) === label) await page.waitForTimeout(50);
  while ((await showing(page)) !== label) await page.waitForTimeout(50);
}

/** Holds `press` (a key or the mouse on the record button) until `index`'s class has `frames` more samples. */
async function recordWhile(page, index, frames, press, release) {
  const before = await count(page, index);
  await press();
  await page.waitForFunction(([i, n]) => {
    const text = document.querySelectorAll('[data-testid="class-card"]')[i].querySelector('.count').textContent;
    return Number(text.split(' ')[0]) >= n;
  }, [index, before + frames]);
  await release();
  await page.waitForSelector(`[data-testid="class-card"]:nth-child(${index + 1}) .record:not([data-busy])`);
}

test('the trainer, step by step: record, add files, train, predict, stop, reload', { timeout: 900_000 }, async (t) => {
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // Main-thread tasks over 50 ms, as the browser reports them, each with what the training
  // status said when it began (so that a failure says which step blocked).
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      const during = document.querySelector('#training-status')?.textContent ?? '';
      for (const e of list.getEntries()) window.longTasks.push({ start: Math.round(e.startTime), ms: e.duration, during });
    }).observe({ type: 'longtask', buffered: true });
    // What ran in them: the long animation frames that blocked, with their scripts.
    window.longFrames = [];
    if (!PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) return;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const scripts = e.scripts.map((s) => `${s.invoker} (${s.sourceURL.split('/').pop()}:${s.sourceCharPosition}) ${Math.round(s.duration)} ms`);
        window.longFrames.push({ start: Math.round(e.startTime), ms: Math.round(e.duration), blocking: Math.round(e.blockingDuration), scripts });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  });
  let expected;
  let recorded;

  await t.test('the page opens ready, with two classes and no error', async () => {
    await page.goto(`${env.server.url}?backend=flex`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
    assert.equal(await cards(page).count(), 2);
    assert.equal(await page.locator('#refetch').isHidden(), true, 'no "Download the weights again" on a healthy start');
    // On the CPU, new samples are embedded by a pool of workers, one per core.
    const cores = await page.evaluate(() => Math.min(navigator.hardwareConcurrency, 8));
    if (cores > 1) await page.waitForFunction((n) => document.querySelector('#backend').textContent.endsWith(`embedding on ${n} cores`), cores);
    await shot(page, 'ready');
  });

  await t.test('holding "record" takes webcam frames (keyboard and mouse)', async () => {
    await cards(page).nth(0).getByTestId('class-name').fill('animal');
    await cards(page).nth(0).getByTestId('class-name').dispatchEvent('change');
    await cards(page).nth(1).getByTestId('class-name').fill('thing');
    await cards(page).nth(1).getByTestId('class-name').dispatchEvent('change');
    // The webcam opens inside the card that records from it; only that card can record.
    await cards(page).nth(0).locator('.webcam').click();
    // Settled: the picture plays and the first card's record button is enabled (after play()), or an error.
    await page.waitForFunction(() => {
      const first = document.querySelector('[data-testid="class-card"]');
      const camera = document.querySelector('#camera');
      return (camera.videoWidth > 0 && !first.querySelector('.record').disabled) || !document.querySelector('#error').hidden;
    });
    assert.equal(await page.locator('#error').isHidden(), true, await page.textContent('#error'));
    assert.equal(await cards(page).nth(0).locator('#camera').count(), 1, 'the picture is in the first card');
    assert.equal(await cards(page).nth(0).locator('.webcam').textContent(), 'Close webcam');
    assert.equal(await cards(page).nth(1).locator('.record').isDisabled(), true, 'the other card cannot record');
    await waitForFreshSwitchTo(page, 'animal');
    await cards(page).nth(0).locator('.record').focus();
    await recordWhile(page, 0, 5, () => page.keyboard.down(' '), () => page.keyboard.up(' '));
    // Opening it in the second card moves the running webcam there.
    await cards(page).nth(1).locator('.webcam').click();
    // Settled: the picture plays in the second card and that card's record button is enabled.
    await page.waitForFunction(() => {
      const second = document.querySelectorAll('[data-testid="class-card"]')[1];
      const camera = document.querySelector('#camera');
      return second.contains(camera) && !camera.paused && !second.querySelector('.record').disabled;
    });
    assert.equal(await cards(page).nth(0).locator('.record').isDisabled(), true, 'the first card can no longer record');
    await waitForFreshSwitchTo(page, 'thing');
    await cards(page).nth(1).locator('.record').scrollIntoViewIfNeeded();
    const box = await cards(page).nth(1).locator('.record').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await recordWhile(page, 1, 5, () => page.mouse.down(), () => page.mouse.up());
    recorded = [await count(page, 0), await count(page, 1)];
    assert.ok(recorded.every((n) => n >= 5), `recorded ${recorded} frames`);
  });

  await t.test('files join the classes', async () => {
    await cards(page).nth(0).getByTestId('file-input').setInputFiles(['chelsea.png', 'eagle.png'].map((f) => join(FIXTURES, f)));
    await cards(page).nth(1).getByTestId('file-input').setInputFiles(['rocket.png', 'astronaut.png'].map((f) => join(FIXTURES, f)));
    expected = [recorded[0] + 2, recorded[1] + 2];
    await page.waitForFunction(
      (n) => [...document.querySelectorAll('[data-testid="class-card"]')].every((card, i) => card.querySelectorAll('.gallery li').length === n[i]),
      expected,
    );
    await shot(page, 'samples');
  });

  await t.test('training runs off the main thread with live charts', async () => {
    await page.fill('input[name="epochs"]', '20');
    await page.getByText('Advanced settings').click();
    await page.fill('input[name="batch_size"]', '8');
    const trainStart = await page.evaluate(() => performance.now());
    await page.getByTestId('train-button').click();
    await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 300_000 });
    const longTasks = await page.evaluate((t0) => window.longTasks.filter((t) => t.start >= t0), trainStart);
    console.log(`main-thread tasks > 50 ms while embedding and training: ${JSON.stringify(longTasks)}`);
    if (longTasks.length) {
      const frames = await page.evaluate((t0) => window.longFrames.filter((f) => f.start >= t0 && f.blocking > 0), trainStart);
      console.log(`frames they blocked, and their scripts: ${JSON.stringify(frames)}`);
    }
    assert.deepEqual(longTasks, [], 'the page never blocks while embedding or training');
    assert.ok(await page.locator('#charts .uplot').count() >= 2, 'loss and accuracy charts');
    await shot(page, 'trained');
  });

  await t.test('a picked photo and the live webcam get their class', async () => {
    await page.getByTestId('predict-file-input').setInputFiles(join(FIXTURES, 'coffee.png'));
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').dataset.source === 'coffee.png');
    assert.equal(await top(page), 'thing');
    await page.check('#live');
    const right = new Set();
    for (let i = 0; i < 300 && right.size < 2; i++) {
      const [before, predicted, after] = [await showing(page), await top(page), await showing(page)];
      if (before === after && predicted === before) right.add(predicted);
      await page.waitForTimeout(100);
    }
    await page.uncheck('#live');
    assert.deepEqual([...right].sort(), ['animal', 'thing'], 'live predictions follow the webcam');
    await shot(page, 'predicting');
  });

  await t.test('Stop ends a long run after its first epochs', async () => {
    // 1000 epochs that early stopping cannot end (patience 0: never), each a worker round trip:
    // the run is still going when Stop arrives.
    await page.fill('input[name="epochs"]', '1000');
    await page.fill('input[name="patience"]', '0');
    await page.uncheck('input[name="augment"]'); // not the default: the reload must bring it back
    await page.getByTestId('train-button').click();
    await page.waitForFunction(() => document.body.dataset.state === 'training');
    await page.waitForFunction(() => /Epoch \d+/.test(document.querySelector('#training-status').textContent));
    await page.getByTestId('stop-button').click();
    await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 120_000 });
    assert.match(await page.textContent('#training-status'), /stopped after \d+ epochs/);
  });

  await t.test('after a Stop, the next Train runs all its epochs (a Stop is for one run)', async () => {
    await page.fill('input[name="epochs"]', '3');
    await page.getByTestId('train-button').click();
    await page.waitForFunction(() => document.body.dataset.state === 'training');
    await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 120_000 });
    // 3 head epochs, then (fine-tuning "auto") the last block's: every epoch of the run, none cut short.
    const [, epochs] = /^Training finished after (\d+) epochs/.exec(await page.textContent('#training-status')) ?? [];
    assert.ok(Number(epochs) >= 3, `the run trained all its epochs: ${await page.textContent('#training-status')}`);
  });

  await t.test('a reload brings back samples, settings and the model without re-training', async () => {
    await page.getByTestId('predict-file-input').setInputFiles(join(FIXTURES, 'eagle.png'));
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').dataset.source === 'eagle.png');
    const bars = await page.textContent('#predictions');
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 180_000 });
    assert.match(await page.textContent('#backend'), /weights from this browser’s cache/);
    assert.deepEqual([await count(page, 0), await count(page, 1)], expected, 'every sample is back');
    assert.equal(await cards(page).nth(0).getByTestId('class-name').inputValue(), 'animal');
    assert.equal(await page.inputValue('input[name="epochs"]'), '3', 'settings are back');
    assert.equal(await page.isChecked('input[name="augment"]'), false, 'every setting, not a subset');
    await page.getByTestId('predict-file-input').setInputFiles(join(FIXTURES, 'eagle.png'));
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').dataset.source === 'eagle.png');
    assert.equal(await page.textContent('#predictions'), bars, 'the same predictions without re-training');
    await shot(page, 'reloaded');
  });

  await t.test('a phone-sized viewport fits without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits a phone');
    await shot(page, 'phone');
  });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a denied camera says so', { timeout: 120_000 }, async () => {
  const denied = await launchChromium(['--use-fake-device-for-media-stream', '--deny-permission-prompts']);
  try {
    const page = await denied.newPage();
    await page.goto(`${env.server.url}?backend=flex`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
    await page.click('#camera-button');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /camera permission was denied/);
    await page.screenshot({ path: join(ARTIFACTS, 'trainer-camera-denied.png'), fullPage: true });
  } finally {
    await denied.close();
  }
});
