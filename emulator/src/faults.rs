//! Fault injection and the request log, for reliability tests. Off until a rule is posted.
//!
//! `POST /_emulator/faults` takes one rule or an array of rules (JSON, camelCase):
//! match on `method`, `op` (the OSS API name: `UploadPart`, `PutObject`,
//! `CompleteMultipartUpload`, …), `key`, `partNumber`; fire from the `nth` match on (default 1)
//! at most `times` times (default: always); then do any of `delayMs`, `bytesPerSecond`
//! (throttle the request body), `resetAfterBytes` (drop the connection after that many body
//! bytes), `status` + `code` + `message` (answer with that OSS error), `wrongCrc` (answer
//! with a wrong `x-oss-hash-crc64ecma`), `dropAnswer` (carry the request out, then drop the
//! connection instead of answering: the answer lost on its way back), `cutAnswer` (send the
//! answer's headers and half its body, then drop the connection: an answer broken off; one
//! with no body, as HEAD's or a 204, is dropped whole instead), `noCors` (carry the request
//! out and answer without CORS headers, as OSS answers a simple request, a form POST, that no
//! CORS rule of the bucket allows: done, and unreadable to the page).

use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::sync::lock;

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    pub method: Option<String>,
    pub op: Option<String>,
    pub key: Option<String>,
    pub part_number: Option<u32>,
    pub nth: Option<u64>,
    pub times: Option<u64>,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub reset_after_bytes: Option<u64>,
    pub delay_ms: Option<u64>,
    pub bytes_per_second: Option<u64>,
    pub wrong_crc: Option<bool>,
    pub drop_answer: Option<bool>,
    pub cut_answer: Option<bool>,
    pub no_cors: Option<bool>,
    #[serde(default)]
    matched: u64,
    #[serde(default)]
    fired: u64,
}

/// What the faults that fire for one request ask for, merged.
#[derive(Clone, Debug, Default)]
pub struct Action {
    pub error: Option<(u16, String, String)>,
    pub reset_after_bytes: Option<u64>,
    pub delay_ms: u64,
    pub bytes_per_second: Option<u64>,
    pub wrong_crc: bool,
    pub drop_answer: bool,
    pub cut_answer: bool,
    pub no_cors: bool,
}

/// One line of `GET /_emulator/requests`. It is written when the request arrives (status 0,
/// `endMs` 0) and completed when it is answered or dropped.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Unique for the server's life.
    pub id: u64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub op: String,
    pub key: String,
    pub part_number: Option<u32>,
    pub status: u16,
    pub bytes_received: u64,
    /// Milliseconds since the Unix epoch when the request arrived and when it was answered.
    pub start_ms: u64,
    pub end_ms: u64,
    /// Whether the connection was dropped on purpose (`resetAfterBytes`).
    pub reset: bool,
}

#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
    log: Mutex<Vec<LogEntry>>,
    next_id: std::sync::atomic::AtomicU64,
}

impl Faults {
    pub fn add(&self, rules: Vec<Rule>) {
        lock(&self.rules).extend(rules);
    }

    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    pub fn rules(&self) -> Vec<Rule> {
        lock(&self.rules).clone()
    }

    /// Counts this request against every rule and merges the ones that fire.
    pub fn take(&self, method: &str, op: &str, key: &str, part: Option<u32>) -> Action {
        let mut action = Action::default();
        let mut rules = lock(&self.rules);
        for rule in rules.iter_mut() {
            let matches = rule
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && rule.op.as_deref().is_none_or(|o| o == op)
                && rule.key.as_deref().is_none_or(|k| k == key)
                && rule.part_number.is_none_or(|p| Some(p) == part);
            if !matches {
                continue;
            }
            rule.matched += 1;
            if rule.matched < rule.nth.unwrap_or(1) || rule.times.is_some_and(|t| rule.fired >= t) {
                continue;
            }
            rule.fired += 1;
            if let Some(status) = rule.status {
                action.error = Some((
                    status,
                    rule.code.clone().unwrap_or_else(|| "InjectedFault".into()),
                    rule.message
                        .clone()
                        .unwrap_or_else(|| "Injected by the emulator's fault rules.".into()),
                ));
            }
            action.reset_after_bytes = action.reset_after_bytes.or(rule.reset_after_bytes);
            action.delay_ms += rule.delay_ms.unwrap_or(0);
            action.bytes_per_second = action.bytes_per_second.or(rule.bytes_per_second);
            action.wrong_crc |= rule.wrong_crc.unwrap_or(false);
            action.drop_answer |= rule.drop_answer.unwrap_or(false);
            action.cut_answer |= rule.cut_answer.unwrap_or(false);
            action.no_cors |= rule.no_cors.unwrap_or(false);
        }
        action
    }

    /// Logs a request as it arrives; returns its id for [`Faults::finish`].
    pub fn begin(&self, mut entry: LogEntry) -> u64 {
        entry.id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = entry.id;
        lock(&self.log).push(entry);
        id
    }

    /// Completes a logged request (if the log was not cleared meanwhile).
    pub fn finish(&self, id: u64, update: impl FnOnce(&mut LogEntry)) {
        let mut log = lock(&self.log);
        if let Some(entry) = log.iter_mut().rev().find(|e| e.id == id) {
            update(entry);
        }
    }

    pub fn log(&self) -> Vec<LogEntry> {
        lock(&self.log).clone()
    }

    pub fn clear_log(&self) {
        lock(&self.log).clear();
    }
}

/// Paces a body to `bytes_per_second`: how long to sleep after `received` bytes.
pub fn throttle_wait(
    started: Instant,
    received: u64,
    bytes_per_second: u64,
) -> std::time::Duration {
    let due = std::time::Duration::from_secs_f64(received as f64 / bytes_per_second.max(1) as f64);
    due.saturating_sub(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_and_times() {
        let f = Faults::default();
        f.add(vec![Rule {
            op: Some("UploadPart".into()),
            nth: Some(2),
            times: Some(1),
            status: Some(503),
            code: Some("SlowDown".into()),
            ..Rule::default()
        }]);
        let fired: Vec<bool> = (0..4)
            .map(|_| f.take("PUT", "UploadPart", "k", Some(1)).error.is_some())
            .collect();
        assert_eq!(fired, vec![false, true, false, false]);
        assert!(f.take("PUT", "PutObject", "k", None).error.is_none());
    }
}
