// "Why did it say that?": after teaching birds against fruit (real tuxpaint photos), a person turns
// on "Show where it looked" for a photo the model never saw (darknet's eagle, as the golden
// fixture) and reads where the model found "bird"; clicking "fruit" maps that class instead. The
// map the page draws is the one `burnish predict --explain` writes for the same image and model.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { PHOTOS } from '../fixtures/photo-sets.js';
import { ARTIFACTS, burnish, serverAndChromium } from './harness.js';
import { FIXTURES, fillClasses, openPage, predictFile, setQuickSettings, train } from './journey.js';

const env = serverAndChromium();
const photos = (kind, n) => readdirSync(join(PHOTOS, 'tuxpaint', kind)).sort().slice(0, n).map((f) => join(PHOTOS, 'tuxpaint', kind, f));

test('the page shows where it looked, for the answer and for any class, as the CLI does', { timeout: 600_000 }, async () => {
  const page = await openPage(env.browser, env.server.url, { acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await fillClasses(page, [
    { name: 'bird', files: photos('birds', 8) },
    { name: 'fruit', files: photos('fruit', 8) },
  ]);
  await setQuickSettings(page);
  // Picked before training, the eagle is answered by ImageNet; once trained, by the new model,
  // without picking it again.
  assert.match(await predictFile(page, 'eagle.png'), /eagle|kite/);
  await train(page);
  await page.waitForFunction(() => document.querySelector('[data-testid="prediction-top"]').textContent === 'bird');

  assert.equal(await predictFile(page, 'eagle.png'), 'bird');
  const view = page.getByTestId('explain-view');
  assert.equal(await view.isHidden(), true, 'off until asked for');
  await page.check('#explain');
  await page.waitForFunction(() => document.querySelector('#explain-view').dataset.class === 'bird');
  const caption = await page.textContent('#explain-caption');
  assert.match(caption, /^Where it looked for “bird”: mostly the (top|bottom|left|right|centre|top left|top right|bottom left|bottom right) of the picture\.$/);
  const region = await view.getAttribute('data-region');
  await page.screenshot({ path: join(ARTIFACTS, 'explain-bird.png'), fullPage: true });

  // Any class on click: the map of "fruit" for the same picture.
  await page.locator('#predictions button', { hasText: 'fruit' }).click();
  await page.waitForFunction(() => document.querySelector('#explain-view').dataset.class === 'fruit');
  assert.match(await page.textContent('#explain-caption'), /“fruit”/);
  await page.locator('#predictions button', { hasText: 'bird' }).click();
  await page.waitForFunction(() => document.querySelector('#explain-view').dataset.class === 'bird');
  const drawn = await page.evaluate(() => [...document.querySelector('#explain-canvas').getContext('2d').getImageData(0, 0, 224, 224).data]);

  // A picture of neither: the caption says what it answered before where it leaned (the answer
  // shows once its map is drawn: the caption is this picture's).
  const rocket = await predictFile(page, 'rocket.png');
  const leaning = await page.textContent('#explain-caption');
  if (rocket === 'none of these') assert.match(leaning, /^Not one of your classes; what came closest to “(bird|fruit)”: mostly the .+ of the picture\.$/);
  else assert.match(leaning, new RegExp(`^Where it looked for “${rocket}”`));

  // The CLI on the page's model and the same picture: the same region, the same picture drawn.
  const work = mkdtempSync(join(tmpdir(), 'burnish-explain-'));
  await page.getByTestId('download-model').click();
  await page.getByRole('tab', { name: 'safetensors' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  await download.saveAs(join(work, 'model.safetensors'));
  const out = join(work, 'eagle-explained.png');
  const line = JSON.parse(await burnish('predict', '--model', join(work, 'model.safetensors'), '--explain', out, join(FIXTURES, 'eagle.png')));
  assert.equal(line.explained.class, 'bird');
  assert.equal(line.explained.region, region, 'the CLI finds the evidence where the page does');
  const cli = PNG.sync.read(readFileSync(out));
  let worst = 0;
  for (let p = 0; p < 224 * 224; p++) {
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(cli.data[p * 4 + c] - drawn[p * 4 + c]));
  }
  // Both blend with the core's code; the maps come from two computations (wasm and native), whose
  // last-bit differences may round a channel the other way.
  assert.ok(worst <= 1, `the page draws the CLI's picture (worst difference ${worst} of 255)`);
  assert.deepEqual(errors, []);
  await page.context().close();
});
