// A small W3C WebDriver client (enough to drive chromedriver and geckodriver from node:test),
// plus helpers to start a driver on a free port and serve the built site.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { readFile, mkdtemp, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
export const KEYS = {
  NULL: '\uE000', BACKSPACE: '\uE003', TAB: '\uE004', ENTER: '\uE007', CONTROL: '\uE009',
  ESCAPE: '\uE00C', UP: '\uE013', DOWN: '\uE015',
};

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Serves `dir` on 127.0.0.1 as a static site; resolves to { url, close }. */
export async function serveStatic(dir) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The browsers the end-to-end tests run in, with how to start each one's driver. */
export const BROWSERS = {
  chromium: {
    driver: process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver',
    args: (port) => [`--port=${port}`],
    capabilities: (profile) => ({
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: process.env.CHROMIUM_BINARY ?? '/usr/bin/chromium',
        args: [
          '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
          '--no-first-run', '--disable-background-networking', '--disable-component-update',
          '--disable-sync', '--window-size=1280,800', `--user-data-dir=${profile}`,
        ],
      },
    }),
  },
  firefox: {
    driver: process.env.GECKODRIVER ?? 'geckodriver',
    args: (port) => ['--port', String(port), '--log', 'error'],
    capabilities: () => ({
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: process.env.FIREFOX_BINARY ?? '/usr/bin/firefox-esr',
        args: ['-headless', '-width=1280', '-height=800'],
        prefs: { 'app.update.enabled': false, 'toolkit.telemetry.enabled': false },
      },
    }),
  },
};

/** Starts `browser`'s driver and a session; resolves to a Session. */
export async function launch(browser) {
  const spec = BROWSERS[browser];
  const port = await freePort();
  const driver = spawn(spec.driver, spec.args(port), { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${base}/status`);
      if (res.ok) break;
    } catch {
      if (i > 100) throw new Error(`${browser} driver did not start`);
    }
    await sleep(100);
  }
  const profile = await mkdtemp(join(tmpdir(), `e2e-${browser}-`));
  const created = await command(base, 'POST', '/session', {
    capabilities: { alwaysMatch: spec.capabilities(profile) },
  });
  return new Session(base, created.sessionId, driver, created.capabilities);
}

async function command(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${json.value?.message ?? res.status}`);
  return json.value;
}

export class Session {
  constructor(base, id, driver, capabilities) {
    this.base = base;
    this.id = id;
    this.driver = driver;
    this.capabilities = capabilities;
  }

  cmd(method, path, body) {
    return command(this.base, method, `/session/${this.id}${path}`, body);
  }

  /** e.g. "chrome 156.0.8078.79" */
  get version() {
    return `${this.capabilities.browserName} ${this.capabilities.browserVersion}`;
  }

  goto(url) {
    return this.cmd('POST', '/url', { url });
  }

  async find(css) {
    const el = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return el[ELEMENT];
  }

  /** Waits until `css` matches an element; resolves to its id. */
  async waitFor(css, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.find(css);
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`no element matches ${css}: ${e.message}`);
        await sleep(100);
      }
    }
  }

  click(element) {
    return this.cmd('POST', `/element/${element}/click`, {});
  }

  type(element, text) {
    return this.cmd('POST', `/element/${element}/value`, { text });
  }

  text(element) {
    return this.cmd('GET', `/element/${element}/text`);
  }

  run(script, ...args) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Waits until the page's text content satisfies `predicate`; resolves to that text. */
  async waitForText(css, predicate, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.run('const e = document.querySelector(arguments[0]); return e ? e.textContent : null;', css);
      if (text !== null && predicate(text)) return text;
      if (Date.now() > deadline) throw new Error(`timed out waiting on ${css}; it reads: ${JSON.stringify(text)}`);
      await sleep(100);
    }
  }

  async screenshot() {
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }

  async close() {
    try {
      await this.cmd('DELETE', '');
    } finally {
      this.driver.kill();
    }
  }
}

/**
 * Registers node:test hooks that serve the built site (dist/, or DIST_DIR) for a test file and
 * make sure the screenshot folder exists. Returns { site, shots } (site filled in before tests run).
 */
export function useBuiltSite({ before, after }) {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
  const dist = process.env.DIST_DIR ?? join(root, 'dist');
  const ctx = { site: null, shots: join(root, 'target', 'e2e') };
  before(async () => {
    await readFile(join(dist, 'index.html'));
    await mkdir(ctx.shots, { recursive: true });
    ctx.site = await serveStatic(dist);
  });
  after(async () => ctx.site?.close());
  return ctx;
}
