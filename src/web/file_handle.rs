//! Files given as File System Access handles (`FileSystemFileHandle`, Chromium): the handle
//! is kept with the saved upload, so after a reload the upload resumes from it without the
//! file being picked again. A handle read back from IndexedDB may be read only after the
//! person allows it again, which browsers ask once, from a click.

use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::text;
use crate::web::js;

/// `v` if it is a handle to a file (not a folder).
pub fn file_handle(v: &JsValue) -> Option<JsValue> {
    let is_file = js::get(v, "kind").and_then(|k| k.as_string()).as_deref() == Some("file");
    (is_file && js::function(v, "getFile").is_some()).then(|| v.clone())
}

fn name_of(handle: &JsValue) -> String {
    js::get(handle, "name").map_or_else(String::new, |n| js::text(&n))
}

async fn permission(handle: &JsValue, method: &str) -> Option<String> {
    let f = js::function(handle, method)?;
    let mode = js::object(&[("mode", "read".into())]);
    let state = js::call_on(&f, handle, &[mode.into()]).await.ok()?;
    state.as_string()
}

fn not_allowed(handle: &JsValue) -> Error {
    Error::new(
        "FilePermissionError",
        "FilePermissionDenied",
        text::fill(
            "The browser did not allow reading {} again. Resume from a click (a button), where the browser asks once, and allow it; or pick the file again.",
            &[&js::quoted(&name_of(handle))],
        ),
    )
}

/// The file a handle stands for now, once reading it is allowed: asked for where the
/// browser says it must ask (a handle restored after a reload), which needs a click.
pub async fn file_of(handle: &JsValue) -> Result<web_sys::File, Error> {
    let granted = |s: &Option<String>| s.as_deref() == Some("granted");
    // Without queryPermission (a browser that grants handles for the page's life) getFile says.
    if js::function(handle, "queryPermission").is_some()
        && !granted(&permission(handle, "queryPermission").await)
        && !granted(&permission(handle, "requestPermission").await)
    {
        return Err(not_allowed(handle));
    }
    let get_file = js::function(handle, "getFile").ok_or_else(Error::file_unreadable)?;
    match js::call_on(&get_file, handle, &[]).await {
        Ok(f) => f.dyn_into().map_err(|_| Error::file_unreadable()),
        Err(e)
            if js::get(&e, "name").and_then(|n| n.as_string()).as_deref()
                == Some("NotAllowedError") =>
        {
            Err(not_allowed(handle))
        }
        // NotFoundError (moved or deleted), NotReadableError.
        Err(_) => Err(Error::file_unreadable()),
    }
}
