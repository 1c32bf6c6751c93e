// Accessibility: axe-core (node_modules/axe-core) checks the whole page in every state a person
// meets — ready, classes filled, training (mid-run), trained (with a prediction), error — in the
// light and the dark colour scheme. No violation of impact "serious" or "critical" is allowed;
// lesser ones are printed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, serverAndChromium } from './harness.js';
import { axeViolations, fillClasses, openPage, predictFile, setQuickSettings, startLongTraining, stopTraining, train } from './journey.js';

const env = serverAndChromium();
const BLOCKING = ['serious', 'critical'];

/** Runs axe on `page`; fails listing every serious or critical violation, prints the others. */
async function check(t, page, name) {
  const violations = await axeViolations(page);
  const list = (vs) => vs.map((v) => `  ${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join('\n    ')}`).join('\n');
  const lesser = violations.filter((v) => !BLOCKING.includes(v.impact));
  if (lesser.length) t.diagnostic(`${name}: lesser violations\n${list(lesser)}`);
  const blocking = violations.filter((v) => BLOCKING.includes(v.impact));
  if (blocking.length) await page.screenshot({ path: join(ARTIFACTS, `a11y-${name}.png`), fullPage: true });
  assert.deepEqual(blocking, [], `${name}: serious or critical violations\n${list(blocking)}`);
}

for (const colorScheme of ['light', 'dark']) {
  test(`axe finds no serious or critical violation in any state (${colorScheme})`, { timeout: 600_000 }, async (t) => {
    // The page's CSP refuses injected scripts: this context lets axe-core in.
    const page = await openPage(env.browser, env.server.url, { colorScheme, bypassCSP: true });
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));

    await t.test('ready', (t) => check(t, page, `ready-${colorScheme}`));
    await t.test('classes filled', async (t) => {
      await fillClasses(page);
      await check(t, page, `classes-${colorScheme}`);
    });
    await t.test('training', async (t) => {
      await startLongTraining(page);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'training');
      await check(t, page, `training-${colorScheme}`);
      await stopTraining(page);
    });
    await t.test('trained, with a prediction', async (t) => {
      await setQuickSettings(page);
      await train(page);
      assert.equal(await predictFile(page, 'coffee.png'), 'thing');
      assert.ok(await page.locator('#evaluation').isVisible(), 'the evaluation is shown');
      await check(t, page, `trained-${colorScheme}`);
    });
    await t.test('error', async (t) => {
      const broken = await openPage(env.browser, env.server.url, { colorScheme, bypassCSP: true, broken: true });
      assert.ok(await broken.locator('#error').isVisible());
      await check(t, broken, `error-${colorScheme}`);
      await broken.context().close();
    });
    assert.deepEqual(errors, []);
    await page.context().close();
  });
}
