//! Small typed helpers over `js_sys::Reflect`, promises and the globals every context has
//! (window, workers, service workers), with the JS quirks contained: `undefined` and `null`
//! both mean "not given".

use std::cell::RefCell;

use crate::text;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout_raw(f: &JsValue, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    pub fn warn(message: &str);
    /// The global `fetch`, so it works in workers too.
    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch(url: &str, init: &Object) -> Promise;
}

#[wasm_bindgen(module = "/src/web/tasks.js")]
extern "C" {
    /// Resolves in a later task, so the page can paint and take input between pieces of work.
    #[wasm_bindgen(js_name = nextTask)]
    pub fn next_task() -> Promise;
}

/// Calls `f` after `ms`; returns the timer, for `clear_timeout`.
pub fn set_timeout(f: &JsValue, ms: u32) -> JsValue {
    set_timeout_raw(f, ms.min(i32::MAX as u32) as i32)
}

/// A timer that is cleared when dropped (gloo's style), so that no early return leaves one
/// armed; `restart` puts it off again.
pub struct Timeout {
    id: RefCell<JsValue>,
    callback: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn new(ms: u32, f: impl FnMut() + 'static) -> Timeout {
        let callback = Closure::<dyn FnMut()>::new(f);
        let id = set_timeout(callback.as_ref(), ms);
        Timeout {
            id: RefCell::new(id),
            callback,
        }
    }

    /// Fires `ms` from now instead.
    pub fn restart(&self, ms: u32) {
        let id = set_timeout(self.callback.as_ref(), ms);
        clear_timeout(&self.id.replace(id));
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id.borrow());
    }
}

/// An event listener removed when dropped.
pub struct Listener {
    target: web_sys::EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut()>,
}

impl Listener {
    pub fn new(
        target: &web_sys::EventTarget,
        event: &'static str,
        f: impl FnMut() + 'static,
    ) -> Listener {
        let callback = Closure::<dyn FnMut()>::new(f);
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            event,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let f = self.callback.as_ref().unchecked_ref();
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, f);
    }
}

thread_local! {
    static WARNED: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Says `message()` on the console the first time `key` is warned of in this page.
pub fn warn_once(key: &'static str, message: impl FnOnce() -> String) {
    let first = WARNED.with(|w| {
        let mut w = w.borrow_mut();
        let first = !w.contains(&key);
        if first {
            w.push(key);
        }
        first
    });
    if first {
        warn(&message());
    }
}

/// A seed for the engine's jitter.
pub fn seed() -> u64 {
    (js_sys::Math::random() * 2f64.powi(53)) as u64
}

/// Resolves after `ms`.
pub async fn sleep(ms: u32) {
    let p = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(p).await;
}

/// Resolves once the browser is online (at once if it is).
pub async fn online() {
    if !offline() {
        return;
    }
    let online = Promise::new(&mut |resolve, _| {
        let g = js_sys::global();
        if let Some(add) = function(&g, "addEventListener") {
            let once = object(&[("once", true.into())]);
            let _ = add.call3(&g, &"online".into(), &resolve, &once);
        }
    });
    let _ = JsFuture::from(online).await;
}

/// `obj[key]`, or `None` when it is missing, `undefined` or `null`.
pub fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() && !obj.is_function() {
        return None;
    }
    Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

pub fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a plain object we created cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

pub fn object(pairs: &[(&str, JsValue)]) -> Object {
    let obj = Object::new();
    for (k, v) in pairs {
        set(&obj, k, v.clone());
    }
    obj
}

/// Calls a user function and, if it returned a promise (or any thenable), awaits it.
pub async fn call(f: &Function, args: &[JsValue]) -> Result<JsValue, JsValue> {
    call_on(f, &JsValue::NULL, args).await
}

/// [`call`] as a method of `this`.
pub async fn call_on(f: &Function, this: &JsValue, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let array = js_sys::Array::new();
    for a in args {
        array.push(a);
    }
    let out = f.apply(this, &array)?;
    if get(&out, "then").is_some_and(|t| t.is_function()) {
        JsFuture::from(Promise::resolve(&out)).await
    } else {
        Ok(out)
    }
}

/// Calls a `progress` callback in any of the forms ali-oss's document gives: a plain or async
/// function, a generator function (`function*`: driven to its end, each value it yields
/// awaited and sent back in, as `co` does), or a thunk (a function returning a function that
/// takes a node-style `(err, value)` callback).
pub async fn call_progress(f: &Function, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let out = call(f, args).await?;
    if let (Some(next), Some(throw)) = (function(&out, "next"), function(&out, "throw")) {
        // An async generator's steps are promises too: awaiting each covers both kinds.
        let mut step = next.call1(&out, &JsValue::UNDEFINED);
        loop {
            let s = JsFuture::from(Promise::resolve(&step?)).await?;
            let value = get(&s, "value").unwrap_or(JsValue::UNDEFINED);
            if get(&s, "done").and_then(|d| d.as_bool()) == Some(true) {
                return Ok(value);
            }
            // What the yielded promise gives goes back in; what it rejects with is thrown in.
            step = match JsFuture::from(Promise::resolve(&value)).await {
                Ok(v) => next.call1(&out, &v),
                Err(e) => throw.call1(&out, &e),
            };
        }
    }
    if let Some(thunk) = out.dyn_ref::<Function>() {
        let mut failed = None;
        let p = Promise::new(&mut |resolve, reject| {
            let done = Closure::once_into_js(move |err: JsValue, value: JsValue| {
                let _ = if err.is_undefined() || err.is_null() {
                    resolve.call1(&JsValue::NULL, &value)
                } else {
                    reject.call1(&JsValue::NULL, &err)
                };
            });
            if let Err(e) = thunk.call1(&JsValue::NULL, &done) {
                failed = Some(e);
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        return JsFuture::from(p).await;
    }
    Ok(out)
}

/// A function option, if given.
pub fn function(obj: &JsValue, key: &str) -> Option<Function> {
    get(obj, key).and_then(|v| v.dyn_into::<Function>().ok())
}

/// Milliseconds since the epoch by the page's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Whether the browser says it is offline (`navigator.onLine` false).
pub fn offline() -> bool {
    get(&js_sys::global(), "navigator")
        .and_then(|n| get(&n, "onLine"))
        .and_then(|v| v.as_bool())
        == Some(false)
}

/// JavaScript's `String(v)`.
pub fn text(v: &JsValue) -> String {
    v.as_string().unwrap_or_else(|| {
        function(&js_sys::global(), "String")
            .and_then(|f| f.call1(&JsValue::NULL, v).ok())
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    })
}

/// The message of whatever a callback threw or rejected with.
pub fn message_of(e: &JsValue) -> String {
    get(e, "message")
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| text(e))
}

/// `"text"`, for messages (no escaping: str's Debug would bring its Unicode tables).
pub fn quoted(s: &str) -> String {
    text::fill("\"{}\"", &[s])
}
