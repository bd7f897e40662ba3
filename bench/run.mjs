// `make bench`: every contender on the same files, same parallelism and part size, in one run,
// alternating, several repetitions, against the local server in --memory mode. Prints a table
// and writes bench/results/latest.json and bench/results/chart.svg.
//   BENCH_SIZE_MB (default 1024): the big file; BENCH_REPS (default 5): repetitions; the link
//   profiles' sizes: BENCH_FAR_MB, BENCH_HOME_MB, BENCH_MOBILE_MB, BENCH_SLOW_MB, BENCH_SAT_MB,
//   BENCH_FLAKY_MB (MiB) and BENCH_MANY_FILES (files of 6 MiB).
//   BENCH_ONLY='ours+crc64,raw' and BENCH_WORKLOADS='0,2' (indices) run a subset, for
//   investigating; such a run prints its table but leaves bench/results alone (its results go
//   to $TMPDIR/oss-bench/partial.json).
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
  // Bodies by fetch, as before XMLHttpRequest became the default (#29): which of the two
  // carries bodies better on each link is decided by these figures.
  'ours transport:fetch': { page: 'ours', client: { transport: 'fetch' } },
  'ali-oss': { page: 'alioss' },
  // One request per file (#31): PutObject pays a CORS preflight per object name, a PostObject
  // form none; put() sends small objects as forms unless told not to.
  'ours put': { page: 'ours', method: 'put' },
  'ours put postObject:false': { page: 'ours', method: 'put', client: { postObject: false } },
  'ours postObject': { page: 'ours', method: 'postObject' },
  'ali-oss put': { page: 'alioss', method: 'put' },
};
const ONE_REQUEST = ['ours put', 'ours put postObject:false', 'ours postObject', 'ali-oss put'];
// 200 files of 50–200 KiB, spread evenly, the same in every run.
const SMALL_FILES = Array.from({ length: Number(process.env.BENCH_SMALL_FILES ?? 200) }, (_, i) => (50 + ((i * 37) % 151)) * 1024);
const CONTENDERS = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : Object.keys(ALL_CONTENDERS);
const LIBRARY = ['raw', 'ours', 'ours crc64:false', 'ali-oss'];
const ON_LINKS = [...LIBRARY, 'ours partSize:1MiB', 'ours transport:fetch'];
// The links where the defaults used to break (#29) are slow to cross, minutes per contender:
// the defaults, the other transport, ali-oss's defaults and raw.
const HARD_LINKS = ['raw', 'ours', 'ours transport:fetch', 'ali-oss'];
const HOME = { rttMs: 30, upMbps: 40, downMbps: 200 };
const FLAKY_BYTES = Number(process.env.BENCH_FLAKY_MB ?? 64) * MiB;

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
  { id: 'home: 30 ms, 40 Mbit/s up', link: HOME,
    files: [Number(process.env.BENCH_HOME_MB ?? 64) * MiB], contenders: ON_LINKS },
  { id: 'mobile: 80 ms, 8 Mbit/s up, 1 % resets', link: { rttMs: 80, upMbps: 8, downMbps: 30, resetRate: 0.01 },
    files: [Number(process.env.BENCH_MOBILE_MB ?? 16) * MiB], contenders: ON_LINKS },
  // ADSL, hotel Wi-Fi, much of mobile: a big file whose parts take minutes each.
  { id: 'slow uplink: 40 ms, 4 Mbit/s up', link: { rttMs: 40, upMbps: 4, downMbps: 20 },
    files: [Number(process.env.BENCH_SLOW_MB ?? 160) * MiB], contenders: HARD_LINKS },
  // Geostationary: every request, preflight and handshake costs 600 ms.
  { id: 'satellite: 600 ms, 10 Mbit/s up', link: { rttMs: 600, upMbps: 10, downMbps: 50 },
    files: [Number(process.env.BENCH_SAT_MB ?? 32) * MiB], contenders: HARD_LINKS },
  // A user's whole drop handed to one client at once, as the drop-in uploader does: each file
  // its own upload, all started together.
  { id: `many files: ${Number(process.env.BENCH_MANY_FILES ?? 40)} × 6 MiB together, home link`, link: HOME,
    files: Array(Number(process.env.BENCH_MANY_FILES ?? 40)).fill(6 * MiB), together: true, contenders: HARD_LINKS },
  // Three outages of 5–30 s, seeded, at the same offsets for every contender of a repetition,
  // about a fifth of the file's time on the link apart, so all three fall while it is sent.
  { id: 'flaky: home link, 3 drops of 5–30 s', files: [FLAKY_BYTES], contenders: HARD_LINKS,
    link: { ...HOME, dropEveryMs: (FLAKY_BYTES * 8) / (HOME.upMbps * 1e3) / 5, dropForMs: [5000, 30000], dropCount: 3 } },
  // Small files, one request each, six at a time as the drop-in uploader takes them.
  { id: `small files: ${SMALL_FILES.length} × 50–200 KiB, loopback`, files: SMALL_FILES, parallel: 6, contenders: ONE_REQUEST, countRequests: true },
  { id: `small files: ${SMALL_FILES.length} × 50–200 KiB, far and fast`, link: { rttMs: 100, upMbps: 200, downMbps: 200 },
    files: SMALL_FILES, parallel: 6, contenders: ONE_REQUEST },
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
 * 1 GiB file's worth of memory) cost enough system time to stall the run. Only this run's
 * browser's renderers (descendants of this process): another browser on the machine, a test
 * suite's say, would otherwise count as upload memory.
 */
