//! Upload browser `File`s to Alibaba Cloud OSS.
//!
//! The data path: a `File` is cut into parts by [`engine`]'s plan, each request signed by
//! [`protocol`], sent with `fetch` and checkpointed in IndexedDB by [`web`] (wasm32 only),
//! which carries out what the engine decides. [`protocol`] is the pure core (signing,
//! encoding, CRC64, XML), shared with the local server in `emulator/`.

// An operation's `Error` carries every field ali-oss users read (code, status, request id, host
// id, the error body's extra fields): large, but made once per failed request, never in a loop.
#![allow(clippy::result_large_err)]

pub mod engine;
pub mod protocol;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod web;

/// Talc rather than Rust's default dlmalloc for wasm: smaller (−2.8 KB of gzipped wasm) and
/// faster at the small, short-lived allocations signing and XML make.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
