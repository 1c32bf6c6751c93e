// Shared end-to-end plumbing: a Vite server on a free loopback port and Debian's Chromium.

import { execFile, spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { basename, extname, join } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Starts `vite` serving the repository (`isolated`: cross-origin isolated, see vite.config.js);
 * resolves { url, stop } once it answers.
 */
export async function startServer({ isolated = false } = {}) {
  const port = await freePort();
  const child = spawn(join(ROOT, 'node_modules/.bin/vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: ROOT,
    env: { ...process.env, BURNISH_ISOLATED: isolated ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) {
        /** Stops the server; resolves once its process has exited (its port is closed). */
        const stop = () =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill();
          });
        return { url, stop };
      }
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.kill();
  throw new Error(`vite did not start:\n${log}`);
}

/** Launches Debian Chromium (headless unless HEADED=1; Playwright gives it a fresh profile) with WebGPU enabled. */
export async function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: process.env.HEADED !== '1',
    args: [
      '--no-sandbox',
      '--disable-gpu-sandbox',
      '--enable-unsafe-webgpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...extraArgs,
    ],
  });
}

/**
 * For a test file: a Vite server and Chromium (launched with `extraArgs`) started before its
 * tests and stopped after them. Returns an object whose `server` and `browser` are set by then.
 */
export function serverAndChromium(extraArgs = []) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await launchChromium(extraArgs);
  });
  after(async () => {
    await env.browser?.close();
    env.server?.stop();
  });
  return env;
}

/** Mean luma (0–255) of a PNG fixture: how a test tells which photo the fake webcam shows. */
export function meanLuma(pngPath) {
  const { data } = PNG.sync.read(readFileSync(pngPath));
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
  return sum / (data.length / 4);
}

/** One Y4M frame (4:2:0, full-range BT.601) of a PNG. */
function y4mFrame(pngPath) {
  const { width, height, data } = PNG.sync.read(readFileSync(pngPath));
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  const clamp = (x) => Math.max(0, Math.min(255, Math.round(x)));
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const i = (row * width + col) * 4;
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      y[row * width + col] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
      if (row % 2 === 0 && col % 2 === 0) {
        const c = (row / 2) * (width / 2) + col / 2;
        u[c] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        v[c] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
  }
  return { width, height, frame: Buffer.concat([Buffer.from('FRAME\n'), y, u, v]) };
}

/**
 * A fake webcam feed for Chromium's --use-file-for-fake-video-capture: a 10 frames/s Y4M video
 * showing each real photo (PNG fixtures of one size) for `framesEach` frames, in turn; Chromium
 * loops it.
 */
export function fakeWebcamFile(pngPaths, framesEach = 10) {
  const frames = pngPaths.map(y4mFrame);
  const { width, height } = frames[0];
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const path = join(ARTIFACTS, 'fake-webcam.y4m');
  const body = frames.flatMap(({ frame }) => Array.from({ length: framesEach }, () => frame));
  writeFileSync(path, Buffer.concat([header, ...body]));
  return path;
}

/** `burnish ARGS…` through cargo (the CLI as .ci/python-model.sh runs it); resolves its stdout. */
export async function burnish(...args) {
  const { stdout } = await promisify(execFile)('cargo', ['run', '--quiet', '--bin', 'burnish', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/burnish/target') },
    maxBuffer: 64 << 20,
  });
  return stdout;
}

/** A static server for `dir` on a free loopback port; resolves { url, close }. */
export async function serve(dir) {
  const types = {
    '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
    '.webmanifest': 'application/manifest+json', '.bin': 'application/octet-stream', '.png': 'image/png', '.svg': 'image/svg+xml', '.wav': 'audio/wav',
  };
  const server = createHttpServer((req, res) => {
    let path = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path.endsWith('/')) path = join(path, 'index.html');
    if (!path.startsWith(dir)) return res.writeHead(403).end();
    let body;
    try {
      body = readFileSync(path);
    } catch {
      return res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', resolve).on('error', reject));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Each photo (any size) as the 224² PNG the library makes of it (its `toRgb`: the page's window.burnish,
 * else the repository's module), written under `dir`; returns the new paths. Every side of a
 * comparison (library, page, CLI) then sees the same pixels.
 */
export async function crop224(page, paths, dir) {
  mkdirSync(dir, { recursive: true });
  const out = [];
  for (const path of paths) {
    const png = await page.evaluate(async (bytes) => {
      const toRgb = window.burnish?.toRgb ?? (await import('/www/lib/burnish.js')).toRgb;
      const rgb = await toRgb(new Blob([new Uint8Array(bytes)]));
      const rgba = new Uint8ClampedArray(224 * 224 * 4).fill(255);
      for (let p = 0; p < 224 * 224; p++) rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
      const canvas = new OffscreenCanvas(224, 224);
      canvas.getContext('2d').putImageData(new ImageData(rgba, 224, 224), 0, 0);
      return [...new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer())];
    }, [...readFileSync(path)]);
    const file = join(dir, basename(path).replace(/\.\w+$/, '.png'));
    writeFileSync(file, Buffer.from(png));
    out.push(file);
  }
  return out;
}
