//! The requests an operation has under way, each an `Exchange`, tagged with what it is for.
//! Routes the edge's events to the exchange they concern and turns what the exchanges need
//! into commands: one place for retries, waits and ids, whatever the operation.

use super::error::Error;
use super::exchange::{Answer, Env, Exchange, Outcome, Request, State, Step};
use super::io::{take_first, Command, Event};
use super::retry::{Jitter, Policy};

/// The requests under way, each with its tag. The tags apart, so that the work on the
/// exchanges (`Exchanges`) is compiled once, not once per kind of tag.
pub struct Slots<T> {
    tags: Vec<T>,
    exchanges: Exchanges,
    /// The tags of tries that timed out since the owner last asked.
    timed_out: Vec<T>,
}

struct Exchanges {
    list: Vec<Exchange>,
    next_id: u32,
    jitter: Jitter,
    policy: Policy,
    timeout_ms: u32,
    /// Commands from the exchanges not yet polled (sleeps, an online wait).
    out: Vec<Command>,
    waiting_online: bool,
}

impl<T: Copy> Slots<T> {
    pub fn new(policy: Policy, timeout_ms: u32, seed: u64) -> Slots<T> {
        Slots {
            tags: Vec::new(),
            exchanges: Exchanges {
                list: Vec::new(),
                next_id: 1,
                jitter: Jitter::new(seed),
                policy,
                timeout_ms,
                out: Vec::new(),
                waiting_online: false,
            },
            timed_out: Vec::new(),
        }
    }

    pub fn start(&mut self, tag: T, request: Request) {
        self.tags.push(tag);
        self.exchanges.list.push(Exchange::new(request));
    }

    pub fn len(&self) -> usize {
        self.tags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// Forgets every request (their late answers are ignored).
    pub fn clear(&mut self) {
        self.tags.clear();
        self.exchanges.clear();
    }

    /// The next command the requests need.
    pub fn poll(&mut self, env: &mut Env) -> Option<Command> {
        self.exchanges.poll(env)
    }

    /// The tag of the request attempt `id` belongs to.
    pub fn tag_of(&self, id: u32) -> Option<T> {
        self.exchanges.sent(id).map(|i| self.tags[i])
    }

    /// The tags of the tries that timed out since the last call (each is sent again, or
    /// fails).
    pub fn take_timed_out(&mut self) -> Vec<T> {
        std::mem::take(&mut self.timed_out)
    }

    /// Feeds an event to the requests; returns those that ended, with how.
    pub fn handle(&mut self, event: Event, env: &mut Env) -> Vec<(T, Result<Answer, Error>)> {
        if let Event::Answer(id, Outcome::Timeout) = &event {
            self.timed_out.extend(self.tag_of(*id));
        }
        // The exchanges ended were taken out one after another at these places: their tags
        // go likewise.
        (self.exchanges.handle(event, env).into_iter())
            .map(|(i, r)| (self.tags.remove(i), r))
            .collect()
    }
}

impl Exchanges {
    fn clear(&mut self) {
        self.list.clear();
        self.out.clear();
        self.waiting_online = false;
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// Where the exchange of attempt `id` is.
    fn sent(&self, id: u32) -> Option<usize> {
        self.list.iter().position(|x| x.state == State::Sent(id))
    }

    fn poll(&mut self, env: &mut Env) -> Option<Command> {
        if let Some(c) = take_first(&mut self.out) {
            return Some(c);
        }
        let timeout = self.timeout_ms;
        let i = self.list.iter().position(|x| x.state == State::Ready)?;
        let id = self.id();
        self.list[i]
            .send(id, env, timeout)
            .map(Command::Send)
            .or_else(|| self.poll(env))
    }

    /// The exchanges that ended, each taken out of the list at the place given.
    fn handle(&mut self, event: Event, env: &mut Env) -> Vec<(usize, Result<Answer, Error>)> {
        let mut ended = Vec::new();
        match event {
            Event::Answer(id, outcome) => {
                let Some(i) = self.sent(id) else {
                    return ended;
                };
                let sleep_id = self.id();
                let (policy, timeout) = (self.policy, self.timeout_ms);
                let step = self.list[i].outcome(
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
                    Step::Done(a) => {
                        self.list.remove(i);
                        ended.push((i, Ok(a)));
                    }
                    Step::Fail(e) => {
                        self.list.remove(i);
                        ended.push((i, Err(e)));
                    }
                }
            }
            Event::Woke(id) => {
                for x in &mut self.list {
                    if x.state == State::Sleeping(id) {
                        x.state = State::Ready;
                    }
                }
            }
            Event::Online => {
                self.waiting_online = false;
                for x in &mut self.list {
                    if x.state == State::Online {
                        x.state = State::Ready;
                    }
                }
            }
            Event::Keys(error) => {
                let mut i = 0;
                while i < self.list.len() {
                    if self.list[i].state != State::Keys {
                        i += 1;
                    } else if let Some(e) = &error {
                        self.list.remove(i);
                        ended.push((i, Err(e.clone())));
                    } else {
                        self.list[i].state = State::Ready;
                        i += 1;
                    }
                }
            }
            _ => {}
        }
        ended
    }
}
