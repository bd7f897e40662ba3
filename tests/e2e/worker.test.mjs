// The library in a Web Worker: no window, no document; fetch, IndexedDB and Web Locks from the
// worker's global scope. The page posts a picked File to the worker, which uploads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environment, KEY_ID, SECRET } from './harness.mjs';

const env = environment();

test('a module worker uploads a File the page posts to it', async () => {
  const bytes = randomBytes(1024 * 1024 + 17);
  const dir = await mkdtemp(path.join(tmpdir(), 'worker-'));
  await writeFile(path.join(dir, 'from page.bin'), bytes);
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  await page.setInputFiles('#file', path.join(dir, 'from page.bin'));
  const result = await page.evaluate(({ endpoint, id, secret }) => new Promise((resolve) => {
    const worker = new Worker('/tests/e2e/worker.js', { type: 'module' });
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
    worker.postMessage({ file, endpoint, id, secret, key: 'worker/from page.bin' });
  }), { endpoint: env.emulator.url, id: KEY_ID, secret: SECRET });
  assert.equal(result.error, undefined);
  assert.deepEqual(errors, []);
  assert.equal(result.done.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.match(result.done.etag, /-5"$/);
  assert.ok(result.progress.length >= 6, `${result.progress.length} progress reports`);
  assert.equal(result.progress.at(-1), 1);
  assert.ok(result.records.length > 0 && result.records.every((n) => n === 1), `records seen mid-upload: ${result.records}`);
  assert.equal(result.done.saved, 0, 'the record, kept in IndexedDB from the worker, is gone once done');
  await page.close();
});
