//! One OSS request from the engine's side: what to send, and what each answer means — retry
//! after a backoff, wait for new keys, correct the clock, wait until the browser is online
//! again, or give up with which error. Every request an operation makes goes through here.

use base64::Engine as _;

use super::error::Error;
use super::keys::{Keys, Ready};
use super::link::Link;
use super::retry::{Decision, Failed, Jitter, Policy};
use crate::protocol::request::{Credentials, RequestParts};
use crate::protocol::{post_policy, sign_v1, sign_v4, time, xml};
use crate::text;

/// A request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Empty,
    Text(String),
    /// Bytes `start..end` of the operation's source (a File's slice, or a stream's part).
    Part {
        number: u32,
        start: u64,
        end: u64,
    },
    /// A PostObject form: its fields, then bytes `start..end` of the source as its `file`.
    /// The form carries its own authority (a signed policy), so the request is not signed.
    Form {
        form: Form,
        start: u64,
        end: u64,
    },
}

/// A PostObject form's fields (`key` first). With `sign`, each attempt adds a policy for this
/// object alone, signed with the keys in hand when it is sent (so a retry after a refresh
/// signs with the new keys); without, the fields hold a backend's policy and signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub fields: Vec<(String, String)>,
    pub sign: bool,
    /// Sent in put()'s PutObject's place, to spare its preflight: tried once, and on any
    /// failure the object goes by PutObject, whose outcome stands. A bucket whose CORS rule
    /// lacks POST carries a form out and hides the answer, which reads as a network error.
    pub instead_of_put: bool,
}

impl Body {
    /// The whole of the bytes the request is given, `size` of them (uploadPart's slice).
    pub fn whole(size: u64) -> Body {
        Body::Part {
            number: 1,
            start: 0,
            end: size,
        }
    }

    /// How many bytes it has.
    pub fn size(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Text(t) => t.len() as u64,
            Body::Part { start, end, .. } | Body::Form { start, end, .. } => end - start,
        }
    }
}

/// How much of a successful answer's body the engine needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    Nothing,
    Text,
    /// `get()`: the edge keeps the bytes for the caller.
    Bytes,
}

/// A request as an operation wants it, before signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: &'static str,
    /// Empty for bucket-level requests.
    pub key: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    pub read: Read,
    /// Hash the body's CRC64 while it is sent, to check it against the server's.
    pub hash: bool,
    /// False for the clean-up after a failure, which a cancel must not stop.
    pub cancellable: bool,
    /// 304 Not Modified is an answer, not an error (a conditional GET or HEAD).
    pub conditional: bool,
    /// Whether sending it again is safe. An append is not: if its answer was lost, the data
    /// is stored and a second try fails with PositionNotEqualToLength.
    pub repeatable: bool,
}

impl Request {
    pub fn new(method: &'static str, key: &str, query: &[(&str, &str)]) -> Request {
        Request {
            method,
            key: key.into(),
            query: {
                let mut pairs = Vec::with_capacity(query.len());
                for (k, v) in query {
                    pairs.push((k.to_string(), v.to_string()));
                }
                pairs
            },
            headers: Vec::new(),
            body: Body::Empty,
            read: Read::Nothing,
            hash: false,
            cancellable: true,
            conditional: false,
            repeatable: true,
        }
    }

    pub fn text(mut self) -> Request {
        self.read = Read::Text;
        self
    }
}

/// What the backend signer is asked to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToSign {
    pub string_to_sign: String,
    /// V4 only.
    pub canonical_request: Option<String>,
}

/// A request to send now: signed (or to be signed by the backend), with its attempt's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub id: u32,
    pub parts: RequestParts,
    pub body: Body,
    pub read: Read,
    pub hash: bool,
    pub cancellable: bool,
    /// Dead after this long without a byte going out or coming in, where the edge can watch
    /// bytes (XMLHttpRequest).
    pub timeout_ms: u32,
    /// Dead after this long in all, where it cannot (fetch): the answer's timeout plus the
    /// body's time on this link.
    pub deadline_ms: u32,
    pub backend: Option<ToSign>,
}

