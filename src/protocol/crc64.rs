//! CRC-64/XZ, the checksum OSS returns in `x-oss-hash-crc64ecma` (as a decimal string).
//!
//! Parts hashed independently combine into the object's CRC with [`combine`]: zlib's
//! `crc32_combine` (its multiply-by-x^(8n) form, since zlib 1.2.12) carried over to 64 bits.

use std::sync::OnceLock;

/// The reflected ECMA-182 polynomial.
const POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

/// Slice-by-8 tables, built on first use. The `crc` crate's byte-at-a-time table hashed at
/// ~410 MB/s in the browser, a fifth of an upload's time with CRC64 on; its slice-by-16 tables
/// are 32 KB of incompressible constants in the bundle. These are 16 KB of memory instead,
/// built in microseconds, and hash several times faster.
fn tables() -> &'static [[u64; 256]; 8] {
    static TABLES: OnceLock<Box<[[u64; 256]; 8]>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = Box::new([[0u64; 256]; 8]);
        for i in 0..256 {
            let mut c = i as u64;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ POLY_REFLECTED
                } else {
                    c >> 1
                };
            }
            t[0][i] = c;
        }
        for k in 1..8 {
            for i in 0..256 {
                let prev = t[k - 1][i];
                t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            }
        }
        t
    })
}

/// Below this many bytes the lanes' joins cost more than they save.
const BRAID_MIN: usize = 16 * 1024;
const LANES: usize = 4;

/// One slice-by-8 step: the register after the 8 bytes of `word`.
#[inline(always)]
fn step(t: &[[u64; 256]; 8], crc: u64, word: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(word);
    let x = crc ^ u64::from_le_bytes(bytes);
    t[7][(x & 0xff) as usize]
        ^ t[6][((x >> 8) & 0xff) as usize]
        ^ t[5][((x >> 16) & 0xff) as usize]
        ^ t[4][((x >> 24) & 0xff) as usize]
        ^ t[3][((x >> 32) & 0xff) as usize]
        ^ t[2][((x >> 40) & 0xff) as usize]
        ^ t[1][((x >> 48) & 0xff) as usize]
        ^ t[0][(x >> 56) as usize]
}

