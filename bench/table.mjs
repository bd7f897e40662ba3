// Prints bench/results/latest.json as the Markdown table the README shows: `node bench/table.mjs`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = JSON.parse(await readFile(path.join(root, 'bench/results/latest.json'), 'utf8'));
const kib = (n) => (n / 1024).toFixed(1);
console.log(`Measured ${out.date.slice(0, 10)} on ${out.machine}, median of ${out.reps} runs (\`make bench\`):\n`);
console.log('| workload | contender | MB/s, median (min–max) | × raw | × raw, paired | peak renderer growth (limit) | growth beyond raw\'s | longest main-thread task | renderer CPU |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of out.table) {
  const raw = out.table.find((t) => t.workload === r.workload && t.contender === 'raw');
  const beyond = r.contender === 'raw' ? '—' : `${(r.memoryGrowthMiB - raw.memoryGrowthMiB).toFixed(0)} MiB`;
  console.log(`| ${r.workload} | ${r.contender} | ${r.mbps.toFixed(0)} (${r.min.toFixed(0)}–${r.max.toFixed(0)}) | ${r.ratio.toFixed(3)} | ${r.pairedRatio.toFixed(3)} | ${r.memoryGrowthMiB.toFixed(0)} MiB (${r.limitMiB}) | ${beyond} | ${r.longestTaskMs.toFixed(0)} ms | ${r.cpuS.toFixed(1)} s |`);
}
const spreads = out.table.filter((r) => r.spread !== undefined);
if (spreads.length) {
  console.log('\n| workload | contender | last 1,000 parts ÷ first 1,000 (time) |');
  console.log('|---|---|---|');
  for (const r of spreads) console.log(`| ${r.workload} | ${r.contender} | ${r.spread.toFixed(2)} |`);
}
const { ours, alioss } = out.bundle;
console.log(`\nBundle: this library ${kib(ours.raw)} KiB, **${kib(ours.gzip)} KiB gzip -9** (the wasm and index.js, what \`import OSS\` loads); ali-oss 6.23 \`aliyun-oss-sdk.min.js\` ${kib(alioss.raw)} KiB, ${kib(alioss.gzip)} KiB gzip -9.`);