const mine = new Map(); // renderer pid -> whether it descends from this process
function descendsFromUs(pid) {
  for (let p = pid, hops = 0; p > 1 && hops < 16; hops += 1) {
    p = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'latin1'))?.[1] ?? 0);
    if (p === process.pid) return true;
  }
  return false;
}
function renderers() {
  let rss = 0;
  let cpu = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=renderer')) continue;
      if (!mine.has(pid)) mine.set(pid, descendsFromUs(Number(pid)));
      if (!mine.get(pid)) continue;
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

/** Ours' part size on each link workload, read back from what ours used: raw's plan there. */
const defaultPartSizes = new Map();
/** Ours' documented default (the file over 4 × parallel 5, in whole MiB, 1–8), for when ours did not run. */
const oursDefaultPartSize = (size) => Math.min(8, Math.max(1, Math.ceil(size / 20 / MiB))) * MiB;

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
        const requests = link || w.countRequests ? await watchRequests(page) : null;
        const prefix = `bench/${rep}/${w.id}/${contender}/`;
        // On a link each library keeps its own defaults; raw gets ours' plan.
        const partSize = w.link ? undefined : w.partSize;
        // Files one request each go six at a time on any link, as the drop-in uploader sends them.
        const parallel = w.link && !spec.method ? undefined : w.parallel;
        const options = { endpoint, port: linkPort, id: ID, secret: SECRET, parallel, partSize, prefix,
          ours: spec.options, client: spec.client, mode: spec.mode, method: spec.method, retries: w.link ? 5 : 0, together: w.together };
        await quiet();
        // The run starts here: every contender meets the link as it was at this point (the
        // same outages at the same offsets, the same resets drawn), and the server's log holds
        // this run's requests only.
        link?.resetStats();
        link?.rewind();
        const linkFrom = performance.now();
        await fetch(`${emulator.url}/_emulator/requests`, { method: 'DELETE' });
        const uploads = [];
        // The raw flow's Initiate and Complete run in Node; they count in its time, as the
        // library's own Initiate and Complete count in its.
        let rawOverheadMs = 0;
        if (spec.page === 'raw') {
          const initStarted = performance.now();
          const rawPartSize = partSize ?? defaultPartSizes.get(w.id) ?? oursDefaultPartSize(w.files[0]);
          // Ours' plan: five parts in flight for one upload, and six connections for all of a
          // client's uploads (the browser's per host over HTTP/1.1) when they run together.
          options.parallel = parallel ?? (w.together ? 6 : 5);
          // Initiate and presign in Node; the page only PUTs.
          options.plans = await Promise.all(w.files.map(async (size, i) => {
            const name = `${prefix}${i}`;
            const sign = (subResource) => node.signatureUrl(name, { method: 'PUT', expires: 3600,
              'Content-Type': 'application/octet-stream', ...(subResource ? { subResource } : {}) });
            if (size <= rawPartSize) return { single: true, parts: [{ number: 1, start: 0, end: size, url: sign() }] };
            const { uploadId } = await node.initMultipartUpload(name);
            const parts = [];
            for (let n = 1; (n - 1) * rawPartSize < size; n += 1) {
              parts.push({ number: n, start: (n - 1) * rawPartSize, end: Math.min(n * rawPartSize, size), url: sign({ partNumber: n, uploadId }) });
            }
            uploads[i] = { name, uploadId };
            return { single: false, parts };
          }));
          rawOverheadMs += performance.now() - initStarted;
        }
        const before = renderers();
        let peak = before.rss;
        const poll = setInterval(() => { peak = Math.max(peak, renderers().rss); }, 100);
        const run = await page.evaluate(([n, o]) => window.runContender(n, o), [spec.page, options]);
        clearInterval(poll);
        const after = renderers();
        if (spec.page === 'raw' && run.ok) {
          const completeStarted = performance.now();
          await Promise.all(uploads.map((up, i) => up && node.completeMultipartUpload(up.name, up.uploadId,
            run.result[i].sort((a, b) => a.number - b.number))));
          rawOverheadMs += performance.now() - completeStarted;
          run.ms += rawOverheadMs;
        }
        const linkMs = performance.now() - linkFrom;
        if (contender === 'ours' && run.ok && run.partSize) defaultPartSizes.set(w.id, run.partSize);
        const bytes = w.files.reduce((a, b) => a + b, 0);
        const log = await (await fetch(`${emulator.url}/_emulator/requests`)).json();
        const again = sentAgain(log, prefix);
        const spread = w.spread && run.ok ? partSpread(log, prefix) : undefined;
        const net = { ...link?.stats(), ...requests?.() };
        // How long the link was down while this contender ran: left out of its time for "× link".
        const downMs = (net.drops ?? []).reduce((sum, d) => sum + Math.max(0, Math.min(d.atMs + d.forMs, linkMs) - d.atMs), 0);
        // Whole: every object stored, with the file's CRC64 (checked directly, not over the link).
        let filesWhole = run.ok ? w.files.length : 0;
        if (w.link) {
          filesWhole = 0;
          for (const [i] of w.files.entries()) {
            const head = await direct.head(`${prefix}${i}`).catch(() => null);
            if (head?.res.headers['x-oss-hash-crc64ecma'] === w.crc64[i]) filesWhole += 1;
          }
        }
        const whole = run.ok && filesWhole === w.files.length;
        // The link's upload rate in MiB/s, what MB/s are.
        const linkRate = w.link ? (w.link.upMbps * 1e6) / 8 / MiB : undefined;
        const mbps = run.ok ? bytes / MiB / (run.ms / 1000) : NaN;
        const linkRatio = linkRate ? bytes / MiB / (Math.max(1, run.ms - downMs) / 1000) / linkRate : undefined;
        results.push({ rep, workload: w.id, contender, ok: run.ok, whole, filesWhole, files: w.files.length, error: run.error, ms: run.ms,
          mbps, linkRatio: run.ok ? linkRatio : NaN,
          partSize: run.partSize ?? options.partSize ?? (spec.page === 'alioss' ? MiB : defaultPartSizes.get(w.id)),
          memoryGrowthMiB: (peak - before.rss) / 1024, longestTaskMs: run.longestTask, cpuS: (after.cpu - before.cpu) / 100, spread,
          ...again, drops: net.drops?.length, downS: downMs / 1000,
          preflights: net.preflights, preflightShare: net.preflightShare, requests: net.requests, resets: net.resets, lostBytes: net.lostBodyBytes });
        const long = run.longTasks.map((t) => `${t.ms.toFixed(0)} ms at ${(t.at / 1000).toFixed(2)} s${contender === 'ali-oss' ? '' : ` (${t.what})`}`).join(', ');
        const wholeNote = whole ? '' : `, NOT WHOLE${w.files.length > 1 ? ` (${filesWhole}/${w.files.length} files)` : ''}`;
        const how = run.ok ? `${mbps.toFixed(2)} MB/s${linkRate ? ` (${linkRatio.toFixed(2)} × link)` : ''}${wholeNote}`
          : `failed after ${(run.ms / 1000).toFixed(0)} s: ${run.error}${wholeNote}`;
        const linkNote = link ? `, ${net.requests} requests, ${net.resets} resets${net.drops.length ? `, ${net.drops.length} drops (${(downMs / 1000).toFixed(0)} s down)` : ''}` : '';
        const netNote = requests ? `, ${net.preflights} preflights (${(100 * net.preflightShare).toFixed(0)} % of request time)${linkNote}` : '';
        const againNote = `, ${again.partsAgain} of ${again.partRequests} part requests sent again (${(again.resentBytes / MiB).toFixed(1)} MiB), ${again.requestsAgain} requests of any kind`;
        process.stderr.write(`${w.id} ${contender} rep ${rep}: ${how}, +${((peak - before.rss) / 1024).toFixed(0)} MiB${netNote}${againNote}${spread ? `, last/first 1,000 parts ${spread.toFixed(2)}` : ''}${long ? `, long tasks: ${long}` : ''}\n`);
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
        cpuS: median(rs.map((r) => r.cpuS)), limitMiB: w.partSize ? Math.round(w.parallel * w.partSize / MiB + 16) : undefined,
        spread: w.spread ? median(ok.map((r) => r.spread)) : undefined,
        runs: rs.length, whole: rs.filter((r) => r.whole).length,
        ...(w.link ? linkFigures(w, rs) : {}) });
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
  } else {
    // Kept aside, so `node bench/table.mjs <file>` can show it as the README would.
    const file = path.join(os.tmpdir(), 'oss-bench', 'partial.json');
    await writeFile(file, JSON.stringify(out, null, 2));
    process.stderr.write(`a partial run: results in ${file}, not in bench/results\n`);
  }

  const pad = (s, n) => String(s).padEnd(n);
  const fixed = (n, d) => (Number.isFinite(n) ? n.toFixed(d) : '—');
  const range = (r, d) => (Number.isFinite(r.mbps) ? `${r.mbps.toFixed(d)} (${r.min.toFixed(d)}–${r.max.toFixed(d)})` : 'failed');
  console.log(`\n${out.date} — ${machine}, median of ${REPS}\n`);
  const loopback = table.filter((r) => !r.link);
  if (loopback.length) {
    console.log(`${pad('workload', 40)}${pad('contender', 31)}${pad('MB/s (min–max)', 20)}${pad('× raw', 8)}${pad('paired', 8)}${pad('× ali-oss', 10)}${pad('part', 9)}${pad('mem MiB', 10)}${pad('long task', 11)}CPU s`);
    for (const r of loopback) {
      console.log(`${pad(r.workload, 40)}${pad(r.contender, 31)}${pad(range(r, 1), 20)}${pad(fixed(r.ratio, 3), 8)}${pad(fixed(r.pairedRatio, 3), 8)}${pad(fixed(r.aliossRatio, 2), 10)}${pad(r.partSize ? `${(r.partSize / MiB).toFixed(1)} MiB` : '', 9)}${pad(`${r.memoryGrowthMiB.toFixed(0)}${r.limitMiB ? ` (${r.limitMiB})` : ''}`, 10)}${pad(`${r.longestTaskMs.toFixed(0)} ms`, 11)}${r.cpuS.toFixed(1)}`);
    }
  }
  const links = table.filter((r) => r.link);
  if (links.length) {
    // MB/s are MiB/s; "× link" is of the link's upload rate, over the time the link was up.
    console.log(`\n${pad('link profile', 44)}${pad('contender', 23)}${pad('part', 9)}${pad('MB/s (min–max)', 20)}${pad('× link', 8)}${pad('× raw', 7)}${pad('× ali', 7)}${pad('whole', 13)}${pad('parts again', 15)}${pad('MiB again', 10)}${pad('resets', 7)}${pad('drops', 10)}preflights`);
    for (const r of links) {
      const files = r.files > 1 ? ` (${r.filesWhole}/${r.files * r.runs})` : '';
      console.log(`${pad(r.workload, 44)}${pad(r.contender, 23)}${pad(r.partSize ? `${(r.partSize / MiB).toFixed(1)} MiB` : '', 9)}${pad(range(r, 2), 20)}${pad(fixed(r.linkRatio, 2), 8)}${pad(fixed(r.pairedRatio, 2), 7)}${pad(fixed(r.pairedAlioss, 2), 7)}${pad(`${r.whole}/${r.runs}${files}`, 13)}${pad(`${r.partsAgain}/${r.partRequests}`, 15)}${pad(fixed(r.resentMiB, 1), 10)}${pad(r.resets, 7)}${pad(r.drops ? `${r.drops} (${r.downS.toFixed(0)} s)` : '', 10)}${(100 * r.preflightShare).toFixed(0)} %`);
    }
  }
  console.log(`\nbundle: this library ${(ours.raw / 1024).toFixed(1)} KiB (${(ours.gzip / 1024).toFixed(1)} KiB gzip -9), ali-oss min.js ${(alioss.raw / 1024).toFixed(1)} KiB (${(alioss.gzip / 1024).toFixed(1)} KiB gzip -9)`);
}

