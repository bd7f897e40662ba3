//! Upload decisions, with no I/O: how a file is cut into parts, what a failed request means
//! and how long to wait before trying again, and how a saved upload is found again. The
//! JavaScript engine in `js/src/upload.js` asks these (through `exports`) and carries out the
//! answers.

pub mod fingerprint;
pub mod plan;
pub mod retry;
