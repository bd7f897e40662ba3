//! Cutting a file into parts, within OSS's limits: never below 100 KiB nor above 5 GiB, and
//! raised (with a note) when the file would need more than 10 000 parts. Unless told
//! otherwise, the part size starts from the file's size (see [`default_part_size`]) and may
//! change as the upload goes ([`Plan::resize_from`]): OSS takes parts of any size but the
//! last's above 100 KiB, so parts from some number on may be cut larger or smaller.

/// ali-oss's part size, and ours for files up to 4 × parallel MiB.
pub const DEFAULT_PART_SIZE: u64 = 1024 * 1024;
/// The largest part size chosen by default: a reload loses at most the parts in flight, and a
/// reset re-sends one part.
pub const MAX_DEFAULT_PART_SIZE: u64 = 8 * DEFAULT_PART_SIZE;
/// The most times an upload's part size changes: a checkpoint lists each change.
pub const MOST_RESIZES: usize = 32;
// Callers of the plan read OSS's limits where they read the plan.
pub use crate::protocol::limits::{MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE};

use crate::text::{self, int, signed};

/// A number as a message shows it, without float formatting (which costs ~9 KB of gzipped
/// wasm): whole numbers exactly, anything else as what it is.
pub fn show_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.fract() == 0.0 && n.abs() < 1e18 {
        signed(n as i64)
    } else if n.is_infinite() {
        "Infinity".into()
    } else {
        "a fraction".into()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub size: u64,
    /// The size of the first parts (of every part, unless `resized`).
    pub part_size: u64,
    /// The part size asked for, when it had to be raised to stay within 10 000 parts.
    pub raised_from: Option<u64>,
    /// Where the part size changed: from part `.0` on, parts have `.1` bytes. In part order.
    pub resized: Vec<(u32, u64)>,
    /// The part size follows the link: parts after the last one a checkpoint lists as done
    /// may have been cut to sizes it has not heard of yet (it is saved a moment behind).
    pub follows_link: bool,
}

/// A run of parts of one size: its first part's number and offset, and the size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    first: u32,
    offset: u64,
    size: u64,
}

/// The part size for a file when none is asked for: four parts per connection (the file over
/// 4 × `parallel`), in whole MiB, from 1 MiB to 8 MiB. Every part is a new URL, so every part
/// pays a CORS preflight and its own round trip before its bytes flow: on a far link (100 ms,
/// 200 Mbit/s) 1 MiB parts spent a quarter of the request time in preflights and filled half
/// the link. Four parts per connection keep all `parallel` busy to the end (`make bench`, #21).
pub fn default_part_size(size: u64, parallel: usize) -> u64 {
    let per_part = size.div_ceil(4 * parallel.max(1) as u64);
    per_part
        .div_ceil(DEFAULT_PART_SIZE)
        .clamp(1, MAX_DEFAULT_PART_SIZE / DEFAULT_PART_SIZE)
        * DEFAULT_PART_SIZE
}

impl Plan {
    /// `requested` is the caller's `partSize` as JavaScript gave it; without one the part size
    /// follows from the file's size and the parts sent at once (`parallel`).
    pub fn new(size: u64, requested: Option<f64>, parallel: usize) -> Result<Plan, String> {
        let asked = match requested {
            None => default_part_size(size, parallel),
            // ali-oss's words exactly: its own tests compare the whole message.
            Some(p) if !p.is_finite() || p.fract() != 0.0 || p <= 0.0 => {
                return Err("partSize must be int number".into())
            }
            Some(p) if p < MIN_PART_SIZE as f64 => {
                return Err(text::fill(
                    "partSize must not be smaller than {} (100 KiB), got {}",
                    &[&int(MIN_PART_SIZE), &show_number(p)],
                ))
            }
            Some(p) if p > MAX_PART_SIZE as f64 => {
                return Err(text::fill(
                    "partSize must be at most 5 GiB ({} bytes), got {}",
                    &[&int(MAX_PART_SIZE), &show_number(p)],
                ))
            }
            Some(p) => p as u64,
        };
        let needed = size.div_ceil(MAX_PARTS);
        if needed > MAX_PART_SIZE {
            return Err(text::fill(
                "a file of {} bytes is over OSS's most (10 000 parts of 5 GiB)",
                &[&int(size)],
            ));
        }
        let (part_size, raised_from) = if asked < needed {
            (needed, requested.map(|_| asked))
        } else {
            (asked, None)
        };
        Ok(Plan {
            size,
            part_size,
            raised_from,
            resized: Vec::new(),
            follows_link: false,
        })
    }

