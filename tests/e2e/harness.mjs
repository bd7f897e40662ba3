// What end-to-end tests share: the emulator, the static server and the browser: Debian's
// Chromium through Playwright, or WebKitGTK through WebDriver with E2E_BROWSER=webkit.
import { before, after } from 'node:test';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';
import { launchWebKit } from './webdriver.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KEY_ID = 'LTAI5tEndToEndKey';
export const SECRET = 'EndToEndSecret0123456789abcdef';

/** Starts the emulator on a free port (unless `flags` has its own --listen). */
export async function startEmulator(...flags) {
  const bin = process.env.OSS_EMULATOR_BIN || path.join(root, 'target/debug/oss-emulator');
  const listen = flags.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'];
  const proc = spawn(bin, [...listen, '--bucket', 'demo-bucket',
    '--access-key-id', KEY_ID, '--access-key-secret', SECRET, ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before listening`)));
  });
  if (!line.startsWith('listening on ')) throw new Error(`emulator said ${line}`);
  const url = line.slice('listening on '.length);
  const call = async (method, p, body) => {
    const r = await fetch(`${url}/_emulator/${p}`, { method, body: body && JSON.stringify(body) });
    return r.status === 204 ? null : r.json();
  };
  return { url, call, stop: () => proc.kill() };
}

/**
 * For a test's options: skips it in WebKit (E2E_BROWSER=webkit), saying which Playwright
 * feature it needs that WebDriver lacks. `test(name, playwrightOnly('offline mode'), fn)`.
 */
export const playwrightOnly = (needs) =>
  ({ skip: process.env.E2E_BROWSER === 'webkit' && `needs ${needs}, which WebDriver does not give in WebKit` });

export async function launch() {
  if (process.env.E2E_BROWSER === 'webkit') return launchWebKit();
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

export { serve };

/**
 * Collects what would make a person's console unclean: console errors (Chromium logs every 4xx
 * and 5xx there, the favicon's 404 too), uncaught exceptions, responses of 400 and up, and
 * requests that failed. A request the page itself aborted (net::ERR_ABORTED: a pause, or a body
 * the client does not need after a 2xx) is its own choice, not a failure.
 */
export function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText;
    if (why !== 'net::ERR_ABORTED') problems.push(`${why}: ${r.url()}`);
  });
  return problems;
}

/**
 * Registers before/after hooks that start (and stop) what a test file needs: the emulator
 * (unless `emulator: false`), the static server for the repository (unless `web: false`) and
 * the browser. Returns an object those fields fill in before the tests run.
 */
export function environment({ emulator = true, web = true } = {}) {
  const env = {};
  before(async () => {
    if (emulator) env.emulator = await startEmulator();
    if (web) env.web = await serve(root);
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    env.web?.close();
    env.emulator?.stop();
  });
  return env;
}
