// The whole journey with the keyboard alone (Tab, Shift+Tab, Enter, Space, typing; no clicks):
// name a class and add its photos through the file chooser, delete a class, add one, name it and
// fill it, set a short run, train, stop-and-train focus hand-over, and predict a picked photo.
// Every control the focus lands on must show it (:focus-visible with an outline or a shadow on
// what is drawn: a file input's label).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ARTIFACTS, serverAndChromium } from './harness.js';
import { CLASSES, FIXTURES, openPage } from './journey.js';

const env = serverAndChromium();

/**
 * Gives the page `window.focusNow(selector)`: what has the focus, whether it is on `selector`, and
 * whether a person sees it (a predicate can then read it in the task that sees a state).
 */
function installFocusNow(page) {
  return page.evaluate(() => {
    window.focusNow = (selector = null) => {
      const el = document.activeElement;
      const on = Boolean(selector && el?.matches(selector));
      if (!el || el === document.body) return { name: 'nothing (body)', visible: false, on };
      const drawn = el.closest('label.button') ?? el; // a file input is drawn by its label
      const style = getComputedStyle(drawn);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      const box = drawn.getBoundingClientRect();
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}${el.name ? `[name=${el.name}]` : ''}`;
      return { name, visible: el.matches(':focus-visible') && ring && box.width > 1 && box.height > 1, on };
    };
  });
}

/** What has the focus now, and whether a person sees it. */
function focusOf(page) {
  return page.evaluate(() => window.focusNow());
}

/** Asserts that `focus` (window.focusNow's, asked about the control wanted) is on that control and shows. */
function assertShown(focus, what) {
  assert.ok(focus.on, `${what}: the focus is on ${focus.name}`);
  assert.ok(focus.visible, `${what}: the focus on ${focus.name} shows`);
}

/** Asserts the focus is on `selector` and shows. */
async function assertFocus(page, selector, what) {
  assertShown(await page.evaluate((s) => window.focusNow(s), selector), what);
}

/**
 * Presses Tab (Shift+Tab when `back`) until the focus is on `selector`; every control passed
 * must show the focus. Resolves to the number of presses.
 */
async function tabTo(page, selector, { back = false, max = 60 } = {}) {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const focus = await focusOf(page);
    assert.ok(focus.visible, `the focus on ${focus.name} shows (on the way to ${selector})`);
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return presses;
  }
  throw new Error(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} never reached ${selector}`);
}

/** Opens the focused file input's chooser with `key` and picks `paths`. */
async function choose(page, key, paths) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press(key)]);
  await chooser.setFiles(paths);
}

