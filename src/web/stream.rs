//! A `ReadableStream` cut into parts for `putStream`: read once, in order, one part at a time,
//! and only when the engine asks for the next part, so at most `parallel` parts (plus the one
//! being gathered) are held at once whatever the stream's length. Each part becomes a Blob, so
//! from there on it travels the same road as a slice of a File.

use futures::future::{select, Either};
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, ReadableStream, ReadableStreamDefaultReader};

use crate::engine::plan::MAX_PARTS;

use super::error::Error;
use super::js;

pub struct StreamParts {
    reader: ReadableStreamDefaultReader,
    part_size: u64,
    /// The length the caller announced (`contentLength`), checked when the stream ends.
    expected: Option<u64>,
    /// Bytes read past the end of the last part handed out.
    carry: Option<Uint8Array>,
    /// A part read ahead (to learn whether the stream fits in one request), not yet handed out.
    ahead: Option<Blob>,
    ended: bool,
    /// Bytes handed out as parts so far.
    pub total: u64,
    next: u32,
}

/// Resolves when `signal` aborts (at once if it already has).
fn aborted(signal: &AbortSignal) -> JsFuture {
    let signal = signal.clone();
    JsFuture::from(Promise::new(&mut |resolve, _| {
        if signal.aborted() {
            let _ = resolve.call0(&JsValue::NULL);
        } else {
            let _ = signal.add_event_listener_with_callback("abort", &resolve);
        }
    }))
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
        "putStream() reads bytes, but the stream gave something else: pipe text through a TextEncoderStream first",
    ))
}

impl StreamParts {
    pub fn new(
        stream: &ReadableStream,
        part_size: u64,
        expected: Option<u64>,
    ) -> Result<StreamParts, Error> {
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
            expected,
            carry: None,
            ahead: None,
            ended: false,
            total: 0,
            next: 1,
        })
    }

    /// The next chunk, or `None` at the end of the stream.
    async fn read(&mut self, signal: &AbortSignal) -> Result<Option<Uint8Array>, Error> {
        let read = JsFuture::from(self.reader.read());
        let result = match select(read, aborted(signal)).await {
            Either::Left((Ok(result), _)) => result,
            Either::Left((Err(e), _)) => {
                let why = js_sys::Error::from(e)
                    .message()
                    .as_string()
                    .unwrap_or_default();
                return Err(Error::stream(&why));
            }
            Either::Right(_) => return Err(Error::cancelled()),
        };
        if js::get(&result, "done").and_then(|d| d.as_bool()) == Some(true) {
            return Ok(None);
        }
        js::get(&result, "value").map(|v| bytes_of(&v)).transpose()
    }

    /// Reads up to one part's bytes as a Blob; `None` once the stream is spent (an empty
    /// stream still gives one empty part, so that an empty object can be stored).
    async fn gather(&mut self, signal: &AbortSignal) -> Result<Option<Blob>, Error> {
        if self.ended && self.carry.is_none() && self.next > 1 {
            return Ok(None);
        }
        let chunks = Array::new();
        let mut have = 0u64;
        while have < self.part_size {
            let chunk = match self.carry.take() {
                Some(chunk) => chunk,
                None if self.ended => break,
                None => match self.read(signal).await? {
                    Some(chunk) => chunk,
                    None => {
                        self.ended = true;
                        break;
                    }
                },
            };
            let len = u64::from(chunk.length());
            let room = self.part_size - have;
            if len > room {
                chunks.push(&chunk.subarray(0, room as u32));
                self.carry = Some(chunk.subarray(room as u32, chunk.length()));
                have += room;
            } else {
                chunks.push(&chunk);
                have += len;
            }
        }
        if have == 0 && self.next > 1 {
            return Ok(None);
        }
        Blob::new_with_u8_array_sequence(&chunks)
            .map(Some)
            .map_err(|_| Error::argument("the browser could not hold the stream's bytes"))
    }

    /// The whole stream as one Blob, if it fits in one part; otherwise the first part is kept
    /// for [`StreamParts::next`] to hand out.
    pub async fn whole(&mut self, signal: &AbortSignal) -> Result<Option<Blob>, Error> {
        let Some(first) = self.gather(signal).await? else {
            return Ok(None);
        };
        if !self.ended && self.carry.is_none() {
            // Exactly one part's worth so far: one more read tells whether that was all.
            match self.read(signal).await? {
                Some(chunk) => self.carry = Some(chunk),
                None => self.ended = true,
            }
        }
        if self.ended && self.carry.is_none() {
            self.check_length(first.size() as u64)?;
            return Ok(Some(first));
        }
        self.ahead = Some(first);
        Ok(None)
    }

    /// The next part and its number, or `None` once the stream has ended.
    pub async fn next(&mut self, signal: &AbortSignal) -> Result<Option<(u32, Blob)>, Error> {
        let part = match self.ahead.take() {
            Some(part) => Some(part),
            None => self.gather(signal).await?,
        };
        let Some(part) = part else {
            self.check_length(self.total)?;
            return Ok(None);
        };
        if u64::from(self.next) > MAX_PARTS {
            return Err(Error::argument(format!(
                "the stream is longer than 10000 parts of {} bytes: pass a larger partSize, or contentLength",
                self.part_size
            )));
        }
        let number = self.next;
        self.next += 1;
        self.total += part.size() as u64;
        Ok(Some((number, part)))
    }

    fn check_length(&self, total: u64) -> Result<(), Error> {
        match self.expected {
            Some(expected) if expected != total => Err(Error::argument(format!(
                "the stream gave {total} bytes, but contentLength is {expected}: nothing was stored"
            ))),
            _ => Ok(()),
        }
    }

    /// Stops reading: the producer learns that nobody will consume the rest.
    pub fn cancel(&self) {
        let _ = self.reader.cancel();
    }
}