    /// The run of parts that part `number` is in (the last run for a number past the end).
    fn run_of(&self, number: u32) -> Run {
        let mut run = Run {
            first: 1,
            offset: 0,
            size: self.part_size,
        };
        for &(first, size) in &self.resized {
            if first > number {
                break;
            }
            let offset = run.offset + u64::from(first - run.first) * run.size;
            run = Run {
                first,
                offset,
                size,
            };
        }
        run
    }

    /// The least part size from part `number` on that keeps the file within 10 000 parts.
    fn least_size_from(&self, number: u32) -> u64 {
        let rest = self.size.saturating_sub(self.part(number).0);
        let numbers_left = (MAX_PARTS + 1).saturating_sub(u64::from(number)).max(1);
        rest.div_ceil(numbers_left).max(MIN_PART_SIZE)
    }

    /// Cuts the parts from `number` on (none of them sent yet) `size` bytes each, raised to
    /// stay within 10 000 parts and kept within OSS's limits.
    pub fn resize_from(&mut self, number: u32, size: u64) {
        if number > self.count() {
            return;
        }
        let size = size
            .max(self.least_size_from(number))
            .clamp(MIN_PART_SIZE, MAX_PART_SIZE);
        self.resized.retain(|(first, _)| *first < number);
        if number <= 1 {
            self.part_size = size;
        } else if self.run_of(number).size != size {
            self.resized.push((number, size));
        }
    }

    /// The size of the parts of part `number`'s run.
    pub fn size_at(&self, number: u32) -> u64 {
        self.run_of(number).size
    }

    /// Whether the whole file fits in one request (a PutObject instead of multipart).
    pub fn single(&self) -> bool {
        self.size <= self.part_size
    }

    pub fn count(&self) -> u32 {
        let last = self.run_of(u32::MAX);
        let rest = self.size.saturating_sub(last.offset).div_ceil(last.size);
        (u64::from(last.first - 1) + rest).max(1) as u32
    }