/// A successful (2xx) or error answer, as the edge read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    /// The body as text when the request asked for it, or for an error answer.
    pub body: String,
    /// Our CRC64 of the body sent, when the request asked for it.
    pub sent_crc64: Option<u64>,
    /// Where the request went, as ali-oss's `res.requestUrls` shows it.
    pub url: String,
    /// Milliseconds from sending to the whole answer (ali-oss's `res.rt`).
    pub rt_ms: u32,
    /// Bytes of the answer's body (ali-oss's `res.size`).
    pub size: u64,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }

    pub fn request_id(&self) -> &str {
        self.header("x-oss-request-id").unwrap_or("")
    }

    /// The ETag, which the bucket's CORS rule must expose.
    pub fn etag(&self) -> Result<String, Error> {
        self.header("etag")
            .filter(|e| !e.is_empty())
            .map(String::from)
            .ok_or_else(Error::etag_not_exposed)
    }

    /// With a callback, 203 means the object was stored but the callback server failed.
    pub fn callback_failed(&self) -> Option<Error> {
        (self.status == 203).then(|| {
            let mut e = self.error();
            e.message = text::fill(
                "Stored, but the callback failed: {} Check the callback server.",
                &[&e.message],
            );
            e
        })
    }

    /// The error this answer carries: in its body, or for HEAD in the base64 `x-oss-err`
    /// header (a HEAD answer has no body).
    pub fn error(&self) -> Error {
        let from_header = self
            .header("x-oss-err")
            .filter(|_| self.body.is_empty())
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok());
        let body = from_header.as_deref().unwrap_or(&self.body);
        Error::from_answer(self.status, body, self.request_id())
    }
}

/// How one try ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Answer(Answer),
    /// No answer: the connection failed. `offline` when the browser says it is offline;
    /// `unreadable` when the body's file can no longer be read.
    Network {
        detail: String,
        offline: bool,
        unreadable: bool,
    },
    Timeout,
    /// Failed before it was sent, for a reason no retry mends (a header the browser refuses,
    /// the backend signer failed).
    Refused(Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// To be sent at the next poll.
    Ready,
    Sent(u32),
    /// Backing off: `Event::Woke` with this id makes it ready.
    Sleeping(u32),
    /// Waiting for a refresh of the keys (`Event::Keys`).
    Keys,
    /// Waiting for the browser to be online again (`Event::Online`).
    Online,
}

/// What the client's requests share: where they go and how they are signed.
#[derive(Clone, Debug)]
pub struct Signing {
    pub bucket: String,
    /// The region V4 signatures are scoped to; V1 when `None`.
    pub v4: Option<String>,
}

/// What every step of an operation sees of the world: the client's keys, signing and link,
/// and the time.
pub struct Env<'a> {
    pub keys: &'a mut Keys,
    pub signing: &'a Signing,
    pub link: &'a mut Link,
    pub now_ms: f64,
}

/// The result of feeding an outcome to an exchange.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// The exchange goes on (a retry, a wait): nothing for the operation to do.
    Pending,
    /// A backoff: the operation sets a timer that wakes it with this id.
    Sleep(u32, u32),
    /// Waiting for the browser to come online (the edge listens once per operation).
    WaitOnline,
    Done(Answer),
    Fail(Error),
}

#[derive(Debug)]
pub struct Exchange {
    pub request: Request,
    pub state: State,
    retries: u32,
    refreshes: u32,
    corrections: u32,
    /// Tries that met their deadline: each doubles the next one's.
    timeouts: u32,
    /// The length of a read that stopped short of its Content-Length.
    short: Option<u64>,
    /// The STS token the last try was signed with.
    token: Option<String>,
}

/// Adds to `form` (of `size` bytes) a policy for its object alone, signed with `creds` at
/// `now`: by V4 in `v4`'s region, else by V1.
#[inline(never)]
fn sign_form(
    form: &mut Form,
    size: u64,
    creds: &Credentials,
    bucket: &str,
    now: u64,
    v4: Option<&str>,
) {
    let key = (form.fields.iter())
        .find(|(k, _)| k == "key")
        .map_or("", |(_, v)| v.as_str());
    let signed = post_policy::fields(creds, (bucket, key, size), now, v4);
    form.fields.extend(signed);
    form.sign = false;
}

