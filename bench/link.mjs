// A link-emulating TCP proxy for the benchmark: it sits between the browser and the local OSS
// emulator and makes loopback behave like a real, far uplink. This machine has no `tc netem`.
//
//   const link = await startLink({ target: emulator.url, rttMs: 60, upMbps: 40, downMbps: 200 });
//   ... point the browser at link.url ...; link.stats(); await link.close();
//
// What it models:
//   - Propagation delay: every byte, either way, is delivered rttMs/2 after it left the
//     bandwidth queue. A new connection's first bytes reach the server one RTT later still: the
//     TCP handshake a far link costs. So a request/response costs >= 1 RTT, a new connection one
//     more, and a CORS preflight one more again, as in reality.
//   - Bandwidth: all connections' upstream bytes share one serializer at upMbps (10^6 bit/s),
//     downstream bytes another at downMbps, served round-robin in small quanta, so parallel
//     connections share the link as TCP flows roughly do and none starves.
//   - A bounded bottleneck queue: a connection's reads stop while its queue is full, so a
//     1 GiB upload does not sit in this process and the browser's progress stays roughly true.
//   - Connection resets: with probability resetRate per HTTP/1.1 request (seeded PRNG), at a
//     random byte of the request, the server side is cut and the client gets a TCP RST, so
//     retry cost (bytes re-sent, new connections, new handshakes) shows up in the timings.
//   - Outages: windows in which the link passes no bytes either way, as when Wi-Fi or a mobile
//     link drops for a while. Connections stay open and simply stall (neither end is told),
//     bytes already on the wire arrive when the link is back, and a connection opened during an
//     outage completes its handshake one RTT after it ends. Given as a list (`drops`) or drawn
//     from the seed (`dropEveryMs`, `dropForMs`, `dropCount`); times count from the link's
//     start or its last rewind(), so each contender of a run can meet the same outages.
// What it does not model: TCP slow start and congestion control (a connection gets its fair
// share at once), receive windows (one connection can fill the link whatever its delay, up to
// 4 MiB on the wire, a memory bound that binds only on links with no bandwidth limit),
// packet loss and retransmission other than these resets, jitter, per-packet overhead (rates
// are of payload bytes), TCP's retransmission back-off after an outage (real TCP may wait
// seconds more before it tries again; here the bytes flow the moment the link is back), a
// side learning of the other's close during an outage (it learns at once), and anything below
// HTTP/1.1 (no TLS, no HTTP/2: the emulator is plain http).
//
// Why a proxy rather than Chromium's CDP Network.emulateNetworkConditions: it works the same for
// every browser (CDP's throttling is Chromium's, set per target, so a worker's requests need
// their own) and every contender, and it is a model of a link rather than of requests: CDP's
// throttle works per request inside the network stack, its latency a floor on the time to a
// response's headers, so a new connection's handshake costs nothing extra and the bytes on the
// wire are not the ones being delayed. Here every connection pays its handshake, and all of
// them share one queue and one rate, as they would on the real uplink.
import net from 'node:net';

const KiB = 1024;
const EOF = Symbol('EOF'); // a FIN, queued behind the data so it arrives after it
// Most bytes one connection-direction may have on the wire. Not a model of TCP's window (that
// would count a whole RTT, and grow): a memory bound, for links with no bandwidth limit, that
// a limited link below 4 MiB / (RTT / 2), e.g. 200 Mbit/s at 300 ms, never reaches.
const WINDOW = 4 * 1024 * 1024;

/** mulberry32: small, seeded, good enough to pick which requests to reset. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One direction of the link, shared by every connection: bytes leave it at the link rate, one
 * quantum from each waiting flow in turn. A virtual clock (`nextFree`, when the link can start
 * the next quantum) rather than a timer per chunk: each wake-up sends everything whose turn has
 * come, so late timers cost a small burst, never throughput.
 */
class Serializer {
  constructor(mbps, outages) {
    this.outages = outages;
    this.bytesPerMs = mbps > 0 && Number.isFinite(mbps) ? (mbps * 1e6) / 8 / 1000 : Infinity;
    // ~2 ms of the link per turn: fine-grained enough for fairness and small requests' latency
    // behind a big upload, coarse enough that 200 Mbit/s is a few hundred turns a second.
    this.quantum = Math.max(1460, Math.min(64 * KiB, Math.round(this.bytesPerMs * 2)));
    this.waiting = []; // flows with bytes to send, in round-robin order
    this.turn = 0;
    this.nextFree = 0;
    this.timer = null;
  }

