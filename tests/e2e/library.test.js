// The library's API in Chromium (tests/e2e/library-api.js; firefox.test.js and webkit.test.js run
// the same check in Firefox and WebKit).

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