impl Exchange {
    pub fn new(request: Request) -> Exchange {
        Exchange {
            request,
            state: State::Ready,
            retries: 0,
            refreshes: 0,
            corrections: 0,
            timeouts: 0,
            short: None,
            token: None,
        }
    }

    /// The signed request to send as attempt `id`, or `None` while the keys are being
    /// refreshed (the state says so).
    pub fn send(&mut self, id: u32, env: &mut Env, timeout_ms: u32) -> Option<Outgoing> {
        let r = &self.request;
        let mut parts = RequestParts {
            method: r.method.into(),
            bucket: Some(env.signing.bucket.clone()),
            key: Some(r.key.clone()).filter(|k| !k.is_empty()),
            query: r.query.clone(),
            headers: r.headers.clone(),
        };
        let form = matches!(r.body, Body::Form { .. });
        // A browser gives a body without a Content-Type one of its own after signing; naming
        // (and so signing) one keeps the signature valid. A form's is the browser's (its
        // boundary), and it is not signed.
        if r.body != Body::Empty && !form && parts.header("content-type").is_none() {
            parts.set_header("content-type", "application/octet-stream");
        }
        let now = env.keys.now_secs(env.now_ms);
        let v4 = env.signing.v4.as_deref();
        let mut body = r.body.clone();
        // A backend's form needs no keys at all.
        let unsigned = matches!(&r.body, Body::Form { form, .. } if !form.sign);
        let ready = if unsigned {
            None
        } else {
            Some(env.keys.ready(env.now_ms))
        };
        let backend = match ready {
            None => None,
            Some(Ready::Wait) => {
                self.state = State::Keys;
                return None;
            }
            Some(Ready::Keys(creds)) => {
                self.token = creds.security_token.clone();
                match (&mut body, v4) {
                    (Body::Form { form, start, end }, _) => {
                        sign_form(form, *end - *start, creds, &env.signing.bucket, now, v4)
                    }
                    (_, Some(region)) => {
                        sign_v4::sign(&mut parts, creds, &time::iso8601_basic(now), region)
                    }
                    (_, None) => sign_v1::sign(&mut parts, creds, &time::rfc1123(now)),
                }
                None
            }
            Some(Ready::Backend) => Some(match v4 {
                Some(region) => {
                    let date = time::iso8601_basic(now);
                    parts.set_header("x-oss-content-sha256", sign_v4::UNSIGNED_PAYLOAD);
                    parts.set_header("x-oss-date", date.clone());
                    let canonical = sign_v4::canonical_request(&parts, &[]);
                    ToSign {
                        string_to_sign: sign_v4::string_to_sign(&canonical, &date, region),
                        canonical_request: Some(canonical),
                    }
                }
                None => {
                    let date = time::rfc1123(now);
                    parts.set_header("x-oss-date", date.clone());
                    ToSign {
                        string_to_sign: sign_v1::string_to_sign(&parts, &date),
                        canonical_request: None,
                    }
                }
            }),
        };
        self.state = State::Sent(id);
        let deadline_ms = env
            .link
            .deadline_ms(r.body.size(), timeout_ms, self.timeouts);
        // A try that timed out may have been slow rather than dead: the next one may also go
        // twice as long between bytes.
        let timeout_ms = env.link.deadline_ms(0, timeout_ms, self.timeouts);
        Some(Outgoing {
            id,
            parts,
            body,
            read: r.read,
            hash: r.hash,
            cancellable: r.cancellable,
            timeout_ms,
            deadline_ms,
            backend,
        })
    }

