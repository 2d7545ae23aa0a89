//! `POST /api/register`: a rider signs up with the invite code printed at their station.

use axum::{extract::State, http::StatusCode, response::Response};
use model::api::{ApiError, ErrorCode, RegisterForm};

use crate::{
    accounts::{NewAccount, create_user},
    client_ip::ClientIp,
    db::Role,
    error::AppError,
    routes::auth::start_session,
    state::AppState,
};

/// The one "account" of the invite-code throttle: its windows are per address.
const INVITES: &str = "invite";

/// A mainland mobile number: 11 digits starting with 1.
pub fn valid_phone(p: &str) -> bool {
    p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit())
}

/// Checks the form.
fn check(form: &RegisterForm) -> Result<(), AppError> {
    let password = form.password.chars().count();
    // The phone exactly as documented: no spaces around it.
    let (problem, field) = if !valid_phone(&form.phone) {
        (ErrorCode::BadPhone, "phone")
    } else if model::validate::person_name(&form.name).is_none() {
        (ErrorCode::BadPersonName, "name")
    } else if !(8..=128).contains(&password) {
        (ErrorCode::BadPassword, "password")
    } else if form.invite.trim().is_empty() {
        (ErrorCode::MissingInvite, "invite")
    } else {
        return Ok(());
    };
    Err(AppError::Refused(ApiError::with_detail(problem, field)))
}

/// Creates a rider of the invite's county and logs them in (201 with the session cookie).
/// Wrong invite codes count as failed attempts of the address, so codes cannot be guessed.
#[utoipa::path(
    post,
    path = "/register",
    operation_id = "register",
    tag = "session",
    request_body = model::api::RegisterForm,
    security(()),
    responses(
        (status = 201, description = "A rider account: logged in, with the session cookie", body = model::api::Me),
        (status = 400, description = "`bad_phone`, `bad_person_name`, `bad_password`, `missing_invite`, `bad_invite` (`detail` names the field); or a body that is not the form", body = model::api::ErrorBody),
        (status = 409, description = "`phone_taken`: the phone number has an account already", body = model::api::ErrorBody),
        (status = 429, description = "`too_many_attempts`: too many wrong invite codes from this address", body = model::api::ErrorBody),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: Result<super::JsonForm<RegisterForm>, AppError>,
) -> Result<Response, AppError> {
    let super::JsonForm(form) = form?;
    check(&form)?;
    let phone = form.phone.as_str();
    let invite = form.invite.trim().to_uppercase();
    // Wrong invite codes are counted per address, apart from logins (no login name can
    // reach this table).
    state
        .invites
        .attempt(INVITES, ip, None, false)
        .map_err(|wait| AppError::TooManyRequests(wait.as_secs().max(1)))?;
    if state.db.user_by_login(phone).await?.is_some() {
        state.invites.cancel(INVITES, ip, None);
        return Err(AppError::code(ErrorCode::PhoneTaken));
    }
    let Some(county) = state.db.invite_take(&invite).await? else {
        state.invites.failed(INVITES);
        return Err(AppError::code(ErrorCode::BadInvite));
    };
    state.invites.cancel(INVITES, ip, None);
    let account = NewAccount {
        login: phone,
        name: form.name.trim(),
        role: Role::Rider,
        county: &county,
        password: &form.password,
    };
    let user = match create_user(&state.db, &state.relay, &state.acl, account).await {
        Ok(u) => u,
        Err(e) => {
            state.db.invite_give_back(&invite).await?;
            // Two sign-ups with one phone number at once: the second loses the unique index.
            if state.db.user_by_login(phone).await?.is_some() {
                return Err(AppError::code(ErrorCode::PhoneTaken));
            }
            return Err(AppError::Internal(e));
        }
    };
    start_session(&state, &user, StatusCode::CREATED).await
}
