// Where the CPU time goes: V8's sampling profiler (Chrome DevTools Protocol) over burnish (Flex)
// and tfjs-wasm embedding a batch, and over one ImageNet prediction, on the bench page. Prints the
// functions with the most self time per side and writes bench/profile-results.json.
//
//   node bench/profile.js [batch=32] [reps=4]
//
// Function names need the wasm's name section: build with `KEEP_NAMES=1 npm run build` (the
// shipped build strips it). TF.js's wasm ships with its own names.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, launchChromium, startServer } from '../tests/e2e/harness.js';
import { openBenchPage, probeImages } from './page.js';

const batch = Number(process.argv[2] ?? 32);
const reps = Number(process.argv[3] ?? 4);
const TOP = 25;
const images = probeImages().base64;

/** A profile node's function name. */
const nameOf = ({ callFrame: { functionName, url } }) => functionName || `(anonymous ${url.split('/').pop()})`;

/** Cuts a (Rust) function name to `max` characters. */
const short = (name, max = 90) => (name.length > max ? `${name.slice(0, max - 1)}…` : name);

/**
 * Self milliseconds per function of a CDP `Profiler.Profile`, largest first, each with the caller
 * it spent the most of that time under (wasm's generic names, such as macerator's SIMD dispatch,
 * say little on their own).
 */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n);
  const ms = new Map();
  const callers = new Map();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const name = nameOf(node);
    const t = profile.timeDeltas[i] / 1000;
    ms.set(name, (ms.get(name) ?? 0) + t);
    const caller = parent.has(id) ? nameOf(parent.get(id)) : '';
    const byCaller = callers.get(name) ?? new Map();
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + t);
    callers.set(name, byCaller);
  });
  const total = [...ms.values()].reduce((a, b) => a + b, 0);
  const rows = [...ms.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, t]) => {
      const [caller] = [...callers.get(name).entries()].sort((a, b) => b[1] - a[1])[0];
      return { function: short(name), ms: +t.toFixed(1), share: +((100 * t) / total).toFixed(1), 'main caller': short(caller, 60) };
    });
  return { total_ms: +total.toFixed(1), rows };
}

/** Profiles `expression` (a promise-valued expression on the page) and returns its self times. */
async function profileOf(cdp, page, expression) {
  await cdp.send('Profiler.start');
  await page.evaluate(expression);
  const { profile } = await cdp.send('Profiler.stop');
  return selfTimes(profile);
}

const server = await startServer();
const browser = await launchChromium();
const results = { date: new Date().toISOString(), browser: `Chromium ${browser.version()}`, batch, reps, profiles: {} };
try {
  const page = await openBenchPage(browser, server.url);
  await page.evaluate((base64) => window.bench.setup('cpu', base64), images);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  for (const side of ['burnish', 'tfjs']) {
    await page.evaluate(([s, b]) => window.bench.profileEmbedding(s, b, 1), [side, batch]); // warm-up
    const t = performance.now();
    results.profiles[`${side} embedding, batch ${batch} × ${reps}`] = await profileOf(cdp, page, `window.bench.profileEmbedding(${JSON.stringify(side)}, ${batch}, ${reps})`);
    process.stderr.write(`[profile] ${side} embedding: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    await page.evaluate((s) => window.bench.profileLatency(s, 3), side); // warm-up
    results.profiles[`${side} prediction × 20`] = await profileOf(cdp, page, `window.bench.profileLatency(${JSON.stringify(side)}, 20)`);
  }
} finally {
  await browser.close();
  server.stop();
}
for (const [label, { total_ms, rows }] of Object.entries(results.profiles)) {
  console.log(`\n${label}: ${total_ms} ms sampled`);
  console.table(rows.slice(0, TOP));
}
writeFileSync(join(ROOT, 'bench/profile-results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten: bench/profile-results.json');
