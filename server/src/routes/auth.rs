//! `POST /api/login`, `POST /api/logout`.

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
    http::{HeaderMap, StatusCode, header::SET_COOKIE},
    response::{IntoResponse, Response},
};
use model::api::LoginForm;

use crate::{
    auth::{self, COOKIE},
    client_ip::ClientIp,
    db::User,
    db::now_ms,
    error::AppError,
    routes::me::me_body,
    state::AppState,
};

/// Checks the password and starts a session. Failed attempts are throttled per account and
/// per address (429 with `Retry-After`); the check comes before any password work.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: Result<Json<LoginForm>, JsonRejection>,
) -> Result<Response, AppError> {
    let Json(form) = form?;
    let login = form.login.trim();
    if login.is_empty() || form.password.is_empty() || login.len() > 64 || form.password.len() > 256
    {
        return Err(AppError::BadCredentials);
    }
    state
        .throttle
        .check(login, ip)
        .map_err(|wait| AppError::TooManyRequests(wait.as_secs().max(1)))?;
    let found = state.db.user_by_login(login).await?;
    let password = form.password.clone();
    // Verify even for an unknown login, so timing does not tell which logins exist.
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, dummy_hash().to_owned()),
    };
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            state.throttle.failed(login, ip);
            return Err(AppError::BadCredentials);
        }
    };
    state.throttle.succeeded(login);
    start_session(&state, &user, StatusCode::OK).await
}

/// Creates a session for `user` and answers with its cookie and the Me body.
pub async fn start_session(
    state: &AppState,
    user: &User,
    status: StatusCode,
) -> Result<Response, AppError> {
    let token = auth::new_token();
    state
        .db
        .session_insert(
            &auth::token_hash(&token),
            user.id,
            now_ms() + auth::SESSION_TTL_MS,
        )
        .await?;
    let body = me_body(state, user).await?;
    Ok((
        status,
        [(
            SET_COOKIE,
            auth::session_cookie(&token, state.config.secure_cookies),
        )],
        Json(body),
    )
        .into_response())
}

/// Ends the session.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = auth::cookie(&headers, COOKIE) {
        state.db.session_delete(&auth::token_hash(token)).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, auth::clear_cookie())]).into_response())
}

/// An argon2id hash of a random password, checked against when the login is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(&auth::new_token()).unwrap_or_default())
}
