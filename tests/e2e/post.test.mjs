// The drop-in uploader authorised by a POST policy alone (#31): no credentials in the page, a
// backend's policy per file (here the page plays the backend, signing with the harness's key
// as a server would), each file one form POST with no CORS preflight; a file the policy does
// not allow fails on its row with OSS's reason, and nothing of it is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KEY_ID, SECRET, environment } from './harness.mjs';

const env = environment();

test('the uploader with a policy alone: each file one form POST, no preflight, the policy enforced', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'post-'));
  const files = { 'a.txt': Buffer.from('form upload'), 'b.bin': Buffer.alloc(40 * 1024, 3), 'big.bin': Buffer.alloc(70 * 1024, 4) };
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  await env.emulator.call('DELETE', 'requests');
  const page = await env.browser.newPage();
  await page.goto(`${env.web.url}/tests/e2e/pkg.html`);
  await page.evaluate(async ({ endpoint, id, secret }) => {
    const { default: OSS } = await import('/pkg/index.js');
    const { attachUploader } = await import('/pkg/uploader.js');
    // The backend: a policy for the prefix and at most 64 KiB, signed with its own key.
    const backend = new OSS({ endpoint, bucket: 'demo-bucket', accessKeyId: id, accessKeySecret: secret });
    await backend.ready;
    window.asked = [];
    const policy = async (file) => {
      window.asked.push(file.name);
      const expiration = new Date(Date.now() + 600_000).toISOString();
      const signed = backend.calculatePostSignature({ expiration, conditions: [['starts-with', '$key', 'forms/'], ['content-length-range', 1, 64 * 1024]] });
      return { accessid: signed.OSSAccessKeyId, policy: signed.policy, signature: signed.Signature, dir: 'forms/', host: endpoint };
    };
    window.done = {};
    window.failed = {};
    attachUploader(document.getElementById('file'), {
      endpoint, bucket: 'demo-bucket', prefix: 'forms/', policy,
      onComplete: (r, f) => { window.done[f.name] = r.etag; },
      onError: (e, f) => { window.failed[f.name] = `${e.name} ${e.status}: ${e.message}`; },
    });
  }, { endpoint: env.emulator.url, id: KEY_ID, secret: SECRET });
  await page.evaluate(() => { document.getElementById('file').multiple = true; });
  await page.setInputFiles('#file', Object.keys(files).map((n) => path.join(dir, n)));
  await page.waitForFunction(() => Object.keys(window.done).length + Object.keys(window.failed).length === 3, null, { timeout: 30_000 });
  const { done, failed, asked } = await page.evaluate(() => ({ done: window.done, failed: window.failed, asked: window.asked }));
  const md5 = (b) => `"${createHash('md5').update(b).digest('hex').toUpperCase()}"`;
  assert.deepEqual(done, { 'a.txt': md5(files['a.txt']), 'b.bin': md5(files['b.bin']) });
  assert.match(failed['big.bin'], /^EntityTooLargeError 400: .*maximum/);
  assert.deepEqual(asked.sort(), ['forms/a.txt', 'forms/b.bin', 'forms/big.bin']);
  const log = await env.emulator.call('GET', 'requests');
  const posts = log.filter((e) => e.op === 'PostObject');
  assert.equal(posts.length, 3, 'one form POST per file');
  assert.ok(!log.some((e) => e.op === 'Preflight' && e.path === '/demo-bucket/'), 'a form is a simple request');
  assert.ok(!log.some((e) => e.path === '/_emulator/sts'), 'no credentials were asked for');
  const state = await page.evaluate(() => [...document.querySelectorAll('.oss-upload-item')].map((li) => li.dataset.state).sort());
  assert.deepEqual(state, ['done', 'done', 'error']);
  await page.close();
});
