//! The OSS protocol as pure functions: no I/O, no clock, no `web-sys`.
//!
//! Everything here is shared by the browser client and by the local server in `emulator/`,
//! and is checked natively against the vectors the official SDKs produced
//! (`../shared/vectors/`). That the server reuses the signer is safe only because the official
//! SDKs, not this client, are the judges of the server (see `tests/conformance/`).

pub mod crc64;
pub mod encode;
pub mod endpoint;
pub mod error;
pub mod limits;
pub mod messages;
pub mod mime;
pub mod order;
pub mod post_policy;
pub mod presign;
pub mod request;
pub mod sign_v1;
pub mod sign_v4;
pub mod time;
pub mod xml;
