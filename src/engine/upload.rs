//! The one upload engine: `put`, `putStream`, `multipartUpload` and resuming all run here. An
//! upload that fits in one part is a single PutObject; anything larger is Initiate (or a
//! checkpoint checked against ListParts), up to `parallel` UploadParts at a time, then
//! Complete. It owns no I/O: the edge feeds it events and carries out its commands
//! (`io.rs`), so every decision here is tested natively as a conversation.
//!
//! A part that fails for good does not stop the parts in flight; the checkpoint keeps every
//! part that succeeded and travels with the error. A stream cannot be read twice, so a stream
//! upload that fails aborts its parts instead.

use super::checkpoint::{combined_crc64, reconcile, Checkpoint, DonePart};
use super::error::Error;
use super::exchange::{Answer, Body, Env, Form, Read, Request};
use super::io::{take_first, Command, Done, Event, Operation};
use super::list_parts;
use super::plan::{Plan, MAX_PARTS, MOST_RESIZES};
use super::requests;
use super::retry::Policy;
use super::slots::Slots;
use super::tuning::Tuning;
use crate::protocol::messages::{self, ListedPart};
use crate::protocol::post_policy;
use crate::text::{self, int};

/// How many times a body whose CRC64 the server disputes is sent before giving up.
const CRC_TRIES: u32 = 3;

/// The first parts' size where the edge cannot watch bodies go out: ali-oss's, which a slow
/// link carries within a timeout.
const FIRST_UNWATCHED_PART: u64 = 1024 * 1024;

const ETAG_HIDDEN: &str = "oss-browser-upload: stored, but the bucket's CORS rule hides the ETag (etag is null): add ETag to ExposeHeaders.";

const CRC_HIDDEN: &str = "oss-browser-upload: the bucket's CORS rule hides x-oss-hash-crc64ecma, so uploads are not checked end to end: add it to ExposeHeaders.";

/// Where the bytes come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A File or Blob: any part can be sliced at any time, so the upload can resume.
    File,
    /// A stream, read once, in order, a part at a time; `expected` is `contentLength`.
    Stream { expected: Option<u64> },
}

/// What to upload, and how.
#[derive(Clone, Debug)]
pub struct Job {
    pub name: String,
    pub plan: Plan,
    pub source: Source,
    /// Object headers (type, meta, the caller's), sent with PutObject or Initiate.
    pub headers: Vec<(String, String)>,
    /// `x-oss-callback` (and `-var`), sent with the request that makes the object.
    pub callback: Vec<(String, String)>,
    pub parallel: usize,
    /// The part size (of a file's parts) and the parts in flight are ours to choose, from
    /// what the link measures: the caller gave no `partSize`, no `parallel`.
    pub choose_part_size: bool,
    pub choose_parallel: bool,
    /// Check each part's and the object's CRC64 against the server's.
    pub crc64: bool,
    pub checkpoint: Option<Checkpoint>,
    /// Whether anyone listens to progress.
    pub progress: bool,
    /// Byte-level progress from the bodies going out (XHR), between the per-part reports.
    pub live: bool,
    /// The edge watches bodies go out (XHR), so a slow part that moves is never cut off;
    /// where it cannot (fetch), a part's deadline comes from the rate measured so far.
    pub watched: bool,
    pub policy: Policy,
    pub timeout_ms: u32,
    pub seed: u64,
    /// AppendObject at this position instead of PutObject (a one-request upload only).
    pub append: Option<u64>,
    /// PostObject with this form (the object's name and headers, a backend's policy or one
    /// signed as it is sent) instead of PutObject (a one-request upload only).
    pub form: Option<Form>,
}

/// The most put() sends as a form in PutObject's place. A form goes by fetch, which cannot
/// watch its bytes leave, so it is judged by a deadline rather than by moving; this much any
/// link carries well within `timeout`, and the preflight spared is still a share of the
/// request's time worth having.
pub const FORM_MAX: u64 = 1024 * 1024;

/// Whether put()'s `job` can go as a form signed here in PutObject's place: no callback (a
/// form a CORS rule refuses is still carried out, its callback called, before the PutObject
/// that follows), no append, at most `FORM_MAX` bytes, a name without `${filename}` (which
/// OSS fills in from a form's file), and only headers OSS reads from a form's fields.
pub fn fits_a_form(job: &Job) -> bool {
    let mut fits = job.callback.is_empty()
        && job.append.is_none()
        && job.plan.size <= FORM_MAX
        && text::find(&job.name, "${filename}").is_none();
    for (k, _) in &job.headers {
        fits &= post_policy::form_header(k);
    }
    fits
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Put,
    ListParts,
    Head,
    Initiate,
    Part(u32),
    Complete,
    Abort,
}

