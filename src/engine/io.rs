//! What an operation and the browser edge say to each other. The edge feeds events (answers,
//! timers, keys, the stream's parts, the page going online, a cancel); the operation answers
//! with commands (send, sleep, read a part, save, report progress) and, at the end, a result.

use super::checkpoint::Checkpoint;
use super::error::Error;
use super::exchange::{Answer, Env, Outcome, Outgoing};

/// The first of a queue, taken out. The engine's queues (commands, events, parts read) are a
/// few items long: a Vec does, where a VecDeque's ring would be instantiated for each.
pub fn take_first<T>(queue: &mut Vec<T>) -> Option<T> {
    (!queue.is_empty()).then(|| queue.remove(0))
}

#[derive(Debug)]
pub enum Event {
    /// Attempt `id` ended.
    Answer(u32, Outcome),
    /// Timer `id` fired.
    Woke(u32),
    /// A refresh of the keys ended: requests waiting for it go on, or fail with its error.
    Keys(Option<Error>),
    /// The browser is online again.
    Online,
    /// A stream gave its next part, of `len` bytes; `last` when the stream ended with it.
    Part {
        len: u64,
        last: bool,
    },
    /// The stream ended with no further part.
    SourceEnd,
    SourceFailed(Error),
    /// The bytes of attempt `id`'s body sent so far (XHR's upload progress).
    Sent(u32, u64),
    /// The progress callback threw.
    ProgressFailed(Error),
    Cancel,
}

#[derive(Debug)]
pub enum Command {
    Send(Outgoing),
    /// Wake me with `Event::Woke(id)` after `ms`.
    Sleep {
        id: u32,
        ms: u32,
    },
    /// Wake me with `Event::Online` once the browser is online.
    WaitOnline,
    /// Read the stream's next part (`Event::Part`, `SourceEnd` or `SourceFailed`).
    ReadPart,
    /// Part `n` is stored (it is in the checkpoint now): a stream's bytes for it can go.
    Stored(u32),
    /// Keep the checkpoint (`Upload::checkpoint`) where a reload finds it.
    Save,
    /// The upload is over: drop what `Save` kept.
    Forget,
    /// Call `progress(fraction, checkpoint, res)`: the checkpoint when `checkpoint` is true,
    /// `res` from the answer that moved it.
    /// `live`: a report of bytes going out (XHR), between the per-part ones: not awaited,
    /// and what it throws is ignored, so that it cannot hold up or fail the upload.
    Progress {
        fraction: f64,
        checkpoint: bool,
        res: Option<Answer>,
        live: bool,
    },
    /// Say this once per page on the console.
    Warn(&'static str),
}

/// How an upload ended well.
#[derive(Debug, PartialEq, Eq)]
pub struct Done {
    /// `None` when the bucket's CORS rule hides it (the object is stored all the same).
    pub etag: Option<String>,
    /// The answer that made the object: its headers give `res` and `crc64`, its body the
    /// callback server's answer (when a callback was asked for).
    pub answer: Answer,
}

/// What the edge drives: an upload or a single call.
pub trait Operation {
    /// The next command to carry out, if any.
    fn poll(&mut self, env: &mut Env) -> Option<Command>;
    fn handle(&mut self, event: Event, env: &mut Env);
    /// Over, with its result ready to take.
    fn is_over(&self) -> bool;
    /// The checkpoint so far, for `Save` and `Progress`.
    fn checkpoint(&self) -> Option<&Checkpoint> {
        None
    }
}
