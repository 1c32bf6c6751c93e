// The library's API in Chromium (tests/e2e/library-api.js; firefox.test.js and webkit.test.js run
// the same check in Firefox and WebKit).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROOT, serve, serverAndChromium } from './harness.js';
import { assertLibraryApi, startLibraryApiCheck } from './library-api.js';

const env = serverAndChromium();
let other;
before(async () => (other = await serve(ROOT)));
after(() => other?.close());

test('Chromium: the library API teaches, trains, answers, reopens, predicts, and refuses bad input clearly', { timeout: 600_000 }, async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}examples/`);
  await page.evaluate(startLibraryApiCheck, other.url);
  await page.waitForFunction(() => window.libraryApi.done, null, { timeout: 600_000 });
  assertLibraryApi(await page.evaluate(() => window.libraryApi), 'Chromium');
  await page.close();
});

test('Chromium: weights that cannot be had reject Trainer.create and Classifier.load with what to do', { timeout: 120_000 }, async () => {
  // A plain static server (Vite's dev server answers a missing file with its index page).
  const page = await env.browser.newPage();
  await page.goto(`${other.url}examples/index.html`);
  const messages = await page.evaluate(async () => {
    const { Trainer, Classifier } = await import('/www/lib/burnish.js');
    const refused = (call) => call().then(() => 'accepted', (err) => err.message);
    return [
      await refused(() => Trainer.create({ weights: '/www/models/missing.safetensors', backend: 'cpu' })),
      await refused(() => Classifier.load(new Uint8Array(8), { weights: '/www/models/missing.safetensors', backend: 'cpu' })),
    ];
  });
  for (const message of messages) assert.match(message, /could not download the weights from .*missing\.safetensors: HTTP 404 — check the weights URL/);
  await page.close();
});
