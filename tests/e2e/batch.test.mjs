// The drop-in uploader with folders and limits (#30): a real nested folder picked through the
// folder picker and dropped on the drop zone (Chromium's own drag and drop, through the
// DevTools protocol), stored under their paths with system files left out; files a page's
// limits refuse get a row saying why, and the server never hears of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { environment, playwrightOnly } from './harness.mjs';

const env = environment();

/** A nested folder: its files' bytes by relative path, and a system file and an empty folder. */
async function nestedFolder(top) {
  const root = await mkdtemp(path.join(tmpdir(), 'batch-'));
  const files = {
    [`${top}/a.txt`]: Buffer.from('top level'),
    [`${top}/sub/a.txt`]: Buffer.from('same name, another folder'),
    [`${top}/sub/deeper/b.bin`]: Buffer.alloc(200 * 1024, 9),
    [`${top}/中文 目录/照片.txt`]: Buffer.from('名字'),
  };
  for (const [rel, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), bytes);
  }
  await writeFile(path.join(root, top, '.DS_Store'), 'x');
  await writeFile(path.join(root, top, 'sub', 'Thumbs.db'), 'x');
  await mkdir(path.join(root, top, 'empty'), { recursive: true });
  return { dir: path.join(root, top), files };
}

/** The element's page, with `attributes` on <oss-upload>; completed uploads kept by name. */
async function open(attributes = {}) {
  const page = await env.browser.newPage();
  await page.goto(`${env.web.url}/tests/e2e/element.html`);
  await page.evaluate(async ({ endpoint, attributes }) => {
    const el = document.querySelector('oss-upload');
    el.setAttribute('endpoint', endpoint);
    for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
    el.credentials = async () => (await fetch(`${endpoint}/_emulator/sts`, { method: 'POST' })).json();
    window.completed = {};
    el.addEventListener('upload-complete', (e) => {
      window.completed[e.detail.result.name] = e.detail.result.etag;
    });
    await import('/pkg/uploader.js');
  }, { endpoint: env.emulator.url, attributes });
  return page;
}

const md5 = (bytes) => `"${createHash('md5').update(bytes).digest('hex').toUpperCase()}"`;

async function storedUnder(page, files, prefix) {
  const count = Object.keys(files).length;
  await page.waitForFunction((n) => Object.keys(window.completed).length >= n, count, { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 300));
  const completed = await page.evaluate(() => window.completed);
  const expected = Object.fromEntries(Object.entries(files).map(([rel, bytes]) => [`${prefix}${rel}`, md5(bytes)]));
  assert.deepEqual(completed, expected, 'each file under its path, system files left out');
}

test('a folder picked is stored under its paths, system files and empty folders left out', playwrightOnly('setInputFiles with a folder'), async () => {
  const { dir, files } = await nestedFolder('picked');
  const page = await open();
  await page.setInputFiles('oss-upload input[webkitdirectory]', dir);
  await storedUnder(page, files, 'element/');
  await page.close();
});

test('a folder dropped is walked and stored under its paths', playwrightOnly('Chromium drag and drop through the DevTools protocol'), async () => {
  const { dir, files } = await nestedFolder('dropped');
  const page = await open();
  const box = await page.locator('oss-upload .oss-upload-drop').boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [dir], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  }
  await storedUnder(page, files, 'element/');
  await page.close();
});

test('limits refuse files before any request, each row saying why', playwrightOnly('DataTransfer drops'), async () => {
  const page = await open({ accept: '.txt,image/*', 'max-file-size': '1000', 'max-files': '2' });
  await env.emulator.call('DELETE', 'requests');
  await page.evaluate(() => {
    const zone = document.querySelector('oss-upload .oss-upload-drop');
    const data = new DataTransfer();
    data.items.add(new File(['a'.repeat(500)], 'ok-1.txt', { type: 'text/plain' }));
    data.items.add(new File(['MZ'], 'setup.exe', { type: 'application/x-msdownload' }));
    data.items.add(new File([new Uint8Array(2000)], 'big.png', { type: 'image/png' }));
    data.items.add(new File([new Uint8Array(10)], 'ok-2.png', { type: 'image/png' }));
    data.items.add(new File(['third'], 'third.txt', { type: 'text/plain' }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, cancelable: true }));
  });
  await page.waitForFunction(() => Object.keys(window.completed).length === 2, null, { timeout: 30_000 });
  const rows = await page.evaluate(() => [...document.querySelectorAll('oss-upload .oss-upload-item')]
    .map((li) => [li.querySelector('.oss-upload-name').textContent, li.dataset.state, li.querySelector('.oss-upload-status').textContent]));
  assert.deepEqual(rows, [
    ['ok-1.txt', 'done', 'done'],
    ['setup.exe', 'refused', 'not sent: only .txt, image/*'],
    ['big.png', 'refused', 'not sent: larger than 1000 B'],
    ['ok-2.png', 'done', 'done'],
    ['third.txt', 'refused', 'not sent: at most 2 files'],
  ]);
  const log = await env.emulator.call('GET', 'requests');
  const keys = new Set(log.map((e) => e.key));
  for (const refused of ['setup.exe', 'big.png', 'third.txt']) {
    assert.ok(!keys.has(`element/${refused}`), `the server heard of ${refused}`);
  }
  assert.ok(keys.has('element/ok-1.txt') && keys.has('element/ok-2.png'));
  await page.close();
});

