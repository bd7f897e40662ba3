// Clicks through the demo as a person would: pick two files, watch progress, pause one,
// resume it, see both finished objects listed with ETag and CRC64. With UPDATE_SCREENSHOT=1 it
// saves the README's docs/demo.png (otherwise a test run would leave the checkout changed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environment, root } from './harness.mjs';

const env = environment();

test('pick, watch progress, pause, resume, see the objects', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'demo-'));
  const big = randomBytes(6 * 1024 * 1024);
  const small = randomBytes(150 * 1024);
  await writeFile(path.join(dir, 'holiday video.mp4'), big);
  await writeFile(path.join(dir, '<img src=x onerror=window.hacked=1>.txt'), small);

  const page = await env.browser.newPage({ viewport: { width: 1000, height: 760 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.web.url}/www/?endpoint=${encodeURIComponent(env.emulator.url)}`);
  await page.check('#slow');
  await page.waitForFunction(async (u) => (await (await fetch(`${u}/_emulator/faults`)).json()).length === 1, env.emulator.url);
  await page.setInputFiles('#files', [path.join(dir, 'holiday video.mp4'), path.join(dir, '<img src=x onerror=window.hacked=1>.txt')]);

  const bigItem = page.locator('.oss-upload-item', { hasText: 'holiday video.mp4' });
  await bigItem.locator('progress').evaluate((p) => new Promise((resolve) => {
    const check = () => (p.value > 0.1 ? resolve() : setTimeout(check, 20));
    check();
  }));
  await bigItem.locator('.oss-upload-pause').click();
  await page.waitForFunction(() => document.querySelector('.oss-upload-item[data-state=paused]'));
  const paused = await bigItem.locator('.oss-upload-status').textContent();
  assert.match(paused, /^paused at \d+ %$/);
  await bigItem.locator('.oss-upload-pause').click(); // now labelled Resume
  await page.waitForFunction(() => document.querySelectorAll('.oss-upload-item[data-state=done]').length === 2, null, { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelectorAll('#objects tbody tr').length === 2);

  // A name with markup in it is shown as text, never run as HTML.
  assert.equal(await page.locator('.oss-upload-name img, #objects img').count(), 0);
  assert.equal(await page.evaluate(() => window.hacked), undefined);
  const rows = await page.locator('#objects tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  const byName = Object.fromEntries(rows.map((r) => [r[0], r]));
  assert.match(byName['demo/holiday video.mp4'][2], /^"[0-9A-F]{32}-6"$/);
  assert.match(byName['demo/<img src=x onerror=window.hacked=1>.txt'][2], /^"[0-9A-F]{32}"$/);
  assert.equal(byName['demo/<img src=x onerror=window.hacked=1>.txt'][2], `"${createHash('md5').update(small).digest('hex').toUpperCase()}"`);
  assert.match(byName['demo/holiday video.mp4'][3], /^\d+$/);
  assert.deepEqual(errors, []);

  // The pause really stopped requests: some part was cut off, and none was stored twice.
  const parts = (await env.emulator.call('GET', 'requests')).filter((e) => e.op === 'UploadPart' && e.key === 'demo/holiday video.mp4');
  assert.equal(parts.filter((e) => e.status === 200).length, 6);
  const shot = await page.screenshot();
  assert.ok(shot.length > 10_000, 'the demo renders');
  if (process.env.UPDATE_SCREENSHOT === '1') await writeFile(path.join(root, 'docs/demo.png'), shot);
});