    /// (offset, length) of part `number` (1-based).
    pub fn part(&self, number: u32) -> (u64, u64) {
        let run = self.run_of(number);
        let offset = run.offset + u64::from(number.saturating_sub(run.first)) * run.size;
        let offset = offset.min(self.size);
        (offset, run.size.min(self.size - offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_edges() {
        let p = Plan::new(0, None, 5).unwrap();
        assert!(p.single());
        assert_eq!((p.count(), p.part(1)), (1, (0, 0)));
        let p = Plan::new(DEFAULT_PART_SIZE + 1, None, 5).unwrap();
        assert!(!p.single());
        assert_eq!(p.count(), 2);
        assert_eq!(p.part(2), (DEFAULT_PART_SIZE, 1));
        let p = Plan::new(DEFAULT_PART_SIZE, None, 5).unwrap();
        assert!(p.single());
    }

    #[test]
    fn the_default_part_size_grows_with_the_file_from_1_to_8_mib() {
        const MIB: u64 = DEFAULT_PART_SIZE;
        for (size, parallel, part) in [
            (3 * MIB, 5, MIB),
            (20 * MIB, 5, MIB),
            (20 * MIB + 1, 5, 2 * MIB),
            (64 * MIB, 5, 4 * MIB),
            (64 * MIB, 1, 8 * MIB),
            (256 * MIB, 5, 8 * MIB),
            // Raised, without a note, to stay within 10,000 parts.
            (100 * 1024 * MIB, 5, (100 * 1024 * MIB).div_ceil(MAX_PARTS)),
        ] {
            let p = Plan::new(size, None, parallel).unwrap();
            assert_eq!((p.part_size, p.raised_from), (part, None), "{size}");
        }
        // Asked for, a part size is kept whatever the file.
        let p = Plan::new(256 * MIB, Some(MIB as f64), 5).unwrap();
        assert_eq!(p.part_size, MIB);
    }

    #[test]
    fn raises_the_part_size_to_stay_within_10000_parts() {
        let size = 20_000 * MIN_PART_SIZE;
        let p = Plan::new(size, Some(MIN_PART_SIZE as f64), 5).unwrap();
        assert_eq!(p.raised_from, Some(MIN_PART_SIZE));
        assert_eq!(p.count(), 10_000);
        assert_eq!(p.part(10_000).1, 2 * MIN_PART_SIZE);
    }

    #[test]
    fn parts_from_a_number_on_may_take_another_size() {
        const MIB: u64 = DEFAULT_PART_SIZE;
        let mut p = Plan::new(20 * MIB + 5, Some(MIB as f64), 5).unwrap();
        p.resize_from(4, 4 * MIB);
        assert_eq!(
            (p.part(3), p.part(4), p.part(5)),
            ((2 * MIB, MIB), (3 * MIB, 4 * MIB), (7 * MIB, 4 * MIB))
        );
        p.resize_from(6, 2 * MIB);
        // 1–3: 1 MiB, 4–5: 4 MiB, 6–: 2 MiB, the last 1 MiB and 5 bytes.
        assert_eq!(p.count(), 10);
        assert_eq!(p.part(10), (19 * MIB, MIB + 5));
        let tiled: u64 = (1..=p.count()).map(|n| p.part(n).1).sum();
        assert_eq!(tiled, p.size);
        for n in 1..p.count() {
            assert_eq!(
                p.part(n).0 + p.part(n).1,
                p.part(n + 1).0,
                "part {n} ends where the next starts"
            );
        }
        // Cutting again from an earlier number replaces the later changes.
        p.resize_from(5, MIB);
        assert_eq!(p.resized, [(4, 4 * MIB), (5, MIB)]);
        // The same size as the run it falls in changes nothing.
        p.resize_from(7, MIB);
        assert_eq!(p.resized.len(), 2);
    }

    #[test]
    fn a_new_part_size_stays_within_oss_s_limits() {
        const MIB: u64 = DEFAULT_PART_SIZE;
        let mut p = Plan::new(20 * MIB, Some(MIB as f64), 5).unwrap();
        p.resize_from(2, 1);
        assert_eq!(p.size_at(2), MIN_PART_SIZE);
        p.resize_from(2, 10 * MAX_PART_SIZE);
        assert_eq!(p.size_at(2), MAX_PART_SIZE);
        assert_eq!(p.count(), 2);
        // Past the end: nothing to cut.
        p.resize_from(3, MIB);
        assert_eq!(p.count(), 2);
        // 9,998 parts cut of 100 KiB: the two numbers left must carry the rest.
        let size = 20_000 * MIN_PART_SIZE;
        let mut p = Plan::new(size, Some(MIN_PART_SIZE as f64), 5).unwrap();
        assert_eq!(p.part_size, 2 * MIN_PART_SIZE);
        p.resize_from(9_999, MIN_PART_SIZE);
        assert_eq!(p.count(), 10_000, "never more than 10,000 parts");
    }

    #[test]
    fn shows_numbers_without_float_formatting() {
        assert_eq!(show_number(102400.0), "102400");
        assert_eq!(show_number(-2.0), "-2");
        assert_eq!(show_number(1.5), "a fraction");
        assert_eq!(show_number(f64::NAN), "NaN");
    }

    #[test]
    fn refuses_bad_sizes() {
        for bad in [
            0.0,
            -1.0,
            1.5,
            f64::NAN,
            1000.0,
            6.0 * 1024.0 * 1024.0 * 1024.0,
        ] {
            assert!(Plan::new(10, Some(bad), 5).is_err(), "{bad}");
        }
        assert!(Plan::new(MAX_PARTS * MAX_PART_SIZE + 1, None, 5).is_err());
    }
}
