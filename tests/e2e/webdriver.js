// A minimal W3C WebDriver client (fetch to geckodriver) for Debian's Firefox ESR, which
// Playwright cannot drive (it needs its own patched Firefox build).

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

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

/** Starts geckodriver and a headless Firefox session with `prefs`; returns a Session. */
export async function launchFirefox(prefs = {}) {
  const port = await freePort();
  const driver = spawn(process.env.GECKODRIVER ?? 'geckodriver', ['--port', String(port), '--host', '127.0.0.1'], {
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/status`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
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
  const session = new Session(base, driver);
  const { sessionId } = await session.call('POST', '/session', { capabilities });
  session.id = sessionId;
  return session;
}

export class Session {
  constructor(base, driver) {
    Object.assign(this, { base, driver, id: null });
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
      this.driver.kill();
    }
  }
}
