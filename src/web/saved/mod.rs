//! Uploads kept where a reload finds them: the IndexedDB store (`store`), the writer that
//! keeps an upload's record as it goes (`saver`), and finding the saved upload of a file
//! again (`resume`), with the methods that list and forget saved uploads.

pub mod resume;
pub mod saver;
pub mod store;
