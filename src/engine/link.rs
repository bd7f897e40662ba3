//! What the client has measured of its link: how fast a request's body goes out, so that a
//! request whose bytes the page cannot watch (fetch) gets a deadline from its size instead of
//! a wall clock that kills a slow but live request. A request whose bytes the page can watch
//! (XMLHttpRequest's upload progress) is judged by liveness instead: `timeout` without a byte.

/// Bodies smaller than this measure the round trip, not the link.
const MIN_SAMPLE: u64 = 64 * 1024;

/// The weight of the newest sample in the running estimate.
const WEIGHT: f64 = 0.3;

/// How much slower than the estimate a request may go before it counts as dead: requests in
/// flight share the link, and their number changes.
const SLACK: f64 = 3.0;

/// The longest deadline a retry doubles to: a request that gets no answer in this long is
/// dead whatever its size.
const MAX_DEADLINE_MS: u64 = 3_600_000;

#[derive(Clone, Debug, Default)]
pub struct Link {
    /// Bytes per millisecond one request's body went out at, a running estimate.
    rate: Option<f64>,
}

impl Link {
    /// A body of `bytes` was sent and answered in `ms`.
    pub fn observe(&mut self, bytes: u64, ms: u32) {
        if bytes < MIN_SAMPLE || ms == 0 {
            return;
        }
        let sample = bytes as f64 / f64::from(ms);
        self.rate = Some(match self.rate {
            Some(r) => r + WEIGHT * (sample - r),
            None => sample,
        });
    }

    /// How long a request with a body of `bytes` may take in all: `timeout_ms` for an answer,
    /// plus its body's time at the measured rate with slack; each timeout the request already
    /// met doubles it (an estimate can be wrong, and a link can slow down).
    pub fn deadline_ms(&self, bytes: u64, timeout_ms: u32, timeouts: u32) -> u32 {
        let sending = match self.rate {
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
