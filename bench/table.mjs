// Prints bench/results/latest.json as the Markdown tables the README shows, and writes its chart
// (bench/results/chart.svg): `node bench/table.mjs`. `node bench/table.mjs FILE` prints another
// run's results (a partial run's, say) and leaves the chart alone.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chart } from './chart.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? path.join(root, 'bench/results/latest.json');
const out = JSON.parse(await readFile(file, 'utf8'));
const kib = (n) => (n / 1024).toFixed(1);
const MiB = 1024 * 1024;
const fixed = (n, d) => (Number.isFinite(n) ? n.toFixed(d) : '—');
const mbps = (r, d = 1) => (r.runs && !Number.isFinite(r.mbps) ? 'failed' : `${fixed(r.mbps, d)} (${fixed(r.min, d)}–${fixed(r.max, d)})`);
console.log(`Measured ${out.date.slice(0, 10)} on ${out.machine}, median of ${out.reps} runs (\`make bench\`):\n`);
const loopback = out.table.filter((t) => !t.link);
if (loopback.length) {
  console.log('Loopback, every contender with the same part size and parallelism:\n');
  console.log('| workload | contender | MB/s, median (min–max) | × raw | × raw, paired | × ali-oss | peak renderer growth (limit) | longest main-thread task | renderer CPU |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of loopback) {
    console.log(`| ${r.workload} | ${r.contender} | ${mbps(r)} | ${fixed(r.ratio, 3)} | ${fixed(r.pairedRatio, 3)} | ${fixed(r.aliossRatio, 2)} | ${r.memoryGrowthMiB.toFixed(0)} MiB (${fixed(r.limitMiB, 0)}) | ${r.longestTaskMs.toFixed(0)} ms | ${r.cpuS.toFixed(1)} s |`);
  }
}
const spreads = out.table.filter((r) => r.spread !== undefined);
if (spreads.length) {
  console.log('\n| workload | contender | last 1,000 parts ÷ first 1,000 (time) |');
  console.log('|---|---|---|');
  for (const r of spreads) console.log(`| ${r.workload} | ${r.contender} | ${fixed(r.spread, 2)} |`);
}
const links = out.table.filter((t) => t.link);
if (links.length) {
  console.log(`${loopback.length ? '\n' : ''}Link profiles (bench/link.mjs), each library with its own defaults, raw with ours' plan (MB/s are MiB/s; × link: of the link's upload rate, over the time it was up; sent again and re-sent: what reached the server more than once, by its log, all runs together):\n`);
  console.log('| profile | contender | part size | MB/s, median (min–max) | × link | × raw, paired | × ali-oss, paired | whole | part requests sent again | MiB re-sent | resets | drops | preflights, share of request time |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const size = (n) => (Number.isFinite(n) ? `${Number.isInteger(n / MiB) ? n / MiB : (n / MiB).toFixed(2)} MiB` : '—');
  for (const r of links) {
    const whole = `${r.whole}/${r.runs}${r.files > 1 ? ` (${r.filesWhole}/${r.files * r.runs} files)` : ''}`;
    const again = r.partRequests === undefined ? '—' : `${r.partsAgain} of ${r.partRequests}`;
    const drops = r.drops ? `${r.drops}, ${r.downS.toFixed(0)} s` : '';
    console.log(`| ${r.workload} | ${r.contender} | ${size(r.partSize)} | ${mbps(r, 2)} | ${fixed(r.linkRatio, 2)} | ${fixed(r.pairedRatio, 3)} | ${fixed(r.pairedAlioss, 2)} | ${whole} | ${again} | ${fixed(r.resentMiB, 1)} | ${r.resets} | ${drops} | ${(100 * r.preflightShare).toFixed(0)} % |`);
  }
}
const { ours, alioss } = out.bundle;
console.log(`\nBundle: this library ${kib(ours.raw)} KiB, **${kib(ours.gzip)} KiB gzip -9** (the wasm and index.js, what \`import OSS\` loads); ali-oss 6.23 \`aliyun-oss-sdk.min.js\` ${kib(alioss.raw)} KiB, ${kib(alioss.gzip)} KiB gzip -9.`);
if (!process.argv[2]) await writeFile(path.join(root, 'bench/results/chart.svg'), chart(out.table));
