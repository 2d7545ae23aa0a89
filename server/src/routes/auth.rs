//! `POST /api/login`, `POST /api/logout`, `POST /api/password`.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header::SET_COOKIE},
    response::{IntoResponse, Response},
};
use model::api::{ApiError, ErrorCode, LoginForm, PasswordForm};

use crate::{
    auth::{self, COOKIE, CurrentUser, DEVICE_COOKIE},
    client_ip::ClientIp,
    db::User,
    db::now_ms,
    error::AppError,
    routes::me::me_body,
    state::AppState,
};

/// Checks the password and starts a session. Failed attempts are throttled (429 with
/// `Retry-After`, see [`crate::throttle`]); the check comes before any password work. A login
/// also gives the device a long-lived cookie, which lets it past an account slowed down by
/// guesses from elsewhere.
#[utoipa::path(
    post,
    path = "/login",
    operation_id = "login",
    tag = "session",
    request_body = model::api::LoginForm,
    security(()),
    responses(
        (status = 200, description = "Logged in: sets the session cookie `nx_session` and the device cookie `nx_device`", body = model::api::Me),
        (status = 401, description = "`bad_credentials`: wrong login or password, or a disabled account", body = model::api::ErrorBody),
        (status = 429, description = "`too_many_attempts`: wait `retry_after` seconds (also in `Retry-After`)", body = model::api::ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<super::JsonForm<LoginForm>, AppError>,
) -> Result<Response, AppError> {
    let super::JsonForm(form) = form?;
    let login = form.login.trim();
    let chars = form.password.chars().count();
    if login.is_empty() || chars == 0 || login.len() > 64 || chars > MAX_PASSWORD_CHARS {
        return Err(AppError::BadCredentials);
    }
    let throttled = |wait: std::time::Duration| AppError::TooManyRequests(wait.as_secs().max(1));
    let cookie = auth::cookie(&headers, DEVICE_COOKIE).filter(|d| auth::is_token(d));
    let device = cookie.map(auth::token_hash);
    let found = state.db.user_by_login(login).await?;
    // Whether this device has logged in to the account before: asked only when it matters,
    // for an account slowed down by failures.
    let known = match (&device, &found) {
        (Some(d), Some((u, _))) if state.throttle.account_wait(login).is_some() => {
            state.db.device_known(d, u.id).await?
        }
        _ => false,
    };
    state
        .throttle
        .attempt(login, ip, device.as_deref(), known)
        .map_err(throttled)?;
    let password = form.password.clone();
    // Verify even for an unknown login, so timing does not tell which logins exist.
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), h),
        None => (None, dummy_hash().to_owned()),
    };
    let ok = verify(password, hash).await;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            state.throttle.failed(login);
            crate::metrics::add(&crate::metrics::COUNTERS.login_failures, 1);
            return Err(AppError::BadCredentials);
        }
    };
    state.throttle.succeeded(login, ip, device.as_deref());
    let mut response = start_session(&state, &user, StatusCode::OK).await?;
    // A device the server gave a cookie for this account keeps it; any other gets a new one
    // (a cookie a client made up is never remembered).
    let keep = match (&device, cookie) {
        (Some(d), Some(c)) if known || state.db.device_known(d, user.id).await? => Some(c),
        _ => None,
    };
    let token = keep.map_or_else(auth::new_token, str::to_owned);
    state
        .db
        .device_remember(&auth::token_hash(&token), user.id)
        .await?;
    if let Ok(v) = auth::device_cookie(&token, state.config.secure_cookies).parse() {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
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

/// Ends the session, with the sync connections and live feeds it opened.
#[utoipa::path(
    post,
    path = "/logout",
    operation_id = "logout",
    tag = "session",
    security(()),
    responses(
        (status = 204, description = "Logged out (also when there was no session): the session cookie is cleared"),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = auth::cookie(&headers, COOKIE) {
        state.db.session_delete(&auth::token_hash(token)).await?;
        state.revocations.nudge();
    }
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, auth::clear_cookie())]).into_response())
}

/// Changes the password of the logged-in user, who must give the current one (throttled like
/// a login). Every other session of the account ends; this one stays.
#[utoipa::path(
    post,
    path = "/password",
    operation_id = "change_password",
    tag = "session",
    request_body = model::api::PasswordForm,
    responses(
        (status = 204, description = "Changed; every other session of the account has ended"),
        (status = 400, description = "`bad_password`: the new password is under 8 or over 128 characters; or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`wrong_password`: the current password is wrong", body = model::api::ErrorBody),
        (status = 429, description = "`too_many_attempts`: wait `retry_after` seconds (also in `Retry-After`)", body = model::api::ErrorBody),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    form: Result<super::JsonForm<PasswordForm>, AppError>,
) -> Result<StatusCode, AppError> {
    let super::JsonForm(form) = form?;
    if !(8..=MAX_PASSWORD_CHARS).contains(&form.new.chars().count()) {
        return Err(AppError::Refused(ApiError::with_detail(
            ErrorCode::BadPassword,
            "new",
        )));
    }
    if form.current.chars().count() > MAX_PASSWORD_CHARS {
        return Err(AppError::Refused(ApiError::with_detail(
            ErrorCode::WrongPassword,
            "current",
        )));
    }
    // Throttled like a login, the account's slow-down included: a stolen session must not
    // guess the password faster than a login could.
    state
        .throttle
        .attempt(&user.login, ip, None, false)
        .map_err(|wait| AppError::TooManyRequests(wait.as_secs().max(1)))?;
    let Some((_, hash)) = state.db.user_by_login(&user.login).await? else {
        return Err(AppError::Unauthorized);
    };
    if !verify(form.current, hash).await {
        state.throttle.failed(&user.login);
        return Err(AppError::Refused(ApiError::with_detail(
            ErrorCode::WrongPassword,
            "current",
        )));
    }
    state.throttle.succeeded(&user.login, ip, None);
    let new = form.new;
    let hashed = tokio::task::spawn_blocking(move || auth::hash_password(&new))
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
    let keep = auth::cookie(&headers, COOKIE).map(auth::token_hash);
    state
        .db
        .user_set_password(user.id, &hashed, keep.as_deref())
        .await?;
    state.revocations.nudge();
    Ok(StatusCode::NO_CONTENT)
}

/// The longest password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Password checks at once: argon2 takes 19 MiB and tens of milliseconds each, so a burst of
/// logins queues here instead of taking every blocking thread.
static ARGON2: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Checks a password against its hash on the blocking pool, a few at a time.
async fn verify(password: String, hash: String) -> bool {
    let Ok(_permit) = ARGON2.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// An argon2id hash of a random password, checked against when the login is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(&auth::new_token()).unwrap_or_default())
}
