// The package imported by name from a Vite app and from a webpack 5 app, each built with no
// wasm plugin and no configuration beyond an entry and an output, then run in Chromium; and the
// same Vite app served by Vite's dev server, with no configuration at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build as viteBuild, createServer as viteServer } from 'vite';
import webpack from 'webpack';
import { KEY_ID, SECRET, environment, playwrightOnly, root, serve, watchConsole } from './harness.mjs';

const env = environment({ web: false });

async function runApp(dist, bundler) {
  const web = await serve(dist);
  try {
    const { result, problems } = await openApp(web.url, bundler);
    assert.deepEqual(problems, []);
    return result;
  } finally {
    web.close();
  }
}

/** Opens the app at `base`, waits for its result; also returns what the page fetched and logged. */
async function openApp(base, bundler) {
  const page = await env.browser.newPage();
  const responses = [];
  const problems = watchConsole(page);
  page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] }));
  try {
    const q = new URLSearchParams({ endpoint: env.emulator.url, id: KEY_ID, secret: SECRET, bundler });
    await page.goto(`${base}/index.html?${q}`);
    await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 30_000 });
    return { result: JSON.parse(await page.evaluate(() => document.body.dataset.result)), responses, problems };
  } finally {
    await page.close();
  }
}

test('a Vite app bundles and runs it', playwrightOnly("the page's responses (the wasm's Content-Type, 4xx) and the browser's console"), async () => {
  const dist = await mkdtemp(path.join(tmpdir(), 'vite-'));
  await viteBuild({ root: path.join(root, 'tests/bundlers'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const result = await runApp(dist, 'vite');
  assert.equal(result.error, undefined);
  assert.equal(result.same, true);
  assert.match(result.etag, /-3"$/);
});

test('a webpack 5 app bundles and runs it', playwrightOnly("the page's responses (the wasm's Content-Type, 4xx) and the browser's console"), async () => {
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
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script src="main.js"></script>');
  const result = await runApp(dist, 'webpack');
  assert.equal(result.error, undefined);
  assert.equal(result.same, true);
  assert.match(result.etag, /-3"$/);
});

test("Vite's dev server serves it with no configuration", playwrightOnly("the page's responses (the wasm's Content-Type, 4xx) and the browser's console"), async () => {
  // The app gets the package as an install from the registry would give it: a real folder in
  // its node_modules (not a link), which the dev server pre-bundles into node_modules/.vite.
  const app = await mkdtemp(path.join(tmpdir(), 'vite-dev-'));
  await cp(path.join(root, 'tests/bundlers'), app, { recursive: true });
  await mkdir(path.join(app, 'node_modules'));
  await cp(path.join(root, 'pkg'), path.join(app, 'node_modules/oss-browser-upload'), { recursive: true });
  const server = await viteServer({ root: app, configFile: false, logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
  await server.listen();
  try {
    const { result, responses, problems } = await openApp(server.resolvedUrls.local[0].replace(/\/$/, ''), 'vite-dev');
    assert.equal(result.error, undefined);
    assert.equal(result.same, true);
    assert.match(result.etag, /-3"$/);
    assert.deepEqual(problems, []);
    // The case that could break: the glue moved into Vite's pre-bundle cache, yet its
    // `new URL('…_bg.wasm', import.meta.url)` still finds the wasm, served as application/wasm
    // (which instantiateStreaming requires).
    assert.ok(responses.some((r) => r.url.includes('/node_modules/.vite/deps/oss-browser-upload.js')), 'the package was pre-bundled');
    const wasm = responses.filter((r) => r.url.includes('oss_browser_upload_bg.wasm'));
    assert.equal(wasm.length, 1);
    assert.equal(wasm[0].status, 200);
    assert.equal(wasm[0].type, 'application/wasm');
  } finally {
    await server.close();
  }
});
