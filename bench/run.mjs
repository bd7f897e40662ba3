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
import { startLink } from './link.mjs';
import { chart } from './chart.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;
const BIG = Number(process.env.BENCH_SIZE_MB ?? 1024) * MiB;
const REPS = Number(process.env.BENCH_REPS ?? 5);
const ID = 'LTAI5tBenchKey';
const SECRET = 'BenchSecret0123456789abcdefghij';
// Contenders by what they are: the library is "ours" with its defaults (resume and CRC64 on),
// and each variant is named by the options it changes.
const ALL_CONTENDERS = {
  raw: { page: 'raw' },
  // raw, and each part read once more in the page while it is sent: what hashing a part in
  // the page costs before any hashing is done (the floor for CRC64 on, #21).
  'raw + read': { page: 'raw', mode: 'read' },
  ours: { page: 'ours', options: {} },
  'ours crc64:false': { page: 'ours', options: { crc64: false } },
  'ours resume:false crc64:false': { page: 'ours', options: { resume: false, crc64: false } },
  // ali-oss's part size, ours until #21: what the size-grown default is measured against.
  'ours partSize:1MiB': { page: 'ours', options: { partSize: MiB } },
  'ali-oss': { page: 'alioss' },
};
const CONTENDERS = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : Object.keys(ALL_CONTENDERS);
const LIBRARY = ['raw', 'ours', 'ours crc64:false', 'ali-oss'];
const ON_LINKS = [...LIBRARY, 'ours partSize:1MiB'];

// Loopback workloads give every contender the same part size and parallelism. Link profiles
// (#21) go through bench/link.mjs and give each library its own defaults, raw the same plan as
// ours: what users get on the links they have.
const ALL_WORKLOADS = [
  { id: `${BIG / MiB} MiB, parallel 5`, files: [BIG], parallel: 5, partSize: 8 * MiB,
    contenders: ['raw', 'raw + read', 'ours', 'ours crc64:false', 'ours resume:false crc64:false', 'ali-oss'] },
  { id: '100 × 1 MiB, parallel 5', files: Array(100).fill(MiB), parallel: 5, partSize: MiB, contenders: LIBRARY },
  { id: '256 MiB, parallel 1', files: [256 * MiB], parallel: 1, partSize: 8 * MiB, contenders: LIBRARY },
  { id: '256 MiB, parallel 8', files: [256 * MiB], parallel: 8, partSize: 8 * MiB, contenders: LIBRARY },
  // OSS's most parts (#22): does a part cost more once thousands are done? Not ali-oss (it
  // would take half an hour); `spread` is the time of the last 1,000 parts over the first
  // 1,000's, from the server's log.
  { id: '10,000 parts of 100 KiB, parallel 5', files: [10000 * 100 * 1024], parallel: 5, partSize: 100 * 1024,
    contenders: ['raw', 'ours', 'ours crc64:false'], spread: true },
  { id: 'far and fast: 100 ms, 200 Mbit/s', link: { rttMs: 100, upMbps: 200, downMbps: 200 },
    files: [Number(process.env.BENCH_FAR_MB ?? 256) * MiB], contenders: ON_LINKS },
  { id: 'home: 30 ms, 40 Mbit/s up', link: { rttMs: 30, upMbps: 40, downMbps: 200 },
    files: [Number(process.env.BENCH_HOME_MB ?? 64) * MiB], contenders: ON_LINKS },
  { id: 'mobile: 80 ms, 8 Mbit/s up, 1 % resets', link: { rttMs: 80, upMbps: 8, downMbps: 30, resetRate: 0.01 },
    files: [Number(process.env.BENCH_MOBILE_MB ?? 16) * MiB], contenders: ON_LINKS },
];
const WORKLOADS = process.env.BENCH_WORKLOADS
  ? process.env.BENCH_WORKLOADS.split(',').map((i) => ALL_WORKLOADS[Number(i)])
  : ALL_WORKLOADS;
const PARTIAL = process.env.BENCH_ONLY || WORKLOADS !== ALL_WORKLOADS;

/**
 * CRC-64/XZ of a file, to check what each contender stored (two 32-bit halves: BigInt per
 * byte would take minutes for 256 MiB).
 */