#[derive(Debug, PartialEq)]
enum Phase {
    Start,
    /// A stream's first part decides between one PutObject and multipart.
    FirstPart,
    Single,
    Resuming,
    /// The upload is gone from the server: was it completed? If not, start afresh (`None`)
    /// or fail with this error.
    CheckingLostComplete(Option<Error>),
    Initiating,
    Parts,
    Completing,
    /// A failed stream upload drops its parts before failing with this error.
    Aborting(Error),
    Over,
}

pub struct Upload {
    job: Job,
    slots: Slots<Tag>,
    tuning: Tuning,
    phase: Phase,
    cp: Option<Checkpoint>,
    bytes_done: u64,
    listed: Vec<ListedPart>,
    /// Files: the next part number to consider; streams: the number the next part read gets.
    next_part: u32,
    /// Stream parts read and not yet sent: (number, length).
    read: Vec<(u32, u64)>,
    reading: bool,
    ended: bool,
    /// Stream bytes read so far.
    total: u64,
    /// CRC64 disputes per part in flight (part 0: the single PUT).
    crc_tries: Vec<(u32, u32)>,
    /// Bytes sent of each part in flight, for byte-level progress.
    sending: Vec<(u32, u64)>,
    shown: f64,
    warned: bool,
    /// The upload can never complete (its parts' ETags cannot be read): a failure aborts it
    /// rather than leaving a checkpoint to resume from.
    doomed: bool,
    /// No request starts until the reports queued are carried out: the first report comes
    /// before any part, the last before Complete, so a progress callback that throws stops
    /// the upload where it stands (as it always did).
    held: bool,
    /// The object exists: an error from here on has no checkpoint to resume from.
    object_made: bool,
    form_failed: bool,
    failure: Option<Error>,
    out: Vec<Command>,
    result: Option<Result<Done, Error>>,
}

impl Upload {
    pub fn new(mut job: Job) -> Upload {
        let slots = Slots::new(job.policy, job.timeout_ms, job.seed);
        let chosen = job.choose_part_size && job.source == Source::File;
        let tuning = Tuning::new(chosen, job.choose_parallel, job.parallel);
        job.plan.follows_link = chosen;
        // Unwatched, the first parts have no measured rate to be given time by: small ones
        // measure the link before the parts grow to it.
        if chosen && !job.watched && !job.plan.single() {
            let first = job.plan.part_size.min(FIRST_UNWATCHED_PART);
            job.plan.resize_from(1, first);
        }
        let given = job.checkpoint.take();
        let mut u = Upload {
            slots,
            tuning,
            phase: Phase::Start,
            cp: None,
            bytes_done: 0,
            listed: Vec::new(),
            next_part: 1,
            read: Vec::new(),
            reading: false,
            ended: false,
            total: 0,
            crc_tries: Vec::new(),
            sending: Vec::new(),
            shown: 0.0,
            warned: false,
            doomed: false,
            held: false,
            object_made: false,
            form_failed: false,
            failure: None,
            out: Vec::new(),
            result: None,
            job,
        };
        u.job.checkpoint = given;
        u
    }

    /// Where the parts lie: once the upload has a checkpoint (its own, or the one it resumes
    /// from), its plan; the part size may change as the upload goes.
    fn plan(&self) -> &Plan {
        let cp = self.cp.as_ref().or(self.job.checkpoint.as_ref());
        cp.map_or(&self.job.plan, |c| &c.plan)
    }

    /// The plan the parts followed: a stream's length is known only at its end.
    fn actual(&self) -> Plan {
        match self.job.source {
            Source::File => self.plan().clone(),
            Source::Stream { .. } => Plan {
                size: self.total,
                ..self.job.plan.clone()
            },
        }
    }

    /// Once over: how it ended.
    pub fn take_result(&mut self) -> Option<Result<Done, Error>> {
        if self.is_over() {
            self.result.take()
        } else {
            None
        }
    }
}

