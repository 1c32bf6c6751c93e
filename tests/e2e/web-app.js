// What the exported web app's tests share, in every browser: the behaviours' files (a real
// picture, a WAV made here, and files the app must refuse), unpacking a zip as a person would
// (Python's zipfile), and a CLI-made app from real photos — `burnish train` → `behave` →
// `export-app`, the same bytes the trainer page writes (web-app.test.js checks that) — with what
// `burnish predict` answers for held-out photos.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { photoSplit } from '../fixtures/photo-sets.js';
import { ROOT, burnish } from './harness.js';

export const PICTURE = join(ROOT, 'tests/fixtures/images/rocket.png');
export const PHONE = { width: 390, height: 844 };

/** A 0.4 s 440 Hz tone as a 16-bit mono WAV: the sound a class plays. */
export function writeBeep(path) {
  const rate = 16000;
  const samples = Math.round(rate * 0.4);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  writeFileSync(path, wav);
  return path;
}

/** Unpacks `zip` into `dir` with Python's zipfile (what a person's unzip does). */
export function unzip(zip, dir) {
  mkdirSync(dir, { recursive: true });
  execFileSync('python3', ['-m', 'zipfile', '-e', zip, dir]);
  return dir;
}

const PYTHON = join(homedir(), '.cache/burnish/pyvenv/bin/python');

/**
 * Each photo's centre square at 224² as a PNG under `dir` (Pillow, in the test's Python venv),
 * without the photo's colour profile (browsers apply one, the CLI does not): the browser and
 * the CLI then read the same pixels. Returns the new paths.
 */
export function squares(paths, dir) {
  mkdirSync(dir, { recursive: true });
  const script = `import sys
from PIL import Image
out = sys.argv[1]
for path in sys.argv[2:]:
    im = Image.open(path).convert("RGB")
    side = min(im.size)
    left, top = (im.width - side) // 2, (im.height - side) // 2
    im = im.crop((left, top, left + side, top + side)).resize((224, 224), Image.BILINEAR)
    im.info.pop("icc_profile", None)
    im.save(out + "/" + path.rsplit("/", 1)[1].rsplit(".", 1)[0] + ".png", icc_profile=None)`;
  execFileSync(PYTHON, ['-c', script, dir, ...paths]);
  return paths.map((p) => join(dir, `${basename(p).replace(/\.\w+$/, '')}.png`));
}

/** gcompris's fishes and tools as 224² PNGs under `work`: { train: { class: [paths] }, held: [{ path, name }] }, 3 held-out a class. */
export function photos(work) {
  const split = photoSplit('gcompris');
  const train = {};
  for (const [name, paths] of Object.entries(split.train)) train[name] = squares(paths, join(work, 'data', name));
  const held = Object.entries(split.eval).flatMap(([name, paths]) => squares(paths.slice(0, 3), join(work, 'held', name)).map((path) => ({ path, name })));
  const unknown = squares(Object.values(split.unknown).flatMap((paths) => paths.slice(0, 4)), join(work, 'unknown'));
  return { train, held, unknown };
}

/** The behaviours every app test sets: fishes show a text, tools play a sound, "none of these" shows a picture. */
export const TEXT = { text: 'A fish!', color: '#ffcc00' };

/**
 * An app made by the CLI from gcompris's fishes and tools (20 epochs, head only unless
 * `fineTuneBlocks` says otherwise), unpacked under `work/site/app/`; returns { site, app, held:
 * [{ path, name }], cli: { basename → predict line }, zip }.
 */
export async function cliApp(work, { fineTuneBlocks = 0 } = {}) {
  const { held } = photos(work);
  const data = join(work, 'data');
  const bundle = join(work, 'project.zip');
  const model = join(work, 'model.safetensors');
  await burnish('export', data, '--out', bundle);
  await burnish('train', '--project', bundle, '--fine-tune-blocks', String(fineTuneBlocks), '--epochs', '20', '--out', model, '--out-project', bundle);
  await burnish('behave', '--project', bundle, '--class', 'fishes', '--text', TEXT.text, '--color', TEXT.color);
  await burnish('behave', '--project', bundle, '--class', 'tools', '--sound', writeBeep(join(work, 'beep.wav')));
  await burnish('behave', '--project', bundle, '--class', 'none', '--picture', PICTURE);
  const zip = join(work, 'app.zip');
  await burnish('export-app', '--project', bundle, '--out', zip, '--title', 'Fish or tool?');
  const site = join(work, 'site');
  unzip(zip, join(site, 'app'));
  const lines = (await burnish('predict', '--model', model, ...held.map((h) => h.path))).trim().split('\n').map((l) => JSON.parse(l));
  const cli = Object.fromEntries(lines.map((line) => [basename(line.file), line]));
  return { site, app: join(site, 'app'), held, cli, zip };
}