const CRC_TABLE = (() => {
  const lo = new Uint32Array(256);
  const hi = new Uint32Array(256);
  for (let i = 0; i < 256; i += 1) {
    let l = i;
    let h = 0;
    for (let k = 0; k < 8; k += 1) {
      const odd = l & 1;
      l = ((l >>> 1) | (h << 31)) >>> 0;
      h >>>= 1;
      if (odd) { l = (l ^ 0xD7870F42) >>> 0; h = (h ^ 0xC96C5795) >>> 0; }
    }
    lo[i] = l;
    hi[i] = h;
  }
  return { lo, hi };
})();
async function crc64Of(file) {
  let l = 0xFFFFFFFF;
  let h = 0xFFFFFFFF;
  const { lo, hi } = CRC_TABLE;
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * MiB })) {
    for (let i = 0; i < chunk.length; i += 1) {
      const t = (l ^ chunk[i]) & 0xff;
      l = (((l >>> 8) | (h << 24)) ^ lo[t]) >>> 0;
      h = ((h >>> 8) ^ hi[t]) >>> 0;
    }
  }
  return ((BigInt((~h) >>> 0) << 32n) | BigInt((~l) >>> 0)).toString();
}

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

/** Our default part size for a file, read back from what ours used (see `planOf`). */
const defaultPartSizes = new Map();

/**
 * Watches the page's requests through the DevTools protocol: how many were CORS preflights,
 * and their share of all request time (Resource Timing cannot tell: a cross-origin entry
 * without Timing-Allow-Origin hides its phases, and a preflight has no entry of its own).
 */
async function watchRequests(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    requests.set(e.requestId, { start: e.timestamp, preflight: e.type === 'Preflight' || e.initiator?.type === 'preflight' });
  });
  const end = (e) => { const r = requests.get(e.requestId); if (r) r.end = e.timestamp; };
  cdp.on('Network.loadingFinished', end);
  cdp.on('Network.loadingFailed', end);
  return () => {
    let preflights = 0;
    let preflightS = 0;
    let allS = 0;
    for (const r of requests.values()) {
      if (r.end === undefined) continue;
      allS += r.end - r.start;
      if (r.preflight) { preflights += 1; preflightS += r.end - r.start; }
    }
    return { preflights, preflightShare: allS ? preflightS / allS : 0 };
  };
}

