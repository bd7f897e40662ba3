//! One upload of a given file at a time, across tabs and workers, with the Web Locks API: two
//! tabs resuming the same saved upload would otherwise race on its parts and its record.
//! Where the API is missing, uploads go on without the guard.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::js;

/// A held lock; dropping it releases the lock.
pub struct Held {
    release: Option<Function>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// Takes the lock `name` if it is free now; `None` if another tab or upload holds it.
pub async fn try_acquire(name: &str) -> Option<Held> {
    let locks = js::get(&js_sys::global(), "navigator").and_then(|n| js::get(&n, "locks"));
    let Some(request) = locks.as_ref().and_then(|l| js::function(l, "request")) else {
        return Some(Held { release: None });
    };
    let release: Rc<RefCell<Option<Function>>> = Rc::default();
    let mut granted_resolve = None;
    let granted = Promise::new(&mut |resolve, _| granted_resolve = Some(resolve));
    let Some(granted_resolve) = granted_resolve else {
        return Some(Held { release: None });
    };
    let slot = release.clone();
    // The lock stays held while the promise this callback returns is pending.
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        if lock.is_null() {
            let _ = granted_resolve.call1(&JsValue::NULL, &false.into());
            return JsValue::UNDEFINED;
        }
        let held = Promise::new(&mut |resolve, _| *slot.borrow_mut() = Some(resolve));
        let _ = granted_resolve.call1(&JsValue::NULL, &true.into());
        held.into()
    });
    let options = js::object(&[("ifAvailable", true.into())]);
    let locks = locks.unwrap_or(JsValue::UNDEFINED);
    if request
        .call3(&locks, &name.into(), &options, &callback)
        .is_err()
    {
        return Some(Held { release: None });
    }
    match JsFuture::from(granted).await.ok().and_then(|g| g.as_bool()) {
        Some(true) => Some(Held {
            release: release.borrow_mut().take(),
        }),
        _ => None,
    }
}
