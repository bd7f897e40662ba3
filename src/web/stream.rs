//! A `ReadableStream` cut into parts for `putStream`: read once, in order, one part at a time,
//! and only when the engine asks for the next part, so at most `parallel` parts (plus the one
//! being gathered) are held at once whatever the stream's length. Each part becomes a Blob, so
//! from there on it travels the same road as a slice of a File. The engine numbers the parts
//! and checks the length; this only reads.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStream, ReadableStreamDefaultReader};

use super::{hash, js};
use crate::engine::error::Error;
use crate::protocol::crc64;

pub struct StreamParts {
    reader: ReadableStreamDefaultReader,
    part_size: u64,
    /// Bytes read past the end of the last part handed out.
    carry: Option<Uint8Array>,
    ended: bool,
    started: bool,
}

/// A chunk as bytes: streams give typed arrays, ArrayBuffers or DataViews.
fn bytes_of(chunk: &JsValue) -> Result<Uint8Array, Error> {
    if let Some(bytes) = chunk.dyn_ref::<Uint8Array>() {
        return Ok(bytes.clone());
    }
    if let Some(buffer) = chunk.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer));
    }
    if js_sys::ArrayBuffer::is_view(chunk) {
        let field = |name| js::get(chunk, name).and_then(|v| v.as_f64()).unwrap_or(0.0);
        let buffer = js::get(chunk, "buffer").unwrap_or(JsValue::UNDEFINED);
        return Ok(Uint8Array::new_with_byte_offset_and_length(
            &buffer,
            field("byteOffset") as u32,
            field("byteLength") as u32,
        ));
    }
    Err(Error::argument(
        "putStream() reads bytes, not this: pipe text through a TextEncoderStream",
    ))
}

impl StreamParts {
    pub fn new(stream: &ReadableStream, part_size: u64) -> Result<StreamParts, Error> {
        if stream.locked() {
            return Err(Error::argument(
                "the stream is locked: another reader is reading it",
            ));
        }
        let reader = stream
            .get_reader()
            .dyn_into::<ReadableStreamDefaultReader>()
            .map_err(|_| Error::argument("the stream gave no reader"))?;
        Ok(StreamParts {
            reader,
            part_size,
            carry: None,
            ended: false,
            started: false,
        })
    }

    /// The next chunk, or `None` at the end of the stream.
    async fn read(&mut self) -> Result<Option<Uint8Array>, Error> {
        let result = JsFuture::from(self.reader.read())
            .await
            .map_err(|e| Error::stream_failed(&js::message_of(&e)))?;
        if js::get(&result, "done").and_then(|d| d.as_bool()) == Some(true) {
            self.ended = true;
            return Ok(None);
        }
        js::get(&result, "value").map(|v| bytes_of(&v)).transpose()
    }

    /// The next part, whether the stream ended with it, and its CRC64 as the stream gave it;
    /// `None` once the stream is spent (an empty stream still gives one empty part, so that
    /// an empty object can be stored). The first part peeks one chunk further, so that a
    /// stream that fits in one part is known as such.
    ///
    /// The part is hashed from the chunks, not read back from its Blob: the server's CRC64 is
    /// then checked against the stream's bytes, so a Blob that came out otherwise (WebKitGTK
    /// has stored such a part once, every check passing) is sent again rather than stored.
    /// Chunks are copied: a stream may reuse a buffer once it has been read.
    pub async fn next(&mut self) -> Result<Option<(Blob, bool, u64)>, Error> {
        let first = !self.started;
        self.started = true;
        let chunks = Array::new();
        let mut crc = crc64::Hasher::default();
        let mut have = 0u64;
        while have < self.part_size {
            let chunk = match self.carry.take() {
                Some(chunk) => chunk,
                None if self.ended => break,
                None => match self.read().await? {
                    Some(chunk) => chunk,
                    None => break,
                },
            };
            let len = u64::from(chunk.length());
            let taken = len.min(self.part_size - have);
            let piece = chunk.slice(0, taken as u32);
            if taken < len {
                self.carry = Some(chunk.slice(taken as u32, chunk.length()));
            }
            hash::update(&mut crc, &piece);
            chunks.push(&piece);
            have += taken;
        }
        if have == 0 && !first {
            return Ok(None);
        }
        if first && !self.ended && self.carry.is_none() {
            // Exactly one part's worth so far: one more read tells whether that was all.
            self.carry = self.read().await?;
        }
        let blob = Blob::new_with_u8_array_sequence(&chunks)
            .map_err(|_| Error::argument("the browser could not hold the stream's bytes"))?;
        Ok(Some((
            blob,
            self.ended && self.carry.is_none(),
            crc.finish(),
        )))
    }

    /// The reader, to cancel the stream with (the producer learns that nobody will consume
    /// the rest) while a read holds `self`.
    pub fn reader(&self) -> ReadableStreamDefaultReader {
        self.reader.clone()
    }
}