async function main() {
  const emulator = await startEmulator();
  const port = new URL(emulator.url).port;
  const web = await serve(root);
  const direct = new OSSNode({ endpoint: `http://localhost:${port}`, sldEnable: true, bucket: 'demo-bucket', accessKeyId: ID, accessKeySecret: SECRET });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'] });
  const results = [];
  for (const w of WORKLOADS) {
    w.paths = await Promise.all(w.files.map((size, i) => makeFile(size, `w${size}-${i}.bin`)));
    if (w.link) w.crc64 = await Promise.all(w.paths.map(crc64Of));
  }
  for (let rep = 0; rep < REPS; rep += 1) {
    for (const w of WORKLOADS) {
      const cs = CONTENDERS.filter((c) => !w.contenders || w.contenders.includes(c));
      // The library's own plan first, once: raw follows it on link profiles.
      const order = cs.map((_, i) => cs[(i + rep) % cs.length]);
      while (w.link && rep === 0 && ALL_CONTENDERS[order[0]].page === 'raw') order.push(order.shift());
      const link = w.link ? await startLink({ target: emulator.url, seed: rep + 1, ...w.link }) : null;
      const endpoint = link ? link.url : emulator.url;
      const linkPort = new URL(endpoint).port;
      // raw's Initiate and Complete go over the same link as the libraries' own.
      const node = link ? new OSSNode({ endpoint: `http://localhost:${linkPort}`, sldEnable: true, bucket: 'demo-bucket',
        accessKeyId: ID, accessKeySecret: SECRET, timeout: '300s' }) : direct;
      for (const contender of order) {
        const spec = ALL_CONTENDERS[contender];
        const page = await browser.newPage();
        page.on('pageerror', (e) => process.stderr.write(`${contender}: page error: ${e.message}\n`));
        page.on('crash', () => process.stderr.write(`${contender}: the page crashed\n`));
        await page.goto(`${web.url}/bench/page.html`);
        await page.setInputFiles('#files', w.paths);
        await page.waitForFunction(() => window.runContender);
        const requests = link ? await watchRequests(page) : null;
        const prefix = `bench/${rep}/${w.id}/${contender}/`;
        // On a link each library keeps its own defaults; raw gets ours' plan.
        const partSize = w.link ? undefined : w.partSize;
        const parallel = w.link ? undefined : w.parallel;
        const options = { endpoint, port: linkPort, id: ID, secret: SECRET, parallel, partSize, prefix,
          ours: spec.options, mode: spec.mode, retries: w.link ? 5 : 0 };
        let uploads = [];
        // The raw flow's Initiate and Complete run in Node; they count in its time, as the
        // library's own Initiate and Complete count in its.
        let rawOverheadMs = 0;
        if (spec.page === 'raw') {
          const initStarted = performance.now();
          const rawPartSize = partSize ?? defaultPartSizes.get(w.files[0]);
          const rawParallel = parallel ?? 5;
          options.parallel = rawParallel;
          // Initiate and presign in Node; the page only PUTs.
          options.plans = [];
          for (const [i, size] of w.files.entries()) {
            const name = `${prefix}${i}`;
            if (size <= rawPartSize) {
              options.plans.push({ single: true, parts: [{ number: 1, start: 0, end: size,
                url: node.signatureUrl(name, { method: 'PUT', expires: 3600, 'Content-Type': 'application/octet-stream' }) }] });
            } else {
              const { uploadId } = await node.initMultipartUpload(name);
              const parts = [];
              for (let n = 1; (n - 1) * rawPartSize < size; n += 1) {
                parts.push({ number: n, start: (n - 1) * rawPartSize, end: Math.min(n * rawPartSize, size),
                  url: node.signatureUrl(name, { method: 'PUT', expires: 3600, 'Content-Type': 'application/octet-stream',
                    subResource: { partNumber: n, uploadId } }) });
              }
              options.plans.push({ single: false, parts });
              uploads.push({ name, uploadId });
            }
          }
          rawOverheadMs += performance.now() - initStarted;
        }
        link?.resetStats();
        await quiet();
        const before = renderers();
        let peak = before.rss;
        const poll = setInterval(() => { peak = Math.max(peak, renderers().rss); }, 100);
        const run = await page.evaluate(([n, o]) => window.runContender(n, o), [spec.page, options]);
        clearInterval(poll);
        const after = renderers();
        if (spec.page === 'raw' && run.ok) {
          const completeStarted = performance.now();
          for (const [i, up] of uploads.entries()) {
            const parts = run.result[i].sort((a, b) => a.number - b.number);
            await node.completeMultipartUpload(up.name, up.uploadId, parts);
          }
          rawOverheadMs += performance.now() - completeStarted;
          run.ms += rawOverheadMs;
        }
        if (contender === 'ours' && run.ok && run.partSize) defaultPartSizes.set(w.files[0], run.partSize);
        const bytes = w.files.reduce((a, b) => a + b, 0);
        const spread = w.spread && run.ok ? await partSpread(emulator.url, prefix) : undefined;
        const net = link ? { ...link.stats(), ...requests() } : {};
        // Whole: every object stored, with the file's CRC64 (checked directly, not over the link).
        let whole = run.ok;
        if (w.link && run.ok) {
          for (const [i] of w.files.entries()) {
            const head = await direct.head(`${prefix}${i}`).catch(() => null);
            if (head?.res.headers['x-oss-hash-crc64ecma'] !== w.crc64[i]) whole = false;
          }
        }
        results.push({ rep, workload: w.id, contender, ok: run.ok, whole, error: run.error, ms: run.ms,
          mbps: run.ok ? bytes / MiB / (run.ms / 1000) : NaN,
          partSize: run.partSize ?? options.partSize ?? (spec.page === 'alioss' ? MiB : defaultPartSizes.get(w.files[0])),
          memoryGrowthMiB: (peak - before.rss) / 1024, longestTaskMs: run.longestTask, cpuS: (after.cpu - before.cpu) / 100, spread,
          preflights: net.preflights, preflightShare: net.preflightShare, requests: net.requests, resets: net.resets, lostBytes: net.lostBodyBytes });
        const long = run.longTasks.map((t) => `${t.ms.toFixed(0)} ms at ${(t.at / 1000).toFixed(2)} s${contender === 'ali-oss' ? '' : ` (${t.what})`}`).join(', ');
        const how = run.ok ? `${(bytes / MiB / (run.ms / 1000)).toFixed(1)} MB/s${whole ? '' : ', NOT WHOLE'}` : `failed: ${run.error}`;
        const netNote = link ? `, ${net.requests} requests (${net.preflights} preflights, ${(100 * net.preflightShare).toFixed(0)} % of request time), ${net.resets} resets (${(net.lostBodyBytes / MiB).toFixed(1)} MiB lost)` : '';
        process.stderr.write(`${w.id} ${contender} rep ${rep}: ${how}, +${((peak - before.rss) / 1024).toFixed(0)} MiB${netNote}${spread ? `, last/first 1,000 parts ${spread.toFixed(2)}` : ''}${long ? `, long tasks: ${long}` : ''}\n`);
        await page.close();
        // The server keeps objects in memory: free this run's before the next.
        for (const i of w.files.keys()) await direct.delete(`${prefix}${i}`).catch(() => {});
      }
      await link?.close();
    }
  }
  await browser.close();
  web.close();
  emulator.stop();

  const table = [];
  for (const w of WORKLOADS) {
    const of = (c) => results.filter((r) => r.workload === w.id && r.contender === c);
    const okMbps = (c) => of(c).filter((r) => r.ok).map((r) => r.mbps);
    const raw = median(okMbps('raw'));
    const alioss = median(okMbps('ali-oss'));
    for (const c of CONTENDERS.filter((x) => !w.contenders || w.contenders.includes(x))) {
      const rs = of(c);
      const ok = rs.filter((r) => r.ok);
      const mbps = ok.map((r) => r.mbps);
      // Each repetition runs the contenders back to back, so a ratio within one repetition
      // compares runs under the same conditions; the machine drifts between repetitions.
      const pairedTo = (other) => median(ok.map((r) => r.mbps / results.find((x) => x.rep === r.rep && x.workload === w.id && x.contender === other && x.ok)?.mbps).filter(Number.isFinite));
      table.push({ workload: w.id, link: w.link, contender: c, mbps: median(mbps), min: Math.min(...mbps), max: Math.max(...mbps),
        ratio: median(mbps) / raw, pairedRatio: pairedTo('raw'), aliossRatio: median(mbps) / alioss, pairedAlioss: pairedTo('ali-oss'),
        seconds: median(ok.map((r) => r.ms)) / 1000, partSize: median(rs.map((r) => r.partSize).filter(Boolean)),
        memoryGrowthMiB: Math.max(...rs.map((r) => r.memoryGrowthMiB)), longestTaskMs: Math.max(...rs.map((r) => r.longestTaskMs)),
        cpuS: median(rs.map((r) => r.cpuS)), limitMiB: w.partSize ? w.parallel * w.partSize / MiB + 16 : undefined,
        spread: w.spread ? median(ok.map((r) => r.spread)) : undefined,
        runs: rs.length, whole: rs.filter((r) => r.whole).length,
        preflightShare: w.link ? median(rs.map((r) => r.preflightShare)) : undefined,
        resets: w.link ? rs.reduce((a, r) => a + r.resets, 0) : undefined,
        lostMiB: w.link ? rs.reduce((a, r) => a + r.lostBytes, 0) / MiB : undefined });
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
  console.log(`${pad('workload', 40)}${pad('contender', 31)}${pad('MB/s (min–max)', 20)}${pad('× raw', 8)}${pad('paired', 8)}${pad('× ali-oss', 10)}${pad('part', 9)}${pad('mem MiB', 10)}${pad('long task', 11)}${pad('CPU s', 7)}link`);
  for (const r of table) {
    const linkNote = r.link ? `${r.whole}/${r.runs} whole, preflights ${(100 * r.preflightShare).toFixed(0)} % of request time, ${r.resets} resets, ${r.lostMiB.toFixed(1)} MiB re-sent` : '';
    console.log(`${pad(r.workload, 40)}${pad(r.contender, 31)}${pad(`${r.mbps?.toFixed(1)} (${r.min.toFixed(1)}–${r.max.toFixed(1)})`, 20)}${pad(r.ratio.toFixed(3), 8)}${pad(r.pairedRatio?.toFixed(3), 8)}${pad(r.aliossRatio.toFixed(2), 10)}${pad(r.partSize ? `${(r.partSize / MiB).toFixed(1)} MiB` : '', 9)}${pad(`${r.memoryGrowthMiB.toFixed(0)}${r.limitMiB ? ` (${r.limitMiB})` : ''}`, 10)}${pad(`${r.longestTaskMs.toFixed(0)} ms`, 11)}${pad(r.cpuS.toFixed(1), 7)}${linkNote}`);
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

await main();
