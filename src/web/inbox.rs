//! Where an operation's tasks post their results (answers, timers, keys, stream parts), and
//! the operation's loop waits for the next.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};

use crate::engine::io::{take_first, Event};

#[derive(Default)]
pub struct Inbox {
    queue: RefCell<Vec<Event>>,
    waker: RefCell<Option<Waker>>,
}

impl Inbox {
    pub fn push(&self, e: Event) {
        self.queue.borrow_mut().push(e);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }

    pub async fn next(&self) -> Event {
        poll_fn(|cx| match take_first(&mut self.queue.borrow_mut()) {
            Some(e) => Poll::Ready(e),
            None => {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// The inboxes of the operations under way, told what concerns them all (new keys).
#[derive(Default)]
pub struct Inboxes(RefCell<Vec<Weak<Inbox>>>);

impl Inboxes {
    pub fn add(&self, inbox: &Rc<Inbox>) {
        let mut all = self.0.borrow_mut();
        all.retain(|w| w.strong_count() > 0);
        all.push(Rc::downgrade(inbox));
    }

    /// Posts `e` to every operation still under way.
    pub fn tell_all(&self, e: impl Fn() -> Event) {
        let mut live = Vec::new();
        for inbox in self.0.borrow().iter() {
            live.extend(inbox.upgrade());
        }
        for inbox in live {
            inbox.push(e());
        }
    }
}