impl Operation for Upload {
    fn is_over(&self) -> bool {
        self.result.is_some() && self.out.is_empty() && self.slots.is_empty()
    }

    fn checkpoint(&self) -> Option<&Checkpoint> {
        self.cp.as_ref()
    }

    fn poll(&mut self, env: &mut Env) -> Option<Command> {
        if self.phase == Phase::Start {
            self.begin();
        }
        if self.held && self.out.is_empty() {
            self.held = false;
            self.advance();
        }
        if let Some(c) = self.slots.poll(env) {
            return Some(c);
        }
        let want = matches!(self.phase, Phase::FirstPart | Phase::Parts)
            && matches!(self.job.source, Source::Stream { .. })
            && !self.reading
            && !self.ended
            && self.failure.is_none()
            && (self.phase == Phase::FirstPart
                || self.read.is_empty() && self.slots.len() < self.job.parallel);
        if want {
            self.reading = true;
            return Some(Command::ReadPart);
        }
        take_first(&mut self.out)
    }

    fn handle(&mut self, event: Event, env: &mut Env) {
        match event {
            Event::Cancel => self.cancel(),
            Event::Part { len, last } => self.part_read(len, last),
            Event::SourceEnd => {
                self.reading = false;
                self.ended = true;
            }
            Event::SourceFailed(e) => {
                self.reading = false;
                self.ended = true;
                self.fail_soon(e);
            }
            Event::Sent(id, bytes) => self.sent(id, bytes),
            Event::ProgressFailed(e) => match &self.result {
                Some(Ok(_)) => {
                    self.result = Some(Err(e));
                    self.cp = None;
                }
                Some(Err(_)) => {}
                None => self.fail_soon(e),
            },
            event => {
                let ended = self.slots.handle(event, env);
                let timed_out = self.slots.take_timed_out();
                if timed_out.iter().any(|t| matches!(t, Tag::Part(_))) {
                    self.tuning.timeout();
                }
                for (tag, r) in ended {
                    self.ended_request(tag, r);
                }
            }
        }
        self.advance();
    }
}

impl Upload {
    fn begin(&mut self) {
        if let Some(cp) = &self.job.checkpoint {
            match cp.check_fits(&self.job.name, self.job.plan.size) {
                Ok(()) => {
                    self.phase = Phase::Resuming;
                    self.list_parts(0);
                }
                Err(e) => self.finish(Err(e)),
            }
        } else if matches!(self.job.source, Source::Stream { .. }) {
            self.phase = Phase::FirstPart;
        } else if self.job.plan.single() {
            self.phase = Phase::Single;
            self.put(self.job.plan.size);
        } else {
            self.initiate();
        }
    }

    fn request(&self, method: &'static str, query: &[(&str, &str)]) -> Request {
        Request::new(method, &self.job.name, query)
    }

    /// Of the object's headers, those named: what a part or Complete reads again.
    fn headers_named(&self, names: &[&str]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in &self.job.headers {
            if names.iter().any(|n| k.eq_ignore_ascii_case(n)) {
                out.push((k.clone(), v.clone()));
            }
        }
        out
    }

    fn put(&mut self, len: u64) {
        let position = self.job.append.map(int);
        let mut r = match &position {
            Some(p) => self.request("POST", &[("append", ""), ("position", p)]),
            None => self.request("PUT", &[]),
        };
        r.headers = [self.job.headers.clone(), self.job.callback.clone()].concat();
        r.body = Body::Part {
            number: 1,
            start: 0,
            end: len,
        };
        if let Some(form) = &self.job.form {
            // To the bucket, its headers among the form's fields.
            r = Request::new("POST", "", &[]);
            r.body = Body::Form {
                form: form.clone(),
                start: 0,
                end: len,
            };
        }
        // OSS answers an append with the whole object's CRC64, which this body's alone
        // matches only at position 0; and a mismatch could not be sent again anyway.
        r.hash = self.job.crc64 && self.job.append.is_none();
        r.repeatable = self.job.append.is_none() && !self.instead_of_put();
        let form_callback =
            (self.job.form.iter()).any(|f| f.fields.iter().any(|(k, _)| k == "callback"));
        if !self.job.callback.is_empty() || form_callback {
            r.read = Read::Text;
        }
        self.slots.start(Tag::Put, r);
    }

    fn instead_of_put(&self) -> bool {
        self.job.form.as_ref().is_some_and(|f| f.instead_of_put)
    }

