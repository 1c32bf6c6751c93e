// The first page, end to end in headless Chromium: load the real weights, classify real photos.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, ROOT, serverAndChromium } from './harness.js';

const env = serverAndChromium();

async function openApp(query = '') {
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${env.server.url}${query}`);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, {
    timeout: 180_000,
  });
  return { page, errors };
}

async function classify(page, image) {
  await page.setInputFiles('[data-testid="predict-file-input"]', join(ROOT, 'tests/fixtures/images', image));
  await page.waitForSelector('#predictions li', { timeout: 120_000 });
  return page.$$eval('#predictions li .label', (items) => items.map((i) => i.textContent));
}

for (const backend of ['flex', 'webgpu']) {
  test(`classifies a picked photo on ${backend}`, { timeout: 300_000 }, async () => {
    const { page, errors } = await openApp(`?backend=${backend}`);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await page.textContent('#error'));
    assert.equal(await page.getAttribute('#backend', 'data-backend'), backend);
    const labels = await classify(page, 'coffee.png');
    assert.equal(labels[0], 'espresso');
    assert.equal(labels.length, 5);
    await page.screenshot({ path: join(ARTIFACTS, `ready-${backend}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('auto backend picks CPU on a software WebGPU adapter and says why', { timeout: 300_000 }, async () => {
  const { page } = await openApp();
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
  assert.equal(await page.getAttribute('#backend', 'data-backend'), 'flex');
  assert.match(await page.textContent('#backend'), /CPU \(Flex\)/);
  const labels = await classify(page, 'dog.png');
  assert.match(labels[0], /malamute/);
  await page.close();
});

test('missing weights end in a visible error state', { timeout: 120_000 }, async () => {
  const { page } = await openApp('?weights=/www/models/does-not-exist.safetensors');
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'error');
  assert.ok(await page.isVisible('#error'));
  assert.match(await page.textContent('#error'), /weights/);
  await page.screenshot({ path: join(ARTIFACTS, 'error-missing-weights.png'), fullPage: true });
  await page.close();
});

test('bad weights: a clear error for each, and a button to download them again', { timeout: 300_000 }, async () => {
  const real = join(ROOT, 'www/models/mobilenet_v1_1.0_224.safetensors');
  writeFileSync(join(ARTIFACTS, 'truncated.safetensors'), readFileSync(real).subarray(0, 1 << 20));
  copyFileSync(real, join(ARTIFACTS, 'wrong-hash.safetensors'));
  writeFileSync(join(ARTIFACTS, 'wrong-hash.safetensors.sha256'), `${'0'.repeat(64)}  wrong-hash.safetensors\n`);
  // Well-formed safetensors of another network: the right metadata, the wrong tensors.
  const header = Buffer.from(
    JSON.stringify({
      __metadata__: { bn_epsilon: '0.001', source_sha256: '0'.repeat(64) },
      'resnet.conv1.weight': { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
    }),
  );
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(join(ARTIFACTS, 'other-model.safetensors'), Buffer.concat([size, header, Buffer.alloc(4)]));
  const cases = {
    'truncated.safetensors': /weights are not a valid safetensors file/,
    'wrong-hash.safetensors': /the downloaded weights are corrupt \(sha256 /,
    'other-model.safetensors': /weights hold unexpected tensor `resnet.conv1.weight`/,
  };
  for (const [file, reason] of Object.entries(cases)) {
    const { page } = await openApp(`?backend=flex&weights=/tests/e2e/artifacts/${file}`);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'error', file);
    assert.match(await page.textContent('#error'), reason);
    assert.ok(await page.isVisible('#refetch'), 'a re-fetch button');
    await Promise.all([page.waitForEvent('load'), page.click('#refetch')]);
    await page.close();
  }
});
