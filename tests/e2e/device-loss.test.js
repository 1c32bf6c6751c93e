// WebGPU device loss: a project trained on WebGPU (Chromium's SwiftShader adapter) survives a real
// GPU-process crash (DevTools' Browser.crashGpuProcess): the page rebuilds the model on the CPU
// (Flex) from the saved project and keeps its classes, samples and trained model.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, serverAndChromium } from './harness.js';
import { train } from './journey.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
const env = serverAndChromium();

const cards = (page) => page.locator('[data-testid="class-card"]');
const counts = (page) => page.$$eval('[data-testid="class-card"] .gallery', (gs) => gs.map((g) => g.children.length));

/** The class probabilities shown, in %. */
const probs = (page) => page.$$eval('#predictions .pct', (pcts) => pcts.map((p) => parseFloat(p.textContent)));

async function predictFile(page, name) {
  await page.evaluate(() => (document.querySelector('#timing').textContent = ''));
  await page.getByTestId('predict-file-input').setInputFiles([]); await page.getByTestId('predict-file-input').setInputFiles(join(FIXTURES, name));
  await page.waitForFunction(() => document.querySelector('#timing').textContent !== '' || !document.querySelector('#error').hidden, null, {
    timeout: 180_000,
  });
  if (!(await page.locator('#error').isHidden())) return `error: ${await page.textContent('#error')}`;
  return page.textContent('[data-testid="prediction-top"]');
}

test('a lost WebGPU device moves the project to the CPU without losing it', { timeout: 900_000 }, async () => {
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${env.server.url}?backend=webgpu`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
  assert.equal(await page.getAttribute('#backend', 'data-backend'), 'webgpu');

  await cards(page).nth(0).getByTestId('file-input').setInputFiles(['dog.png', 'chelsea.png'].map((f) => join(FIXTURES, f)));
  await cards(page).nth(1).getByTestId('file-input').setInputFiles(['coffee.png', 'rocket.png'].map((f) => join(FIXTURES, f)));
  await page.waitForFunction(() => document.querySelectorAll('.gallery li').length === 4);
  await page.fill('input[name="epochs"]', '5');
  await page.getByText('Advanced settings').click();
  await page.fill('input[name="batch_size"]', '4');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 600_000 });
  const before = await predictFile(page, 'coffee.png');
  const probsBefore = await probs(page);

  // A real device loss: the GPU process crashes under the page.
  const cdp = await env.browser.newBrowserCDPSession();
  await cdp.send('Browser.crashGpuProcess');
  // The page notices at once, and a prediction asked for while it rebuilds waits for the new worker.
  await page.waitForFunction(() => ['recovering', 'flex'].includes(document.querySelector('#backend').dataset.backend));
  assert.equal(await predictFile(page, 'coffee.png'), before, 'the trained model answers, now on the CPU');
  const probsAfter = await probs(page);
  assert.ok(probsAfter.every((p, i) => Math.abs(p - probsBefore[i]) < 0.5), `same model: ${probsBefore} vs ${probsAfter} %`);
  assert.equal(await page.getAttribute('#backend', 'data-backend'), 'flex');
  assert.match(await page.textContent('#backend'), /WebGPU was lost .*continuing on the CPU \(Flex\)/);
  assert.deepEqual(await counts(page), [2, 2], 'every sample is still there');
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'trained');
  await page.screenshot({ path: join(ARTIFACTS, 'device-lost.png'), fullPage: true });

  // And training goes on, on Flex.
  await train(page); // the page is trained already: train() waits for this run's end
  assert.match(await predictFile(page, 'dog.png'), /^Class [12]$/);
  assert.deepEqual(errors, []);
  await page.close();
});
