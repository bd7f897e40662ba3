//! Byte-level progress for the XHR transport: the bytes of the parts in flight, as the browser
//! reports them going out, added to the bytes of the parts done, passed to the same
//! `progress(p, checkpoint, res)` callback as the per-part calls (with `res` null).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;

pub struct Live {
    state: Rc<RefCell<State>>,
    callback: Closure<dyn FnMut(u32, f64)>,
}

struct State {
    user: Function,
    total: u64,
    done: u64,
    /// Bytes of each part in flight that the browser has sent: (part number, bytes).
    sending: Vec<(u32, u64)>,
    /// The latest checkpoint, so that a caller who keeps what progress gives always has one.
    checkpoint: JsValue,
    /// The last fraction shown: a part sent again after an error does not move it back.
    shown: f64,
}

impl Live {
    pub fn new(user: Function, total: u64) -> Live {
        let state = Rc::new(RefCell::new(State {
            user,
            total,
            done: 0,
            sending: Vec::new(),
            checkpoint: JsValue::NULL,
            shown: 0.0,
        }));
        let shared = state.clone();
        let callback = Closure::new(move |number: u32, sent: f64| {
            let call = {
                let mut s = shared.borrow_mut();
                match s.sending.iter_mut().find(|(n, _)| *n == number) {
                    Some(entry) => entry.1 = sent as u64,
                    None => s.sending.push((number, sent as u64)),
                }
                let bytes = s.done + s.sending.iter().map(|(_, b)| b).sum::<u64>();
                // 1 means the object exists, which only Complete can tell.
                let p = (bytes as f64 / s.total as f64).min(0.9999);
                if p <= s.shown {
                    return;
                }
                s.shown = p;
                (s.user.clone(), p, s.checkpoint.clone())
            };
            let (user, p, checkpoint) = call;
            // A throwing callback must not break the upload; the per-part calls report it.
            let _ = user.call3(&JsValue::NULL, &p.into(), &checkpoint, &JsValue::NULL);
        });
        Live { state, callback }
    }

    /// The function the transport calls with part `number`'s bytes sent so far.
    pub fn hook(&self, number: u32) -> Function {
        let f: &Function = self.callback.as_ref().unchecked_ref();
        f.bind1(&JsValue::NULL, &JsValue::from(number))
            .unchecked_into()
    }

    /// Part `number` of `len` bytes is stored.
    pub fn part_done(&self, number: u32, len: u64) {
        let mut s = self.state.borrow_mut();
        s.sending.retain(|(n, _)| *n != number);
        s.done += len;
    }

    /// A per-part call is due with `p` counting the parts done: it shows no less than the
    /// bytes already shown, and passes `checkpoint` on to the calls that follow.
    pub fn per_part(&self, p: f64, checkpoint: &JsValue) -> f64 {
        let mut s = self.state.borrow_mut();
        s.checkpoint = checkpoint.clone();
        s.shown = s.shown.max(p);
        s.shown
    }
}
