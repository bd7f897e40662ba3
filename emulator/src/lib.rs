//! A local Alibaba Cloud OSS-compatible server: what the tests, the benchmark and the demo run
//! against, and what users can run their own app against offline. It must speak OSS as the
//! official SDKs understand it; `tests/conformance/` holds them to that.

pub mod addressing;
pub mod auth;
pub mod callback;
pub mod clock;
pub mod complete_body;
pub mod config;
pub mod control;
pub mod copy_append;
pub mod cors;
pub mod ctx;
pub mod failure;
pub mod faults;
pub mod http;
pub mod keys;
pub mod listing;
pub mod log;
pub mod multipart;
pub mod object_headers;
pub mod objects;
pub mod post_object;
pub mod reply;
pub mod route;
pub mod server;
pub mod state;
pub mod store;
pub mod sync;

pub use config::Config;
pub use server::{start, Running};
