// Bad input and bad moments: broken image files (per-file errors, the rest proceed), odd valid
// ones (animated, CMYK, 16-bit, 10,000×10,000) decoded and added, a
// Content-Security-Policy without unsafe-eval that the app never violates, duplicate class names,
// deleting a class during training, closing the tab during training, a full storage quota.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, serverAndChromium } from './harness.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
const env = serverAndChromium();

const counts = (page) => page.$$eval('[data-testid="class-card"] .gallery', (gs) => gs.map((g) => g.children.length));
const state = (page) => page.evaluate(() => document.body.dataset.state);

/** Opens the app; records CSP violations, page errors and dialogs; can fail IndexedDB writes. */
async function open(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('dialog', (dialog) => problems.push(`dialog: ${dialog.message()}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations = (window.cspViolations ?? 0) + 1;
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
    // The quota test sets window.quotaFull: every IndexedDB add/put then fails as a full disk does.
    for (const method of ['add', 'put']) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (...args) {
        if (window.quotaFull) throw new DOMException('quota exceeded (simulated)', 'QuotaExceededError');
        return original.apply(this, args);
      };
    }
  });
  page.on('console', (m) => m.text().startsWith('CSP violation') && problems.push(m.text()));
  await page.goto(`${env.server.url}?backend=flex`);
  await page.waitForFunction(() => ['ready', 'trained'].includes(document.body.dataset.state), null, { timeout: 180_000 });
  return { page, problems };
}

async function errorText(page) {
  await page.waitForSelector('#error:not([hidden])');
  return page.textContent('#error');
}

const hideError = (page) => page.evaluate(() => (document.querySelector('#error').hidden = true));

test('bad files, duplicate names, training interruptions and a full quota lose nothing', { timeout: 900_000 }, async () => {
  const context = await env.browser.newContext();
  const { page, problems } = await open(context);
  const cards = page.locator('[data-testid="class-card"]');
  // The policy is live: an injected inline script is refused and reported (and nothing was,
  // loading the app).
  const injected = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.injectedRan = true';
    document.head.append(script);
    return window.injectedRan ? 'ran' : 'blocked';
  });
  assert.equal(injected, 'blocked');
  await page.waitForFunction(() => window.cspViolations > 0);
  assert.deepEqual(problems.splice(0), ['CSP violation: script-src-elem inline']);

  // Broken files among good ones: one error naming each, the good ones are added.
  const dir = mkdtempSync(join(tmpdir(), 'burnish-bad-'));
  const dog = readFileSync(join(FIXTURES, 'dog.png'));
  const bad = { 'empty.png': Buffer.alloc(0), 'notes.png': Buffer.from('not a picture'), 'truncated.png': dog.subarray(0, dog.length / 3) };
  for (const [name, bytes] of Object.entries(bad)) writeFileSync(join(dir, name), bytes);
  await cards.nth(0).getByTestId('file-input').setInputFiles([join(FIXTURES, 'dog.png'), ...Object.keys(bad).map((n) => join(dir, n)), join(FIXTURES, 'eagle.png')]);
  const message = await errorText(page);
  for (const name of Object.keys(bad)) assert.match(message, new RegExp(name.replace('.', '\\.')), message);
  await page.waitForFunction(() => document.querySelector('[data-testid="class-card"] .gallery').children.length === 2);
  await hideError(page);
  // Odd but valid files (tests/fixtures/odd): animated GIF (first frame), CMYK JPEG, 16-bit PNG,
  // 10,000×10,000 PNG are all decoded by the browser and added.
  const odd = ['animated.gif', 'cmyk.jpg', 'deep16.png', 'huge.png'].map((f) => join(ROOT, 'tests/fixtures/odd', f));
  await cards.nth(0).getByTestId('file-input').setInputFiles(odd);
  await page.waitForFunction(() => document.querySelector('[data-testid="class-card"] .gallery').children.length === 6, null, { timeout: 120_000 });
  assert.equal(await page.locator('#error').isHidden(), true, await page.textContent('#error'));
  // Back to the photos only, removing the odd ones through their thumbnails.
  for (let n = 5; n >= 2; n--) {
    await cards.nth(0).locator('.gallery li button').last().click();
    await page.waitForFunction((left) => document.querySelector('[data-testid="class-card"] .gallery').children.length === left, n);
  }
  await cards.nth(1).getByTestId('file-input').setInputFiles(['coffee.png', 'rocket.png'].map((f) => join(FIXTURES, f)));
  await page.waitForFunction(() => document.querySelectorAll('.gallery li').length === 4);

  // Two classes cannot share a name: the rename is refused and the old name stays.
  await cards.nth(1).getByTestId('class-name').fill('class 1');
  await cards.nth(1).getByTestId('class-name').dispatchEvent('change');
  assert.match(await errorText(page), /already a class named “class 1”/);
  assert.equal(await cards.nth(1).getByTestId('class-name').inputValue(), 'Class 2');
  await hideError(page);

  // First model, then a long run: classes cannot be deleted while it trains.
  await page.fill('input[name="epochs"]', '10');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 300_000 });
  await page.getByTestId('predict-file-input').setInputFiles(join(FIXTURES, 'eagle.png'));
  await page.waitForFunction(() => document.querySelector('#predictions').textContent !== '');
  const bars = await page.textContent('#predictions');
  // 1000 epochs that early stopping cannot end (patience 0: never): the run is still going
  // during the checks below.
  await page.fill('input[name="epochs"]', '1000');
  await page.getByText('Advanced settings').click();
  await page.fill('input[name="patience"]', '0');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => /Epoch \d+/.test(document.querySelector('#training-status').textContent));
  assert.deepEqual(await page.$$eval('.delete-class', (bs) => bs.map((b) => b.disabled)), [true, true]);

  // Closing the tab mid-training: the reopened page has every sample and the last finished model.
  await page.close();
  const reopened = await open(context);
  assert.equal(await state(reopened.page), 'trained');
  assert.deepEqual(await counts(reopened.page), [2, 2]);
  await reopened.page.getByTestId('predict-file-input').setInputFiles(join(FIXTURES, 'eagle.png'));
  await reopened.page.waitForFunction(() => document.querySelector('#predictions').textContent !== '');
  assert.equal(await reopened.page.textContent('#predictions'), bars);

  // A full quota: the failed write is reported; what was saved before stays.
  await reopened.page.evaluate(() => (window.quotaFull = true));
  await reopened.page.locator('[data-testid="class-card"]').nth(1).getByTestId('file-input').setInputFiles(join(FIXTURES, 'astronaut.png'));
  assert.match(await errorText(reopened.page), /storage is full: the last change was not saved \(everything before it is\)/);
  await reopened.page.screenshot({ path: join(ARTIFACTS, 'robustness-quota.png'), fullPage: true });
  await reopened.page.reload();
  await reopened.page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 180_000 });
  assert.deepEqual(await counts(reopened.page), [2, 2]);
  assert.deepEqual([...problems, ...reopened.problems], []);
});