  /** A flow has bytes to send. */
  wake(flow) {
    if (flow.waiting) return;
    flow.waiting = true;
    // An idle link does not bank time: its next byte starts now, not when it went idle.
    if (this.waiting.length === 0) this.nextFree = Math.max(this.nextFree, performance.now());
    this.waiting.push(flow);
    if (!this.timer) this.run();
  }

  run() {
    this.timer = null;
    const now = performance.now();
    // Nothing leaves while the link is down; the link is idle, not owed, when it comes back.
    const back = this.outages.backAt(now);
    if (back) {
      this.nextFree = Math.max(this.nextFree, back);
      if (this.waiting.length) this.timer = setTimeout(() => this.run(), back - now);
      return;
    }
    while (this.waiting.length && this.nextFree <= now) {
      if (this.turn >= this.waiting.length) this.turn = 0;
      const flow = this.waiting[this.turn];
      const chunk = flow.dead ? null : flow.take(this.quantum);
      if (chunk) {
        if (chunk !== EOF) this.nextFree += chunk.length / this.bytesPerMs;
        // Its last byte leaves the link at nextFree; it arrives one propagation delay later.
        flow.propagate(chunk, this.nextFree + flow.delayMs);
      }
      if (chunk && flow.pending.length) {
        this.turn += 1;
      } else {
        flow.waiting = false;
        this.waiting.splice(this.turn, 1);
      }
    }
    if (this.waiting.length) this.timer = setTimeout(() => this.run(), this.nextFree - now);
  }

  close() {
    clearTimeout(this.timer);
    this.timer = null;
    this.waiting = [];
  }
}

/**
 * One direction of one connection: bytes read from `src` wait in `pending` for the link, then
 * in `inflight` for their arrival time, then are written to `dst` by `deliver`. One timer, for
 * the head of `inflight` (arrival times only grow, as the link is FIFO per flow).
 */
class Flow {
  constructor(link, serializer, src, dst, deliver) {
    Object.assign(this, { link, serializer, src, dst, deliver });
    this.delayMs = link.rttMs / 2;
    this.pending = [];
    this.pendingBytes = 0;
    this.inflight = [];
    this.inflightBytes = 0;
    this.timer = null;
    this.ready = true; // false until the handshake is done (the upstream flow of a new connection)
    this.waiting = false; // in the serializer's round-robin
    this.paused = false;
    this.dead = false;
    src.on('data', (data) => this.push(data));
    src.on('end', () => this.push(EOF));
    dst.on('drain', () => this.maybeResume());
  }

  push(data) {
    if (this.dead) return;
    this.pending.push(data);
    if (data !== EOF) this.pendingBytes += data.length;
    if (this.ready) this.serializer.wake(this);
    // Stop reading while the queue is full: the browser's socket then fills and its upload
    // stalls, as it would behind a slow link, instead of this process buffering the file.
    if (!this.paused && this.over(1)) {
      this.paused = true;
      this.src.pause();
    }
  }

  /**
   * Whether this flow holds more than `share` of what it may: its queue for the link beyond the
   * queue limit, or its bytes on the wire beyond WINDOW. A finite link bounds the latter by
   * itself (rate × delay); an unlimited one would not, as loopback reads gigabytes a second.
   */
  over(share) {
    return this.pendingBytes > this.link.queueLimit(this.serializer) * share || this.inflightBytes > WINDOW * share;
  }

  start() {
    this.ready = true;
    if (this.pending.length) this.serializer.wake(this);
  }

  /** Up to `max` bytes (or the EOF) off the front of the queue, for the serializer. */
  take(max) {
    let chunk = this.pending[0];
    if (chunk !== EOF && chunk.length > max) {
      this.pending[0] = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    } else {
      this.pending.shift();
    }
    if (chunk !== EOF) this.pendingBytes -= chunk.length;
    this.maybeResume();
    return chunk;
  }

  propagate(chunk, at) {
    this.inflight.push({ chunk, at });
    if (chunk !== EOF) this.inflightBytes += chunk.length;
    if (!this.timer) this.arm();
  }

