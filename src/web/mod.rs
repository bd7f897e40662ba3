//! The browser edge: carries out what the engine asks with web-sys and js-sys (fetch,
//! XMLHttpRequest, timers, IndexedDB, Web Locks, Blob and stream reads), and the `OSS` class
//! JavaScript sees. Decisions live in `crate::engine`, wire formats in `crate::protocol`.
//!
//! `client` is the class, each method a short delegate to `api/`, which reads JavaScript and
//! shapes results (`shape`); one-request methods go through `single`, uploads and single
//! requests alike are run by `drive` over `fetch`; `saved/` keeps checkpoints in IndexedDB.

pub mod api;
pub mod client;
pub mod connections;
pub mod drive;
pub mod error;
pub mod fetch;
pub mod file_handle;
pub mod hash;
pub mod inbox;
pub mod js;
pub mod options;
pub mod saved;
pub mod shape;
pub mod shared;
pub mod single;
pub mod stream;
