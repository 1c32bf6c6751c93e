// The standalone web app, end to end in Chromium: a person teaches gcompris's fishes and tools
// on the trainer page, gives each answer a behaviour in its card (a text; a sound; a picture for
// "none of these" — and sees files that are not pictures or sounds, or too big, refused with the
// reason), previews them in the prediction panel, trains, and exports Web app. The zip is
// unpacked into a folder on a plain static server and opened on a phone-sized screen with the
// fake camera showing held-out fish photos: the fish text shows, picked photos answer exactly as
// the trainer did (labels equal, likeness within 1e-5) with their behaviour (the tool's sound
// plays, the picture shows for "none of these"), every request stays inside the app's folder,
// axe finds nothing serious, and with the server gone a reload still answers. `burnish
// export-app` on the project the page exported writes the same zip, byte for byte.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { ARTIFACTS, burnish, fakeWebcamFile, launchChromium, serve, serverAndChromium } from './harness.js';
import { AXE, cards, fillClasses, openPage, setQuickSettings } from './journey.js';
import { PHONE, PICTURE, TEXT, photos, unzip, writeBeep } from './web-app.js';

const env = serverAndChromium();
const work = mkdtempSync(join(tmpdir(), 'burnish-web-app-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Sets a card's (or "none of these"'s) behaviour through its editor, as a person does. */
async function setBehaviour(slot, kind, { file, text, color } = {}) {
  if (!(await slot.locator('details').evaluate((d) => d.open))) await slot.locator('summary').click();
  await slot.locator('.behaviour-kind').selectOption(kind);
  if (kind === 'text') {
    await slot.locator('.behaviour-color').fill(color);
    await slot.locator('.behaviour-text-input').fill(text);
    await slot.locator('.behaviour-text-input').dispatchEvent('change');
  } else {
    await slot.locator('.behaviour-file').setInputFiles(file);
  }
}

/** Picks `path` in the app and waits for its answer: { name, similarity, kind }. */
async function appAnswer(page, path) {
  await page.setInputFiles('#photo-input', path);
  await page.waitForFunction((name) => document.querySelector('#answer').dataset.source === name, basename(path));
  return page.evaluate(() => {
    const answer = document.querySelector('#answer');
    return { name: answer.querySelector('.behaviour-name').textContent, similarity: Number(answer.dataset.similarity), kind: answer.dataset.kind };
  });
}

test('a trained project becomes a web app that answers as the trainer, on a phone, offline', { timeout: 1_500_000 }, async () => {
  const set = photos(work);
  const page = await openPage(env.browser, env.server.url, { acceptDownloads: true });
  await fillClasses(page, Object.entries(set.train).map(([name, files]) => ({ name, files })));
  await setQuickSettings(page);

  // Behaviours, set in the cards; refused files say why.
  const notes = join(work, 'notes.txt');
  writeFileSync(notes, 'not a picture');
  const big = join(work, 'big.png');
  writeFileSync(big, Buffer.concat([readFileSync(PICTURE), Buffer.alloc(6 << 20)]));
  const toolsSlot = cards(page).nth(1).locator('.behaviour-slot');
  await setBehaviour(toolsSlot, 'picture', { file: notes });
  await assert.doesNotReject(toolsSlot.locator('.behaviour-error', { hasText: '“notes.txt” is not a picture or a sound' }).waitFor());
  await setBehaviour(toolsSlot, 'picture', { file: big });
  await assert.doesNotReject(toolsSlot.locator('.behaviour-error', { hasText: 'at most 5 MB' }).waitFor());
  await setBehaviour(cards(page).nth(0).locator('.behaviour-slot'), 'text', TEXT);
  await setBehaviour(toolsSlot, 'sound', { file: writeBeep(join(work, 'beep.wav')) });
  await setBehaviour(page.locator('#none-behaviour'), 'picture', { file: PICTURE });
  await page.waitForFunction(() => [...document.querySelectorAll('.behaviour-summary')].map((s) => s.textContent).join('|') === 'shows “A fish!”|plays beep.wav|shows rocket.png');

  await page.getByTestId('train-button').click();
  await page.waitForFunction(() => document.body.dataset.state === 'trained', null, { timeout: 600_000 });

  // What the trainer answers for held-out photos (and photos of other kinds), with its preview.
  const trainer = {};
  for (const path of [...set.held.map((h) => h.path), ...set.unknown]) {
    await page.getByTestId('predict-file-input').setInputFiles(path);
    await page.waitForFunction((name) => document.querySelector('[data-testid="prediction-top"]').dataset.source === name, basename(path));
    trainer[basename(path)] = await page.evaluate(() => {
      const top = document.querySelector('[data-testid="prediction-top"]');
      const preview = document.querySelector('[data-testid="behaviour-preview"]');
      return { name: top.textContent, similarity: Number(top.dataset.similarity), preview: preview.querySelector('.behaviour-name').textContent, kind: preview.dataset.kind };
    });
  }
  await page.getByTestId('predict-file-input').setInputFiles(set.held[0].path);
  await page.waitForFunction((name) => document.querySelector('[data-testid="prediction-top"]').dataset.source === name, basename(set.held[0].path));
  await page.screenshot({ path: join(ARTIFACTS, 'web-app-trainer.png'), fullPage: true });
  const fish = trainer[basename(set.held[0].path)];
  assert.deepEqual([fish.name, fish.preview, fish.kind], ['fishes', 'fishes', 'text'], 'the preview shows what the app will do');
  const named = set.held.filter((h) => trainer[basename(h.path)].name === h.name).length;
  assert.ok(named >= set.held.length - 1, `the trainer names ${named} of ${set.held.length} held-out photos`);
  const flagged = set.unknown.find((p) => trainer[basename(p)].name === 'none of these');
  assert.ok(flagged, `one photo of another kind is "none of these": ${JSON.stringify(set.unknown.map((p) => trainer[basename(p)].name))}`);

  // Export → Web app; and the project, for the CLI.
  await page.getByTestId('download-model').click();
  await page.locator('#export-tab-app').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  const zip = join(work, 'app.zip');
  await download.saveAs(zip);
  await page.locator('.export-close').click();
  const [bundleDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
  const bundle = join(work, 'project.zip');
  await bundleDownload.saveAs(bundle);
  await page.context().close();
  const cliZip = join(work, 'cli-app.zip');
  await burnish('export-app', '--project', bundle, '--out', cliZip);
  assert.ok(readFileSync(zip).equals(readFileSync(cliZip)), 'the CLI writes the app the page wrote, byte for byte');

  const site = join(work, 'site');
  unzip(zip, join(site, 'fish-or-tool'));
  const server = await serve(site);
  const folder = `${server.url}fish-or-tool/`;
  const held = set.held.filter((h) => h.name === 'fishes').map((h) => h.path);
  let restarted = null; // the static server of the audit, closed however the test ends
  const phone = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${fakeWebcamFile(held)}`]);
  try {
    const context = await phone.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const app = await context.newPage();
    const outside = [];
    const errors = [];
    context.on('request', (r) => !r.url().startsWith(folder) && !/^(blob|data):/.test(r.url()) && outside.push(r.url()));
    app.on('pageerror', (e) => errors.push(e.message));
    await app.goto(folder);
    await app.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
    assert.equal(await app.title(), 'fishes · tools');

    // The camera shows fish photos: the fish text fills the screen.
    await app.click('#camera-button');
    await app.waitForFunction((text) => document.querySelector('#answer .behaviour-text')?.textContent === text && !document.querySelector('#answer .behaviour-text').hidden, TEXT.text, { timeout: 120_000 });
    assert.equal(await app.textContent('#answer .behaviour-name'), 'fishes');
    await app.screenshot({ path: join(ARTIFACTS, 'web-app-camera.png') });
    await app.click('#camera-button'); // stop

    for (const path of [...set.held.map((h) => h.path), flagged]) {
      const got = await appAnswer(app, path);
      const want = trainer[basename(path)];
      assert.equal(got.name === 'None of these' ? 'none of these' : got.name, want.name, `${basename(path)}: the app's answer`);
      assert.ok(Math.abs(got.similarity - want.similarity) <= 1e-5, `${basename(path)}: likeness ${got.similarity} vs the trainer's ${want.similarity}`);
      const expected = { fishes: 'text', tools: 'sound', 'none of these': 'picture' }[want.name];
      assert.equal(got.kind, expected, `${basename(path)}: its behaviour`);
      if (expected === 'sound') await app.waitForFunction(() => document.querySelector('#answer audio').played.length > 0);
      if (expected === 'picture') await app.waitForFunction(() => document.querySelector('#answer .behaviour-picture').naturalWidth > 0);
    }
    await app.screenshot({ path: join(ARTIFACTS, 'web-app-none.png') });
    await app.check('#bars-toggle');
    await app.check('#explain-toggle');
    await app.waitForFunction(() => document.querySelector('#explain').dataset.shows && document.querySelectorAll('#bars meter').length === 2);
    await app.screenshot({ path: join(ARTIFACTS, 'web-app-bars.png') });

    // Share: the QR code of its own address.
    await app.click('#share-button');
    assert.equal(await app.getAttribute('#address', 'href'), folder);
    await app.click('#share-close');

    // Offline: the service worker holds the app; the server goes away; a reload still answers.
    await app.waitForFunction(() => document.body.dataset.offline, null, { timeout: 120_000 });
    await server.close();
    await app.reload();
    await app.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
    const again = await appAnswer(app, set.held[0].path);
    assert.equal(again.name, 'fishes', 'offline, the app still answers');
    assert.deepEqual(outside, [], 'every request stays inside the app folder');
    assert.deepEqual(errors, []);

    // axe, on the app as a person left it (a context of its own may run the injected script).
    const audit = await phone.newContext({ viewport: PHONE, bypassCSP: true });
    const auditPage = await audit.newPage();
    restarted = await serve(site);
    await auditPage.goto(`${restarted.url}fish-or-tool/`);
    await auditPage.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 180_000 });
    await auditPage.setInputFiles('#photo-input', set.held[0].path);
    await auditPage.waitForFunction(() => document.querySelector('#answer').dataset.source);
    await auditPage.addScriptTag({ content: readFileSync(AXE, 'utf8') });
    const violations = await auditPage.evaluate(async () => (await window.axe.run()).violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`));
    assert.deepEqual(violations, []);

    // A damaged model is reported, not half-loaded.
    const model = join(site, 'fish-or-tool', 'model.safetensors');
    writeFileSync(model, readFileSync(model).subarray(0, 5000));
    const damaged = await (await phone.newContext({ viewport: PHONE })).newPage();
    await damaged.goto(`${restarted.url}fish-or-tool/?backend=cpu`);
    await damaged.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 180_000 });
    assert.match(await damaged.textContent('#error'), /^The app could not load its model files \(.+\): unpack the zip again/);
    assert.equal(await damaged.isDisabled('#photo-input'), true, 'nothing to answer with');
    writeFileSync(join(ARTIFACTS, 'web-app-size.json'), JSON.stringify({ zip_bytes: statSync(zip).size }));
  } finally {
    await phone.close();
    await restarted?.close();
  }
});
