//! The upload engine, with no I/O (sans-IO, in the style of quinn-proto's `Connection`): how a
//! file is cut into parts, which part goes next, what each answer means (retry after a
//! backoff, refresh the keys once for every request waiting, correct the clock, wait until
//! the browser is online, resend on a CRC64 mismatch, give up with which error), the
//! checkpoint and its reconciliation with ListParts, and progress. Time, randomness and I/O
//! results come in as events; out go commands for the browser edge (`crate::web`) to carry
//! out. Tested natively, as conversations, in `tests/engine.rs`.

pub mod call;
pub mod checkpoint;
pub mod error;
pub mod exchange;
pub mod fingerprint;
pub mod io;
pub mod keys;
pub mod link;
pub mod list_parts;
pub mod plan;
pub mod requests;
pub mod retry;
pub mod scheduler;
pub mod slots;
pub mod tuning;
pub mod upload;