  arm() {
    this.timer = setTimeout(() => this.arrive(), Math.max(0, this.inflight[0].at - performance.now()));
  }

  arrive() {
    this.timer = null;
    const now = performance.now();
    // What was on the wire when the link went down arrives when it is back.
    const back = this.link.outages.backAt(now);
    if (back) {
      if (!this.dead) this.timer = setTimeout(() => this.arrive(), back - now);
      return;
    }
    while (!this.dead && this.inflight.length && this.inflight[0].at <= now) {
      const { chunk } = this.inflight.shift();
      if (chunk === EOF) {
        if (!this.dst.destroyed) this.dst.end();
      } else {
        this.inflightBytes -= chunk.length;
        this.deliver(chunk);
      }
    }
    // A timer can fire a fraction of a millisecond early: then it is simply armed again.
    if (!this.dead && this.inflight.length) this.arm();
    this.maybeResume();
  }

  /** Writes to `dst`; when that fills, reading `src` stops until it drains. */
  write(chunk) {
    if (this.dst.destroyed) return;
    if (!this.dst.write(chunk) && !this.paused) {
      this.paused = true;
      this.src.pause();
    }
  }

  maybeResume() {
    if (this.paused && !this.dead && !this.over(1 / 2) && !this.dst.writableNeedDrain) {
      this.paused = false;
      this.src.resume();
    }
  }

  buffered() {
    return this.pendingBytes + this.inflightBytes + (this.dst.writableLength ?? 0);
  }

  kill() {
    this.dead = true;
    clearTimeout(this.timer);
    this.pending = [];
    this.inflight = [];
    this.pendingBytes = this.inflightBytes = 0;
  }
}

/**
 * Splits the upstream byte stream into HTTP/1.1 requests as it arrives, to count them and to
 * choose where to reset them. Only Content-Length bodies: after a chunked request (which
 * Chromium does not send for Blob bodies) it stops, leaving the rest of the connection alone.
 */
class RequestParser {
  constructor(onRequest) {
    this.onRequest = onRequest;
    this.offset = 0; // stream offset of the next byte to parse
    this.head = null; // bytes of an unfinished request head
    this.bodyLeft = 0;
    this.off = false;
  }

  feed(data) {
    let at = 0;
    while (!this.off && at < data.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, data.length - at);
        this.bodyLeft -= n;
        this.offset += n;
        at += n;
        continue;
      }
      const before = this.head ? this.head.length : 0;
      this.head = this.head ? Buffer.concat([this.head, data.subarray(at)]) : data.subarray(at);
      const end = this.head.indexOf('\r\n\r\n', Math.max(0, before - 3));
      if (end < 0) {
        if (this.head.length > 64 * KiB) this.off = true; // not HTTP as we know it
        return;
      }
      const headLen = end + 4;
      const lines = this.head.subarray(0, end).toString('latin1').split('\r\n');
      this.head = null;
      at += headLen - before;
      let bodyLen = 0;
      let chunked = false;
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'content-length') bodyLen = Number(value) || 0;
        if (name === 'transfer-encoding' && value.toLowerCase() !== 'identity') chunked = true;
      }
      const method = lines[0].split(' ')[0];
      this.onRequest({ method, start: this.offset, headLen, bodyLen, resettable: !chunked });
      this.offset += headLen;
      this.bodyLeft = bodyLen;
      if (chunked) this.off = true;
    }
  }
}

/** A client connection and its connection to the target, with the link between them. */
class Connection {
  constructor(link, client) {
    this.link = link;
    this.client = client;
    this.closed = 0; // sockets closed, of 2
    this.resetting = false;
    this.resetPoints = []; // { at, bodyStart }: stream offsets where to cut, in order
    this.upDelivered = 0; // upstream bytes written to the server so far
    this.server = net.connect({ host: link.target.hostname, port: Number(link.target.port), allowHalfOpen: true });
    this.server.setNoDelay(true);
    client.setNoDelay(true);

    this.up = new Flow(link, link.up, client, this.server, (chunk) => this.deliverUp(chunk));
    this.down = new Flow(link, link.down, this.server, client, (chunk) => {
      link.counts.bytesDown += chunk.length;
      this.down.write(chunk);
    });
    // The handshake: the client's first bytes can leave only once its SYN has gone out and
    // the SYN-ACK come back, one RTT after it connected.
    // During an outage the SYN gets through only once the link is back.
    const now = performance.now();
    const wait = Math.max(now, link.outages.backAt(now)) - now + link.rttMs;
    if (wait > 0) {
      this.up.ready = false;
      this.handshake = setTimeout(() => this.up.start(), wait);
    }

    const parser = new RequestParser((request) => this.request(request));
    client.on('data', (data) => parser.feed(data));

    // An error on either side ends both; an orderly close waits for the other side's queue.
    for (const socket of [client, this.server]) {
      socket.on('error', () => this.teardown(socket === this.server));
      socket.on('close', () => {
        this.closed += 1;
        if (this.closed === 2) this.teardown(false);
      });
    }
  }

