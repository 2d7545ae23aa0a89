//! `PUT /api/photos/{sha256}` with upload progress (XMLHttpRequest: `fetch` reports none).

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ProgressEvent, XmlHttpRequest};

use crate::error::{AppError, describe};

/// How an upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server holds the photo (stored now, or already).
    Stored,
    /// The session is gone: log in again, then retry.
    Unauthorized,
    /// The server refused this photo for good; its error code.
    Refused(String),
    /// The network or the server failed: retry later.
    Retry(String),
}

/// Uploads `jpeg` as photo `sha256`, calling `progress` with the fraction sent.
pub async fn put_photo(
    sha256: &str,
    jpeg: &[u8],
    progress: impl Fn(f64) + 'static,
) -> Result<Outcome, AppError> {
    let xhr = XmlHttpRequest::new().map_err(|e| AppError::Network(describe(&e)))?;
    xhr.open_with_async("PUT", &format!("/api/photos/{sha256}"), true)
        .map_err(|e| AppError::Network(describe(&e)))?;
    xhr.set_request_header("content-type", "image/jpeg")
        .map_err(|e| AppError::Network(describe(&e)))?;
    // A stalled mobile link must not hold the queue forever.
    xhr.set_timeout(120_000);
    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.total() > 0.0 {
            progress(ev.loaded() / ev.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    // Settles with `true` when an answer came, `false` on a network error, abort or timeout.
    let mut handlers: Vec<Closure<dyn Fn()>> = Vec::new();
    let done = Promise::new(&mut |resolve, _reject| {
        let answer = |value: bool| {
            let resolve = resolve.clone();
            Closure::<dyn Fn()>::new(move || {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(value));
            })
        };
        let (ok, failed) = (answer(true), answer(false));
        xhr.set_onload(Some(ok.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(failed.as_ref().unchecked_ref()));
        xhr.set_onabort(Some(failed.as_ref().unchecked_ref()));
        xhr.set_ontimeout(Some(failed.as_ref().unchecked_ref()));
        handlers.extend([ok, failed]);
    });
    xhr.send_with_opt_u8_array(Some(jpeg))
        .map_err(|e| AppError::Network(describe(&e)))?;
    let answered = JsFuture::from(done)
        .await
        .map(|v| v.as_bool() == Some(true))
        .unwrap_or(false);
    drop(on_progress);
    drop(handlers);
    if !answered {
        return Ok(Outcome::Retry("network".into()));
    }
    let status = xhr.status().unwrap_or(0);
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    // The error's code (`too_large`, …): what the device keeps, and words at display time.
    let message = || {
        serde_json::from_str::<model::api::ErrorBody>(&body)
            .map_or_else(|_| format!("HTTP {status}"), |b| b.error.code().to_owned())
    };
    Ok(match status {
        200 | 201 => Outcome::Stored,
        401 => Outcome::Unauthorized,
        400..=499 if status != 408 && status != 429 => Outcome::Refused(message()),
        _ => Outcome::Retry(message()),
    })
}