/**
 * A link profile's row, over its runs: × the link's rate (median), files stored whole, and
 * what was sent again (summed: the server's log for parts and their bytes, the link for resets,
 * both for the drops met).
 */
function linkFigures(w, rs) {
  const sum = (f) => rs.reduce((a, r) => a + (f(r) ?? 0), 0);
  return {
    linkRatio: median(rs.filter((r) => r.ok).map((r) => r.linkRatio)),
    files: w.files.length,
    filesWhole: sum((r) => r.filesWhole),
    partRequests: sum((r) => r.partRequests),
    partsAgain: sum((r) => r.partsAgain),
    requestsAgain: sum((r) => r.requestsAgain),
    resentMiB: sum((r) => r.resentBytes) / MiB,
    preflightShare: median(rs.map((r) => r.preflightShare)),
    resets: sum((r) => r.resets),
    lostMiB: sum((r) => r.lostBytes) / MiB,
    drops: sum((r) => r.drops),
    downS: sum((r) => r.downS),
  };
}

/**
 * How much longer the last 1,000 parts took than the first 1,000, by the server's request log:
 * from the first part's arrival to the 1,000th part's answer, against the same for the last.
 */
function partSpread(log, prefix) {
  const parts = log.filter((e) => e.op === 'UploadPart' && e.status === 200 && e.key.startsWith(prefix))
    .sort((a, b) => a.endMs - b.endMs);
  const span = (xs) => xs.at(-1).endMs - Math.min(...xs.map((e) => e.startMs));
  return parts.length < 2000 ? NaN : span(parts.slice(-1000)) / span(parts.slice(0, 1000));
}