    /// Whether a form sent in PutObject's place failed, and the object went by PutObject.
    pub fn form_failed(&self) -> bool {
        self.form_failed
    }

    fn list_parts(&mut self, marker: u32) {
        let upload_id = self.job.checkpoint.as_ref().map_or("", |c| &c.upload_id);
        let r = list_parts::page(&self.job.name, upload_id, marker);
        self.slots.start(Tag::ListParts, r);
    }

    fn initiate(&mut self) {
        self.phase = Phase::Initiating;
        let r = requests::initiate(&self.job.name, self.job.headers.clone());
        self.slots.start(Tag::Initiate, r);
    }

    fn upload_id(&self) -> String {
        self.cp
            .as_ref()
            .map_or(String::new(), |c| c.upload_id.clone())
    }

    fn send_part(&mut self, number: u32, start: u64, len: u64) {
        let body = Body::Part {
            number,
            start,
            end: start + len,
        };
        let mut r = requests::upload_part(&self.job.name, &self.upload_id(), number, body);
        // The bandwidth each request may use, as ali-oss sends it with every part.
        r.headers = self.headers_named(&["x-oss-traffic-limit"]);
        r.hash = self.job.crc64;
        self.slots.start(Tag::Part(number), r);
    }

    /// Starts parts while slots are free, and completes once every part is in.
    fn advance(&mut self) {
        if self.phase != Phase::Parts {
            return;
        }
        while !self.held && self.failure.is_none() && self.slots.len() < self.tuning.window() {
            match self.job.source {
                Source::File => {
                    let Some(cp) = &self.cp else { break };
                    while cp.done.contains(self.next_part) {
                        self.next_part += 1;
                    }
                    if self.next_part > cp.plan.count() {
                        break;
                    }
                    let n = self.next_part;
                    self.next_part += 1;
                    self.cut_from(n);
                    let (start, len) = self.plan().part(n);
                    self.send_part(n, start, len);
                }
                Source::Stream { .. } => match take_first(&mut self.read) {
                    Some((n, len)) => {
                        let start = u64::from(n - 1) * self.job.plan.part_size;
                        self.send_part(n, start, len);
                    }
                    None => break,
                },
            }
        }
        if !self.slots.is_empty() {
            return;
        }
        if let Some(e) = self.failure.take() {
            return self.fail(e);
        }
        let all_in = match self.job.source {
            Source::File => self.next_part > self.plan().count(),
            Source::Stream { expected } => {
                if !self.ended || self.reading || !self.read.is_empty() {
                    false
                } else if let Err(e) = self.check_length(expected) {
                    return self.fail(e);
                } else {
                    true
                }
            }
        };
        if all_in && !self.out.is_empty() {
            self.held = true;
        } else if all_in {
            self.complete();
        }
    }

    /// Part `number` is about to be cut: the parts from it on may take another size, if
    /// none of them is done (a resumed upload may have done parts further on).
    fn cut_from(&mut self, number: u32) {
        let Some(cp) = &mut self.cp else { return };
        let free = cp.done.last().is_none_or(|n| n < number);
        if !free || cp.plan.resized.len() >= MOST_RESIZES {
            return;
        }
        let (offset, _) = cp.plan.part(number);
        let current = cp.plan.size_at(number);
        if let Some(size) = self.tuning.part_size(current, cp.plan.size - offset) {
            cp.plan.resize_from(number, size);
        }
    }

    fn check_length(&self, expected: Option<u64>) -> Result<(), Error> {
        match expected {
            Some(n) if n != self.total => Err(Error::argument(text::fill(
                "the stream gave {} bytes, not contentLength {}: nothing was stored",
                &[&int(self.total), &int(n)],
            ))),
            _ => Ok(()),
        }
    }

    fn complete(&mut self) {
        self.phase = Phase::Completing;
        let Some(cp) = &self.cp else { return };
        let mut parts = Vec::new();
        for (n, p) in cp.done.iter() {
            parts.push((*n, p.etag.clone()));
        }
        // OSS checks an overwrite again when the object is made.
        let again = self.headers_named(&["x-oss-forbid-overwrite"]);
        let headers = [self.job.callback.clone(), again].concat();
        let r = requests::complete(&self.job.name, &cp.upload_id, &parts, &headers);
        self.slots.start(Tag::Complete, r);
    }

