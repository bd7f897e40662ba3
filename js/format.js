// What the drop-in uploader shows, as people read it: sizes in binary units, speeds, time left,
// and a speed meter smoothed so the numbers do not jump. Presentation only; bundled into
// uploader.js. The words come from a table of strings (strings.js); English by default.
import { stringsFor, say } from './strings.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
const EN = stringsFor('en');

/** 30_000_000 → "28.6 MiB"; 1536 → "1.5 KiB"; 153_600 → "150 KiB"; 512 → "512 B"; the
 * number written for `locale`. */
export function formatBytes(bytes, locale = 'en') {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // One decimal below 100 (28.6 MiB), none above (256 MiB); no "150.0".
  const digits = unit > 0 && value < 99.95 ? 1 : 0;
  const text = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, useGrouping: false }).format(value);
  return `${text} ${UNITS[unit]}`;
}

/** Coarse on purpose, so it does not flicker: "8 s", "3 min", "1 h 5 min". */
export function formatDuration(seconds, strings = EN) {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return say(strings, 'seconds', s);
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return say(strings, 'minutes', minutes);
  return say(strings, 'hours', Math.floor(minutes / 60), minutes % 60);
}

/**
 * Bytes per second from (time, bytes done) samples that come at any pace: every few
 * milliseconds while a request streams, in bursts when parts finish, not at all while the
 * network stalls. An exponential moving average weighted by time (time constant `tau`
 * seconds), so a burst of bytes moves it by burst / tau, not by burst / (a millisecond), and a
 * stall lets it decay. It reports nothing until `warmup` seconds have passed since `start`,
 * then starts from the plain average over that time.
 */
export function createRateMeter({ tau = 3, warmup = 1 } = {}) {
  let t0 = 0;
  let b0 = 0;
  let lastT = 0;
  let lastB = 0;
  let rate = null;
  return {
    /** A new run (a start or a resume): bytes already done before it do not count as speed. */
    start(now, bytes) {
      t0 = lastT = now;
      b0 = lastB = bytes;
      rate = null;
    },
    /** `now` in milliseconds, `bytes` done so far. */
    sample(now, bytes) {
      const dt = (now - lastT) / 1000;
      if (dt <= 0) {
        return;
      }
      if (rate === null) {
        const elapsed = (now - t0) / 1000;
        if (elapsed >= warmup) {
          rate = (bytes - b0) / elapsed;
          lastT = now;
          lastB = bytes;
        }
        return;
      }
      const alpha = 1 - Math.exp(-dt / tau);
      rate += alpha * ((bytes - lastB) / dt - rate);
      lastT = now;
      lastB = bytes;
    },
    /** Bytes per second, or null while warming up. */
    get rate() {
      return rate;
    },
  };
}

/** "42 %", written for the locale. */
export function percent(fraction, locale = 'en') {
  return `${new Intl.NumberFormat(locale).format(Math.floor(fraction * 100))} %`;
}

/** "42 % · 3.1 MiB/s · 8 s left", or "42 %" while the speed is not known yet. */
export function describeProgress(fraction, size, rate, strings = EN) {
  const pct = percent(fraction, strings.locale);
  if (rate === null || !(size > 0)) return pct;
  const left = size * (1 - fraction);
  if (rate < 1) return `${pct} · ${say(strings, 'stalled')}`;
  return say(strings, 'progress', pct, formatBytes(rate, strings.locale), formatDuration(left / rate, strings));
}
