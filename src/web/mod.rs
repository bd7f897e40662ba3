//! The browser edge: carries out what the engine asks with web-sys and js-sys (fetch,
//! XMLHttpRequest, timers, IndexedDB, Web Locks, Blob and stream reads), and the `OSS` class
//! JavaScript sees. Decisions live in `crate::engine`, wire formats in `crate::protocol`.

pub mod client;
pub mod drive;
pub mod error;
pub mod fetch;
pub mod hash;
pub mod js;
pub mod options;
pub mod saved;
pub mod stream;