/// The register after `data`, one chain of slice-by-8 steps.
fn serial(mut crc: u64, data: &[u8]) -> u64 {
    let t = tables();
    let mut words = data.chunks_exact(8);
    for word in &mut words {
        crc = step(t, crc, word);
    }
    for &b in words.remainder() {
        crc = t[0][((crc ^ u64::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

/// The CRC of a whole buffer.
pub fn checksum(data: &[u8]) -> u64 {
    let mut h = Hasher::default();
    h.update(data);
    h.finish()
}

/// An incremental CRC-64/XZ for data that arrives in pieces.
pub struct Hasher(u64);

impl Default for Hasher {
    fn default() -> Self {
        Hasher(!0)
    }
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        if data.len() < BRAID_MIN {
            self.0 = serial(self.0, data);
            return;
        }
        // Four lanes hashed side by side, then joined with `combine` (zlib's braided CRC):
        // one slice-by-8 chain waits on each table load before the next, four independent
        // chains keep the CPU busy while they do.
        let lane = data.len() / LANES / 8 * 8;
        let (a, rest) = data.split_at(lane);
        let (b, rest) = rest.split_at(lane);
        let (c, d) = rest.split_at(lane);
        let t = tables();
        let mut crc = [self.0, !0, !0, !0];
        for i in (0..lane).step_by(8) {
            crc[0] = step(t, crc[0], &a[i..i + 8]);
            crc[1] = step(t, crc[1], &b[i..i + 8]);
            crc[2] = step(t, crc[2], &c[i..i + 8]);
            crc[3] = step(t, crc[3], &d[i..i + 8]);
        }
        crc[3] = serial(crc[3], &d[lane..]);
        let joined = combine(!crc[0], !crc[1], lane as u64);
        let joined = combine(joined, !crc[2], lane as u64);
        self.0 = !combine(joined, !crc[3], d.len() as u64);
    }

    pub fn finish(self) -> u64 {
        !self.0
    }
}

/// `a · b mod P` in GF(2)[x], CRC-reflected (bit 63 is x⁰).
fn multiply(a: u64, mut b: u64) -> u64 {
    let mut product = 0;
    let mut m = 1u64 << 63;
    while m != 0 && a & (m.wrapping_sub(1) | m) != 0 {
        if a & m != 0 {
            product ^= b;
        }
        m >>= 1;
        b = if b & 1 != 0 {
            (b >> 1) ^ POLY_REFLECTED
        } else {
            b >> 1
        };
    }
    product
}

/// `x^(8·len) mod P`: what appending `len` zero bytes multiplies a CRC by. Worked out once
/// for many pieces of one length, see [`combine_shifted`].
pub fn zero_bytes(len: u64) -> u64 {
    // x^(2^k) for k = 3, 4, …: x^8 first, squared at each step.
    let mut power = 1u64 << 63;
    let mut square = 1u64 << (63 - 8);
    let mut n = len;
    while n != 0 {
        if n & 1 != 0 {
            power = multiply(square, power);
        }
        square = multiply(square, square);
        n >>= 1;
    }
    power
}

/// `crc(A ‖ B)` from `crc(A)`, `crc(B)` and `len(B)`, in O(log len(B)) 64-bit steps: crc(A)
/// times x^(8·len(B)) mod P, plus crc(B). A few microseconds, so that combining the 10,000
/// parts of an object at Complete is no long task.
pub fn combine(crc1: u64, crc2: u64, len2: u64) -> u64 {
    if len2 == 0 {
        return crc1;
    }
    combine_shifted(crc1, crc2, zero_bytes(len2))
}

/// [`combine`] with `zero_bytes(len2)` already worked out: one multiplication, so that joining
/// 10,000 parts of one size at Complete takes milliseconds, not a 60–80 ms task.
pub fn combine_shifted(crc1: u64, crc2: u64, shift: u64) -> u64 {
    multiply(shift, crc1) ^ crc2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_and_combine() {
        let whole = checksum(b"123456789");
        assert_eq!(whole, 0x995D_C9BB_DF19_39FA);
        assert_eq!(combine(checksum(b"1234"), checksum(b"56789"), 5), whole);
        assert_eq!(combine(whole, checksum(b""), 0), whole);
    }

    #[test]
    fn equals_the_crc_crate_for_every_length_and_split() {
        let reference = crc::Crc::<u64>::new(&crc::CRC_64_XZ);
        let data: Vec<u8> = (0..2000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in 0..200 {
            assert_eq!(
                checksum(&data[..len]),
                reference.checksum(&data[..len]),
                "{len}"
            );
        }
        for split in [0, 1, 7, 8, 9, 1000, 1999, 2000] {
            let mut h = Hasher::default();
            h.update(&data[..split]);
            h.update(&data[split..]);
            assert_eq!(h.finish(), reference.checksum(&data), "split at {split}");
        }
    }

    #[test]
    fn braided_lanes_equal_the_crc_crate_at_and_past_their_threshold() {
        let reference = crc::Crc::<u64>::new(&crc::CRC_64_XZ);
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect();
        for len in [
            BRAID_MIN - 1,
            BRAID_MIN,
            BRAID_MIN + 1,
            BRAID_MIN + 31,
            65_543,
            200_000,
        ] {
            assert_eq!(
                checksum(&data[..len]),
                reference.checksum(&data[..len]),
                "{len}"
            );
            // Braided after a serial start: the first lane continues the register.
            let mut h = Hasher::default();
            h.update(&data[..3]);
            h.update(&data[3..len]);
            assert_eq!(h.finish(), reference.checksum(&data[..len]), "3 + {len}");
        }
    }

    #[test]
    fn combine_agrees_with_hashing_the_whole_for_any_split() {
        let data: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        let whole = checksum(&data);
        for split in [
            0, 1, 2, 7, 8, 63, 64, 65, 255, 256, 4095, 65_536, 69_999, 70_000,
        ] {
            let (a, b) = data.split_at(split);
            assert_eq!(
                combine(checksum(a), checksum(b), b.len() as u64),
                whole,
                "split at {split}"
            );
        }
    }

    #[test]
    fn one_changed_byte_changes_the_crc() {
        assert_ne!(checksum(b"123456789"), checksum(b"123456788"));
    }
}