  request({ method, start, headLen, bodyLen, resettable }) {
    const { counts } = this.link;
    counts.requests += 1;
    counts.byMethod[method] = (counts.byMethod[method] ?? 0) + 1;
    // One PRNG for the link: the same seed resets the same requests as long as they arrive in
    // the same order (parallel connections' requests can interleave differently run to run).
    if (resettable && this.link.resetRate > 0 && this.link.random() < this.link.resetRate) {
      const at = start + Math.floor(this.link.random() * (headLen + bodyLen));
      this.resetPoints.push({ at, bodyStart: start + headLen });
    }
  }

  deliverUp(chunk) {
    const point = this.resetPoints[0];
    // The cut comes when the server has had the bytes before it (a point chosen when the head
    // was complete may already lie behind us if the head came in pieces: then it is now).
    if (point && this.upDelivered + chunk.length > point.at) {
      const cut = Math.max(0, point.at - this.upDelivered);
      this.upDelivered += cut;
      this.link.counts.bytesUp += cut;
      this.reset(chunk.subarray(0, cut), point);
      return;
    }
    this.upDelivered += chunk.length;
    this.link.counts.bytesUp += chunk.length;
    this.up.write(chunk);
  }

  /**
   * The connection breaks mid-request. The server gets what had crossed the link, then its
   * connection ends (a FIN, so it sees exactly those bytes and then an aborted request); the
   * client gets an RST once it would have travelled back, and must send the request again.
   */
  reset(partial, point) {
    const { counts } = this.link;
    counts.resets += 1;
    counts.lostBodyBytes += Math.max(0, point.at - point.bodyStart);
    this.resetting = true;
    this.up.kill();
    this.down.kill();
    this.client.pause();
    this.server.end(partial, () => this.server.destroy());
    this.rst = setTimeout(() => {
      if (!this.client.destroyed) this.client.resetAndDestroy();
    }, this.link.rttMs / 2);
  }

  /** Both sockets go; `rst` passes a server's reset on to the client as one. */
  teardown(rst) {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.handshake);
    this.up.kill();
    this.down.kill();
    if (!this.server.destroyed) this.server.destroy();
    // A pending reset (see reset()) still reaches the client after its delay.
    if (!this.resetting && !this.client.destroyed) {
      if (rst) this.client.resetAndDestroy();
      else this.client.destroy();
    }
    this.link.connections.delete(this);
  }

  destroy() {
    clearTimeout(this.rst);
    this.resetting = false;
    this.teardown(false);
    if (!this.client.destroyed) this.client.destroy();
  }

  buffered() {
    return this.up.buffered() + this.down.buffered();
  }
}

/**
 * When the link is down: the listed drops and, with `everyMs`, seeded ones, each starting
 * `everyMs` × (0.5 to 1.5) after the one before ended (so about that much link time between
 * drops, however long they last) and lasting `forMs` (a number, or [min, max] drawn uniformly),
 * at most `count` of them. Seeded drops are drawn as time reaches them, so an endless schedule
 * costs nothing ahead.
 */
class Outages {
  constructor({ drops, everyMs, forMs, count, seed }) {
    Object.assign(this, { drops, everyMs, forMs, count, seed });
    this.rewind(performance.now());
  }

  /** The schedule starts again from `now`: the same drops at the same offsets. */
  rewind(now) {
    this.origin = now;
    this.list = this.drops.map(({ atMs, forMs }) => ({ start: now + atMs, end: now + atMs + forMs }));
    // Its own stream, so turning drops on does not change which requests a seed resets.
    this.random = prng((this.seed * 0x9e3779b1) ^ 0x5bd1e995);
    this.drawn = 0;
    this.next = this.everyMs > 0 && this.count > 0 ? this.draw(now) : null;
  }