/**
 * What the server got more than once, by its request log: part requests (UploadPart, and
 * PutObject for a file in one part) beyond one per part of each upload, the body bytes they
 * carried beyond the fullest attempt at each part, and requests of any kind (preflights aside)
 * beyond one per operation, object, upload and part. A request given up before its head
 * crossed the link is not seen here: it cost the link nothing.
 */
function sentAgain(log, prefix) {
  const mine = log.filter((e) => e.op !== 'Preflight' && e.key.startsWith(prefix));
  const id = (e) => `${e.op}\n${e.key}\n${new URLSearchParams(e.query).get('uploadId') ?? ''}\n${e.partNumber ?? ''}`;
  const fullest = new Map();
  let bodyBytes = 0;
  let partRequests = 0;
  for (const e of mine) {
    if (e.op !== 'UploadPart' && e.op !== 'PutObject') continue;
    partRequests += 1;
    bodyBytes += e.bytesReceived;
    fullest.set(id(e), Math.max(fullest.get(id(e)) ?? 0, e.bytesReceived));
  }
  return {
    partRequests,
    partsAgain: partRequests - fullest.size,
    resentBytes: bodyBytes - [...fullest.values()].reduce((a, b) => a + b, 0),
    requestsAgain: mine.length - new Set(mine.map(id)).size,
  };
}

await main();
