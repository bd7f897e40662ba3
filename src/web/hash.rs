//! CRC64 of a Blob, read in 1 MiB chunks: each `arrayBuffer()` read resolves in a later task,
//! so the main thread is free between chunks and busy only for one chunk's CRC at a time.

use js_sys::Uint8Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::protocol::crc64;

use super::error::Error;
use super::js;

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
        // Chromium reads a slice of a file deleted since it was picked as empty, not as an
        // error: a short read means the file is gone.
        if f64::from(view.length()) != end - offset {
            return Err(Error::file_unreadable());
        }
        buffer.resize(view.length() as usize, 0);
        view.copy_to(&mut buffer);
        hasher.update(&buffer);
        offset = end;
    }
    Ok(hasher.finish())
}

/// Whether the browser can still read the file as it was planned (not moved, changed or
/// deleted since it was picked): a failed upload of an unreadable file is not a network
/// problem. Chromium reports a deleted file's size as 0 and its slices as empty, so the size is
/// compared with the plan's, then the first chunk of the whole file is streamed, which fails.
pub async fn readable(file: &Blob, planned_size: u64) -> bool {
    if file.size() as u64 != planned_size {
        return false;
    }
    let call = |target: &JsValue, name: &str| {
        js::function(target, name).and_then(|f| f.call0(target).ok())
    };
    let Some(reader) = call(file, "stream").and_then(|s| call(&s, "getReader")) else {
        return true;
    };
    let Some(read) = call(&reader, "read") else {
        return true;
    };
    let ok = JsFuture::from(js_sys::Promise::resolve(&read))
        .await
        .is_ok();
    let _ = call(&reader, "cancel");
    ok
}
