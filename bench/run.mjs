// `make bench`: every contender on the same files, same parallelism and part size, in one run,
// alternating, several repetitions, against the local server in --memory mode. Prints a table
// and writes bench/results/latest.json and bench/results/chart.svg.
//   BENCH_SIZE_MB (default 1024): the big file; BENCH_REPS (default 5): repetitions.
//   BENCH_ONLY='ours+crc64,raw' and BENCH_WORKLOADS='0,2' (indices) run a subset, for
//   investigating; such a run prints its table but leaves bench/results alone.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile, stat, readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OSSNode from 'ali-oss';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;
const BIG = Number(process.env.BENCH_SIZE_MB ?? 1024) * MiB;
const REPS = Number(process.env.BENCH_REPS ?? 5);
const ID = 'LTAI5tBenchKey';
const SECRET = 'BenchSecret0123456789abcdefghij';
const ALL_CONTENDERS = ['raw', 'ours', 'ours+crc64', 'ali-oss'];
const CONTENDERS = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : ALL_CONTENDERS;

const ALL_WORKLOADS = [
  { id: `${BIG / MiB} MiB, parallel 5`, files: [BIG], parallel: 5, partSize: 8 * MiB },
  { id: '100 × 1 MiB, parallel 5', files: Array(100).fill(MiB), parallel: 5, partSize: MiB },
  { id: '256 MiB, parallel 1', files: [256 * MiB], parallel: 1, partSize: 8 * MiB },
  { id: '256 MiB, parallel 8', files: [256 * MiB], parallel: 8, partSize: 8 * MiB },
  // OSS's most parts (#22): does a part cost more once thousands are done? Raw and ours only
  // (ali-oss would take half an hour); `spread` is the time of the last 1,000 parts over the
  // first 1,000's, from the server's log.
  { id: '10,000 parts of 100 KiB, parallel 5', files: [10000 * 100 * 1024], parallel: 5, partSize: 100 * 1024,
    contenders: ['raw', 'ours'], spread: true },
];
const WORKLOADS = process.env.BENCH_WORKLOADS
  ? process.env.BENCH_WORKLOADS.split(',').map((i) => ALL_WORKLOADS[Number(i)])
  : ALL_WORKLOADS;
const PARTIAL = CONTENDERS !== ALL_CONTENDERS || WORKLOADS !== ALL_WORKLOADS;

async function makeFile(size, name) {
  const dir = path.join(os.tmpdir(), 'oss-bench');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const existing = await stat(file).catch(() => null);
  if (existing?.size === size) return file;
  const block = Buffer.alloc(Math.min(size, 16 * MiB) || 1);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  const chunks = [];
  for (let done = 0; done < size; done += block.length) chunks.push(block.subarray(0, Math.min(block.length, size - done)));
  await writeFile(file, Buffer.concat(chunks.length > 64 ? [] : chunks));
  if (chunks.length > 64) {
    const { open } = await import('node:fs/promises');
    const h = await open(file, 'w');
    for (const c of chunks) await h.write(c);
    await h.close();
  }
  return file;
}

async function startEmulator() {
  const proc = spawn(path.join(root, 'target/release/oss-emulator'), ['--listen', '127.0.0.1:0', '--memory',
    '--bucket', 'demo-bucket', '--access-key-id', ID, '--access-key-secret', SECRET], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', () => reject(new Error('the emulator exited')));
  });
  return { url: line.replace('listening on ', ''), stop: () => proc.kill() };
}

/**
 * Renderer processes' resident memory (KiB, as ps shows it) and CPU time (clock ticks), read
 * from /proc: spawning ps and cat ten times a second from this process (which holds a picked
 * 1 GiB file's worth of memory) cost enough system time to stall the run.
 */
function renderers() {
  let rss = 0;
  let cpu = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=renderer')) continue;
      rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? 0);
      const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
      cpu += Number(fields[11]) + Number(fields[12]);
    } catch { /* gone */ }
  }
  return { rss, cpu };
}

/**
 * Waits until the renderers' memory is quiet: RSS moving less than 256 KiB over a second (at
 * most 15 s). A page that has just loaded, and the spare renderer Chromium starts beside it
 * for the next navigation, grow by 15–20 MiB in their first seconds whatever the page does;
 * measuring from before that counted the browser's start-up as upload memory (raw fetch alone
 * then "grew" 35 MiB uploading 1 MiB files five at a time).
 */
