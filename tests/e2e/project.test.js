// Project bundles end to end: export a trained project, refuse hostile bundles with the current
// project intact, import into a fresh browser profile and get the same predictions without
// re-training; the native CLI trains the browser's bundle and the browser imports the result.
// Class names are shown as text only (a script-like name stays literal).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, serverAndChromium } from './harness.js';

const FIXTURES = join(ROOT, 'tests/fixtures/images');
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const env = serverAndChromium();

const counts = (page) => page.$$eval('[data-testid="class-card"] .gallery', (gs) => gs.map((g) => g.children.length));
const names = (page) => page.$$eval('[data-testid="class-name"]', (inputs) => inputs.map((i) => i.value));

async function open(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('dialog', (dialog) => problems.push(`dialog: ${dialog.message()}`));
  await page.goto(`${env.server.url}?backend=flex`);
  await page.waitForFunction(() => ['ready', 'trained'].includes(document.body.dataset.state), null, { timeout: 180_000 });
  return { page, problems };
}

async function predictBars(page, file) {
  await page.evaluate(() => (document.querySelector('#predictions').textContent = ''));
  await page.getByTestId('predict-file-input').setInputFiles([]);
  await page.getByTestId('predict-file-input').setInputFiles(join(FIXTURES, file));
  await page.waitForFunction(() => document.querySelector('#predictions').textContent !== '');
  return page.textContent('#predictions');
}

/** Hostile variants of a good bundle, written by Python's zipfile. */
function hostileBundles(good) {
  const script = `
import json, sys, zipfile
good, out = sys.argv[1], sys.argv[2]
src = zipfile.ZipFile(good)
entries = {n: src.read(n) for n in src.namelist()}
manifest = json.loads(entries['manifest.json'])
def write(name, files):
    with zipfile.ZipFile(f'{out}/{name}.zip', 'w') as z:
        for n, b in files.items():
            z.writestr(n, b)
write('traversal', {**entries, '../../escape.png': entries[manifest['samples'][0]['file']]})
write('newer-version', {**entries, 'manifest.json': json.dumps({**manifest, 'version': 99})})
write('missing-image', {n: b for n, b in entries.items() if n != manifest['samples'][0]['file']})
write('not-an-image', {**entries, manifest['samples'][0]['file']: b'GIF89a nope'})
data = open(good, 'rb').read()
open(f'{out}/truncated.zip', 'wb').write(data[: len(data) // 2])
open(f'{out}/not-a-zip.zip', 'wb').write(b'hello')
`;
  const run = spawnSync('python3', ['-c', script, good, ARTIFACTS], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return {
    traversal: 'unsafe path',
    'newer-version': 'bundle version 99 is not supported',
    'missing-image': 'is missing from the bundle',
    'not-an-image': 'image `images/000000.png`',
    truncated: 'not a zip file',
    'not-a-zip': 'not a zip file',
  };
}

test('export, hostile imports refused, import elsewhere gives the same predictions', { timeout: 900_000 }, async () => {
  const { page, problems } = await open(await env.browser.newContext());
  const cards = page.locator('[data-testid="class-card"]');
  await cards.nth(0).getByTestId('class-name').fill('animal');
  await cards.nth(0).getByTestId('class-name').dispatchEvent('change');
  await cards.nth(1).getByTestId('class-name').fill(HOSTILE_NAME);
  await cards.nth(1).getByTestId('class-name').dispatchEvent('change');
  await cards.nth(0).getByTestId('file-input').setInputFiles(['dog.png', 'chelsea.png', 'eagle.png'].map((f) => join(FIXTURES, f)));
  await cards.nth(1).getByTestId('file-input').setInputFiles(['coffee.png', 'rocket.png', 'astronaut.png'].map((f) => join(FIXTURES, f)));
  await page.waitForFunction(() => document.querySelectorAll('.gallery li').length === 6);
  await page.fill('input[name="epochs"]', '15');
  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 300_000 });
  assert.match(await predictBars(page, 'rocket.png'), new RegExp(HOSTILE_NAME.replace(/[()]/g, '\\$&')));
  assert.equal(await page.textContent('[data-testid="prediction-top"]'), HOSTILE_NAME, 'the name shows literally');
  const bars = await predictBars(page, 'eagle.png');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
  const bundle = join(ARTIFACTS, 'project.zip');
  await download.saveAs(bundle);
  assert.ok(readFileSync(bundle).length > 6 * 1000);

  for (const [name, reason] of Object.entries(hostileBundles(bundle))) {
    await page.evaluate(() => (document.querySelector('#error').hidden = true));
    await page.getByTestId('import-project').setInputFiles(join(ARTIFACTS, `${name}.zip`));
    await page.waitForSelector('#error:not([hidden])');
    const message = await page.textContent('#error');
    assert.ok(message.includes(reason) && message.includes('Your project is unchanged'), `${name}: ${message}`);
  }
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 180_000 });
  assert.deepEqual(await counts(page), [3, 3], 'hostile bundles changed nothing');
  assert.deepEqual(await names(page), ['animal', HOSTILE_NAME]);
  assert.deepEqual(problems, []);
  await page.screenshot({ path: join(ARTIFACTS, 'project-exported.png'), fullPage: true });

  // A fresh profile (storage cleared): import the bundle, the page reloads into the project.
  const fresh = await open(await env.browser.newContext());
  assert.deepEqual(await counts(fresh.page), [0, 0]);
  await Promise.all([fresh.page.waitForEvent('load'), fresh.page.getByTestId('import-project').setInputFiles(bundle)]);
  await fresh.page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 180_000 });
  assert.deepEqual(await counts(fresh.page), [3, 3]);
  assert.deepEqual(await names(fresh.page), ['animal', HOSTILE_NAME]);
  assert.equal(await fresh.page.inputValue('input[name="epochs"]'), '15');
  assert.equal(await predictBars(fresh.page, 'eagle.png'), bars, 'the same predictions without re-training');
  assert.deepEqual(fresh.problems, []);
  writeFileSync(join(ARTIFACTS, 'project-import-ok.txt'), bars);

  // The native CLI trains the browser's bundle; the browser imports what it wrote.
  const trainedNatively = join(ARTIFACTS, 'project-cli.zip');
  const cli = spawnSync(
    'cargo',
    ['run', '--quiet', '--bin', 'burnish', '--', 'train', '--project', bundle, '--epochs', '8', '--label-smoothing', '0.1', '--patience', '3', '--out', join(ARTIFACTS, 'cli.safetensors'), '--out-project', trainedNatively],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/burnish/target') } },
  );
  assert.equal(cli.status, 0, cli.stderr);
  const summary = JSON.parse(cli.stdout.trim().split('\n').at(-1));
  assert.equal(summary.samples, 6);
  await Promise.all([fresh.page.waitForEvent('load'), fresh.page.getByTestId('import-project').setInputFiles(trainedNatively)]);
  await fresh.page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 180_000 });
  assert.deepEqual(await names(fresh.page), ['animal', HOSTILE_NAME]);
  assert.equal(await fresh.page.inputValue('input[name="epochs"]'), '8', 'the settings the CLI trained with');
  // Every setting the CLI wrote, advanced ones included, reaches the form (and so the next run).
  assert.equal(await fresh.page.inputValue('input[name="label_smoothing"]'), '0.1');
  assert.equal(await fresh.page.inputValue('input[name="patience"]'), '3');
  assert.notEqual(await predictBars(fresh.page, 'eagle.png'), '');
  assert.deepEqual(fresh.problems, []);
});
