// The README's chart of bench/results/latest.json: MB/s per workload and contender, each
// workload on its own scale.

export function chart(table) {
  const workloads = [...new Set(table.map((r) => r.workload))];
  const colors = { 'ours partSize:1MiB': '#9cc3e6', raw: '#9aa5b1', 'raw + read': '#c5ccd3', ours: '#0b69a3', 'ours crc64:false': '#2680c2', 'ours resume:false crc64:false': '#63a4d9', 'ours transport:fetch': '#7b5ea7', 'ali-oss': '#e08a00' };
  const rowH = 22;
  const width = 760;
  let y = 30;
  let body = '';
  for (const w of workloads) {
    body += `<text x="10" y="${y}" font-weight="bold">${w}</text>`;
    y += 8;
    const rows = table.filter((t) => t.workload === w);
    // Each workload on its own scale: a far link's MB/s would not show beside loopback's.
    const max = Math.max(...rows.map((r) => r.mbps).filter(Number.isFinite));
    for (const r of rows) {
      const len = Number.isFinite(r.mbps) ? (r.mbps / max) * (width - 330) : 0;
      body += `<text x="20" y="${y + 15}">${r.contender}</text><rect x="230" y="${y + 3}" width="${len.toFixed(1)}" height="16" fill="${colors[r.contender]}"/>`;
      body += `<text x="${(235 + len).toFixed(1)}" y="${y + 15}">${Number.isFinite(r.mbps) ? `${r.mbps.toFixed(1)} MB/s` : 'failed'}</text>`;
      y += rowH;
    }
    y += 16;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>\n`;
}
