//! Cutting a file into parts, within OSS's limits: never below 100 KiB nor above 5 GiB, and
//! raised (with a note) when the file would need more than 10 000 parts. Unless told
//! otherwise, the part size grows with the file (see [`default_part_size`]).

/// ali-oss's part size, and ours for files up to 4 × parallel MiB.
pub const DEFAULT_PART_SIZE: u64 = 1024 * 1024;
/// The largest part size chosen by default: a reload loses at most the parts in flight, and a
/// reset re-sends one part.
pub const MAX_DEFAULT_PART_SIZE: u64 = 8 * DEFAULT_PART_SIZE;
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub size: u64,
    pub part_size: u64,
    /// The part size asked for, when it had to be raised to stay within 10 000 parts.
    pub raised_from: Option<u64>,
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
            return Err(text::fill("a file of {} bytes is larger than OSS allows for one object (10 000 parts of 5 GiB)", &[&int(size)]));
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
        })
    }

    /// Whether the whole file fits in one request (a PutObject instead of multipart).
    pub fn single(&self) -> bool {
        self.size <= self.part_size
    }

    pub fn count(&self) -> u32 {
        self.size.div_ceil(self.part_size).max(1) as u32
    }

    /// (offset, length) of part `number` (1-based).
    pub fn part(&self, number: u32) -> (u64, u64) {
        let offset = (u64::from(number) - 1) * self.part_size;
        (offset, self.part_size.min(self.size.saturating_sub(offset)))
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
