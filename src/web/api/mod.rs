//! The work behind each method of the `OSS` class, a file per family of ali-oss's calls. Each
//! takes the client's shared state, never the class: reads JavaScript, builds the engine's
//! requests (`crate::engine::requests`) and shapes the answers.

pub mod listing;
pub mod multipart;
pub mod objects;
pub mod post_object;
pub mod post_policy;
pub mod presign;
pub mod saved;
pub mod upload;