/** Replaces the focused text field's value by typing. */
async function retype(page, text) {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

const card = (n) => `#classes > [data-testid="class-card"]:nth-child(${n})`;
const galleryCounts = (page) => page.$$eval('[data-testid="class-card"] .gallery', (gs) => gs.map((g) => g.children.length));

test('the keyboard alone: classes, photos, training and a prediction', { timeout: 600_000 }, async (t) => {
  const page = await openPage(env.browser, env.server.url);
  // Playwright intercepts file choosers once a listener is there, but turns that on
  // asynchronously: a chooser opened by a key press right after `waitForEvent` could slip past.
  // This listener keeps the interception on from the start.
  page.on('filechooser', () => {});
  await page.evaluate(() => document.readyState);
  await installFocusNow(page);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const [animal, thing] = CLASSES;

  await t.test('the first class: named, then filled through the file chooser', async () => {
    await tabTo(page, `${card(1)} [data-testid="class-name"]`);
    await retype(page, animal.name);
    await tabTo(page, `${card(1)} [data-testid="file-input"]`); // leaving the name commits it
    await choose(page, 'Enter', animal.files);
    await page.waitForFunction(() => document.querySelector('[data-testid="class-card"] .gallery').children.length === 3);
    await assertFocus(page, `${card(1)} [data-testid="file-input"]`, 'after the chooser');
  });

  await t.test('a gallery is one Tab stop; arrows move in it', async () => {
    await tabTo(page, `${card(1)} .folder-input`);
    await tabTo(page, `${card(1)} .thumb`);
    await page.keyboard.press('ArrowRight');
    await assertFocus(page, `${card(1)} li:nth-child(2) .thumb`, 'ArrowRight in the gallery');
    assert.equal(await tabTo(page, `${card(1)} .behaviour-editor summary`), 1, 'one Tab leaves the gallery (for the card’s web-app behaviour)');
    await page.keyboard.press('Enter'); // opens it: what the class does in the web app
    await tabTo(page, `${card(1)} .behaviour-kind`);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter'); // and closes it
    assert.equal(await tabTo(page, `${card(2)} [data-testid="class-name"]`), 1, 'one Tab leaves the closed behaviour editor');
  });

  await t.test('deleting a class hands the focus to the one before', async () => {
    await tabTo(page, `${card(2)} .delete-class`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="class-card"]').length === 1);
    await assertFocus(page, `${card(1)} [data-testid="class-name"]`, 'after deleting class 2');
  });

  await t.test('"Add a class" focuses the new name; its photos come through the chooser', async () => {
    await tabTo(page, '[data-testid="add-class"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="class-card"]').length === 2);
    await page.waitForFunction(() => document.activeElement?.matches('#classes > :nth-child(2) [data-testid="class-name"]'));
    await assertFocus(page, `${card(2)} [data-testid="class-name"]`, 'the new class');
    await retype(page, thing.name);
    await tabTo(page, `${card(2)} [data-testid="file-input"]`);
    await choose(page, ' ', thing.files);
    await page.waitForFunction(() => [...document.querySelectorAll('.gallery')].map((g) => g.children.length).join() === '3,3');
    assert.deepEqual(await galleryCounts(page), [3, 3]);
    // The names reached the project: the advice names them.
    await page.waitForFunction(() => document.querySelector('#training-warning').textContent.startsWith('animal, thing'));
  });

  await t.test('a short run set and started from the keyboard; Stop and Train take turns', async () => {
    await tabTo(page, 'select[name="fine_tune_blocks"]');
    await page.keyboard.type('Head'); // type-ahead picks "Head only"
    assert.equal(await page.inputValue('select[name="fine_tune_blocks"]'), '0');
    await tabTo(page, 'input[name="epochs"]');
    await retype(page, '20');
    await tabTo(page, 'input[name="augment"]');
    if (await page.isChecked('input[name="augment"]')) await page.keyboard.press(' ');
    assert.equal(await page.isChecked('input[name="augment"]'), false);
    await tabTo(page, '[data-testid="train-button"]');
    await page.keyboard.press('Enter');
    // The focus is read in the same task that sees "training": this short run can end, and hand
    // the focus back to Train, before a later read.
    const whileTraining = await page.waitForFunction(
      (stop) => document.body.dataset.state === 'training' && window.focusNow(stop),
      '[data-testid="stop-button"]',
    );
    assertShown(await whileTraining.jsonValue(), 'while training');
    await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 300_000 });
    await assertFocus(page, '[data-testid="train-button"]', 'after training');
    assert.match(await page.textContent('#training-status'), /after 20 epochs/);
  });

  await t.test('a picked photo is named by its class', async () => {
    await tabTo(page, '[data-testid="predict-file-input"]');
    await choose(page, ' ', join(FIXTURES, 'coffee.png'));
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').dataset.source === 'coffee.png');
    assert.equal(await page.textContent('[data-testid="prediction-top"]'), 'thing');
    await assertFocus(page, '[data-testid="predict-file-input"]', 'after predicting');
    await tabTo(page, '[data-testid="train-button"]', { back: true }); // and back, past the disabled Stop
    await page.screenshot({ path: join(ARTIFACTS, 'keyboard-trained.png'), fullPage: true });
  });
  assert.deepEqual(errors, []);
  await page.context().close();
});
