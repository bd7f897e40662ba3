//! A single request of the client's own (head, get, delete, the list calls, the low-level
//! multipart calls): the same retries, waits and keys as an upload's requests. `listParts`
//! follows ListParts' pages until the last.

use super::error::Error;
use super::exchange::{Answer, Env, Request};
use super::io::{Command, Event, Operation};
use super::list_parts;
use super::retry::Policy;
use super::slots::Slots;
use crate::protocol::messages::ListedPart;

pub struct Call {
    slots: Slots<()>,
    /// For `all_parts`: the key and upload ID listed, and the pages' parts so far.
    pages: Option<(String, String, Vec<ListedPart>)>,
    result: Option<Result<Answer, Error>>,
}

impl Call {
    pub fn new(request: Request, policy: Policy, timeout_ms: u32, seed: u64) -> Call {
        let mut slots = Slots::new(policy, timeout_ms, seed);
        slots.start((), request);
        Call {
            slots,
            pages: None,
            result: None,
        }
    }

    /// Every part the server holds for `upload_id`, following ListParts' pages.
    pub fn all_parts(
        key: &str,
        upload_id: &str,
        policy: Policy,
        timeout_ms: u32,
        seed: u64,
    ) -> Call {
        let mut call = Call::new(
            list_parts::page(key, upload_id, 0),
            policy,
            timeout_ms,
            seed,
        );
        call.pages = Some((key.into(), upload_id.into(), Vec::new()));
        call
    }

    /// Once over: the answer (the last page's, for `all_parts`), and the parts listed.
    pub fn take_result(&mut self) -> Option<(Result<Answer, Error>, Vec<ListedPart>)> {
        if !self.slots.is_empty() {
            return None;
        }
        let r = self.result.take()?;
        Some((r, self.pages.take().map(|p| p.2).unwrap_or_default()))
    }
}

impl Operation for Call {
    fn is_over(&self) -> bool {
        self.result.is_some() && self.slots.is_empty()
    }

    fn poll(&mut self, env: &mut Env) -> Option<Command> {
        self.slots.poll(env)
    }

    fn handle(&mut self, event: Event, env: &mut Env) {
        if let Event::Cancel = event {
            self.slots.clear();
            self.result.get_or_insert(Err(Error::cancelled()));
            return;
        }
        for ((), r) in self.slots.handle(event, env) {
            let r = match (r, &mut self.pages) {
                (Ok(a), Some((key, upload_id, parts))) => match list_parts::read(parts, &a) {
                    Ok(Some(next)) => {
                        self.slots.start((), list_parts::page(key, upload_id, next));
                        continue;
                    }
                    Ok(None) => Ok(a),
                    Err(e) => Err(e),
                },
                (r, _) => r,
            };
            self.result.get_or_insert(r);
        }
    }
}