test('in Chinese: every word from the zh-CN table, numbers written for it', playwrightOnly('DataTransfer drops'), async () => {
  const page = await open({ lang: 'zh-CN', 'max-file-size': '1000' });
  await page.evaluate(() => {
    const zone = document.querySelector('oss-upload .oss-upload-drop');
    const data = new DataTransfer();
    data.items.add(new File(['小'], '小文件.txt', { type: 'text/plain' }));
    data.items.add(new File([new Uint8Array(2000)], '大文件.bin'));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, cancelable: true }));
  });
  await page.waitForFunction(() => Object.keys(window.completed).length === 1, null, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('oss-upload .oss-upload-item[data-state=done]'));
  const shown = await page.evaluate(() => ({
    zone: document.querySelector('oss-upload .oss-upload-drop').textContent,
    rows: [...document.querySelectorAll('oss-upload .oss-upload-item .oss-upload-status')].map((s) => s.textContent),
    list: document.querySelector('oss-upload .oss-upload-list').getAttribute('aria-label'),
    lang: document.querySelector('oss-upload .oss-upload').lang,
  }));
  assert.deepEqual(shown, {
    zone: '将文件或文件夹拖到这里，或选择文件、选择文件夹',
    rows: ['完成', '未上传：超过 1000 B'],
    list: '上传列表',
    lang: 'zh-CN',
  });
  await page.close();
});

test('the batch header: counts, one bar, Pause all and Resume all', playwrightOnly('DataTransfer drops'), async () => {
  const page = await open();
  // Slow enough to be seen under way: each part's body at 200 KB/s.
  await env.emulator.call('POST', 'faults', { op: 'PutObject', bytesPerSecond: 200_000 });
  await page.evaluate(() => {
    const zone = document.querySelector('oss-upload .oss-upload-drop');
    const data = new DataTransfer();
    for (let i = 0; i < 12; i += 1) data.items.add(new File([new Uint8Array(300 * 1024).fill(i)], `file-${i}.bin`));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, cancelable: true }));
  });
  const header = page.locator('oss-upload .oss-upload-batch');
  await page.waitForFunction(() => /uploading/.test(document.querySelector('oss-upload .oss-upload-batch-counts').textContent));
  assert.match(await header.locator('.oss-upload-batch-counts').textContent(), /waiting.*3\.5 MiB$/, 'files wait for a connection');
  await header.locator('.oss-upload-pause-all').click();
  await page.waitForFunction(() => [...document.querySelectorAll('oss-upload .oss-upload-item')].every((li) => ['paused', 'done'].includes(li.dataset.state)));
  const paused = await page.evaluate(() => document.querySelectorAll('oss-upload .oss-upload-item[data-state=paused]').length);
  assert.ok(paused > 0, 'some were paused');
  await header.locator('.oss-upload-resume-all').waitFor({ state: 'visible' });
  await env.emulator.call('DELETE', 'faults');
  await header.locator('.oss-upload-resume-all').click();
  await page.waitForFunction(() => Object.keys(window.completed).length === 12, null, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('oss-upload .oss-upload-batch-counts').textContent === '12 done · 3.5 MiB');
  assert.equal(await header.locator('progress').evaluate((p) => p.value), 1);
  await header.locator('.oss-upload-pause-all').waitFor({ state: 'hidden' });
  await page.close();
});

test('500 files of 10–500 KiB in one folder: all stored, the page never held, the budget kept', playwrightOnly('setInputFiles with a folder, long tasks'), async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'batch500-'));
  const files = {};
  for (let i = 0; i < 500; i += 1) {
    const rel = `many/${String(i % 7)}/f-${i}.bin`;
    const size = 10 * 1024 + ((i * 7919) % (490 * 1024));
    files[rel] = Buffer.alloc(size, i % 251);
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), files[rel]);
  }
  const page = await open();
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => [Math.round(e.duration), Math.round(e.startTime)])))
      .observe({ type: 'longtask', buffered: false });
    document.querySelector('oss-upload input[webkitdirectory]').addEventListener('change', () => { window.changedAt = Math.round(performance.now()); }, { capture: true });
  });
  await env.emulator.call('DELETE', 'requests');
  await page.setInputFiles('oss-upload input[webkitdirectory]', path.join(root, 'many'));
  await page.waitForFunction(() => Object.keys(window.completed).length === 500, null, { timeout: 240_000, polling: 500 });
  await storedUnder(page, files, 'element/');
  // From the picker's change event on: before it, the browser itself builds the 500 Files
  // (one task of ~180 ms here, the same with no script on the page).
  const { longTasks, changedAt } = await page.evaluate(() => ({ longTasks: window.longTasks, changedAt: window.changedAt }));
  const ours = longTasks.filter(([ms, at]) => at >= changedAt && ms > 50);
  assert.deepEqual(ours, [], 'no main-thread task over 50 ms');
  // Never more requests at once than the client's budget (6 connections).
  const log = (await env.emulator.call('GET', 'requests')).filter((e) => e.key?.startsWith('element/many/'));
  const edges = log.flatMap((e) => [[e.startMs, 1], [e.endMs, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) {
    now += d;
    most = Math.max(most, now);
  }
  assert.ok(most <= 6, `${most} requests at once`);
  await page.close();
});