async function quiet() {
  const samples = [renderers().rss];
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    samples.push(renderers().rss);
    const recent = samples.slice(-5);
    if (recent.length === 5 && Math.max(...recent) - Math.min(...recent) < 256) return;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const emulator = await startEmulator();
  const port = new URL(emulator.url).port;
  const web = await serve(root);
  const node = new OSSNode({ endpoint: `http://localhost:${port}`, sldEnable: true, bucket: 'demo-bucket', accessKeyId: ID, accessKeySecret: SECRET });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'] });
  const results = [];
  for (const w of WORKLOADS) {
    w.paths = await Promise.all(w.files.map((size, i) => makeFile(size, `w${size}-${i}.bin`)));
  }
  for (let rep = 0; rep < REPS; rep += 1) {
    for (const w of WORKLOADS) {
      const cs = CONTENDERS.filter((c) => !w.contenders || w.contenders.includes(c));
      const order = cs.map((_, i) => cs[(i + rep) % cs.length]);
      for (const contender of order) {
        const page = await browser.newPage();
        page.on('pageerror', (e) => process.stderr.write(`${contender}: page error: ${e.message}\n`));
        page.on('crash', () => process.stderr.write(`${contender}: the page crashed\n`));
        await page.goto(`${web.url}/bench/page.html`);
        await page.setInputFiles('#files', w.paths);
        await page.waitForFunction(() => window.runContender);
        const prefix = `bench/${rep}/${w.id}/${contender}/`;
        const options = { endpoint: emulator.url, port, id: ID, secret: SECRET, parallel: w.parallel,
          partSize: w.partSize, crc64: contender === 'ours+crc64', prefix };
        let uploads = [];
        // The raw flow's Initiate and Complete run in Node; they count in its time, as the
        // library's own Initiate and Complete count in its.
        let rawOverheadMs = 0;
        if (contender === 'raw') {
          const initStarted = performance.now();
          // Initiate and presign in Node; the page only PUTs.
          options.plans = [];
          for (const [i, size] of w.files.entries()) {
            const name = `${prefix}${i}`;
            if (size <= w.partSize) {
              options.plans.push({ single: true, parts: [{ number: 1, start: 0, end: size,
                url: node.signatureUrl(name, { method: 'PUT', expires: 3600, 'Content-Type': 'application/octet-stream' }) }] });
            } else {
              const { uploadId } = await node.initMultipartUpload(name);
              const parts = [];
              for (let n = 1; (n - 1) * w.partSize < size; n += 1) {
                parts.push({ number: n, start: (n - 1) * w.partSize, end: Math.min(n * w.partSize, size),
                  url: node.signatureUrl(name, { method: 'PUT', expires: 3600, 'Content-Type': 'application/octet-stream',
                    subResource: { partNumber: n, uploadId } }) });
              }
              options.plans.push({ single: false, parts });
              uploads.push({ name, uploadId });
            }
          }
          rawOverheadMs += performance.now() - initStarted;
        }
        const name = contender === 'ours+crc64' ? 'ours' : contender === 'ali-oss' ? 'alioss' : contender;
        await quiet();
        const before = renderers();
        let peak = before.rss;
        const poll = setInterval(() => { peak = Math.max(peak, renderers().rss); }, 100);
        const run = await page.evaluate(([n, o]) => window.runContender(n, o), [name, options]);
        clearInterval(poll);
        const after = renderers();
        if (contender === 'raw') {
          const completeStarted = performance.now();
          for (const [i, up] of uploads.entries()) {
            const parts = run.result[i].sort((a, b) => a.number - b.number);
            await node.completeMultipartUpload(up.name, up.uploadId, parts);
          }
          rawOverheadMs += performance.now() - completeStarted;
          run.ms += rawOverheadMs;
        }
        const bytes = w.files.reduce((a, b) => a + b, 0);
        const spread = w.spread ? await partSpread(emulator.url, prefix) : undefined;
        results.push({ rep, workload: w.id, contender, ms: run.ms, mbps: bytes / MiB / (run.ms / 1000),
          memoryGrowthMiB: (peak - before.rss) / 1024, longestTaskMs: run.longestTask, cpuS: (after.cpu - before.cpu) / 100, spread });
        const long = run.longTasks.map((t) => `${t.ms.toFixed(0)} ms at ${(t.at / 1000).toFixed(2)} s${contender === 'ali-oss' ? '' : ` (${t.what})`}`).join(', ');
        process.stderr.write(`${w.id} ${contender} rep ${rep}: ${(bytes / MiB / (run.ms / 1000)).toFixed(0)} MB/s, +${((peak - before.rss) / 1024).toFixed(0)} MiB${spread ? `, last/first 1,000 parts ${spread.toFixed(2)}` : ''}${long ? `, long tasks: ${long}` : ''}\n`);
        await page.close();
        // The server keeps objects in memory: free this run's before the next.
        for (const i of w.files.keys()) await node.delete(`${prefix}${i}`).catch(() => {});
      }
    }
  }
  await browser.close();
  web.close();
  emulator.stop();

  const table = [];
  for (const w of WORKLOADS) {
    const raw = median(results.filter((r) => r.workload === w.id && r.contender === 'raw').map((r) => r.mbps));
    for (const c of CONTENDERS.filter((x) => !w.contenders || w.contenders.includes(x))) {
      const rs = results.filter((r) => r.workload === w.id && r.contender === c);
      const mbps = rs.map((r) => r.mbps);
      // Each repetition runs the contenders back to back, so a ratio within one repetition
      // compares runs under the same conditions; the machine drifts between repetitions.
      const paired = rs.map((r) => r.mbps / results.find((x) => x.rep === r.rep && x.workload === w.id && x.contender === 'raw')?.mbps);
      table.push({ workload: w.id, contender: c, mbps: median(mbps), min: Math.min(...mbps), max: Math.max(...mbps),
        ratio: median(mbps) / raw, pairedRatio: median(paired), seconds: median(rs.map((r) => r.ms)) / 1000,
        memoryGrowthMiB: Math.max(...rs.map((r) => r.memoryGrowthMiB)), longestTaskMs: Math.max(...rs.map((r) => r.longestTaskMs)),
        cpuS: median(rs.map((r) => r.cpuS)), limitMiB: w.parallel * w.partSize / MiB + 16,
        spread: w.spread ? median(rs.map((r) => r.spread)) : undefined });
    }
  }
  const gz = async (f) => { const b = await readFile(f); return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length }; };
  // Everything `import OSS from 'oss-browser-upload'` loads: the wasm core and index.js (the
  // JavaScript shell with wasm-bindgen's glue, bundled). The drop-in uploader is a separate
  // entry that pages import only if they want its UI.
  const pkgFiles = ['oss_browser_upload_bg.wasm', 'index.js'];
  const ours = (await Promise.all(pkgFiles.map((f) => gz(path.join(root, 'pkg', f))))).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }));
  const alioss = await gz(path.join(root, 'node_modules/ali-oss/dist/aliyun-oss-sdk.min.js'));
  const machine = `${os.cpus().length} × ${os.cpus()[0].model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Chromium ${browser.version?.() ?? ''}`;
  const out = { date: new Date().toISOString(), machine, reps: REPS, table, bundle: { ours, alioss }, runs: results };
  if (!PARTIAL) {
    await writeFile(path.join(root, 'bench/results/latest.json'), JSON.stringify(out, null, 2));
    await writeFile(path.join(root, 'bench/results/chart.svg'), chart(table));
  }

  const pad = (s, n) => String(s).padEnd(n);
  console.log(`\n${out.date} — ${machine}, median of ${REPS}\n`);
  console.log(`${pad('workload', 26)}${pad('contender', 12)}${pad('MB/s (min–max)', 20)}${pad('× raw', 8)}${pad('paired', 8)}${pad('mem MiB', 10)}${pad('limit', 8)}${pad('long task', 11)}CPU s`);
  for (const r of table) {
    console.log(`${pad(r.workload, 26)}${pad(r.contender, 12)}${pad(`${r.mbps.toFixed(0)} (${r.min.toFixed(0)}–${r.max.toFixed(0)})`, 20)}${pad(r.ratio.toFixed(3), 8)}${pad(r.pairedRatio.toFixed(3), 8)}${pad(r.memoryGrowthMiB.toFixed(0), 10)}${pad(r.limitMiB, 8)}${pad(`${r.longestTaskMs.toFixed(0)} ms`, 11)}${r.cpuS.toFixed(1)}`);
  }
  console.log(`\nbundle: this library ${(ours.raw / 1024).toFixed(1)} KiB (${(ours.gzip / 1024).toFixed(1)} KiB gzip -9), ali-oss min.js ${(alioss.raw / 1024).toFixed(1)} KiB (${(alioss.gzip / 1024).toFixed(1)} KiB gzip -9)`);
}

