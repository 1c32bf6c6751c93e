// "Is my data good?": a person files real tuxpaint photos of birds and fruit, with one fruit photo
// filed under "bird" by mistake and one bird photo added twice, presses "Check my data", reads
// what the page found — the misfiled photo, the copy — and fixes both with one click each; the
// check then lists neither. The map shows a dot per sample, and pointing at one shows its photo.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PHOTOS } from '../fixtures/photo-sets.js';
import { ARTIFACTS, serverAndChromium } from './harness.js';
import { cards, fillClasses, openPage } from './journey.js';

const env = serverAndChromium();
const photos = (kind) => readdirSync(join(PHOTOS, 'tuxpaint', kind)).sort().map((f) => join(PHOTOS, 'tuxpaint', kind, f));

test('the data check finds a misfiled photo and a copy, and one click fixes each', { timeout: 600_000 }, async () => {
  const page = await openPage(env.browser, env.server.url);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const birds = photos('birds').slice(0, 10);
  const fruit = photos('fruit').slice(0, 10);
  const misfiled = fruit[9];
  const copy = join(mkdtempSync(join(tmpdir(), 'burnish-copy-')), 'the-same-bird.png');
  copyFileSync(birds[0], copy);
  await fillClasses(page, [
    { name: 'bird', files: [...birds, misfiled, copy] },
    { name: 'fruit', files: fruit.slice(0, 9) },
  ]);
  const check = page.getByTestId('data-check');
  const run = async () => {
    await page.evaluate(() => delete document.querySelector('[data-testid="data-check"]').dataset.checked);
    await page.getByTestId('data-check-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="data-check"]').dataset.checked !== undefined);
  };
  await run();
  assert.equal(await check.getAttribute('data-checked'), '21', 'every sample was checked');
  assert.equal(await check.locator('circle').count(), 21, 'a dot a sample on the map');
  const text = await check.textContent();
  assert.match(text, /Possibly in the wrong class \(1\)/, text);
  assert.match(text, /Filed under “bird”, looks like “fruit”/);
  assert.match(text, /The same picture as another “bird” sample \(100% alike\)/, 'the copy added');
  await page.screenshot({ path: join(ARTIFACTS, 'data-check-found.png'), fullPage: true });

  // Pointing at a dot shows its photo and class.
  await check.locator('circle').last().hover(); // drawn last: on top of any dot it overlaps
  await page.waitForFunction(() => document.querySelector('.data-map-figure img:not([hidden])')?.complete);
  assert.match(await check.locator('figcaption').textContent(), /^(bird|fruit)$/);
  // And from the keyboard: the map takes focus, the arrow keys step through the samples.
  await page.evaluate(() => {
    const img = document.querySelector('.data-map-figure img');
    img.hidden = true;
    img.removeAttribute('src');
  });
  await check.locator('svg.data-map').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('.data-map-figure img:not([hidden])')?.complete);
  assert.equal(await check.locator('circle.current').count(), 1, 'the stepped-to dot is marked');
  assert.match(await check.locator('figcaption').textContent(), /^(bird|fruit)$/);

  await check.getByRole('button', { name: 'Move to “fruit”' }).click();
  await page.waitForFunction(() => !/Possibly in the wrong class/.test(document.querySelector('[data-testid="data-check"]').textContent));
  assert.equal(await cards(page).nth(1).locator('.gallery li').count(), 10, 'the fruit photo is with the fruit');
  const birdCopy = check.locator('.data-finding', { hasText: 'another “bird” sample' });
  await birdCopy.getByRole('button', { name: 'Delete this copy' }).click();
  await page.waitForFunction(() => !/another “bird” sample/.test(document.querySelector('[data-testid="data-check"]').textContent));
  assert.equal(await cards(page).nth(0).locator('.gallery li').count(), 10, 'one copy of the bird is left');
  // What is left is the package's own: two fruit stamps that are nearly the same photo.
  assert.doesNotMatch(await check.textContent(), /Possibly in the wrong class|another “bird” sample/);
  await page.screenshot({ path: join(ARTIFACTS, 'data-check-clean.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.context().close();
});
