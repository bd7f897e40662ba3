//! The requests an operation has under way, each an `Exchange`, tagged with what it is for.
//! Routes the edge's events to the exchange they concern and turns what the exchanges need
//! into commands: one place for retries, waits and ids, whatever the operation.

use super::error::Error;
use super::exchange::{Answer, Env, Exchange, Request, State, Step};
use super::io::{take_first, Command, Event};
use super::retry::{Jitter, Policy};

pub struct Slots<T> {
    list: Vec<(T, Exchange)>,
    next_id: u32,
    jitter: Jitter,
    pub policy: Policy,
    pub timeout_ms: u32,
    /// Commands from the exchanges not yet polled (sleeps, an online wait).
    out: Vec<Command>,
    waiting_online: bool,
}

impl<T: Copy> Slots<T> {
    pub fn new(policy: Policy, timeout_ms: u32, seed: u64) -> Slots<T> {
        Slots {
            list: Vec::new(),
            next_id: 1,
            jitter: Jitter::new(seed),
            policy,
            timeout_ms,
            out: Vec::new(),
            waiting_online: false,
        }
    }

    pub fn start(&mut self, tag: T, request: Request) {
        self.list.push((tag, Exchange::new(request)));
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Forgets every request (their late answers are ignored).
    pub fn clear(&mut self) {
        self.list.clear();
        self.out.clear();
        self.waiting_online = false;
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// The next command the requests need.
    pub fn poll(&mut self, env: &mut Env) -> Option<Command> {
        if let Some(c) = take_first(&mut self.out) {
            return Some(c);
        }
        let timeout = self.timeout_ms;
        let i = self
            .list
            .iter()
            .position(|(_, x)| x.state == State::Ready)?;
        let id = self.id();
        self.list[i]
            .1
            .send(id, env, timeout)
            .map(Command::Send)
            .or_else(|| self.poll(env))
    }

    /// The tag of the request attempt `id` belongs to.
    pub fn tag_of(&self, id: u32) -> Option<T> {
        self.list
            .iter()
            .find(|(_, x)| x.state == State::Sent(id))
            .map(|(t, _)| *t)
    }

    /// Feeds an event to the requests; returns those that ended, with how.
    pub fn handle(&mut self, event: Event, env: &mut Env) -> Vec<(T, Result<Answer, Error>)> {
        let mut ended = Vec::new();
        match event {
            Event::Answer(id, outcome) => {
                let Some(i) = self
                    .list
                    .iter()
                    .position(|(_, x)| x.state == State::Sent(id))
                else {
                    return ended;
                };
                let sleep_id = self.id();
                let (policy, timeout) = (self.policy, self.timeout_ms);
                let step = self.list[i].1.outcome(
                    outcome,
                    env,
                    &policy,
                    &mut self.jitter,
                    timeout,
                    sleep_id,
                );
                match step {
                    Step::Pending => {}
                    Step::Sleep(id, ms) => self.out.push(Command::Sleep { id, ms }),
                    Step::WaitOnline => {
                        if !self.waiting_online {
                            self.waiting_online = true;
                            self.out.push(Command::WaitOnline);
                        }
                    }
                    Step::Done(a) => ended.push((self.list.remove(i).0, Ok(a))),
                    Step::Fail(e) => ended.push((self.list.remove(i).0, Err(e))),
                }
            }
            Event::Woke(id) => {
                for (_, x) in &mut self.list {
                    if x.state == State::Sleeping(id) {
                        x.state = State::Ready;
                    }
                }
            }
            Event::Online => {
                self.waiting_online = false;
                for (_, x) in &mut self.list {
                    if x.state == State::Online {
                        x.state = State::Ready;
                    }
                }
            }
            Event::Keys(error) => {
                let mut i = 0;
                while i < self.list.len() {
                    if self.list[i].1.state != State::Keys {
                        i += 1;
                    } else if let Some(e) = &error {
                        ended.push((self.list.remove(i).0, Err(e.clone())));
                    } else {
                        self.list[i].1.state = State::Ready;
                        i += 1;
                    }
                }
            }
            _ => {}
        }
        ended
    }
}
