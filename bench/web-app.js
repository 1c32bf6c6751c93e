// The exported web app on a phone: its zip size (without media), and seconds from opening it to
// its first answer on a cached visit (the second visit: the service worker and the weights cache
// hold everything), in Chromium at a phone's viewport, at full speed and on a mid-phone CPU
// profile, interleaved over rounds; median and interquartile range.
//
// The mid-phone profiles are Lighthouse's mobile slowdown (4×) applied to every thread of the
// browser — the page, the model worker, wasm compilation, the compositor — not only the page's
// main thread (Chrome's CPU throttling slows that one only): Chromium's processes run in a cgroup
// (v1 `cpu`) limited to 25 % of one core (`mid_phone_1core`: every thread shares one slow core)
// or 50 % of the machine's two (`mid_phone_2cores`: two slow cores, nearer a phone's several).
// Where no cgroup can be made (not root, cgroup v2 without delegation), the run says so and
// reports full speed only.
//
//   node bench/web-app.js [rounds]        (needs `npm run build`, the weights and the photos)
//
// Prints a table and writes bench/web-app-results.json.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, launchChromium, serve } from '../tests/e2e/harness.js';
import { PHONE, cliApp } from '../tests/e2e/web-app.js';
import { stats, statsLine } from './spread.js';

const ROUNDS = Number(process.argv[2] ?? 5);
/** A cgroup named `name` limited to `share` of one core, or null where none can be made. */
function slowCpu(name, share) {
  const cgroup = `/sys/fs/cgroup/cpu/${name}`;
  try {
    mkdirSync(cgroup, { recursive: true });
    writeFileSync(join(cgroup, 'cpu.cfs_period_us'), '100000');
    writeFileSync(join(cgroup, 'cpu.cfs_quota_us'), String(Math.round(100000 * share)));
    return cgroup;
  } catch {
    return null;
  }
}

/** Moves the Chromium launched with the switch `marker`, and every process under it (its zygotes too), into `cgroup`: processes they start later inherit it. */
function confine(cgroup, marker) {
  const pids = execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  for (let i = 0; i < pids.length; i++) {
    let children = [];
    try {
      children = execFileSync('ps', ['-o', 'pid=', '--ppid', pids[i]], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
    } catch {
      // no children (ps exits 1)
    }
    pids.push(...children.filter((c) => !pids.includes(c)));
  }
  for (const pid of pids) writeFileSync(join(cgroup, 'cgroup.procs'), pid);
  return pids.length;
}

/** Seconds from navigation to ready, and to the first answer of a photo picked at ready, on the second visit. */
async function cachedVisit(browser, url, photo) {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const visit = async () => {
    await page.goto(url);
    const ready = await page.waitForFunction(() => document.body.dataset.state === 'ready' && performance.now(), null, { timeout: 600_000, polling: 10 });
    await page.setInputFiles('#photo-input', photo);
    const answered = await page.waitForFunction(() => document.querySelector('#answer').dataset.source && performance.now(), null, { timeout: 600_000, polling: 10 });
    return { ready: (await ready.jsonValue()) / 1000, answer: (await answered.jsonValue()) / 1000 };
  };
  await visit();
  await page.waitForFunction(() => document.body.dataset.offline, null, { timeout: 600_000 });
  const second = await visit();
  await context.close();
  return second;
}

const work = mkdtempSync(join(tmpdir(), 'burnish-app-bench-'));
try {
  const sizes = {};
  let app; // the default fine-tuning's (1 block): the one timed
  for (const blocks of [0, 1]) {
    app = await cliApp(join(work, `k${blocks}`), { fineTuneBlocks: blocks });
    sizes[`zip_bytes_fine_tune_${blocks}`] = statSync(app.zip).size;
  }
  const site = await serve(app.site);
  const url = `${site.url}app/?backend=cpu`;
  const photo = app.held[0].path;
  const profiles = { full: await launchChromium(['--burnish-bench-profile=full']) };
  const cgroups = [];
  for (const [name, share] of [['mid_phone_1core', 0.25], ['mid_phone_2cores', 0.5]]) {
    const cgroup = slowCpu(`burnish-bench-${name}`, share);
    if (!cgroup) continue;
    cgroups.push(cgroup);
    profiles[name] = await launchChromium([`--burnish-bench-profile=${name}`]);
    console.error(`${name}: ${confine(cgroup, `burnish-bench-profile=${name}`)} Chromium processes in ${cgroup}`);
  }
  const rounds = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const round = {};
      const sides = Object.entries(profiles);
      for (const [name, browser] of r % 2 ? sides.reverse() : sides) round[name] = await cachedVisit(browser, url, photo);
      rounds.push(round);
      console.error(`round ${r + 1}: ${JSON.stringify(round)}`);
    }
  } finally {
    for (const browser of Object.values(profiles)) await browser.close();
    await site.close();
    for (const cgroup of cgroups) rmSync(cgroup, { recursive: true, force: true });
  }
  const result = {
    date: new Date().toISOString(),
    command: `node bench/web-app.js ${ROUNDS}`,
    ...sizes,
    mid_phone_profiles: cgroups.length
      ? 'every Chromium process in a cgroup limited to 25 % of one core (1core) or 50 % of two (2cores): 4× slower than a core here, all threads'
      : 'not available here (no writable cgroup v1 cpu controller)',
  };
  for (const name of Object.keys(profiles)) {
    result[`${name}_ready_s`] = stats(rounds.map((r) => r[name].ready));
    result[`${name}_first_answer_s`] = stats(rounds.map((r) => r[name].answer));
  }
  writeFileSync(join(ROOT, 'bench/web-app-results.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const [name, s] of Object.entries(result)) {
    if (s?.median !== undefined) console.log(statsLine(name, s, 28));
    else console.log(`${name.padEnd(28)} ${s}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
