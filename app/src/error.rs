//! The app's one error type.

use wasm_bindgen::JsValue;

/// What can go wrong in the app's I/O.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// IndexedDB refused or failed.
    #[error("storage: {0}")]
    Store(String),
    /// The request never got an answer: offline, or the server is down.
    #[error("network: {0}")]
    Network(String),
    /// The session is missing or expired (HTTP 401).
    #[error("not logged in")]
    Unauthorized,
    /// The server refused, with its error body.
    #[error("{}", .0.message(crate::i18n::lang()))]
    Api(model::api::ApiError),
    /// The server answered with an error status and no error body (a proxy, a crash).
    #[error("HTTP {0}")]
    Http(u16),
    /// The server's answer did not have the expected shape.
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// A photo could not be read or re-encoded.
    #[error("photo: {0}")]
    Photo(String),
    /// The sync engine could not do what was asked; its words.
    #[error("{0}")]
    Sync(String),
    /// A document operation failed.
    #[error(transparent)]
    Model(#[from] model::ModelError),
}

impl AppError {
    /// A storage error from whatever the browser threw.
    pub fn store(e: impl std::fmt::Display) -> Self {
        AppError::Store(e.to_string())
    }

    /// A network error from a rejected fetch.
    pub fn network(e: &JsValue) -> Self {
        AppError::Network(describe(e))
    }
}

/// A readable text for a thrown JavaScript value.
pub fn describe(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    js_sys::Reflect::get(e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