    fn part_read(&mut self, len: u64, last: bool) {
        self.reading = false;
        self.ended |= last;
        let n = self.next_part;
        self.next_part += 1;
        self.total += len;
        if self.phase == Phase::FirstPart {
            if last {
                self.phase = Phase::Single;
                let expected = match self.job.source {
                    Source::Stream { expected } => expected,
                    Source::File => None,
                };
                match self.check_length(expected) {
                    Ok(()) => self.put(len),
                    Err(e) => self.finish(Err(e)),
                }
                return;
            }
            self.read.push((n, len));
            return self.initiate();
        }
        if u64::from(n) > MAX_PARTS {
            self.ended = true;
            return self.fail_soon(Error::argument(
                text::fill("the stream is over 10000 parts of {} bytes: pass a larger partSize, or contentLength", &[&int(self.job.plan.part_size)]),
            ));
        }
        self.read.push((n, len));
    }

    fn fraction(&self) -> f64 {
        let size = self.job.plan.size;
        let p = if size == 0 {
            0.0
        } else {
            (self.bytes_done as f64 / size as f64).min(0.9999)
        };
        // Never below what the bytes going out already showed.
        p.max(self.shown)
    }

    fn report(&mut self, fraction: f64, checkpoint: bool, res: Option<&Answer>) {
        if !self.job.progress {
            return;
        }
        self.shown = self.shown.max(fraction);
        let res = res.map(|a| Answer {
            body: String::new(),
            ..a.clone()
        });
        self.out.push(Command::Progress {
            fraction,
            checkpoint,
            res,
            live: false,
        });
    }

    fn sent(&mut self, id: u32, bytes: u64) {
        let size = self.job.plan.size;
        if !self.job.live || !self.job.progress || size == 0 {
            return;
        }
        let n = match self.slots.tag_of(id) {
            Some(Tag::Part(n)) => n,
            Some(Tag::Put) => 1,
            _ => return,
        };
        match self.sending.iter_mut().find(|(k, _)| *k == n) {
            Some(s) => s.1 = bytes,
            None => self.sending.push((n, bytes)),
        }
        let going: u64 = self.sending.iter().map(|(_, b)| b).sum();
        let p = ((self.bytes_done + going) as f64 / size as f64).min(0.9999);
        if p > self.shown {
            self.shown = p;
            let has_cp = self.cp.is_some();
            self.out.push(Command::Progress {
                fraction: p,
                checkpoint: has_cp,
                res: None,
                live: true,
            });
        }
    }

