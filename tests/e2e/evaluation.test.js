// The evaluation a person reads after training: held-out accuracy, the confusion table, and the
// held-out photos the model got wrong — here a cat filed under "thing" — which can be moved to
// their right class from the keyboard (a closed menu's arrow keys choose; only Move moves).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, serverAndChromium } from './harness.js';
import { FIXTURES, fillClasses, openPage, setQuickSettings, train } from './journey.js';

const env = serverAndChromium();
const galleryCounts = (page) => page.$$eval('[data-testid="class-card"] .gallery', (gs) => gs.map((g) => g.children.length));

test('a misfiled held-out photo is shown as a mistake and moved to its class', { timeout: 600_000 }, async () => {
  const page = await openPage(env.browser, env.server.url);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const files = (names) => names.map((f) => join(FIXTURES, f));
  // Half of each class held out: "thing" keeps one photo to train on, the misfiled cat is
  // held out (the split is seeded), and the model names it an animal.
  await fillClasses(page, [
    { name: 'animal', files: files(['dog.png', 'eagle.png']) },
    { name: 'thing', files: files(['coffee.png', 'rocket.png', 'chelsea.png']) },
  ]);
  await setQuickSettings(page);
  await page.getByText('Advanced settings').click();
  await page.fill('input[name="validation_fraction"]', '0.5');
  await train(page);

  const evaluation = page.locator('#evaluation');
  await evaluation.waitFor();
  // Two or three photos a class: the page says "none of these" may catch new photos of them too.
  assert.match(await page.getByTestId('few-photos').textContent(), /^Taught from few distinct photos \(about [1-3] a class\): “none of these” may also catch new photos of your classes\./);
  assert.equal(await page.getByTestId('few-photos').isVisible(), true);
  const mistakes = evaluation.locator('.mistake');
  assert.match(await evaluation.textContent(), /Misclassified \(1\)/);
  assert.equal(await mistakes.count(), 1);
  assert.equal(await mistakes.locator('img').getAttribute('alt'), await mistakes.locator('img').getAttribute('title'));
  assert.match(await mistakes.locator('img').getAttribute('alt'), /^thing predicted as animal/);
  await page.screenshot({ path: join(ARTIFACTS, 'evaluation-mistake.png'), fullPage: true });

  // The keyboard: arrows on the closed menu only choose; the button moves.
  const menu = mistakes.locator('select');
  await menu.focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await menu.inputValue(), await page.evaluate(() => String(document.querySelector('.mistake select').options[1].value)));
  assert.deepEqual(await galleryCounts(page), [2, 3], 'choosing moved nothing');
  assert.equal(await mistakes.count(), 1);
  assert.deepEqual(await menu.locator('option').allTextContents(), ['Move to…', 'animal'], 'its own class is not offered');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.activeElement?.textContent === 'Move'));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.mistake').length === 0);
  assert.deepEqual(await galleryCounts(page), [3, 2], 'the cat is now an animal');
  assert.match(await evaluation.textContent(), /Misclassified \(1\)/, 'the heading keeps what the run found');

  // The prediction panel's hint in one click: a class "Other", its name field focused; a second
  // click finds it again instead of adding another.
  const names = () => page.$$eval('[data-testid="class-name"]', (inputs) => inputs.map((i) => i.value));
  await page.getByTestId('add-other-class').click();
  await page.waitForFunction(() => document.activeElement?.value === 'Other');
  assert.deepEqual(await names(), ['animal', 'thing', 'Other']);
  await page.getByTestId('class-name').first().focus();
  await page.getByTestId('add-other-class').click();
  await page.waitForFunction(() => document.activeElement?.value === 'Other');
  assert.deepEqual(await names(), ['animal', 'thing', 'Other'], 'one "Other" class');
  assert.deepEqual(errors, []);
  await page.context().close();
});
