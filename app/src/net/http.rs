//! A minimal `fetch` wrapper: same-origin credentials, text bodies, status codes as data.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

use model::api::ErrorBody;

use crate::error::AppError;

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
    /// carries the server's error body when there is one.
    pub fn into_error(self) -> AppError {
        if self.status == 401 {
            return AppError::Unauthorized;
        }
        self.into_http_error()
    }

    /// The server's error body as an error, whatever the status; for calls where a 401 has
    /// its own meaning (wrong password at login). The app words it itself, from the code.
    pub fn into_http_error(self) -> AppError {
        match serde_json::from_str::<ErrorBody>(&self.text) {
            Ok(body) => AppError::Api(body.error()),
            Err(_) => AppError::Http(self.status),
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
