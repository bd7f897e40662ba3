// Self-test of bench/link.mjs: `node --test bench/link.test.mjs` (bench-only, not part of
// `make test`). Plain Node http through the link to a tiny local server; a few seconds.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startLink } from './link.mjs';

const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The far server: answers every request with the body length it read, and logs each request's
 * bytes and when its first and last body bytes came. `?stall=MS` leaves the body unread a while;
 * `?delay=MS` holds the answer that long after the body.
 */
async function origin() {
  const log = [];
  let open = 0;
  const server = http.createServer((req, res) => {
    const entry = { method: req.method, bytes: 0, first: 0, last: 0, complete: false, arrivals: [], answered: 0 };
    log.push(entry);
    const query = new URL(req.url, 'http://x').searchParams;
    const stall = Number(query.get('stall') ?? 0);
    const delay = Number(query.get('delay') ?? 0);
    if (stall) {
      req.pause();
      setTimeout(() => req.resume(), stall);
    }
    req.on('data', (data) => {
      entry.last = performance.now();
      entry.first ||= entry.last;
      entry.bytes += data.length;
      entry.arrivals.push(entry.last);
    });
    req.on('end', () => {
      entry.complete = true;
      setTimeout(() => {
        entry.answered = performance.now();
        res.end(String(entry.bytes));
      }, delay);
    });
  });
  server.keepAliveTimeout = 30000;
  server.on('connection', (socket) => {
    open += 1;
    socket.on('close', () => { open -= 1; });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    log,
    open: () => open,
    close: () => { server.closeAllConnections(); server.close(); },
  };
}

function request(base, { method = 'GET', path = '/', body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers = body ? { 'content-length': body.length } : {};
    const req = http.request(base + path, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), ms: performance.now() - started, at: performance.now() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const server = await origin();
after(() => server.close());

test('latency: a request costs one RTT, a new connection one more', async () => {
  const link = await startLink({ target: server.url, rttMs: 100 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await request(link.url, { agent });
    const second = await request(link.url, { agent });
    const preflight = await request(link.url, { agent, method: 'OPTIONS' });
    assert.ok(first.ms >= 200 && first.ms < 300, `new connection: ${first.ms.toFixed(1)} ms`);
    assert.ok(second.ms >= 100 && second.ms < 200, `kept-alive: ${second.ms.toFixed(1)} ms`);
    assert.ok(preflight.ms >= 100 && preflight.ms < 200, `OPTIONS: ${preflight.ms.toFixed(1)} ms`);
    const stats = link.stats();
    assert.equal(stats.connections, 1);
    assert.equal(stats.requests, 3);
    assert.deepEqual(stats.byMethod, { GET: 2, OPTIONS: 1 });
    assert.ok(stats.bytesUp > 0 && stats.bytesDown > 0);
    link.resetStats();
    assert.equal(link.stats().requests, 0);
  } finally {
    agent.destroy();
    await link.close();
  }
});

test('bandwidth: 8 MiB over 4 keep-alive connections at 40 Mbit/s, shared fairly, memory bounded', async () => {
  const rttMs = 20;
  const link = await startLink({ target: server.url, rttMs, upMbps: 40, downMbps: 100 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    // Open the four connections first, so handshakes are not part of the measurement.
    await Promise.all([0, 1, 2, 3].map(() => request(link.url, { agent })));
    assert.equal(link.stats().connections, 4);
    const from = server.log.length;
    let peak = 0;
    const sampler = setInterval(() => { peak = Math.max(peak, link.buffered()); }, 5);
    const started = performance.now();
    const body = Buffer.alloc(2 * MiB, 7);
    const results = await Promise.all([0, 1, 2, 3].map(() => request(link.url, { agent, method: 'PUT', body })));
    const wall = performance.now() - started;
    clearInterval(sampler);
    assert.ok(results.every((r) => r.body === String(2 * MiB)));
    assert.equal(link.stats().connections, 4, 'the uploads reused the connections');

    const puts = server.log.slice(from);
    const first = Math.min(...puts.map((p) => p.first));
    const last = Math.max(...puts.map((p) => p.last));
    const atServer = (8 * MiB * 8) / ((last - first) / 1000) / 1e6;
    const endToEnd = (8 * MiB * 8) / ((wall - rttMs) / 1000) / 1e6;
    console.log(`  at the server ${atServer.toFixed(1)} Mbit/s, end to end ${endToEnd.toFixed(1)} Mbit/s, ` +
      `peak buffered ${(peak / 1024).toFixed(0)} KiB`);
    assert.ok(Math.abs(atServer - 40) <= 4, `at the server: ${atServer.toFixed(1)} Mbit/s`);
    assert.ok(Math.abs(endToEnd - 40) <= 4, `end to end: ${endToEnd.toFixed(1)} Mbit/s`);
    // Round-robin: the four finish together rather than one after another.
    const spread = Math.max(...puts.map((p) => p.last)) - Math.min(...puts.map((p) => p.last));
    assert.ok(spread < (last - first) * 0.1, `last bytes ${spread.toFixed(0)} ms apart`);
    // Four 256 KiB queues plus what is on the wire, not the 8 MiB.
    assert.ok(peak < 1.5 * MiB, `peak buffered ${peak} bytes`);
  } finally {
    agent.destroy();
    await link.close();
  }
});

for (const { upMbps, size, bound } of [
  // Limited: its 256 KiB queue plus ~125 KiB on the wire (200 Mbit/s × 5 ms) and a socket's buffer.
  { upMbps: 200, size: 16 * MiB, bound: 1 * MiB },
  // Unlimited: the 4 MiB on the wire that stands in for a window, plus the same.
  { upMbps: 0, size: 64 * MiB, bound: 5 * MiB },
]) {
  test(`backpressure: a server that stops reading stops the client, not into the proxy (${upMbps || 'unlimited'} Mbit/s)`, async () => {
    const link = await startLink({ target: server.url, rttMs: 10, upMbps });
    try {
      let peak = 0;
      const sampler = setInterval(() => { peak = Math.max(peak, link.buffered()); }, 5);
      const body = Buffer.alloc(size, 1);
      const result = await request(link.url, { method: 'PUT', path: '/?stall=1000', body });
      clearInterval(sampler);
      assert.equal(result.body, String(size));
      console.log(`  peak buffered ${(peak / 1024).toFixed(0)} KiB for a ${size / MiB} MiB upload`);
      assert.ok(peak < bound, `peak buffered ${peak} bytes`);
    } finally {
      await link.close();
    }
  });
}

test('resets: every request cut at a random byte, the client sees ECONNRESET, lost body bytes counted', async () => {
  const link = await startLink({ target: server.url, rttMs: 10, resetRate: 1, seed: 3 });
  try {
    const from = server.log.length;
    const body = Buffer.alloc(256 * 1024, 2);
    for (let i = 0; i < 4; i += 1) {
      await assert.rejects(request(link.url, { method: 'PUT', body }), { code: 'ECONNRESET' });
    }
    while (server.open() > 0) await sleep(5); // the server has seen each request end
    const stats = link.stats();
    assert.equal(stats.requests, 4);
    assert.equal(stats.resets, 4);
    assert.equal(stats.connections, 4);
    const received = server.log.slice(from);
    assert.ok(received.every((r) => !r.complete));
    // What crossed the link is what the server got, and what the client must send again.
    assert.equal(stats.lostBodyBytes, received.reduce((sum, r) => sum + r.bytes, 0));
    assert.ok(stats.lostBodyBytes > 0 && stats.lostBodyBytes < 4 * body.length);
  } finally {
    await link.close();
  }
});

test('resets: a rate of 0.3 resets about 30 % of requests, the same ones for the same seed', async () => {
  const run = async (seed) => {
    const link = await startLink({ target: server.url, resetRate: 0.3, seed });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const outcomes = [];
    for (let i = 0; i < 60; i += 1) {
      outcomes.push(await request(link.url, { agent }).then(() => 'ok', (e) => e.code));
    }
    const stats = link.stats();
    agent.destroy();
    await link.close();
    return { outcomes: outcomes.join(), resets: outcomes.filter((o) => o === 'ECONNRESET').length, stats };
  };
  const a = await run(7);
  const b = await run(7);
  assert.equal(a.stats.requests, 60);
  assert.equal(a.stats.resets, a.resets);
  assert.ok(a.resets >= 8 && a.resets <= 28, `${a.resets} resets of 60`);
  assert.equal(a.outcomes, b.outcomes);
  // A reset connection is replaced by a new one.
  assert.equal(a.stats.connections, 1 + a.resets - (a.outcomes.endsWith('ECONNRESET') ? 1 : 0));
});

test('outages: nothing crosses either way while the link is down; open connections stall, new ones wait', async () => {
  const rttMs = 10;
  const drop = { atMs: 150, forMs: 400 };
  const link = await startLink({ target: server.url, rttMs, upMbps: 40, drops: [drop] });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  try {
    // Two connections, open before the outage.
    await Promise.all([request(link.url, { agent }), request(link.url, { agent })]);
    link.rewind();
    const t0 = performance.now();
    const down = t0 + drop.atMs;
    const back = down + drop.forMs;
    const from = server.log.length;
    // 1 MiB takes 210 ms at 40 Mbit/s: the outage cuts it in two.
    const put = request(link.url, { agent, method: 'PUT', body: Buffer.alloc(MiB, 3) });
    // Its answer would come back during the outage: it waits for the link too.
    await sleep(60);
    const answer = request(link.url, { agent, path: '/?delay=120' });
    // A new connection opened during the outage: its handshake waits for the link.
    await sleep(drop.atMs + 50 - (performance.now() - t0));
    const fresh = request(link.url);
    const [p, a, f] = await Promise.all([put, answer, fresh]);
    assert.equal(p.body, String(MiB));
    const [upload, delayed] = server.log.slice(from, from + 2);
    // Bytes sent just before it went down arrive up to half an RTT into it (and a timer late).
    const during = upload.arrivals.filter((at) => at > down + rttMs / 2 + 5 && at < back);
    assert.equal(during.length, 0, `${during.length} reads during the outage`);
    assert.ok(upload.arrivals.some((at) => at < down) && upload.arrivals.some((at) => at >= back), 'the upload spans the outage');
    assert.ok(delayed.answered > down && delayed.answered < back, 'answered during the outage');
    assert.ok(a.at >= back, `the answer came ${(back - a.at).toFixed(0)} ms before the link was back`);
    // Handshake and request, each an RTT, after the link is back.
    assert.ok(f.at >= back + 2 * rttMs, `the new connection's answer came ${(f.at - back).toFixed(0)} ms after the link was back`);
    assert.deepEqual(link.stats().drops, [drop]);
    assert.equal(link.stats().connections, 3, 'no connection was dropped');
  } finally {
    agent.destroy();
    await link.close();
  }
});

test('outages: seeded drops are the same for a seed and after rewind(), within their bounds, at most dropCount', async () => {
  const schedule = async (seed, rewind = false) => {
    const link = await startLink({ target: server.url, seed, dropEveryMs: 40, dropForMs: [20, 60], dropCount: 3 });
    // Three drops of at most 60 ms, each at most 60 ms after the last.
    await sleep(400);
    if (rewind) {
      link.rewind();
      assert.deepEqual(link.stats().drops, []);
      await sleep(400);
    }
    const { drops } = link.stats();
    await link.close();
    return drops;
  };
  const a = await schedule(11);
  assert.equal(a.length, 3);
  let end = 0;
  for (const { atMs, forMs } of a) {
    assert.ok(forMs >= 20 && forMs <= 60, `a drop of ${forMs} ms`);
    assert.ok(atMs - end >= 19 && atMs - end <= 61, `${atMs - end} ms between drops`);
    end = atMs + forMs;
  }
  assert.deepEqual(await schedule(11, true), a);
  assert.notDeepEqual(await schedule(12), a);
});
