//! The county's catalogue of rewards, kept by its supervisors, and handing rewards over: a
//! pickup code, read out by the rider at the counter, is used once.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use model::api::{
    ApiError, CatalogueItem, ErrorCode, MAX_PRICE, MAX_REWARD_NAME_CHARS, MAX_STOCK, Pickup,
    PickupForm, RewardForm,
};

use crate::{
    auth::{Counter, Staff},
    db::{PickupRefused, RewardRow, now_ms},
    error::AppError,
    state::AppState,
};

fn item(r: RewardRow) -> CatalogueItem {
    CatalogueItem {
        id: r.id,
        name: r.name,
        price: r.price,
        stock: r.stock,
        active: r.active,
        photo: r.photo.unwrap_or_default(),
    }
}

/// Checks a reward's name and price; returns the name trimmed.
fn checked(form: RewardForm) -> Result<RewardForm, AppError> {
    let name = form.name.trim().to_owned();
    let chars = name.chars().count();
    if chars > MAX_REWARD_NAME_CHARS
        || !model::validate::has_visible(&name)
        || !model::validate::plain_text(&name, false)
    {
        return Err(AppError::Refused(ApiError::with_limit(
            ErrorCode::BadRewardName,
            MAX_REWARD_NAME_CHARS as u64,
        )));
    }
    if !(1..=MAX_PRICE).contains(&form.price) {
        return Err(AppError::Refused(ApiError::with_limit(
            ErrorCode::BadPrice,
            MAX_PRICE as u64,
        )));
    }
    Ok(RewardForm { name, ..form })
}

/// Checks that a picture is empty or a photo the server holds.
async fn check_photo(state: &AppState, photo: &str) -> Result<(), AppError> {
    if photo.is_empty() {
        return Ok(());
    }
    if !model::validate::is_sha256_hex(photo) {
        return Err(AppError::code(ErrorCode::BadName));
    }
    if state.db.photo_get(photo).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(())
}

fn bad_stock() -> AppError {
    AppError::Refused(ApiError::with_limit(ErrorCode::BadStock, MAX_STOCK as u64))
}

/// Copies the catalogue into the county's stations document, where riders read it; should
/// this fail, the next change or redemption copies it again.
async fn publish(state: &AppState, county: &str) {
    if let Err(e) = crate::rewards::publish(&state.db, &state.relay, county).await {
        tracing::error!(error = ?e, county, "catalogue not copied to the stations document");
    }
}

/// `GET /api/rewards`: the supervisor's county's catalogue, by id.
#[utoipa::path(
    get,
    path = "/rewards",
    operation_id = "list_rewards",
    tag = "rewards",
    responses(
        (status = 200, description = "The county's catalogue, by id", body = Vec<model::api::CatalogueItem>),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> Result<Json<Vec<CatalogueItem>>, AppError> {
    let rows = state.db.rewards(&user.county).await?;
    Ok(Json(rows.into_iter().map(item).collect()))
}

/// `POST /api/rewards`: adds a reward to the supervisor's county's catalogue.
#[utoipa::path(
    post,
    path = "/rewards",
    operation_id = "add_reward",
    tag = "rewards",
    request_body = model::api::RewardForm,
    responses(
        (status = 201, description = "The reward as added", body = model::api::CatalogueItem),
        (status = 400, description = "`bad_reward_name`, `bad_price`, `bad_stock`, `bad_name` (the photo); or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: the photo is not stored", body = model::api::ErrorBody),
    )
)]
pub async fn add(
    State(state): State<AppState>,
    Staff(user): Staff,
    form: Result<super::JsonForm<RewardForm>, AppError>,
) -> Result<(StatusCode, Json<CatalogueItem>), AppError> {
    let super::JsonForm(form) = form?;
    let form = checked(form)?;
    if !(0..=MAX_STOCK).contains(&form.stock_change) {
        return Err(bad_stock());
    }
    check_photo(&state, &form.photo).await?;
    let row = state.db.reward_add(&user.county, &form).await?;
    publish(&state, &user.county).await;
    Ok((StatusCode::CREATED, Json(item(row))))
}

/// `PUT /api/rewards/{id}`: changes a reward of the supervisor's county: name, price, offered
/// or not, and the stock by `stock_change`. Another county's reward answers 404.
#[utoipa::path(
    put,
    path = "/rewards/{id}",
    operation_id = "update_reward",
    tag = "rewards",
    params(("id" = String, Path, description = "The reward's id")),
    request_body = model::api::RewardForm,
    responses(
        (status = 200, description = "The reward as changed", body = model::api::CatalogueItem),
        (status = 400, description = "`bad_reward_name`, `bad_price`, `bad_stock`, `bad_name` (the photo); or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: no such reward in the county, or the photo is not stored", body = model::api::ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
    form: Result<super::JsonForm<RewardForm>, AppError>,
) -> Result<Json<CatalogueItem>, AppError> {
    let super::JsonForm(form) = form?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if state.db.reward(&user.county, id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let form = checked(form)?;
    check_photo(&state, &form.photo).await?;
    let row = state
        .db
        .reward_update(&user.county, id, &form, MAX_STOCK)
        .await?
        .ok_or_else(bad_stock)?;
    publish(&state, &user.county).await;
    Ok(Json(item(row)))
}

/// `POST /api/pickups`: hands over the reward waiting under the code in the staff member's
/// county, once; a second use answers `409 picked_up` (已领取).
#[utoipa::path(
    post,
    path = "/pickups",
    operation_id = "pick_up_reward",
    tag = "rewards",
    request_body = model::api::PickupForm,
    responses(
        (status = 200, description = "Handed over: what and to whom", body = model::api::Pickup),
        (status = 400, description = "`bad_code`: not 6 digits; or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not station staff, a supervisor or an admin", body = model::api::ErrorBody),
        (status = 404, description = "`unknown_code`: no reward of the county waits under this code", body = model::api::ErrorBody),
        (status = 409, description = "`picked_up`: handed over already", body = model::api::ErrorBody),
        (status = 410, description = "`code_expired`: the code is over 30 days old", body = model::api::ErrorBody),
    )
)]
pub async fn pickup(
    State(state): State<AppState>,
    Counter(user): Counter,
    form: Result<super::JsonForm<PickupForm>, AppError>,
) -> Result<Json<Pickup>, AppError> {
    let super::JsonForm(form) = form?;
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
