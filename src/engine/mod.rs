//! Upload decisions, with no I/O: how a file is cut into parts, which parts a checkpoint may
//! keep, what a failed request means and how long to wait before trying again. The browser
//! driver in `web::upload` asks these and carries out the answers.

pub mod checkpoint;
pub mod plan;
pub mod retry;
pub mod saved;
