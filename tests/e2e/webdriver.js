// A minimal W3C WebDriver client (fetch to a driver process) for the browsers Playwright cannot
// drive: Debian's Firefox ESR (geckodriver; Playwright needs its own patched Firefox build) and
// WebKitGTK (WebKitWebDriver + MiniBrowser; Playwright's WebKit is its own build too).

import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `name`'s full path if it is an executable (absolute, or found on the PATH), else null. */
export function which(name) {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * Starts a WebDriver server (`command`, with `portArgs(port)` and `env`), waits until its /status
 * answers, then opens a session with `capabilities`. `processes` (e.g. an X server) are stopped
 * with it. Returns the Session; on failure stops everything and throws with the driver's output.
 */
async function startSession(command, portArgs, capabilities, { env = process.env, processes = [] } = {}) {
  const port = await freePort();
  const driver = spawn(command, portArgs(port), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d) => (log = (log + d).slice(-4000));
  driver.stdout.on('data', keep);
  driver.stderr.on('data', keep);
  const exited = new Promise((resolve) => {
    driver.once('exit', (code, signal) => resolve(`${command} exited (${signal ?? code})`));
    driver.once('error', (err) => resolve(`${command} did not start: ${err.message}`));
  });
  const session = new Session(`http://127.0.0.1:${port}`, [driver, ...processes]);
  try {
    for (let i = 0; ; i++) {
      const up = await Promise.race([
        fetch(`${session.base}/status`).then(() => true, () => false),
        exited.then((why) => Promise.reject(new Error(why))),
      ]);
      if (up) break;
      if (i === 100) throw new Error(`${command} did not answer on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { sessionId } = await session.call('POST', '/session', { capabilities });
    session.id = sessionId;
    return session;
  } catch (err) {
    session.stop();
    throw new Error(`${err.message}\n${log}`);
  }
}

/** Starts geckodriver and a headless Firefox session with `prefs`; returns a Session. */
export async function launchFirefox(prefs = {}) {
  const headed = process.env.HEADED === '1';
  const capabilities = {
    alwaysMatch: {
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
        args: headed ? [] : ['-headless'],
        prefs: { 'dom.webgpu.enabled': true, 'gfx.webgpu.ignore-blocklist': true, ...prefs },
      },
    },
  };
  return startSession(process.env.GECKODRIVER ?? 'geckodriver', (port) => ['--port', String(port), '--host', '127.0.0.1'], capabilities);
}

/** WebKitWebDriver's path (`WEBKITWEBDRIVER` overrides), or null when it is not installed. */
export function webkitDriver() {
  return which(process.env.WEBKITWEBDRIVER ?? 'WebKitWebDriver');
}

/** WebKitGTK's MiniBrowser (`MINIBROWSER` overrides; Debian ships it in libwebkit2gtk-4.1-0). */
function miniBrowser() {
  if (process.env.MINIBROWSER) return process.env.MINIBROWSER;
  const paths = readdirSync('/usr/lib').map((dir) => `/usr/lib/${dir}/webkit2gtk-4.1/MiniBrowser`);
  return paths.find((path) => which(path)) ?? 'MiniBrowser';
}

/**
 * Starts a private Xvfb (`XVFB` overrides the binary) on a display it picks itself
 * (-displayfd); resolves { display, process }.
 */
async function startXvfb() {
  const xvfb = spawn(process.env.XVFB ?? 'Xvfb', ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  xvfb.stderr.on('data', (d) => (log = (log + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    xvfb.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ display: `:${out.trim()}`, process: xvfb });
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before giving a display:\n${log}`)));
  });
}

/**
 * Starts WebKitWebDriver and a WebKitGTK MiniBrowser session; returns a Session. WebKitGTK's
 * MiniBrowser has no headless mode, so unless HEADED=1 (then it uses $DISPLAY) it runs on its
 * own Xvfb, stopped with the session. `args` are more MiniBrowser options.
 */
export async function launchWebKit(args = []) {
  const headed = process.env.HEADED === '1';
  const x = headed ? null : await startXvfb();
  const env = x ? { ...process.env, DISPLAY: x.display } : process.env;
  const capabilities = {
    alwaysMatch: {
      'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation', ...args] },
    },
  };
  return startSession(webkitDriver() ?? 'WebKitWebDriver', (port) => [`--port=${port}`, '--host=127.0.0.1'], capabilities, {
    env,
    processes: x ? [x.process] : [],
  });
}

export class Session {
  /** `processes`: the driver and whatever it needs (e.g. an X server), stopped by close(). */
  constructor(base, processes) {
    Object.assign(this, { base, processes, id: null });
  }

  /** Stops the driver and the processes started for it. */
  stop() {
    for (const child of this.processes) child.kill();
  }

  /** One WebDriver command; throws with the driver's message on error. */
  async call(method, path, body) {
    const url = `${this.base}${path.startsWith('/session') ? '' : `/session/${this.id}`}${path}`;
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { value } = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.message ?? response.status}`);
    return value;
  }

  goto(url) {
    return this.call('POST', '/url', { url });
  }

  /** Runs `fn(...args)` in the page; returns its (awaited) result. */
  evaluate(fn, ...args) {
    return this.call('POST', '/execute/async', {
      script: `const done = arguments[arguments.length - 1];
        Promise.resolve((${fn}).apply(null, Array.from(arguments).slice(0, -1))).then(done, (e) => done({ __error: String(e) }));`,
      args,
    }).then((v) => {
      if (v?.__error) throw new Error(v.__error);
      return v;
    });
  }

  /** Polls `fn(...args)` in the page until it returns something truthy. */
  async waitFor(fn, { timeout = 60_000, args = [] } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await this.evaluate(fn, ...args);
      if (value) return value;
      if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${fn}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async element(css) {
    const found = await this.call('POST', '/element', { using: 'css selector', value: css });
    return found[ELEMENT];
  }

  /** Sets the text field `css` to `value` as typing and leaving it does (a `change` event). */
  async fill(css, value) {
    await this.evaluate(
      (selector, text) => {
        const input = document.querySelector(selector);
        input.value = text;
        input.dispatchEvent(new Event('change'));
      },
      css,
      value,
    );
  }

  async click(css) {
    await this.call('POST', `/element/${await this.element(css)}/click`, {});
  }

  /** Types `text` into the element (for `<input type=file multiple>`: paths, one per line). */
  async type(css, text) {
    await this.call('POST', `/element/${await this.element(css)}/value`, { text });
  }

  /** Holds `key` (e.g. "\uE00D", space) down on the focused element for `ms`. */
  async holdKey(key, ms) {
    const actions = [{ type: 'keyDown', value: key }, { type: 'pause', duration: ms }, { type: 'keyUp', value: key }];
    await this.call('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  }

  async screenshot() {
    return Buffer.from(await this.call('GET', '/screenshot'), 'base64');
  }

  async close() {
    try {
      await this.call('DELETE', '');
    } finally {
      this.stop();
    }
  }
}
