// The library in a Web Worker and a Service Worker: no window, no document; fetch, IndexedDB
// and Web Locks from the worker's global scope. The page posts a picked File to the worker,
// which uploads it and reports progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environment, KEY_ID, SECRET } from './harness.mjs';

const env = environment();

/** Picks a file in a page, hands it to a worker started by `start` (page code returning an
 * object with postMessage and onmessage), and returns what the worker reported. */
async function uploadThrough(start, key) {
  const bytes = randomBytes(1024 * 1024 + 17);
  const dir = await mkdtemp(path.join(tmpdir(), 'worker-'));
  await writeFile(path.join(dir, 'from page.bin'), bytes);
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  await page.setInputFiles('#file', path.join(dir, 'from page.bin'));
  const result = await page.evaluate(async ({ start, endpoint, id, secret, key }) => {
    const worker = await (0, eval)(start)();
    return new Promise((resolve) => {
      const progress = [];
      const records = [];
      worker.onerror = (e) => resolve({ error: e.message ?? 'worker error' });
      worker.onmessage = ({ data }) => {
        if ('progress' in data) {
          progress.push(data.progress);
          if (data.records !== undefined) records.push(data.records);
        } else {
          resolve({ ...data, progress, records });
        }
      };
      const file = document.getElementById('file').files[0];
      worker.postMessage({ file, endpoint, id, secret, key });
    });
  }, { start: start.toString(), endpoint: env.emulator.url, id: KEY_ID, secret: SECRET, key });
  await page.close();
  assert.equal(result.error, undefined);
  assert.deepEqual(errors, []);
  assert.equal(result.done.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.match(result.done.etag, /-5"$/);
  assert.ok(result.progress.length >= 6, `${result.progress.length} progress reports`);
  assert.equal(result.progress.at(-1), 1);
  assert.ok(result.records.length > 0 && result.records.every((n) => n === 1), `records seen mid-upload: ${result.records}`);
  assert.equal(result.done.saved, 0, 'the record, kept in IndexedDB from the worker, is gone once done');
  return result.done;
}

test('a module worker uploads a File the page posts to it', async () => {
  const done = await uploadThrough(async () => new Worker('/tests/e2e/worker.js', { type: 'module' }), 'worker/from page.bin');
  assert.equal(done.xhr, 'accepted', 'dedicated workers have XMLHttpRequest');
});

test('a module service worker uploads a File the page posts to it', async () => {
  const done = await uploadThrough(async () => {
    const registration = await navigator.serviceWorker.register('/tests/e2e/service-worker.js',
      { type: 'module', scope: '/tests/e2e/' });
    const sw = registration.installing ?? registration.waiting ?? registration.active;
    if (sw.state !== 'activated') {
      await new Promise((resolve) => sw.addEventListener('statechange', () => sw.state === 'activated' && resolve()));
    }
    // Replies come to this page through navigator.serviceWorker's message event.
    return {
      postMessage: (m) => sw.postMessage(m),
      set onmessage(f) { navigator.serviceWorker.onmessage = f; },
      set onerror(f) { navigator.serviceWorker.onmessageerror = f; },
    };
  }, 'service-worker/from page.bin');
  assert.equal(done.xhr, 'ArgumentError', 'service workers lack XMLHttpRequest');
});