  draw(after) {
    const [min, max] = Array.isArray(this.forMs) ? this.forMs : [this.forMs, this.forMs];
    const start = after + this.everyMs * (0.5 + this.random());
    this.drawn += 1;
    return { start, end: start + min + (max - min) * this.random() };
  }

  /** Every seeded drop that has started by `t` is in the list. */
  reach(t) {
    while (this.next && this.next.start <= t) {
      this.list.push(this.next);
      this.next = this.drawn < this.count ? this.draw(this.next.end) : null;
    }
  }

  /** When the link is back if it is down at `t` (through drops that overlap), else 0. */
  backAt(t) {
    let at = t;
    for (let moved = true; moved;) {
      moved = false;
      this.reach(at);
      for (const o of this.list) {
        if (o.start <= at && at < o.end) {
          at = o.end;
          moved = true;
        }
      }
    }
    return at > t ? at : 0;
  }

  /** The drops begun by `now`, from the origin, in the form `drops` takes. */
  begun(now) {
    this.reach(now);
    return this.list.filter((o) => o.start <= now).sort((a, b) => a.start - b.start)
      .map((o) => ({ atMs: Math.round(o.start - this.origin), forMs: Math.round(o.end - o.start) }));
  }
}

/**
 * Starts the proxy on 127.0.0.1 (a free port), forwarding to `target` through the emulated link.
 *   rttMs: round-trip propagation delay; upMbps / downMbps: megabits/s (10^6) client→server and
 *   server→client, shared by all connections (omitted or 0: unlimited); resetRate: probability
 *   that a request's connection is reset mid-request; seed: for the resets' and drops' PRNGs.
 *   drops: [{ atMs, forMs }], outages from the start (or rewind()); dropEveryMs, dropForMs
 *   (ms or [min, max]), dropCount: seeded outages about every dropEveryMs of link time.
 */
export async function startLink({ target, rttMs = 0, upMbps = 0, downMbps = 0, resetRate = 0, seed = 1,
  drops = [], dropEveryMs = 0, dropForMs = 0, dropCount = Infinity }) {
  const outages = new Outages({ drops, everyMs: dropEveryMs, forMs: dropForMs, count: dropCount, seed });
  const link = {
    target: new URL(target),
    rttMs,
    resetRate,
    random: prng(seed),
    outages,
    up: new Serializer(upMbps, outages),
    down: new Serializer(downMbps, outages),
    connections: new Set(),
    counts: null,
    /**
     * Bytes a connection-direction may queue for the link before its reads stop: its share of
     * the bandwidth-delay product, at least 256 KiB so the link never idles for want of bytes
     * between a resume and the next read. Bytes already on the wire (at most rate × delay in
     * all) are not counted: the link itself bounds them.
     */
    queueLimit(serializer) {
      const rate = serializer.bytesPerMs;
      const bdp = Number.isFinite(rate) ? rate * rttMs : 0;
      return Math.max(256 * KiB, bdp / Math.max(1, this.connections.size));
    },
  };
  const zero = () => ({ requests: 0, resets: 0, bytesUp: 0, bytesDown: 0, lostBodyBytes: 0, connections: 0, byMethod: {} });
  link.counts = zero();

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    link.counts.connections += 1;
    link.connections.add(new Connection(link, client));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    /**
     * Counts since the start or the last resetStats(); `connections` is connections opened;
     * `drops`, the outages begun since the start or the last rewind().
     */
    stats: () => ({ ...link.counts, byMethod: { ...link.counts.byMethod }, open: link.connections.size,
      drops: outages.begun(performance.now()) }),
    resetStats: () => { link.counts = zero(); },
    /**
     * The link's chance starts over from now: the same outages at the same offsets, and the
     * resets drawn from the seed's start, so contenders run one after another on one link meet
     * the same link. Connections already open are not touched.
     */
    rewind: () => {
      link.random = prng(seed);
      outages.rewind(performance.now());
    },
    /** Bytes this process holds for the link: queued, on the wire, and in sockets' write buffers. */
    buffered: () => [...link.connections].reduce((sum, c) => sum + c.buffered(), 0),
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const c of link.connections) c.destroy();
      link.up.close();
      link.down.close();
      await closed;
    },
  };
}
