//! The server's one error type. It logs internals and never sends them to the client.

use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

/// An error answered to a client as `{"error": code, "message": text}`.
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
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A request refused with its own status and error code, e.g. an upload that fails a check.
    #[error("{1}: {2}")]
    Rejected(StatusCode, &'static str, String),
    #[error("too many attempts; retry in {0} s")]
    TooManyRequests(u64),
    #[error("internal: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        AppError::BadRequest(format!("请求格式不正确: {}", e.body_text()))
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "请先登录".into()),
            AppError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "手机号或密码错误".into(),
            ),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "无权访问".into()),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", "未找到".into()),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
            AppError::Rejected(status, code, m) => (*status, *code, m.clone()),
            AppError::TooManyRequests(secs) => {
                let body = json!({
                    "error": "too_many_attempts",
                    "message": format!("尝试次数过多，请 {} 分钟后再试", secs.div_ceil(60).max(1)),
                });
                let retry = (*secs).max(1).to_string();
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, retry)],
                    Json(body),
                )
                    .into_response();
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误".into(),
                )
            }
        };
        (status, Json(json!({ "error": code, "message": message }))).into_response()
    }
}
