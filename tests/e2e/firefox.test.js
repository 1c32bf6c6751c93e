// The whole loop in Debian's Firefox ESR (through geckodriver): load, record from Firefox's fake
// camera by holding space, add real photos by the file inputs, train, predict a file, reload and
// find the project and its trained model again. `HEADED=1` shows the window (needs a display).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, serve, startServer } from './harness.js';
import { assertLibraryApi, startLibraryApiCheck } from './library-api.js';
import { AXE } from './journey.js';
import { checkApp, cliApp } from './web-app.js';
import { launchFirefox } from './webdriver.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
const SPACE = '\uE00D';
let server;
let firefox;

before(async () => {
  server = await startServer();
  firefox = await launchFirefox({
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
  });
});

after(async () => {
  await firefox?.close();
  server?.stop();
});

const card = (n) => `#classes > article:nth-child(${n + 1})`;
const counts = () => firefox.evaluate(() => [...document.querySelectorAll('#classes .gallery')].map((g) => g.children.length));
const stateIs = (state, timeout = 300_000) => firefox.waitFor((s) => document.body.dataset.state === s, { args: [state], timeout });

test('Firefox: record, add files, train, predict, reload', { timeout: 900_000 }, async () => {
  await firefox.goto(`${server.url}?backend=flex`);
  await stateIs('ready', 180_000);
  for (const [i, name] of ['animal', 'thing'].entries()) await firefox.fill(`${card(i)} .class-name`, name);

  await firefox.click(`${card(0)} .webcam`); // the webcam opens inside the card
  // Settled: a picture, and the card's record button enabled (only once the video plays, a task
  // after its size is known); or an error.
  await firefox.waitFor(
    (css) => (document.querySelector('#camera').videoWidth > 0 && !document.querySelector(css).disabled) || !document.querySelector('#error').hidden,
    { args: [`${card(0)} .record`] },
  );
  const cameraError = await firefox.evaluate(() => !document.querySelector('#error').hidden && document.querySelector('#error').textContent);
  assert.equal(cameraError, false, `the webcam did not start: ${cameraError}`);
  await firefox.evaluate((css) => document.querySelector(css).focus(), `${card(0)} .record`);
  await firefox.holdKey(SPACE, 1500);
  await firefox.waitFor((css) => document.querySelector(css).dataset.busy === undefined, { args: [`${card(0)} .record`] });
  const [recorded] = await counts();
  assert.ok(recorded >= 5, `recorded ${recorded} frames from Firefox's fake camera`);
  await firefox.click(`${card(0)} .webcam`); // "Close webcam"

  await firefox.type(`${card(0)} [data-testid="file-input"]`, ['dog.png', 'chelsea.png', 'eagle.png'].map((f) => join(FIXTURES, f)).join('\n'));
  await firefox.type(`${card(1)} [data-testid="file-input"]`, ['coffee.png', 'rocket.png', 'astronaut.png'].map((f) => join(FIXTURES, f)).join('\n'));
  await firefox.waitFor((n) => document.querySelectorAll('#classes .gallery li').length === n, { args: [recorded + 6] });

  await firefox.evaluate(() => {
    document.querySelector('input[name="epochs"]').value = '20';
    document.querySelector('input[name="batch_size"]').value = '8';
  });
  await firefox.click('[data-testid="train-button"]');
  await stateIs('trained');
  await firefox.type('[data-testid="predict-file-input"]', join(FIXTURES, 'coffee.png'));
  await firefox.waitFor(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'thing');
  writeFileSync(join(ARTIFACTS, 'firefox-trained.png'), await firefox.screenshot());

  await firefox.goto(`${server.url}?backend=flex`);
  await stateIs('trained', 180_000);
  assert.deepEqual(await counts(), [recorded + 3, 3], 'every sample is back after a reload');
  await firefox.type('[data-testid="predict-file-input"]', join(FIXTURES, 'dog.png'));
  await firefox.waitFor(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'animal');
  assert.equal(await firefox.evaluate(() => document.querySelector('#error').hidden), true);
});

test('Firefox: the library API teaches, trains, answers, reopens, predicts, and refuses bad input clearly', { timeout: 600_000 }, async () => {
  const other = await serve(ROOT);
  try {
    await firefox.goto(`${server.url}examples/`);
    await firefox.evaluate(startLibraryApiCheck, other.url);
    await firefox.waitFor(() => window.libraryApi.done, { timeout: 600_000 });
    assertLibraryApi(await firefox.evaluate(() => window.libraryApi), 'Firefox');
  } finally {
    await other.close();
  }
});

test('Firefox: the exported web app answers as the CLI, with its behaviours, on a phone-sized window, offline', { timeout: 900_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'burnish-firefox-app-'));
  try {
    const made = await cliApp(work);
    const site = await serve(made.site);
    const camera = await checkApp(firefox, { url: `${site.url}app/`, held: made.held, cli: made.cli, stopServer: () => site.close(), axeSource: readFileSync(AXE, 'utf8') });
    assert.equal(camera, 'answer', "Firefox's fake camera is answered");
    writeFileSync(join(ARTIFACTS, 'firefox-web-app.png'), await firefox.screenshot());
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