/**
 * How much longer the last 1,000 parts took than the first 1,000, by the server's request log:
 * from the first part's arrival to the 1,000th part's answer, against the same for the last.
 */
async function partSpread(endpoint, prefix) {
  const log = await (await fetch(`${endpoint}/_emulator/requests`)).json();
  const parts = log.filter((e) => e.op === 'UploadPart' && e.status === 200 && e.key.startsWith(prefix))
    .sort((a, b) => a.endMs - b.endMs);
  const span = (xs) => xs.at(-1).endMs - Math.min(...xs.map((e) => e.startMs));
  await fetch(`${endpoint}/_emulator/requests`, { method: 'DELETE' });
  return parts.length < 2000 ? NaN : span(parts.slice(-1000)) / span(parts.slice(0, 1000));
}

function chart(table) {
  const workloads = [...new Set(table.map((r) => r.workload))];
  const colors = { raw: '#9aa5b1', ours: '#2680c2', 'ours+crc64': '#0b69a3', 'ali-oss': '#e08a00' };
  const max = Math.max(...table.map((r) => r.mbps));
  const rowH = 22;
  const width = 760;
  let y = 30;
  let body = '';
  for (const w of workloads) {
    body += `<text x="10" y="${y}" font-weight="bold">${w}</text>`;
    y += 8;
    for (const r of table.filter((t) => t.workload === w)) {
      const len = (r.mbps / max) * (width - 260);
      body += `<text x="20" y="${y + 15}">${r.contender}</text><rect x="120" y="${y + 3}" width="${len.toFixed(1)}" height="16" fill="${colors[r.contender]}"/>`;
      body += `<text x="${(125 + len).toFixed(1)}" y="${y + 15}">${r.mbps.toFixed(0)} MB/s</text>`;
      y += rowH;
    }
    y += 16;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>\n`;
}

await main();
