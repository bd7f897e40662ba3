// What the drop-in uploader shows: sizes, times left, and a speed that does not jump when
// progress comes in bursts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateMeter, describeProgress, formatBytes, formatDuration } from '../../js/format.js';

test('sizes as people read them', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(150 * 1024), '150 KiB');
  assert.equal(formatBytes(30_000_000), '28.6 MiB');
  assert.equal(formatBytes(256 * 1024 * 1024), '256 MiB');
  assert.equal(formatBytes(1024 * 1024 - 1), '1024 KiB');
  assert.equal(formatBytes(5 * 1024 ** 4), '5 TiB');
});

test('time left, coarse so it does not flicker', () => {
  assert.equal(formatDuration(0.2), '1 s');
  assert.equal(formatDuration(8.1), '9 s');
  assert.equal(formatDuration(59), '59 s');
  assert.equal(formatDuration(61), '2 min');
  assert.equal(formatDuration(3600), '1 h');
  assert.equal(formatDuration(3900), '1 h 5 min');
});

test('progress text', () => {
  assert.equal(describeProgress(0.425, 1000, null), '42 %');
  assert.equal(describeProgress(0.5, 30_000_000, 3 * 1024 * 1024), '50 % · 3 MiB/s · 5 s left');
});

test('the speed is smoothed: bursts and stalls move it gently, a steady pace is found', () => {
  const meter = createRateMeter({ tau: 3, warmup: 1 });
  meter.start(0, 0);
  meter.sample(500, 500_000);
  assert.equal(meter.rate, null, 'nothing during the warm-up');
  meter.sample(1000, 1_000_000);
  assert.equal(meter.rate, 1_000_000, 'the average over the warm-up');
  // 1 MB/s on average, but in bursts of 1 MB every second (as parts complete), each burst seen
  // one millisecond after the previous sample.
  const seen = [];
  let bytes = 1_000_000;
  for (let t = 1000; t < 20_000; t += 1000) {
    meter.sample(t + 999, bytes);
    seen.push(meter.rate);
    bytes += 1_000_000;
    meter.sample(t + 1000, bytes);
    seen.push(meter.rate);
  }
  for (const r of seen) assert.ok(r > 600_000 && r < 1_400_000, `stays near 1 MB/s: ${r}`);
  // A stall: the speed falls, without dropping to zero at once.
  const before = meter.rate;
  meter.sample(21_000, bytes);
  assert.ok(meter.rate < before && meter.rate > before / 2, `${before} → ${meter.rate}`);
  for (let t = 22_000; t <= 40_000; t += 1000) meter.sample(t, bytes);
  assert.ok(meter.rate < before / 100, `decays while stalled: ${meter.rate}`);
  // A resume starts over: the bytes done before it are not speed.
  meter.start(50_000, bytes);
  assert.equal(meter.rate, null);
  meter.sample(51_000, bytes + 2_000_000);
  assert.equal(meter.rate, 2_000_000);
});
