//! The browser edge: thin wrappers over `fetch`, timers and the JS objects users pass, and the
//! `OSS` class JavaScript sees. Decisions live in `engine`, wire formats in `protocol`.

pub mod callback;
pub mod checkpoint;
pub mod client;
pub mod credentials;
pub mod error;
pub mod hash;
pub mod js;
pub mod live;
pub mod lock;
pub mod options;
pub mod saved;
pub mod stream;
pub mod transport;
pub mod upload;
