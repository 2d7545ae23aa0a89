//! Handing rewards over: a pickup code, read out by the rider at the counter, is used once.

use axum::{
    Json,
    extract::{State, rejection::JsonRejection},
};
use model::api::{ErrorCode, Pickup, PickupForm};

use crate::{
    auth::Staff,
    db::{PickupRefused, now_ms},
    error::AppError,
    state::AppState,
};

/// `POST /api/pickups`: hands over the reward waiting under the code in the staff member's
/// county, once; a second use answers `409 picked_up` (已领取).
pub async fn pickup(
    State(state): State<AppState>,
    Staff(user): Staff,
    form: Result<Json<PickupForm>, JsonRejection>,
) -> Result<Json<Pickup>, AppError> {
    let Json(form) = form?;
    let code = form.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::code(ErrorCode::BadCode));
    }
    let row = match state
        .db
        .pick_up(&user.county, code, user.id, now_ms())
        .await
    {
        Ok(row) => row,
        Err(PickupRefused::Unknown) => return Err(AppError::code(ErrorCode::UnknownCode)),
        Err(PickupRefused::PickedUp) => return Err(AppError::code(ErrorCode::PickedUp)),
        Err(PickupRefused::Expired) => return Err(AppError::code(ErrorCode::CodeExpired)),
        Err(PickupRefused::Db(e)) => return Err(e.into()),
    };
    // The rider's office document shows the reward as handed over; should this fail, the
    // copy is rewritten from the database at the next start.
    if let Err(e) = crate::points::write_office(&state, row.rider_id, None).await {
        tracing::error!(error = %e, rider_id = row.rider_id, "office document not updated");
    }
    let rider = state
        .db
        .user_by_id(row.rider_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(Pickup {
        reward: row.name,
        price: row.price,
        rider_name: rider.name,
        rider_login: rider.login,
        picked_up_at: row.picked_up_at.unwrap_or_default(),
    }))
}
