// Prints bench/results/latest.json as the Markdown tables the README shows, and writes its chart
// (bench/results/chart.svg): `node bench/table.mjs`.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chart } from './chart.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = JSON.parse(await readFile(path.join(root, 'bench/results/latest.json'), 'utf8'));
const kib = (n) => (n / 1024).toFixed(1);
const MiB = 1024 * 1024;
const fixed = (n, d) => (Number.isFinite(n) ? n.toFixed(d) : '—');
const mbps = (r) => (r.runs && !Number.isFinite(r.mbps) ? 'failed' : `${fixed(r.mbps, 1)} (${fixed(r.min, 1)}–${fixed(r.max, 1)})`);
console.log(`Measured ${out.date.slice(0, 10)} on ${out.machine}, median of ${out.reps} runs (\`make bench\`):\n`);
console.log('Loopback, every contender with the same part size and parallelism:\n');
console.log('| workload | contender | MB/s, median (min–max) | × raw | × raw, paired | × ali-oss | peak renderer growth (limit) | longest main-thread task | renderer CPU |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of out.table.filter((t) => !t.link)) {
  console.log(`| ${r.workload} | ${r.contender} | ${mbps(r)} | ${fixed(r.ratio, 3)} | ${fixed(r.pairedRatio, 3)} | ${fixed(r.aliossRatio, 2)} | ${r.memoryGrowthMiB.toFixed(0)} MiB (${fixed(r.limitMiB, 0)}) | ${r.longestTaskMs.toFixed(0)} ms | ${r.cpuS.toFixed(1)} s |`);
}
const spreads = out.table.filter((r) => r.spread !== undefined);
if (spreads.length) {
  console.log('\n| workload | contender | last 1,000 parts ÷ first 1,000 (time) |');
  console.log('|---|---|---|');
  for (const r of spreads) console.log(`| ${r.workload} | ${r.contender} | ${fixed(r.spread, 2)} |`);
}
const links = out.table.filter((t) => t.link);
if (links.length) {
  console.log('\nLink profiles (bench/link.mjs), each library with its own defaults, raw with ours\' plan (MB/s are MiB/s):\n');
  console.log('| profile | contender | part size | MB/s, median (min–max) | × raw | × raw, paired | × ali-oss, paired | preflights, share of request time | whole | resets | MiB re-sent |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of links) {
    console.log(`| ${r.workload} | ${r.contender} | ${fixed(r.partSize / MiB, 0)} MiB | ${mbps(r)} | ${fixed(r.ratio, 3)} | ${fixed(r.pairedRatio, 3)} | ${fixed(r.pairedAlioss, 2)} | ${(100 * r.preflightShare).toFixed(0)} % | ${r.whole}/${r.runs} | ${r.resets} | ${fixed(r.lostMiB, 1)} |`);
  }
}
const { ours, alioss } = out.bundle;
console.log(`\nBundle: this library ${kib(ours.raw)} KiB, **${kib(ours.gzip)} KiB gzip -9** (the wasm and index.js, what \`import OSS\` loads); ali-oss 6.23 \`aliyun-oss-sdk.min.js\` ${kib(alioss.raw)} KiB, ${kib(alioss.gzip)} KiB gzip -9.`);
await writeFile(path.join(root, 'bench/results/chart.svg'), chart(out.table));
