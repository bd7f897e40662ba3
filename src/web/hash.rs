//! CRC64 of a Blob, read in 1 MiB chunks: each `arrayBuffer()` read resolves in a later task,
//! so the main thread is free between chunks and busy only for one chunk's CRC at a time.

use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::protocol::crc64;

use super::error::Error;

const CHUNK: f64 = 1024.0 * 1024.0;

pub async fn crc64_of(blob: &Blob) -> Result<u64, Error> {
    let size = blob.size();
    let mut hasher = crc64::Hasher::default();
    let mut buffer = Vec::new();
    let mut offset = 0.0;
    while offset < size {
        let end = (offset + CHUNK).min(size);
        let chunk = blob
            .slice_with_f64_and_f64(offset, end)
            .map_err(|_| Error::file_unreadable())?;
        let bytes = JsFuture::from(chunk.array_buffer())
            .await
            .map_err(|_| Error::file_unreadable())?;
        let view = Uint8Array::new(&bytes);
        buffer.resize(view.length() as usize, 0);
        view.copy_to(&mut buffer);
        hasher.update(&buffer);
        offset = end;
    }
    Ok(hasher.finish())
}

/// Whether the browser can still read the file (it was not moved, changed or deleted since
/// it was picked): a failed upload of an unreadable file is not a network problem.
pub async fn readable(blob: &Blob) -> bool {
    match blob.slice_with_f64_and_f64(0.0, blob.size().min(1.0)) {
        Ok(first) => JsFuture::from(first.array_buffer()).await.is_ok(),
        Err(_) => false,
    }
}
