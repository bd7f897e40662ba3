//! Files given as File System Access handles (`FileSystemFileHandle`, Chromium): the handle
//! is kept with the saved upload, so after a reload the upload resumes from it without the
//! file being picked again. A handle read back from IndexedDB may be read only after the
//! person allows it again, which browsers ask once, from a click.

use wasm_bindgen::prelude::*;

use crate::engine::error::Error;
use crate::web::js;

/// `v` if it is a handle to a file (not a folder).
pub fn file_handle(v: &JsValue) -> Option<JsValue> {
    let is_file = js::get(v, "kind").and_then(|k| k.as_string()).as_deref() == Some("file");
    (is_file && js::function(v, "getFile").is_some()).then(|| v.clone())
}

fn not_allowed() -> Error {
    Error::new(
        "FilePermissionError",
        "FilePermissionDenied",
        "The browser did not allow reading the file: resume from a click and allow it, or pick the file again.",
    )
}

/// The file a handle stands for now, once reading it is allowed: `requestPermission` answers
/// at once for a handle the page may read, and asks the person (from a click) for one
/// restored after a reload. A browser without it (no prompts) lets `getFile` say.
pub async fn file_of(handle: &JsValue) -> Result<web_sys::File, Error> {
    if let Some(ask) = js::function(handle, "requestPermission") {
        let mode = js::object(&[("mode", "read".into())]);
        let state = js::call_on(&ask, handle, &[mode.into()]).await;
        if state.ok().and_then(|s| s.as_string()).as_deref() != Some("granted") {
            return Err(not_allowed());
        }
    }
    let get_file = js::function(handle, "getFile").ok_or_else(Error::file_unreadable)?;
    match js::call_on(&get_file, handle, &[]).await {
        Ok(f) => f.dyn_into().map_err(|_| Error::file_unreadable()),
        Err(e)
            if js::get(&e, "name").and_then(|n| n.as_string()).as_deref()
                == Some("NotAllowedError") =>
        {
            Err(not_allowed())
        }
        // NotFoundError (moved or deleted), NotReadableError.
        Err(_) => Err(Error::file_unreadable()),
    }
}
