//! One request's line in `GET /_emulator/requests` (and on stderr with `--verbose`). OSS
//! operations are logged when they arrive and completed when answered; if the request ends
//! without an answer (a fault dropped it, or the client hung up and hyper dropped the handler),
//! dropping the [`Logged`] marks it reset. Other requests are logged once answered.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::clock::epoch_ms;
use crate::faults::LogEntry;
use crate::http::Head;
use crate::state::State;

pub struct Logged {
    state: Arc<State>,
    entry: LogEntry,
    /// Set once the entry is in the log, until it is completed.
    id: Option<u64>,
    /// Body bytes received so far.
    pub received: AtomicU64,
}

impl Logged {
    pub fn new(state: Arc<State>, head: &Head) -> Logged {
        Logged {
            state,
            entry: LogEntry {
                id: 0,
                method: head.method.clone(),
                path: head.path.clone(),
                query: head.query.clone(),
                op: String::new(),
                key: String::new(),
                part_number: None,
                status: 0,
                bytes_received: 0,
                start_ms: epoch_ms(),
                end_ms: 0,
                reset: false,
            },
            id: None,
            received: AtomicU64::new(0),
        }
    }

    pub fn set_op(&mut self, op: &str) {
        self.entry.op = op.to_string();
    }

    /// Logs an OSS operation as it arrives, before its body is read.
    pub fn begin(&mut self, op: &str, key: &str, part_number: Option<u32>) {
        self.entry.op = op.to_string();
        self.entry.key = key.to_string();
        self.entry.part_number = part_number;
        self.id = Some(self.state.faults.begin(self.entry.clone()));
    }

    /// Completes the line with the answer's status.
    pub fn answered(mut self, status: u16) {
        let received = self.received.load(Ordering::Relaxed);
        let e = &self.entry;
        if self.state.config.verbose {
            eprintln!(
                "{} {}?{} {} {status} ({received} bytes in)",
                e.op, e.path, e.query, e.method
            );
        }
        match self.id.take() {
            Some(id) => self.state.faults.finish(id, |e| {
                e.status = status;
                e.bytes_received = received;
                e.end_ms = epoch_ms();
            }),
            None => {
                let mut entry = self.entry.clone();
                entry.status = status;
                entry.bytes_received = received;
                entry.end_ms = epoch_ms();
                self.state.faults.begin(entry);
            }
        }
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let received = self.received.load(Ordering::Relaxed);
            self.state.faults.finish(id, |e| {
                e.reset = true;
                e.bytes_received = received;
                e.end_ms = epoch_ms();
            });
        }
    }
}
