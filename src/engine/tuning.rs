//! Part size and parts in flight, from what an upload's own requests measured of the link,
//! where the caller left them to us (no `partSize`, no `parallel`).
//!
//! Each part pays a fixed cost before its bytes flow (a CORS preflight and a round trip:
//! about what a request without a body takes) and risks its whole length when a connection
//! resets or the page reloads. So a part should take about ten times that fixed cost to send,
//! at least [`LEAST_PART_MS`] and at most [`MOST_PART_MS`], at the rate one part's body goes on
//! this link: on a far, fast link parts grow, on a slow one they stay small. The size moves by
//! doubling and halving, so an upload has a few runs of part sizes, not one per part. Near the
//! end, parts shrink so that every connection still has one to send.
//!
//! Parts in flight follow TCP's congestion control: halved after a timeout, one more after a
//! window's worth of parts answered without one, never above `parallel`.

use super::link::{Rate, MIN_SAMPLE};

/// Parts take at least this long: below it, a request's fixed costs (signing, a slice, an
/// XHR, the server's bookkeeping) weigh on the throughput even on loopback.
const LEAST_PART_MS: f64 = 3_000.0;
/// Parts take at most this long, so a reset or a reload loses little.
const MOST_PART_MS: f64 = 30_000.0;
/// A part takes this many times a request's fixed cost.
const COST_TIMES: f64 = 10.0;
/// The part size never goes below ali-oss's, which a slow link carries well.
const LEAST_SIZE: u64 = 1024 * 1024;
/// Nor above this: the parts in flight are what a reload or a failure sends again.
const MOST_SIZE: u64 = 64 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Tuning {
    /// The part size is ours to choose.
    sizes: bool,
    /// The parts in flight are ours to choose, up to `most`.
    window: Option<usize>,
    most: usize,
    /// The quickest answer to a request without a body to speak of, in ms: the fixed cost.
    cost_ms: Option<f64>,
    /// How fast one part's body went, its fixed cost left out.
    rate: Rate,
    /// Parts answered since the window last changed.
    answered: usize,
    /// Parts answered since the window was last halved, if it was: it is halved once per
    /// window's worth of parts, as TCP halves once per round trip, however many time out.
    since_halved: Option<usize>,
    /// A part timed out since the part size was last chosen.
    timed_out: bool,
    /// The largest part size from here on: a link that dropped a part may drop another.
    most_size: u64,
}

impl Tuning {
    pub fn new(sizes: bool, window: bool, parallel: usize) -> Tuning {
        let most = parallel.max(1);
        Tuning {
            sizes,
            window: window.then_some(most),
            most,
            cost_ms: None,
            rate: Rate::default(),
            answered: 0,
            since_halved: None,
            timed_out: false,
            most_size: MOST_SIZE,
        }
    }

    /// Whether the part size is ours to choose.
    pub fn chooses_part_size(&self) -> bool {
        self.sizes
    }

    /// How many parts may be in flight now.
    pub fn window(&self) -> usize {
        self.window.unwrap_or(self.most)
    }

    /// A request with a body of `bytes` was answered in `ms`.
    pub fn answered(&mut self, bytes: u64, ms: u32) {
        let ms = f64::from(ms.max(1));
        if bytes < MIN_SAMPLE {
            self.cost_ms = Some(self.cost_ms.map_or(ms, |c| c.min(ms)));
            return;
        }
        let sending = (ms - self.cost_ms.unwrap_or(0.0)).max(ms / 2.0);
        self.rate.add(bytes, sending);
        if let Some(n) = &mut self.since_halved {
            *n += 1;
        }
        if let Some(w) = &mut self.window {
            self.answered += 1;
            if self.answered >= *w && *w < self.most {
                *w += 1;
                self.answered = 0;
            }
        }
    }

    /// A part's request timed out (it will be sent again).
    pub fn timeout(&mut self) {
        self.timed_out = true;
        let due = self.since_halved.is_none_or(|n| n >= self.window());
        if let (Some(w), true) = (&mut self.window, due) {
            *w = (*w / 2).max(1);
            self.answered = 0;
            self.since_halved = Some(0);
        }
    }

