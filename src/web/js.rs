//! Small typed helpers over `js_sys::Reflect` and promises, with the JS quirks contained:
//! `undefined` and `null` both mean "not given".

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `obj[key]`, or `None` when it is missing, `undefined` or `null`.
pub fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    if !obj.is_object() {
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
pub async fn call_and_await(f: &Function, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let array: js_sys::Array = args.iter().collect();
    let out = f.apply(&JsValue::NULL, &array)?;
    if out.has_type::<Promise>() || get(&out, "then").is_some_and(|t| t.is_function()) {
        JsFuture::from(Promise::resolve(&out)).await
    } else {
        Ok(out)
    }
}

/// A function option, if given.
pub fn function(obj: &JsValue, key: &str) -> Option<Function> {
    get(obj, key).and_then(|v| v.dyn_into::<Function>().ok())
}

/// Milliseconds since the epoch by the page's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
