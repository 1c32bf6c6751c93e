// Offline: after one visit the app starts, and classifies, with its server gone.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, launchChromium, startServer } from './harness.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test('the second start works with the server stopped', { timeout: 300_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}?backend=flex`);
  await page.waitForFunction(() => document.body.dataset.offline === 'ready', null, { timeout: 180_000 });
  server.stop();
  await new Promise((r) => setTimeout(r, 500));
  await assert.rejects(fetch(server.url), 'the server is really gone');

  await page.reload();
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 180_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await page.textContent('#error'));
  assert.match(await page.textContent('#backend'), /weights from this browser’s cache/);
  await page.getByTestId('predict-file-input').setInputFiles(join(ROOT, 'tests/fixtures/images/coffee.png'));
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'espresso');
  await page.screenshot({ path: join(ARTIFACTS, 'offline.png'), fullPage: true });
});
