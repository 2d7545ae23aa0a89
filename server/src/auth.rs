//! Passwords, session tokens and the request extractor for the logged-in user.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use axum::{extract::FromRequestParts, http::HeaderMap, http::request::Parts};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{
    db::{Role, User, now_ms},
    error::AppError,
    state::AppState,
};

/// The session cookie's name.
pub const COOKIE: &str = "nx_session";
/// How long a session lives without use.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    let salt = SaltString::encode_b64(&raw).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?
        .to_string())
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fresh random token (32 bytes, hex).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The value of one cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value for a new session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        SESSION_TTL_MS / 1000,
        if secure { "; Secure" } else { "" }
    )
}

/// The long-lived cookie of a device that has logged in before (see [`crate::throttle`]).
pub const DEVICE_COOKIE: &str = "nx_device";
/// How long a device cookie lives: a year.
const DEVICE_TTL_S: i64 = 365 * 24 * 3600;

/// The `Set-Cookie` value of a device cookie: sent only to the login route.
pub fn device_cookie(token: &str, secure: bool) -> String {
    format!(
        "{DEVICE_COOKIE}={token}; Path=/api/login; HttpOnly; SameSite=Strict; Max-Age={DEVICE_TTL_S}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Whether `s` has the form of a token from [`new_token`].
pub fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The user of the request's session cookie; 401 without a live session.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// Looks up the session of a request, renewing it when it is more than a day old.
pub async fn user_from_headers(state: &AppState, headers: &HeaderMap) -> Result<User, AppError> {
    session_from_headers(state, headers).await.map(|(u, _)| u)
}

/// The user of the request's session and the session's token hash, which ties a connection
/// or feed to the session (see [`crate::revoke`]).
pub async fn session_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(User, String), AppError> {
    let token = cookie(headers, COOKIE).ok_or(AppError::Unauthorized)?;
    let hash = token_hash(token);
    let (user, expires_at) = state
        .db
        .session_user(&hash)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let fresh = now_ms() + SESSION_TTL_MS;
    if fresh - expires_at > 24 * 3600 * 1000 {
        state.db.session_extend(&hash, fresh).await?;
    }
    Ok((user, hash))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        user_from_headers(state, &parts.headers)
            .await
            .map(CurrentUser)
    }
}

/// A logged-in supervisor or admin.
#[derive(Debug, Clone)]
pub struct Staff(pub User);

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser(u) = CurrentUser::from_request_parts(parts, state).await?;
        if u.role.supervises() {
            Ok(Staff(u))
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// A logged-in user who may hand rewards over at the counter: station staff, supervisors and
/// admins (each in their own county).
#[derive(Debug, Clone)]
pub struct Counter(pub User);

impl FromRequestParts<AppState> for Counter {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser(u) = CurrentUser::from_request_parts(parts, state).await?;
        if u.role.is_staff() {
            Ok(Counter(u))
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Whether `user` may read a photo uploaded by `uploaders` (account id, county): they uploaded
/// it, or they supervise the county of a rider who did.
pub fn may_read_photo(user: &User, uploaders: &[(i64, String)]) -> bool {
    uploaders
        .iter()
        .any(|(id, county)| *id == user.id || may_supervise(user, county))
}

/// Whether `user` may see and decide on the reports (and photos) of `county`: a supervisor of
/// that county, or an admin.
pub fn may_supervise(user: &User, county: &str) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Supervisor => user.county == county,
        Role::Rider | Role::Station => false,
    }
}