    /// What a try's outcome means. `sleep_id` names the timer of a backoff, should one be
    /// needed.
    pub fn outcome(
        &mut self,
        outcome: Outcome,
        env: &mut Env,
        policy: &Policy,
        jitter: &mut Jitter,
        timeout_ms: u32,
        sleep_id: u32,
    ) -> Step {
        let (failed, error) = match outcome {
            // An answer whose XML stops before its root closes lost its end on the way:
            // Chromium reports that as a failed read, but Firefox hands over what came (it
            // does not hold HTTP/1.1 bodies to their Content-Length). Read as it is, a
            // NoSuchUpload cut short would pass for a missing object (NoSuchKey, by status).
            Outcome::Answer(a) if xml::cut_short(&a.body) || self.bytes_cut_short(&a) => {
                self.short = Some(a.size);
                (Failed::Network, Error::network("the answer broke off"))
            }
            Outcome::Answer(a)
                if (200..300).contains(&a.status)
                    || (a.status == 304 && self.request.conditional) =>
            {
                env.link.observe(self.request.body.size(), a.rt_ms);
                return Step::Done(a);
            }
            Outcome::Answer(a) => {
                let e = a.error().scrub(self.token.as_deref().unwrap_or_default());
                let failed = Failed::Http {
                    status: a.status,
                    code: e.code.clone(),
                };
                (failed, e)
            }
            // The clean-up after a failure (not cancellable) does not wait: a cancel must end.
            Outcome::Network { offline: true, .. } if self.request.cancellable => {
                // Offline is not a failure of this request: wait, then try again, unspent.
                self.state = State::Online;
                return Step::WaitOnline;
            }
            Outcome::Network {
                unreadable: true, ..
            } => return Step::Fail(Error::file_unreadable()),
            Outcome::Network { detail, .. } => (Failed::Network, Error::network(&detail)),
            Outcome::Timeout => {
                self.timeouts += 1;
                (Failed::Timeout, Error::timeout(timeout_ms))
            }
            Outcome::Refused(e) => return Step::Fail(e),
        };
        // A backend's form carries its own token: new keys here would not renew it.
        let backends_form = matches!(&self.request.body, Body::Form { form, .. } if !form.sign);
        let can_refresh = env.keys.can_refresh() && !backends_form;
        match policy.decide(&failed, self.retries, jitter.draw(), can_refresh) {
            Decision::RetryAfter(ms) if self.request.repeatable => {
                self.retries += 1;
                self.state = State::Sleeping(sleep_id);
                Step::Sleep(sleep_id, ms as u32)
            }
            Decision::RefreshCredentials if self.refreshes < 2 => {
                self.refreshes += 1;
                env.keys.expired(self.token.as_deref());
                self.state = if env.keys.refreshing() {
                    State::Keys
                } else {
                    State::Ready
                };
                Step::Pending
            }
            Decision::CorrectClock
                if self.corrections < 1
                    && env
                        .keys
                        .correct_clock(extra(&error, "ServerTime"), env.now_ms) =>
            {
                self.corrections += 1;
                self.state = State::Ready;
                Step::Pending
            }
            _ => Step::Fail(error),
        }
    }
}

impl Exchange {
    /// A read whose bytes stop short of its Content-Length: Firefox hands over an HTTP/1.1
    /// body cut short as if whole. Only where the bytes are the body as sent (no
    /// Content-Encoding the browser decoded: a decoded body has another length; one longer than
    /// its Content-Length is such a body whose encoding CORS hides). The same short length
    /// twice is taken as whole: a body cut off twice at the same byte is unlikely, and a gzip
    /// larger than what it decodes to, its encoding hidden, reads short every time.
    fn bytes_cut_short(&self, a: &Answer) -> bool {
        let encoded = a
            .header("content-encoding")
            .is_some_and(|e| !e.is_empty() && !e.eq_ignore_ascii_case("identity"));
        let length = a
            .header("content-length")
            .and_then(|l| l.parse::<u64>().ok());
        let whole = (200..300).contains(&a.status);
        let short = length.is_some_and(|l| a.size < l) && self.short != Some(a.size);
        self.request.read == Read::Bytes && whole && !encoded && short
    }
}

fn extra<'e>(e: &'e Error, name: &str) -> Option<&'e str> {
    e.extra
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
