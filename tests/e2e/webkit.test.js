// The core loop in a third engine, WebKit: Debian's WebKitGTK MiniBrowser through WebKitWebDriver
// (webkit2gtk-driver), on a private Xvfb (MiniBrowser has no headless mode). Load, let the page
// fall back to the CPU on its own (WebKitGTK has no WebGPU), add real photos by the file inputs,
// train, predict a file, reload and find the project and its trained model again. Skipped when
// WebKitWebDriver is not installed. `HEADED=1` shows the window on $DISPLAY.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, serve, startServer } from './harness.js';
import { assertLibraryApi, startLibraryApiCheck } from './library-api.js';
import { AXE } from './journey.js';
import { checkApp, cliApp } from './web-app.js';
import { launchWebKit, webkitDriver } from './webdriver.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
const installed = webkitDriver() !== null;
let server;
let webkit;

before(async () => {
  if (!installed) return;
  server = await startServer();
  webkit = await launchWebKit();
});

after(async () => {
  await webkit?.close();
  await server?.stop();
});

const card = (n) => `#classes > article:nth-child(${n + 1})`;
const counts = () => webkit.evaluate(() => [...document.querySelectorAll('#classes .gallery')].map((g) => g.children.length));
/** Waits for the page's `state`; a timeout says what the page shows instead. */
async function stateIs(state, timeout = 300_000) {
  try {
    await webkit.waitFor((s) => document.body.dataset.state === s, { args: [state], timeout });
  } catch (err) {
    const shown = await webkit.evaluate(() => [document.body.dataset.state, document.querySelector('#status').textContent, document.querySelector('#error').textContent]);
    throw new Error(`${err.message}; the page shows ${JSON.stringify(shown)}`);
  }
}

test('WebKit: falls back to the CPU, add files, train, predict, reload', { timeout: 900_000 }, async (t) => {
  if (!installed) return t.skip('WebKitWebDriver is not installed (apt-get install webkit2gtk-driver)');
  await webkit.goto(server.url);
  await stateIs('ready', 180_000);
  const backend = await webkit.evaluate(() => ({ name: document.querySelector('#backend').dataset.backend, text: document.querySelector('#backend').textContent }));
  assert.equal(backend.name, 'flex', 'no WebGPU in WebKitGTK: the page picks the CPU itself');
  assert.match(backend.text, /^CPU \(Flex\) — this browser has no WebGPU/);

  for (const [i, name] of ['animal', 'thing'].entries()) await webkit.fill(`${card(i)} .class-name`, name);
  await webkit.type(`${card(0)} [data-testid="file-input"]`, ['dog.png', 'chelsea.png', 'eagle.png'].map((f) => join(FIXTURES, f)).join('\n'));
  await webkit.type(`${card(1)} [data-testid="file-input"]`, ['coffee.png', 'rocket.png', 'astronaut.png'].map((f) => join(FIXTURES, f)).join('\n'));
  await webkit.waitFor(() => document.querySelectorAll('#classes .gallery li').length === 6);
  assert.deepEqual(await counts(), [3, 3]);

  await webkit.evaluate(() => {
    document.querySelector('input[name="epochs"]').value = '20';
    document.querySelector('input[name="batch_size"]').value = '8';
  });
  await webkit.click('[data-testid="train-button"]');
  await stateIs('trained');
  await webkit.type('[data-testid="predict-file-input"]', join(FIXTURES, 'coffee.png'));
  await webkit.waitFor(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'thing');
  writeFileSync(join(ARTIFACTS, 'webkit-trained.png'), await webkit.screenshot());
  const error = () => webkit.evaluate(() => !document.querySelector('#error').hidden && document.querySelector('#error').textContent);
  assert.equal(await error(), false, 'no error: every sample and the model were saved');

  await webkit.goto(server.url);
  await stateIs('trained', 180_000);
  assert.deepEqual(await counts(), [3, 3], 'every sample is back after a reload');
  await webkit.type('[data-testid="predict-file-input"]', join(FIXTURES, 'dog.png'));
  await webkit.waitFor(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'animal');
  assert.equal(await error(), false);
});

test('WebKit: the library API teaches, trains, answers, reopens, predicts, and refuses bad input clearly', { timeout: 600_000 }, async (t) => {
  if (!installed) return t.skip('WebKitWebDriver is not installed (apt-get install webkit2gtk-driver)');
  const other = await serve(ROOT);
  try {
    await webkit.goto(`${server.url}examples/`);
    await webkit.evaluate(startLibraryApiCheck, other.url);
    await webkit.waitFor(() => window.libraryApi.done, { timeout: 600_000 });
    assertLibraryApi(await webkit.evaluate(() => window.libraryApi), 'WebKit');
  } finally {
    await other.close();
  }
});

test('WebKit: the exported web app answers as the CLI, with its behaviours, on a phone-sized window, offline', { timeout: 900_000 }, async (t) => {
  if (!installed) return t.skip('WebKitWebDriver is not installed (apt-get install webkit2gtk-driver)');
  const work = mkdtempSync(join(tmpdir(), 'burnish-webkit-app-'));
  try {
    const made = await cliApp(work);
    const site = await serve(made.site);
    const camera = await checkApp(webkit, { url: `${site.url}app/`, held: made.held, cli: made.cli, stopServer: () => site.close(), axeSource: readFileSync(AXE, 'utf8') });
    // WebKitGTK under WebDriver has no camera: the app says so and answers photos.
    if (camera !== 'answer') assert.match(camera, /pick a photo instead/);
    t.diagnostic(`WebKit's camera: ${camera}`);
    writeFileSync(join(ARTIFACTS, 'webkit-web-app.png'), await webkit.screenshot());
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
