//! CRC-64/XZ, the checksum OSS returns in `x-oss-hash-crc64ecma` (as a decimal string).
//!
//! Parts hashed independently combine into the object's CRC with [`combine`], zlib's
//! `crc32_combine` algorithm (GF(2) matrix squaring) carried over to 64 bits, as oss2's
//! `crc64_combine.py` does.

use crc::{Crc, Digest, CRC_64_XZ};

static CRC64: Crc<u64> = Crc::<u64>::new(&CRC_64_XZ);

/// The reflected ECMA-182 polynomial.
const POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

/// The CRC of a whole buffer.
pub fn checksum(data: &[u8]) -> u64 {
    CRC64.checksum(data)
}

/// An incremental CRC for data that arrives in pieces.
pub struct Hasher(Digest<'static, u64>);

impl Default for Hasher {
    fn default() -> Self {
        Hasher(CRC64.digest())
    }
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub fn finish(self) -> u64 {
        self.0.finalize()
    }
}

fn gf2_times(matrix: &[u64; 64], mut vector: u64) -> u64 {
    let mut sum = 0;
    let mut row = 0;
    while vector != 0 {
        if vector & 1 != 0 {
            sum ^= matrix[row];
        }
        vector >>= 1;
        row += 1;
    }
    sum
}

fn gf2_square(matrix: &[u64; 64]) -> [u64; 64] {
    let mut square = [0u64; 64];
    for (n, row) in square.iter_mut().enumerate() {
        *row = gf2_times(matrix, matrix[n]);
    }
    square
}

/// `crc(A ‖ B)` from `crc(A)`, `crc(B)` and `len(B)`, in O(log len(B)).
pub fn combine(mut crc1: u64, crc2: u64, mut len2: u64) -> u64 {
    if len2 == 0 {
        return crc1;
    }
    // The operator for one zero bit, then squared to two and four zero bits.
    let mut odd = [0u64; 64];
    odd[0] = POLY_REFLECTED;
    for (n, row) in odd.iter_mut().enumerate().skip(1) {
        *row = 1u64 << (n - 1);
    }
    let mut even = gf2_square(&odd);
    odd = gf2_square(&even);
    // Apply len2 zero bytes to crc1, one bit of len2 per squaring.
    loop {
        even = gf2_square(&odd);
        if len2 & 1 != 0 {
            crc1 = gf2_times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        odd = gf2_square(&even);
        if len2 & 1 != 0 {
            crc1 = gf2_times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
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
    fn one_changed_byte_changes_the_crc() {
        assert_ne!(checksum(b"123456789"), checksum(b"123456788"));
    }
}
