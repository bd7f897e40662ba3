// The part of Playwright's browser and page the end-to-end tests use, over WebKitWebDriver's
// W3C WebDriver HTTP API with plain fetch (no client library): Playwright drives WebKit only
// through its own patched build, which it downloads, and this machine reaches no such download.
// What WebDriver cannot do here (the page's requests and the browser's console lines, offline
// mode, the viewport, screenshots, locators, the keyboard, file chooser events) throws, so a test
// that needs it fails saying so rather than passing untested; such tests are marked with
// `playwrightOnly` (harness.mjs) and skipped in WebKit with the reason.
import { spawn } from 'node:child_process';
import net from 'node:net';

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

class Unsupported extends Error {
  constructor(what) { super(`${what}: not available through WebDriver in WebKit (tests/e2e/webdriver.mjs)`); }
}

/** Starts WebKitWebDriver (it opens MiniBrowser --automation, which needs a display: run under xvfb-run). */
export async function launchWebKit() {
  const port = await freePort();
  const driver = spawn(process.env.WEBKIT_WEBDRIVER || 'WebKitWebDriver', [`--port=${port}`],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    try { await fetch(`${base}/status`); break; } catch (e) {
      if (i > 100) throw new Error(`WebKitWebDriver did not listen on ${port}: ${e.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const call = async (method, p, body) => {
    const r = await fetch(`${base}${p}`, {
      method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
    });
    const { value } = await r.json();
    if (!r.ok) throw new Error(`WebDriver ${method} ${p}: ${value?.error}: ${value?.message}`);
    return value;
  };
  const { sessionId, capabilities } = await call('POST', '/session', {
    capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': {
      binary: process.env.WEBKIT_BROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
      args: ['--automation'],
    } } },
  });
  const s = (p) => `/session/${sessionId}${p}`;
  await call('POST', s('/timeouts'), { script: 600_000, pageLoad: 60_000 });
  const first = await call('GET', s('/window'));
  let current = first;
  let firstFree = true;
  const open = new Set();

  class Page {
    constructor(handle) { this.handle = handle; this.listeners = {}; }

    async focus() {
      if (current !== this.handle) { await call('POST', s('/window'), { handle: this.handle }); current = this.handle; }
    }

    /**
     * 'pageerror' (errors and rejections the page did not handle) and 'console' (what the page's
     * own scripts log through console.*), both seen only once the page has loaded: WebDriver
     * does not show the browser's own console lines nor the page's requests.
     */
    on(event, f) {
      if (event !== 'pageerror' && event !== 'console') throw new Unsupported(`page.on('${event}')`);
      (this.listeners[event] ??= []).push(f);
    }

    async watch() {
      await this.run(`window.__wdSeen = [];
        addEventListener('error', (e) => __wdSeen.push(['pageerror', e.message]));
        addEventListener('unhandledrejection', (e) => __wdSeen.push(['pageerror', String(e.reason?.message ?? e.reason)]));
        for (const type of ['log', 'info', 'warn', 'error', 'debug']) {
          const original = console[type];
          console[type] = (...args) => {
            __wdSeen.push(['console', args.map((a) => (a instanceof Error ? String(a) : typeof a === 'object' ? JSON.stringify(a) : String(a))).join(' '), type === 'warn' ? 'warning' : type]);
            return original.apply(console, args);
          };
        }`);
    }

    async deliver() {
      const seen = await call('POST', s('/execute/sync'),
        { script: 'const e = window.__wdSeen ?? []; window.__wdSeen = []; return e;', args: [] });
      for (const [event, text, type] of seen) {
        const arg = event === 'pageerror' ? new Error(text) : { text: () => text, type: () => type };
        for (const f of this.listeners[event] ?? []) f(arg);
      }
    }

    async run(body, args = []) {
      await this.focus();
      return call('POST', s('/execute/sync'), { script: body, args });
    }

    async goto(url) {
      await this.focus();
      await call('POST', s('/url'), { url });
      await this.watch();
    }

    async reload() {
      await this.focus();
      await call('POST', s('/refresh'), {});
      await this.watch();
    }

    /** Runs `fn(arg)` in the page and returns its awaited, JSON-shaped result. */
    async evaluate(fn, arg) {
      await this.focus();
      const src = typeof fn === 'function' ? fn.toString() : `() => (${fn})`;
      const out = await call('POST', s('/execute/async'), {
        script: `const done = arguments[arguments.length - 1];
          (async () => (${src})(arguments[0]))().then(
            (v) => done({ v: v === undefined ? null : v }),
            (e) => done({ error: String(e && e.stack ? e.message + '\\n' + e.stack : e) }));`,
        args: [arg === undefined ? null : arg],
      });
      await this.deliver();
      if (out && 'error' in out) throw new Error(`page.evaluate: ${out.error}`);
      return out?.v;
    }

    async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
      const end = Date.now() + timeout;
      for (;;) {
        if (await this.evaluate(fn, arg)) return;
        if (Date.now() > end) throw new Error(`waitForFunction timed out after ${timeout} ms: ${fn}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    async setInputFiles(selector, file) {
      await this.focus();
      const el = await call('POST', s('/element'), { using: 'css selector', value: selector });
      const id = Object.values(el)[0];
      await call('POST', s(`/element/${id}/value`), { text: [].concat(file).join('\n') });
    }

    async close() {
      await this.focus();
      open.delete(this.handle);
      if (open.size === 0) {
        // The session's last window stays, blank, for the next page.
        await call('POST', s('/url'), { url: 'about:blank' });
        firstFree = true;
      } else {
        await call('DELETE', s('/window'));
        current = null;
      }
    }
  }
  for (const name of ['addScriptTag', 'check', 'getByRole', 'locator', 'screenshot', 'setViewportSize', 'waitForEvent']) {
    Page.prototype[name] = () => { throw new Unsupported(`page.${name}()`); };
  }
  Object.defineProperty(Page.prototype, 'keyboard', { get() { throw new Unsupported('page.keyboard'); } });

  const browser = {
    name: `${capabilities.browserName} ${capabilities.browserVersion}`,
    async newPage() {
      let handle;
      if (firstFree) { handle = first; firstFree = false; } else {
        ({ handle } = await call('POST', s('/window/new'), { type: 'tab' }));
      }
      open.add(handle);
      return new Page(handle);
    },
    // WebDriver has one profile per session: a "context" is only a group of pages here.
    async newContext() {
      const pages = [];
      return {
        newPage: async () => { const p = await browser.newPage(); pages.push(p); return p; },
        close: async () => { for (const p of pages) if (open.has(p.handle)) await p.close(); },
        setOffline: () => { throw new Unsupported('context.setOffline()'); },
      };
    },
    async close() {
      await call('DELETE', s('')).catch(() => {});
      driver.kill();
    },
  };
  return browser;
}
