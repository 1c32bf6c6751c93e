// The states a person meets on the page, reached as a person would (through the form and the
// file pickers), for the accessibility tests and the documentation's screenshots
// (bench/screenshots.js): ready, classes filled, training, trained with a prediction, error.

import { basename, join } from 'node:path';
import { ROOT } from './harness.js';

export const FIXTURES = join(ROOT, 'tests/fixtures/images');
/** Two classes of real photos (the fixtures the other end-to-end tests use). */
export const CLASSES = [
  { name: 'animal', files: ['dog.png', 'chelsea.png', 'eagle.png'] },
  { name: 'thing', files: ['coffee.png', 'rocket.png', 'astronaut.png'] },
].map(({ name, files }) => ({ name, files: files.map((f) => join(FIXTURES, f)) }));
export const STATES = ['ready', 'classes', 'training', 'trained', 'error'];
export const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');

export const state = (page) => page.evaluate(() => document.body.dataset.state);
export const cards = (page) => page.locator('[data-testid="class-card"]');

/**
 * A fresh context (own storage) showing the page, waited until it is ready, or in error when
 * `broken` (weights that do not exist: how app.test.js provokes the error state). The context
 * may bypass the page's CSP (`bypassCSP`), which refuses an injected axe-core otherwise.
 */
export async function openPage(browser, url, { broken = false, ...contextOptions } = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const query = broken ? '?backend=flex&weights=/www/models/does-not-exist.safetensors' : '?backend=flex';
  await page.goto(`${url}${query}`);
  await page.waitForFunction((want) => document.body.dataset.state === want, broken ? 'error' : 'ready', { timeout: 180_000 });
  return page;
}

/**
 * Names the page's first classes as `classes` ({ name, files: paths }[]; CLASSES unless given)
 * and adds their photos through the cards' file inputs.
 */
export async function fillClasses(page, classes = CLASSES) {
  for (const [i, { name, files }] of classes.entries()) {
    const card = cards(page).nth(i);
    await card.getByTestId('class-name').fill(name);
    await card.getByTestId('class-name').dispatchEvent('change');
    await card.getByTestId('file-input').setInputFiles(files);
  }
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('[data-testid="class-card"]')].every((card, i) => card.querySelectorAll('.gallery li').length === n[i]),
    classes.map((c) => c.files.length),
  );
  // A rename reaches the page's project only once its store write is done (the inputs show the
  // typed names at once), and the write queue runs apart from the worker's: wait for every write
  // queued so far (each rename's was queued before its class's samples came back).
  await page.evaluate(() => window.burnishHooks.saved());
  await page.waitForFunction((names) => !document.querySelector('[data-testid="train-button"]').disabled &&
    names.every((name, i) => document.querySelectorAll('[data-testid="class-name"]')[i].value === name), classes.map((c) => c.name));
}

/** A short head-only run without augmentation (seconds): what a test that needs a model sets. */
export async function setQuickSettings(page) {
  await page.selectOption('select[name="fine_tune_blocks"]', '0');
  await page.fill('input[name="epochs"]', '20');
  await page.uncheck('input[name="augment"]');
}

/**
 * Trains with the form as it is; resolves once this run has ended (the page may be trained
 * already, by an earlier run: the states it goes through are recorded).
 */
export async function train(page) {
  await page.evaluate(() => {
    window.statesSeen = [];
    window.stateObserver ??= new MutationObserver(() => window.statesSeen.push(document.body.dataset.state));
    window.stateObserver.observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  });
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => window.statesSeen.includes('training') && document.body.dataset.state === 'trained', null, {
    timeout: 300_000,
  });
}

/**
 * Starts a run that stays alive (`epochs`, 1000 unless given, with early stopping off: patience
 * 0) and resolves once its epoch `shown` (1 unless given) is shown; `stopTraining` ends it.
 */
export async function startLongTraining(page, { epochs = 1000, shown = 1 } = {}) {
  await page.fill('input[name="epochs"]', String(epochs));
  const advanced = page.locator('#training-form details');
  if (!(await advanced.evaluate((d) => d.open))) await advanced.locator('summary').click();
  await page.fill('input[name="patience"]', '0');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'training');
  await page.waitForFunction(
    (n) => Number(/Epoch (\d+)/.exec(document.querySelector('#training-status').textContent)?.[1]) >= n,
    shown,
    { timeout: 300_000 },
  );
}

export async function stopTraining(page) {
  await page.getByTestId('stop-button').click();
  try {
    await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 120_000 });
  } catch (err) {
    const shown = await page.evaluate(() => [document.body.dataset.state, document.querySelector('#training-status').textContent, document.querySelector('#error').textContent]);
    throw new Error(`${err.message}; the page shows ${JSON.stringify(shown)}`);
  }
}

/** Picks `file` (a fixture's name, or a path) to predict; resolves to the top answer shown for it. */
export async function predictFile(page, file) {
  const path = file.includes('/') ? file : join(FIXTURES, file);
  await page.evaluate(() => delete document.querySelector('[data-testid="prediction-top"]').dataset.source);
  await page.getByTestId('predict-file-input').setInputFiles(path);
  await page.waitForFunction((f) => document.querySelector('[data-testid="prediction-top"]').dataset.source === f, basename(path));
  return page.textContent('[data-testid="prediction-top"]');
}

/**
 * Runs axe-core on the whole document (injected first); resolves to its violations as
 * { id, impact, help, targets } (targets: each node's selector).
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, targets: nodes.map((n) => n.target.join(' ')) }));
}
