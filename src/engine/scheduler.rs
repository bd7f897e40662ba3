//! One budget of connections per origin for every request of a client: the parts of all its
//! uploads, its puts, Completes and single calls. A browser holds at most six connections per
//! host over HTTP/1.1 and queues the rest inside itself, where a request's timer runs while it
//! waits; here a request waits for its connection before it starts, so its timer starts when
//! it can move. Earlier operations go first, so uploads started together finish one after
//! another instead of all at the end; an upload's own `parallel` still caps it. A call that is
//! one request (head, get, a list, an abort) goes before any upload's next part: a page waits
//! on it, and it would otherwise wait for every upload started before it.

/// The connections a browser holds per host over HTTP/1.1.
pub const DEFAULT_CONNECTIONS: usize = 6;

#[derive(Debug)]
struct Waiting {
    ticket: u64,
    /// A one-request call's: goes before uploads' parts.
    first: bool,
    /// The operation's place in line: lower started earlier.
    op: u64,
    origin: String,
}

#[derive(Debug)]
pub struct Scheduler {
    per_origin: usize,
    waiting: Vec<Waiting>,
    /// The tickets that hold a connection, with their origin.
    granted: Vec<(u64, String)>,
    next_ticket: u64,
}

impl Scheduler {
    pub fn new(per_origin: usize) -> Scheduler {
        Scheduler {
            per_origin: per_origin.max(1),
            waiting: Vec::new(),
            granted: Vec::new(),
            next_ticket: 0,
        }
    }

    /// Operation `op` wants a connection to `origin` (`first`: for a one-request call): its
    /// ticket, to be granted in turn.
    pub fn ask(&mut self, op: u64, origin: &str, first: bool) -> u64 {
        self.next_ticket += 1;
        let ticket = self.next_ticket;
        self.waiting.push(Waiting {
            ticket,
            first,
            op,
            origin: origin.into(),
        });
        ticket
    }

    /// The tickets that get a connection now: one-request calls', then the earliest
    /// operation's, in the order each asked, as long as their origin has one free.
    pub fn grant(&mut self) -> Vec<u64> {
        // The crate's one sort (protocol::order): the list is short, and mostly in order.
        crate::protocol::order::sort_by(&mut self.waiting, |a, b| {
            (!a.first, a.op, a.ticket) < (!b.first, b.op, b.ticket)
        });
        let mut now = Vec::new();
        let mut i = 0;
        while i < self.waiting.len() {
            let origin = &self.waiting[i].origin;
            let busy = self.granted.iter().filter(|(_, o)| o == origin).count();
            if busy < self.per_origin {
                let w = self.waiting.remove(i);
                now.push(w.ticket);
                self.granted.push((w.ticket, w.origin));
            } else {
                i += 1;
            }
        }
        now
    }

    /// A request ended: the connection of `ticket` is free.
    pub fn release(&mut self, ticket: u64) {
        self.granted.retain(|(t, _)| *t != ticket);
    }

    /// The tickets of `op` still waiting, no longer wanted (the operation is over).
    pub fn withdraw(&mut self, op: u64) -> Vec<u64> {
        let mut gone = Vec::new();
        self.waiting.retain(|w| {
            if w.op == op {
                gone.push(w.ticket);
            }
            w.op != op
        });
        gone
    }
}