    /// Our CRC64 of a body against the server's: `Ok(true)` when it must be sent again.
    fn disputed(&mut self, key: u32, what: &str, a: &Answer) -> Result<bool, Error> {
        let Some(ours) = a.sent_crc64 else {
            return Ok(false);
        };
        let Some(theirs) = a.header("x-oss-hash-crc64ecma") else {
            if !self.warned {
                self.warned = true;
                self.out.push(Command::Warn(CRC_HIDDEN));
            }
            return Ok(false);
        };
        let tries = self
            .crc_tries
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |t| t.1);
        self.crc_tries.retain(|(k, _)| *k != key);
        if theirs == int(ours) {
            return Ok(false);
        }
        if tries + 1 < CRC_TRIES {
            self.crc_tries.push((key, tries + 1));
            return Ok(true);
        }
        Err(Error::inconsistent(what, ours, theirs))
    }

    fn ended_request(&mut self, tag: Tag, r: Result<Answer, Error>) {
        if self.result.is_some() {
            return;
        }
        match (tag, r) {
            (Tag::Put, Ok(a)) => self.put_done(a),
            (Tag::Put, Err(e)) if self.instead_of_put() && !e.is_cancel() => {
                self.form_failed = true;
                self.job.form = None;
                self.put(self.actual().size)
            }
            (Tag::ListParts, Ok(a)) => {
                self.tuning.answered(0, a.rt_ms);
                self.listed_page(a)
            }
            (Tag::ListParts, Err(e)) if e.code == "NoSuchUpload" => self.check_finished(None),
            (Tag::Head, r) => self.headed(r.ok()),
            (Tag::Initiate, Ok(a)) => match messages::parse_initiate(&a.body) {
                Ok(upload_id) => {
                    self.tuning.answered(0, a.rt_ms);
                    self.cp = Some(Checkpoint {
                        name: self.job.name.clone(),
                        plan: self.job.plan.clone(),
                        upload_id,
                        done: Default::default(),
                    });
                    self.start_parts(Some(&a));
                }
                Err(e) => self.fail(Error::bad_response(a.status, &e)),
            },
            (Tag::Part(n), r) => self.part_done(n, r),
            (Tag::Complete, Ok(a)) => self.completed(a),
            // A Complete retried after its answer was lost meets the upload gone, or (with
            // x-oss-forbid-overwrite) the object it made itself: the object decides.
            (Tag::Complete, Err(e))
                if e.code == "NoSuchUpload" || e.code == "FileAlreadyExists" =>
            {
                self.check_finished(Some(e))
            }
            (Tag::Abort, _) => {
                if let Phase::Aborting(e) = std::mem::replace(&mut self.phase, Phase::Over) {
                    self.finish(Err(e));
                }
            }
            (_, Err(e)) => self.fail(e),
        }
    }

    fn put_done(&mut self, a: Answer) {
        match self.disputed(0, "the object", &a) {
            Ok(true) => return self.put(self.actual().size),
            Ok(false) => {}
            Err(e) => return self.finish(Err(e)),
        }
        self.object_made = true;
        self.settle(a, None);
    }

    /// The object exists: check the callback's outcome and report. An ETag the bucket's CORS
    /// rule hides is no reason to fail: the object is stored (ali-oss resolves too).
    fn settle(&mut self, a: Answer, etag: Option<String>) {
        if let Some(e) = a.callback_failed() {
            return self.finish(Err(e));
        }
        let etag = etag.or_else(|| a.etag().ok());
        if etag.is_none() {
            self.out.push(Command::Warn(ETAG_HIDDEN));
        }
        let has_cp = self.cp.is_some();
        self.report(1.0, has_cp, Some(&a));
        self.finish(Ok(Done { etag, answer: a }));
    }

    fn listed_page(&mut self, a: Answer) {
        match list_parts::read(&mut self.listed, &a) {
            Ok(Some(next)) => return self.list_parts(next),
            Ok(None) => {}
            Err(e) => return self.fail(e),
        }
        let Some(mut cp) = self.job.checkpoint.clone() else {
            return;
        };
        cp.done = reconcile(&cp.plan, &cp.done, &self.listed);
        cp.plan.follows_link |= self.tuning.chooses_part_size();
        self.bytes_done = super::checkpoint::bytes_done(&cp.plan, &cp.done);
        self.cp = Some(cp);
        self.start_parts(None);
    }

    fn start_parts(&mut self, res: Option<&Answer>) {
        self.phase = Phase::Parts;
        self.held = true;
        self.out.push(Command::Save);
        let f = self.fraction();
        self.report(f, true, res);
    }

    /// The upload is gone: if the object is exactly what the checkpoint's parts make up, a
    /// Complete whose answer was lost (or a page reloaded just after it) made it.
    fn check_finished(&mut self, otherwise: Option<Error>) {
        let cp = self.cp.as_ref().or(self.job.checkpoint.as_ref());
        let expected = cp.and_then(|c| combined_crc64(&self.actual(), &c.done));
        if expected.is_none() {
            return match otherwise {
                Some(e) => self.fail(e),
                None => {
                    self.cp = None;
                    self.initiate()
                }
            };
        }
        self.phase = Phase::CheckingLostComplete(otherwise);
        let r = self.request("HEAD", &[]);
        self.slots.start(Tag::Head, r);
    }

    fn headed(&mut self, a: Option<Answer>) {
        let Phase::CheckingLostComplete(otherwise) =
            std::mem::replace(&mut self.phase, Phase::Over)
        else {
            return;
        };
        let cp = self.cp.as_ref().or(self.job.checkpoint.as_ref());
        let plan = self.actual();
        let expected = cp.and_then(|c| combined_crc64(&plan, &c.done));
        if let (Some(a), Some(crc)) = (a, expected) {
            let same = a.header("content-length") == Some(int(plan.size).as_str())
                && a.header("x-oss-hash-crc64ecma") == Some(int(crc).as_str());
            if let (true, Ok(etag)) = (same, a.etag()) {
                self.out.push(Command::Forget);
                self.cp = None;
                self.report(1.0, false, Some(&a));
                return self.finish(Ok(Done {
                    etag: Some(etag),
                    answer: a,
                }));
            }
        }
        match otherwise {
            Some(e) => self.fail(e),
            None => {
                self.cp = None;
                self.initiate()
            }
        }
    }

    fn part_done(&mut self, n: u32, r: Result<Answer, Error>) {
        self.sending.retain(|(k, _)| *k != n);
        let a = match r {
            Ok(a) => a,
            Err(mut e) => {
                e.part = Some(n);
                if e.code == "NoSuchUpload" {
                    e = Error::upload_gone(e);
                }
                return self.fail_soon(e);
            }
        };
        let what = text::fill("part {}", &[&int(n.into())]);
        let checked =
            self.disputed(n, &what, &a).and_then(
                |again| {
                    if again {
                        Ok(None)
                    } else {
                        a.etag().map(Some)
                    }
                },
            );
        let etag = match checked {
            Ok(Some(etag)) => etag,
            Ok(None) => {
                let (start, len) = self.part_span(n);
                return self.send_part(n, start, len);
            }
            Err(e) => {
                // Without its parts' ETags no upload can be completed: drop it.
                self.doomed |= e.code == "ETagNotExposed";
                return self.fail_soon(e);
            }
        };
        let len = self.part_span(n).1;
        self.tuning.answered(len, a.rt_ms);
        if let Some(cp) = &mut self.cp {
            cp.done.insert(
                n,
                DonePart {
                    etag,
                    crc64: a.sent_crc64,
                },
            );
        }
        self.bytes_done += len;
        self.out.push(Command::Stored(n));
        self.out.push(Command::Save);
        let f = self.fraction();
        self.report(f, true, Some(&a));
    }

    fn part_span(&self, n: u32) -> (u64, u64) {
        match self.job.source {
            Source::File => self.plan().part(n),
            // Every stream part but the last is full; the last is what the stream had left.
            Source::Stream { .. } => {
                let start = u64::from(n - 1) * self.job.plan.part_size;
                (start, self.job.plan.part_size.min(self.total - start))
            }
        }
    }

    fn completed(&mut self, a: Answer) {
        self.object_made = true;
        self.out.push(Command::Forget);
        let ours = match (&self.cp, self.job.crc64) {
            (Some(cp), true) => combined_crc64(&self.actual(), &cp.done),
            _ => None,
        };
        if let (Some(ours), Some(theirs)) = (ours, a.header("x-oss-hash-crc64ecma")) {
            if theirs != int(ours) {
                return self.finish(Err(Error::inconsistent(
                    "the completed object",
                    ours,
                    theirs,
                )));
            }
        }
        let etag = if self.job.callback.is_empty() {
            match messages::parse_complete(&a.body) {
                Ok(etag) => Some(etag),
                Err(e) => return self.finish(Err(Error::bad_response(a.status, &e))),
            }
        } else {
            None
        };
        self.settle(a, etag);
    }

    /// A failure while parts are in flight: they finish first.
    fn fail_soon(&mut self, e: Error) {
        if self.phase != Phase::Parts {
            return self.fail(e);
        }
        if e.is_cancel() || self.failure.is_none() {
            self.failure = Some(e);
        }
    }

    fn fail(&mut self, e: Error) {
        // Aborting already ends with the error that started it.
        if matches!(self.phase, Phase::Aborting(_)) {
            return;
        }
        let stream = matches!(self.job.source, Source::Stream { .. });
        match &self.cp {
            Some(cp) if (stream || self.doomed) && self.phase != Phase::Over => {
                let id = cp.upload_id.clone();
                self.slots.clear();
                let mut r = requests::abort(&self.job.name, &id);
                r.cancellable = false;
                self.slots.start(Tag::Abort, r);
                self.out.push(Command::Forget);
                self.cp = None;
                self.phase = Phase::Aborting(e);
            }
            _ => self.finish(Err(e)),
        }
    }

    fn cancel(&mut self) {
        if self.result.is_some() || matches!(self.phase, Phase::Aborting(_) | Phase::Over) {
            return;
        }
        self.slots.clear();
        self.failure = None;
        self.fail(Error::cancelled());
    }

    fn finish(&mut self, r: Result<Done, Error>) {
        self.phase = Phase::Over;
        self.failure = None;
        if r.is_err() && self.object_made {
            self.cp = None;
        }
        if self.result.is_none() {
            self.result = Some(r);
        }
    }
}
