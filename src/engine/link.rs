//! What the client has measured of its link: how fast a request's body goes out, so that a
//! request whose bytes the page cannot watch (fetch) gets a deadline from its size instead of
//! a wall clock that kills a slow but live request. A request whose bytes the page can watch
//! (XMLHttpRequest's upload progress) is judged by liveness instead: `timeout` without a byte.

/// Bodies smaller than this measure the round trip, not the link.
pub const MIN_SAMPLE: u64 = 64 * 1024;

/// The weight of the newest sample in the running estimate.
const WEIGHT: f64 = 0.3;

/// How much slower than the estimate a request may go before it counts as dead: requests in
/// flight share the link, and their number changes.
const SLACK: f64 = 3.0;

/// The longest deadline a retry doubles to: a request that gets no answer in this long is
/// dead whatever its size.
const MAX_DEADLINE_MS: u64 = 3_600_000;

/// Bytes per millisecond bodies went out at, a running estimate; bodies under
/// [`MIN_SAMPLE`] are not samples.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rate(Option<f64>);

impl Rate {
    /// `bytes` of a body went out in `ms`.
    pub fn add(&mut self, bytes: u64, ms: f64) {
        if bytes < MIN_SAMPLE || ms <= 0.0 {
            return;
        }
        let sample = bytes as f64 / ms;
        self.0 = Some(self.0.map_or(sample, |r| r + WEIGHT * (sample - r)));
    }

    pub fn get(&self) -> Option<f64> {
        self.0
    }
}

#[derive(Clone, Debug, Default)]
pub struct Link {
    /// How fast one request's body went out, answer and all.
    rate: Rate,
}

impl Link {
    /// A body of `bytes` was sent and answered in `ms`.
    pub fn observe(&mut self, bytes: u64, ms: u32) {
        self.rate.add(bytes, f64::from(ms));
    }

    /// How long a request with a body of `bytes` may take in all: `timeout_ms` for an answer,
    /// plus its body's time at the measured rate with slack; each timeout the request already
    /// met doubles it (an estimate can be wrong, and a link can slow down).
    pub fn deadline_ms(&self, bytes: u64, timeout_ms: u32, timeouts: u32) -> u32 {
        let sending = match self.rate.get() {
            Some(rate) if bytes > 0 => (SLACK * bytes as f64 / rate) as u64,
            _ => 0,
        };
        let deadline = (u64::from(timeout_ms) + sending) << timeouts.min(10);
        deadline.clamp(
            u64::from(timeout_ms),
            MAX_DEADLINE_MS.max(timeout_ms.into()),
        ) as u32
    }
}

/// One request's body going out, as XMLHttpRequest reports it: how long it may go on before
/// it counts as dead. While bytes move, `timeout` without one. Once the whole body is handed
/// over, the network stack may still hold much of it (socket buffers, a proxy's queue): the
/// bytes handed over beyond what the link carried in the time, at the rate the second half of
/// the body went out, must reach the server before it can answer; and never less than the
/// deadline the link's measured rate gives the whole request (a buffer that took the whole
/// body at once says nothing of the link).
#[derive(Clone, Debug)]
pub struct Liveness {
    size: u64,
    timeout_ms: u32,
    deadline_ms: u32,
    started_ms: f64,
    /// When the first half of the body had been handed over, and how much that was.
    half: Option<(f64, u64)>,
}

impl Liveness {
    pub fn new(size: u64, timeout_ms: u32, deadline_ms: u32, now_ms: f64) -> Liveness {
        Liveness {
            size,
            timeout_ms,
            deadline_ms,
            started_ms: now_ms,
            half: None,
        }
    }

    /// `sent` bytes handed over by `now_ms`: how long from now until the request is dead.
    pub fn progress(&mut self, sent: u64, now_ms: f64) -> u32 {
        if sent * 2 >= self.size && self.half.is_none() {
            self.half = Some((now_ms, sent));
        }
        if self.size == 0 || sent < self.size {
            return self.timeout_ms;
        }
        let elapsed = now_ms - self.started_ms;
        let at_least = (f64::from(self.deadline_ms) - elapsed).max(f64::from(self.timeout_ms));
        let Some((at, then)) = self.half.filter(|(at, _)| now_ms > *at) else {
            return at_least as u32;
        };
        let rate = (sent - then) as f64 / (now_ms - at);
        let buffered = (self.size as f64 - rate * elapsed).max(0.0);
        let draining = if rate > 0.0 { buffered / rate } else { 0.0 };
        let ms = (f64::from(self.timeout_ms) + SLACK * draining).max(at_least);
        ms.min(MAX_DEADLINE_MS as f64) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_moves_is_given_the_timeout_between_reports() {
        let mut l = Liveness::new(4_000_000, 3000, 3000, 0.0);
        assert_eq!(l.progress(1_000_000, 2000.0), 3000);
        assert_eq!(l.progress(3_000_000, 6000.0), 3000);
    }

    #[test]
    fn a_body_handed_over_faster_than_the_link_carries_it_gets_time_to_drain() {
        // 2 MB taken at once by buffers, then 0.5 MB/s: all handed over at 4.2 s with about
        // 2 MB still on the way.
        let mut l = Liveness::new(4_200_000, 3000, 3000, 0.0);
        l.progress(2_100_000, 100.0);
        let ms = l.progress(4_200_000, 4300.0);
        assert!(
            ms > 3000 + 4000,
            "the buffered 2 MB take 4 s to drain: {ms}"
        );
        // Where the link carried it as it was handed over, nothing is buffered.
        let mut l = Liveness::new(4_000_000, 3000, 3000, 0.0);
        l.progress(2_000_000, 4000.0);
        assert_eq!(l.progress(4_000_000, 8000.0), 3000);
    }

    #[test]
    fn a_body_taken_whole_at_once_waits_out_the_deadline_the_link_gave_it() {
        let mut l = Liveness::new(4_000_000, 3000, 20_000, 0.0);
        assert_eq!(l.progress(4_000_000, 50.0), 19_950);
    }
}