/**
 * The CLI-made app in a WebDriver browser (Firefox, WebKit) on a phone-sized window: it starts,
 * the camera either answers with the class's behaviour or says why there is none and leaves
 * photos; each held-out photo is answered as `burnish predict` answers it (labels equal,
 * likeness within 1e-5) with its behaviour; with the server gone, a reload still answers; axe
 * finds nothing serious. The app runs on the CPU (`?backend=cpu`), as the CLI does. Returns what
 * the camera did ('answer' | the message shown).
 */
export async function checkApp(session, { url, held, cli, stopServer, axeSource }) {
  await session.call('POST', '/window/rect', PHONE).catch(() => {}); // a driver without window control keeps its size
  await session.goto(`${url}?backend=cpu`);
  await session.waitFor(() => document.body.dataset.state !== 'loading', { timeout: 180_000 });
  const state = await session.evaluate(() => [document.body.dataset.state, document.querySelector('#error').textContent]);
  if (state[0] !== 'ready') throw new Error(`the app did not start: ${state[1]}`);
  await session.click('#camera-button');
  await session.waitFor(() => !document.querySelector('#answer').hidden || !document.querySelector('#error').hidden, { timeout: 120_000 });
  const camera = await session.evaluate(() => (document.querySelector('#answer').hidden ? document.querySelector('#error').textContent : 'answer'));
  if (camera !== 'answer' && !camera.includes('pick a photo')) throw new Error(`the camera's problem does not say what to do: ${camera}`);
  if (camera === 'answer') await session.click('#camera-button'); // stop it: photos next
  const kinds = { fishes: 'text', tools: 'sound', 'None of these': 'picture' };
  for (const { path } of held) {
    await session.type('#photo-input', path);
    await session.waitFor((name) => document.querySelector('#answer').dataset.source === name, { args: [basename(path)] });
    const got = await session.evaluate(() => {
      const answer = document.querySelector('#answer');
      const shown = { text: '.behaviour-text', picture: '.behaviour-picture' }[answer.dataset.kind];
      return { name: answer.querySelector('.behaviour-name').textContent, similarity: Number(answer.dataset.similarity), kind: answer.dataset.kind, visible: shown ? !answer.querySelector(shown).hidden : true };
    });
    const want = cli[basename(path)];
    const label = want.none_of_these ? 'None of these' : want.top5[0].label;
    if (got.name !== label) throw new Error(`${basename(path)}: the app says ${got.name}, burnish predict ${label}`);
    if (Math.abs(got.similarity - want.similarity) > 1e-5) throw new Error(`${basename(path)}: likeness ${got.similarity} vs ${want.similarity}`);
    if (got.kind !== kinds[label] || !got.visible) throw new Error(`${basename(path)}: behaviour ${got.kind} (visible: ${got.visible}), expected ${kinds[label]}`);
  }
  await session.waitFor(() => document.body.dataset.offline, { timeout: 120_000 });
  await stopServer();
  await session.goto(`${url}?backend=cpu`); // opened again (a driver's refresh is a forced reload, which skips service workers)
  await session.waitFor(() => document.body.dataset.state === 'ready', { timeout: 180_000 });
  await session.type('#photo-input', held[0].path);
  await session.waitFor((name) => document.querySelector('#answer').dataset.source === name, { args: [basename(held[0].path)] });
  await session.call('POST', '/execute/sync', { script: `${axeSource}; return true;`, args: [] });
  const violations = await session.evaluate(async () => (await window.axe.run()).violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => v.id));
  if (violations.length) throw new Error(`axe: ${violations.join(', ')}`);
  return camera;
}
