// The package imported by name from a Vite app and from a webpack 5 app, each built with no
// wasm plugin and no configuration beyond an entry and an output, then run in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { KEY_ID, SECRET, environment, root, serve } from './harness.mjs';

const env = environment({ web: false });

async function runApp(dist, bundler) {
  const web = await serve(dist);
  try {
    const page = await env.browser.newPage();
    const q = new URLSearchParams({ endpoint: env.emulator.url, id: KEY_ID, secret: SECRET, bundler });
    await page.goto(`${web.url}/index.html?${q}`);
    await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 30_000 });
    return JSON.parse(await page.evaluate(() => document.body.dataset.result));
  } finally {
    web.close();
  }
}

test('a Vite app bundles and runs it', async () => {
  const dist = await mkdtemp(path.join(tmpdir(), 'vite-'));
  await viteBuild({ root: path.join(root, 'tests/bundlers'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const result = await runApp(dist, 'vite');
  assert.equal(result.error, undefined);
  assert.equal(result.same, true);
  assert.match(result.etag, /-3"$/);
});

test('a webpack 5 app bundles and runs it', async () => {
  const dist = await mkdtemp(path.join(tmpdir(), 'webpack-'));
  const compiler = webpack({
    mode: 'production',
    entry: path.join(root, 'tests/bundlers/app.js'),
    output: { path: dist, filename: 'main.js' },
  });
  await new Promise((resolve, reject) => compiler.run((err, stats) => {
    if (err || stats.hasErrors()) reject(err ?? new Error(stats.toString('errors-only')));
    else resolve();
  }));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><meta charset="utf-8"><script src="main.js"></script>');
  const result = await runApp(dist, 'webpack');
  assert.equal(result.error, undefined);
  assert.equal(result.same, true);
  assert.match(result.etag, /-3"$/);
});
