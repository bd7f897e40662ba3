//! OSS's limits on uploads, as the service enforces them: the client plans within them and
//! the emulator refuses what breaks them, so both read them from here.

/// The smallest part a multipart upload may have, the last one excepted: 100 KiB.
pub const MIN_PART_SIZE: u64 = 100 * 1024;
/// The largest part: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// The most parts one multipart upload may have; part numbers run from 1 to this.
pub const MAX_PARTS: u64 = 10_000;
/// The largest body one PutObject or AppendObject takes: 5 GiB, as for a part.
pub const MAX_PUT_SIZE: u64 = MAX_PART_SIZE;
/// User metadata (`x-oss-meta-*` names and values together) must stay under 8 KB.
pub const MAX_META_BYTES: usize = 8 * 1024;
/// The longest object name, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1023;
