//! CRC64 of a Blob, read in pieces of at most 1 MiB, each hashed in a task of its own (reads
//! of data already buffered resolve as microtasks, which would chain into one long task), so
//! the main thread is busy for one piece's CRC at a time: a few milliseconds.
//!
//! Reads go through a BYOB ("bring your own buffer") reader into ArrayBuffers kept in a small
//! pool and reused part after part, so hashing makes no garbage for the JS heap to collect:
//! fresh 1 MiB buffers per read grew the renderer by hundreds of MiB on a 1 GiB upload before
//! the collector caught up. Browsers whose Blob streams lack BYOB readers read slices instead.

use std::cell::RefCell;

use js_sys::{ArrayBuffer, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::protocol::crc64;

use super::js;
use crate::engine::error::Error;

const CHUNK: u32 = 1024 * 1024;
/// Buffers kept for reuse: one per part in flight is all that is ever needed at once.
const POOL: usize = 16;

thread_local! {
    static BUFFERS: RefCell<Vec<ArrayBuffer>> = const { RefCell::new(Vec::new()) };
    /// Where the bytes are copied to be hashed, reused across reads and parts.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn take_buffer() -> ArrayBuffer {
    BUFFERS
        .with(|b| b.borrow_mut().pop())
        .unwrap_or_else(|| ArrayBuffer::new(CHUNK))
}

fn give_back(buffer: ArrayBuffer) {
    // A buffer still being read into was transferred away and reads as empty.
    if buffer.byte_length() == CHUNK {
        BUFFERS.with(|b| {
            let mut pool = b.borrow_mut();
            if pool.len() < POOL {
                pool.push(buffer);
            }
        });
    }
}

pub fn update(hasher: &mut crc64::Hasher, view: &Uint8Array) {
    SCRATCH.with(|s| {
        let mut scratch = s.borrow_mut();
        scratch.resize(view.length() as usize, 0);
        view.copy_to(&mut scratch);
        hasher.update(&scratch);
    });
}

/// `blob.stream().getReader({mode: 'byob'})`, where the browser has it.
fn byob_reader(blob: &Blob) -> Option<JsValue> {
    let stream: JsValue = blob.stream().into();
    let options = js::object(&[("mode", "byob".into())]);
    js::function(&stream, "getReader")?
        .call1(&stream, &options)
        .ok()
}

pub async fn crc64_of(blob: &Blob) -> Result<u64, Error> {
    let hasher = match byob_reader(blob) {
        Some(reader) => by_byob(&reader).await?,
        None => by_slices(blob).await?,
    };
    // Chromium reads a file deleted since it was picked as empty, not as an error: a short
    // read means the file is gone.
    if hasher.1 != blob.size() as u64 {
        return Err(Error::file_unreadable());
    }
    Ok(hasher.0.finish())
}

async fn by_byob(reader: &JsValue) -> Result<(crc64::Hasher, u64), Error> {
    let read = js::function(reader, "read").ok_or_else(Error::file_unreadable)?;
    let mut hasher = crc64::Hasher::default();
    let mut total = 0u64;
    let mut buffer = take_buffer();
    loop {
        let view = Uint8Array::new(&buffer);
        let pending = read
            .call1(reader, &view)
            .map_err(|_| Error::file_unreadable())?;
        let result = JsFuture::from(Promise::resolve(&pending))
            .await
            .map_err(|_| Error::file_unreadable())?;
        let value: Uint8Array = js::get(&result, "value")
            .and_then(|v| v.dyn_into().ok())
            .ok_or_else(Error::file_unreadable)?;
        // The read hands the buffer back (transferred) under the view it filled.
        buffer = value.buffer();
        if js::get(&result, "done").and_then(|d| d.as_bool()) == Some(true) {
            break;
        }
        // Hashed in a task of its own: reads of several parts in flight can resolve in one
        // task, and their hashing would add up (55 ms with 8 parts before the code tiered up).
        let _ = JsFuture::from(js::next_task()).await;
        update(&mut hasher, &value);
        total += u64::from(value.length());
    }
    give_back(buffer);
    Ok((hasher, total))
}

async fn by_slices(blob: &Blob) -> Result<(crc64::Hasher, u64), Error> {
    let size = blob.size();
    let mut hasher = crc64::Hasher::default();
    let mut offset = 0.0;
    while offset < size {
        let end = (offset + f64::from(CHUNK)).min(size);
        let chunk = blob
            .slice_with_f64_and_f64(offset, end)
            .map_err(|_| Error::file_unreadable())?;
        let bytes = JsFuture::from(chunk.array_buffer())
            .await
            .map_err(|_| Error::file_unreadable())?;
        let view = Uint8Array::new(&bytes);
        if f64::from(view.length()) != end - offset {
            return Ok((hasher, offset as u64));
        }
        let _ = JsFuture::from(js::next_task()).await;
        update(&mut hasher, &view);
        offset = end;
    }
    Ok((hasher, size as u64))
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
