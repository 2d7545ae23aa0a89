//! The server's one error type. It logs internals and never sends them to the client.
//!
//! An error is answered as a [`model::api::ErrorBody`]: a stable code, and a message for
//! third-party clients in the language of the request's `Accept-Language` ([`localize`]).

use axum::{
    Json,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use model::api::{ApiError, ErrorCode, Lang};

/// An error answered to a client as `{"error": code, "message": text, …}`.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not logged in")]
    Unauthorized,
    #[error("bad credentials")]
    BadCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A request refused for a reason the client can act on, with its code and figures.
    #[error("refused: {0:?}")]
    Refused(ApiError),
    #[error("too many attempts; retry in {0} s")]
    TooManyRequests(u64),
    #[error("internal: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A refusal with its code only.
    pub fn code(code: ErrorCode) -> Self {
        AppError::Refused(code.into())
    }

    /// A body that is not the expected JSON, with the parser's complaint for developers.
    pub fn bad_json(detail: impl Into<String>) -> Self {
        AppError::Refused(ApiError::with_detail(ErrorCode::BadRequest, detail))
    }

    /// An extractor's refusal of a body: over the size limit, or not the expected JSON.
    fn body_refused(status: StatusCode, text: String) -> Self {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::Refused(ApiError::with_detail(ErrorCode::BodyTooLarge, text))
        } else {
            AppError::bad_json(text)
        }
    }

    /// What the client is told.
    fn api_error(&self) -> ApiError {
        match self {
            AppError::Unauthorized => ErrorCode::Unauthorized.into(),
            AppError::BadCredentials => ErrorCode::BadCredentials.into(),
            AppError::Forbidden => ErrorCode::Forbidden.into(),
            AppError::NotFound => ErrorCode::NotFound.into(),
            AppError::Refused(e) => e.clone(),
            AppError::TooManyRequests(secs) => ApiError {
                retry_after: Some(*secs),
                ..ErrorCode::TooManyAttempts.into()
            },
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                ErrorCode::Internal.into()
            }
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        AppError::body_refused(e.status(), e.body_text())
    }
}

impl From<axum::extract::rejection::BytesRejection> for AppError {
    fn from(e: axum::extract::rejection::BytesRejection) -> Self {
        AppError::body_refused(e.status(), e.body_text())
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let error = self.api_error();
        let status =
            StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(error.body(Lang::Zh))).into_response();
        if let Some(secs) = error.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        // `localize` rewrites the message in the request's language.
        response.extensions_mut().insert(error);
        response
    }
}

/// Middleware: error answers get their message in the language of the request's
/// `Accept-Language` (Chinese when it names neither Chinese nor English), and an error answer
/// made outside [`AppError`] (an extractor's rejection of a path or a query, a method not
/// allowed) gets the same `{"error","message"}` shape, its text as `detail`, its status kept.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Zh, Lang::from_accept_language);
    let mut response = next.run(request).await;
    let status = response.status();
    if (status.is_client_error() || status.is_server_error())
        && response.extensions().get::<ApiError>().is_none()
    {
        let code = match status.as_u16() {
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            408 => ErrorCode::Timeout,
            413 => ErrorCode::BodyTooLarge,
            503 => ErrorCode::Busy,
            500.. => ErrorCode::Internal,
            _ => ErrorCode::BadRequest,
        };
        let (mut parts, body) = response.into_parts();
        let detail = axum::body::to_bytes(body, 4096)
            .await
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .filter(|d| !d.is_empty());
        let error = ApiError {
            detail,
            ..code.into()
        };
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let body = Json(error.body(lang)).into_response().into_body();
        return Response::from_parts(parts, body);
    }
    if lang != Lang::Zh
        && let Some(error) = response.extensions_mut().remove::<ApiError>()
    {
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let body = Json(error.body(lang)).into_response().into_body();
        response = Response::from_parts(parts, body);
    }
    response
}