    /// The size for the parts cut next, if it should change from `current`, with `left`
    /// bytes of the file not yet cut.
    pub fn part_size(&mut self, current: u64, left: u64) -> Option<u64> {
        if !self.sizes {
            return None;
        }
        if std::mem::take(&mut self.timed_out) {
            self.most_size = (current / 2).max(LEAST_SIZE);
            return Some(self.most_size).filter(|s| *s != current);
        }
        let rate = self.rate.get()?;
        let part_ms = (COST_TIMES * self.cost_ms.unwrap_or(0.0)).clamp(LEAST_PART_MS, MOST_PART_MS);
        // Near the end, every part in flight still gets two more to send.
        let tail = left / (2 * self.window() as u64);
        let most = self.most_size;
        let ideal = ((rate * part_ms) as u64).min(tail).clamp(LEAST_SIZE, most);
        if ideal >= 2 * current && current < most {
            Some((2 * current).min(most))
        } else if ideal <= current / 2 && current > LEAST_SIZE {
            Some((current / 2).max(LEAST_SIZE))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn parts_grow_on_a_far_fast_link_and_shrink_toward_the_end() {
        // 600 ms for a request without a body (a satellite link): parts of about 6 s. 8 MiB
        // parts go in 350 ms more (24 MB/s), so they grow to the most.
        let mut t = Tuning::new(true, true, 5);
        t.answered(0, 600);
        t.answered(8 * MIB, 950);
        assert_eq!(t.part_size(8 * MIB, 1024 * MIB), Some(16 * MIB));
        assert_eq!(t.part_size(32 * MIB, 1024 * MIB), Some(64 * MIB));
        assert_eq!(t.part_size(64 * MIB, 1024 * MIB), None);
        // 100 MiB left, five parts in flight: 10 MiB each, so 32 MiB halves.
        assert_eq!(t.part_size(32 * MIB, 100 * MIB), Some(16 * MIB));
        assert_eq!(t.part_size(8 * MIB, 100 * MIB), None);
        // A timeout halves the size whatever the link measured, and it grows no more.
        t.timeout();
        assert_eq!(t.part_size(64 * MIB, 1024 * MIB), Some(32 * MIB));
        assert_eq!(t.part_size(32 * MIB, 1024 * MIB), None);
        assert_eq!(t.part_size(8 * MIB, 1024 * MIB), Some(16 * MIB));
    }

    #[test]
    fn parts_are_ali_osss_1_mib_on_a_slow_link() {
        // 0.1 MB/s per part: 3 s carry 0.3 MB.
        let mut t = Tuning::new(true, true, 5);
        t.answered(0, 80);
        t.answered(MIB, 10_000);
        assert_eq!(t.part_size(8 * MIB, 1024 * MIB), Some(4 * MIB));
        assert_eq!(t.part_size(2 * MIB, 1024 * MIB), Some(MIB));
        assert_eq!(t.part_size(MIB, 1024 * MIB), None);
        t.timeout();
        assert_eq!(t.part_size(MIB, 1024 * MIB), None);
    }

    #[test]
    fn the_window_halves_after_a_timeout_and_grows_back_one_at_a_time() {
        let mut t = Tuning::new(true, true, 5);
        t.timeout();
        assert_eq!(t.window(), 2);
        // Parts that time out together halve it once.
        t.timeout();
        assert_eq!(t.window(), 2);
        // A window's worth of parts later (it grew to 3 meanwhile), a timeout halves it again.
        for _ in 0..3 {
            t.answered(MIB, 1000);
        }
        assert_eq!(t.window(), 3);
        t.timeout();
        assert_eq!(t.window(), 1);
        t.answered(MIB, 1000);
        assert_eq!(t.window(), 2);
        t.answered(MIB, 1000);
        assert_eq!(t.window(), 2);
        for _ in 0..20 {
            t.answered(MIB, 1000);
        }
        assert_eq!(t.window(), 5);
    }

    #[test]
    fn what_the_caller_chose_is_kept() {
        let mut t = Tuning::new(false, false, 3);
        t.answered(0, 300);
        t.answered(4 * MIB, 700);
        t.timeout();
        assert_eq!(t.part_size(MIB, 1024 * MIB), None);
        assert_eq!(t.window(), 3);
    }
}
