//! A minimal `fetch` wrapper: same-origin credentials, text bodies, status codes as data.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

use crate::{error::AppError, json};

/// An answer: its status and its body text.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub text: String,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error this answer stands for: 401 is [`AppError::Unauthorized`], anything else
    /// carries the server's `{"error", "message"}` body when there is one.
    pub fn into_error(self) -> AppError {
        if self.status == 401 {
            return AppError::Unauthorized;
        }
        self.into_http_error()
    }

    /// The server's `{"error", "message"}` body as an error, whatever the status; for calls
    /// where a 401 has its own meaning (wrong password at login).
    pub fn into_http_error(self) -> AppError {
        let body = json::parse(&self.text).unwrap_or(JsValue::NULL);
        AppError::Http {
            status: self.status,
            code: json::string_or_empty(&body, "error"),
            message: json::opt_string(&body, "message")
                .unwrap_or_else(|| format!("HTTP {}", self.status)),
        }
    }
}

/// Sends a request to the app's own server. A JSON body sets the content type. Fails only
/// when no answer came (offline, server down); HTTP errors are answers.
pub async fn send(method: &str, url: &str, json_body: Option<&str>) -> Result<Answer, AppError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&headers, &"accept".into(), &"application/json".into());
    if let Some(body) = json_body {
        let _ = js_sys::Reflect::set(&headers, &"content-type".into(), &"application/json".into());
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init).map_err(|e| AppError::network(&e))?;
    let window = web_sys::window().ok_or_else(|| AppError::Network("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| AppError::network(&e))?
        .unchecked_into();
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(|e| AppError::network(&e))?)
        .await
        .map_err(|e| AppError::network(&e))?
        .as_string()
        .unwrap_or_default();
    Ok(Answer { status, text })
}
