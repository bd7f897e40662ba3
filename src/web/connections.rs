//! The client's connections, as the engine's `Scheduler` hands them out: a request is started
//! when it is granted one, and frees it when it ends.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use crate::engine::scheduler::Scheduler;

type Start = Box<dyn FnOnce(Connection)>;

pub struct Connections {
    scheduler: RefCell<Scheduler>,
    /// The requests waiting for a connection, by ticket.
    waiting: RefCell<Vec<(u64, Start)>>,
    /// The next operation's place in line.
    next_op: Cell<u64>,
}

/// A request's hold on its connection, freed when dropped.
pub struct Connection {
    connections: Rc<Connections>,
    ticket: u64,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.connections.scheduler.borrow_mut().release(self.ticket);
        // Handed on in a later task: the operation whose request this was sees the answer
        // first, and an earlier operation's next request goes before a later one's.
        let connections = self.connections.clone();
        spawn_local(async move { connections.dispatch() });
    }
}

impl Connections {
    pub fn new(per_origin: usize) -> Connections {
        Connections {
            scheduler: RefCell::new(Scheduler::new(per_origin)),
            waiting: RefCell::default(),
            next_op: Cell::new(0),
        }
    }

    /// A place in line for a new operation.
    pub fn next_op(&self) -> u64 {
        self.next_op.set(self.next_op.get() + 1);
        self.next_op.get()
    }

    /// Starts `start` once operation `op` (`first`: a one-request call) has a connection to
    /// `url`'s origin.
    pub fn queue(
        self: &Rc<Self>,
        (op, first): (u64, bool),
        url: &str,
        start: impl FnOnce(Connection) + 'static,
    ) {
        let ticket = self.scheduler.borrow_mut().ask(op, origin(url), first);
        self.waiting.borrow_mut().push((ticket, Box::new(start)));
        self.dispatch();
    }

    /// Forgets what operation `op` still waits for: it is over.
    pub fn withdraw(&self, op: u64) {
        let gone = self.scheduler.borrow_mut().withdraw(op);
        self.waiting.borrow_mut().retain(|(t, _)| !gone.contains(t));
    }

    fn dispatch(self: &Rc<Self>) {
        let granted = self.scheduler.borrow_mut().grant();
        for ticket in granted {
            let start = {
                let mut waiting = self.waiting.borrow_mut();
                let i = waiting.iter().position(|(t, _)| *t == ticket);
                i.map(|i| waiting.remove(i).1)
            };
            let connection = Connection {
                connections: self.clone(),
                ticket,
            };
            match start {
                Some(start) => start(connection),
                None => drop(connection),
            }
        }
    }
}

/// `scheme://host[:port]` of a URL: what a browser keeps connections per.
fn origin(url: &str) -> &str {
    let after_scheme = crate::text::find(url, "://").map_or(0, |i| i + 3);
    let end = crate::text::find(&url[after_scheme..], "/").map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}
