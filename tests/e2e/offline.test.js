// Offline: after one visit the app starts, and classifies, with its server gone.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, serverAndChromium } from './harness.js';

const env = serverAndChromium();

test('the second start works with the server stopped', { timeout: 300_000 }, async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.server.url}?backend=flex`);
  await page.waitForFunction(() => document.body.dataset.offline === 'ready', null, { timeout: 180_000 });
  await env.server.stop();
  await assert.rejects(fetch(env.server.url), 'the server is really gone');

  await page.reload();
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 180_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await page.textContent('#error'));
  assert.match(await page.textContent('#backend'), /weights from this browser’s cache/);
  await page.getByTestId('predict-file-input').setInputFiles(join(ROOT, 'tests/fixtures/images/coffee.png'));
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'espresso');
  await page.screenshot({ path: join(ARTIFACTS, 'offline.png'), fullPage: true });
});
