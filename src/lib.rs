//! Upload browser `File`s to Alibaba Cloud OSS.
//!
//! [`protocol`] is the pure core (signing, encoding, CRC64, XML) shared with the local server
//! in `emulator/`; the browser edge lives in [`web`] and exists only on wasm32.

pub mod engine;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod web;
