//! 微心愿: the console's list of the county's wishes, and the steps a supervisor takes on one
//! (approve, reject with a reason, claim for an organisation, fulfil). Each step is one SQL
//! transaction with a notice to the rider; the rider's office document and the county's wish
//! wall (stations document) are written after it.

use axum::{
    Json,
    extract::{Path, Query, State},
};
use model::api::{ApiError, Cursor, ErrorCode, WISH_STATUSES, WishItem, WishList, WishStepForm};
use serde::Deserialize;

use crate::{auth::Staff, db::now_ms, error::AppError, state::AppState};

/// `GET /api/wishes` parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WishQuery {
    /// Only wishes of this status: `pending`, `approved`, `rejected`, `claimed` or
    /// `fulfilled`.
    pub status: Option<String>,
}

/// `GET /api/wishes`: one page of the county's wishes, newest first.
#[utoipa::path(
    get,
    path = "/wishes",
    operation_id = "list_wishes",
    tag = "wishes",
    params(super::PageQuery, WishQuery),
    responses(
        (status = 200, description = "One page of the county's wishes, newest first", body = model::api::WishList),
        (status = 400, description = "`bad_request`: a status not on the list, or a bad page size or cursor (`detail` names it)", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(page): Query<super::PageQuery>,
    Query(q): Query<WishQuery>,
) -> Result<Json<WishList>, AppError> {
    let (limit, after) = page.checked()?;
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    if status.is_some_and(|s| !WISH_STATUSES.contains(&s)) {
        return Err(AppError::Refused(ApiError::with_detail(
            ErrorCode::BadRequest,
            "status",
        )));
    }
    let mut wishes = state
        .db
        .wishes(&user.county, status, limit + 1, after.as_ref())
        .await?;
    let next = if wishes.len() as i64 > limit {
        wishes.truncate(limit as usize);
        wishes.last().map(|w| {
            Cursor {
                at: w.at,
                rider_id: w.rider_id,
                id: w.id.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    Ok(Json(WishList { wishes, next }))
}

/// `POST /api/wishes/{rider_id}/{id}`: takes one step on a wish of the supervisor's county. A
/// step that does not follow from where the wish stands is refused with `wish_step` (409).
#[utoipa::path(
    post,
    path = "/wishes/{rider_id}/{id}",
    operation_id = "step_wish",
    tag = "wishes",
    params(
        ("rider_id" = i64, Path, description = "The rider's user id"),
        ("id" = String, Path, description = "The wish's id"),
    ),
    request_body = model::api::WishStepForm,
    responses(
        (status = 200, description = "The wish after the step", body = model::api::WishItem),
        (status = 400, description = "`bad_wish`: an action not on the list, or a reason or organisation empty or too long; or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: no such wish in the county", body = model::api::ErrorBody),
        (status = 409, description = "`wish_step`: the step does not follow from where the wish stands", body = model::api::ErrorBody),
    )
)]
pub async fn step(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path((rider_id, id)): Path<(i64, String)>,
    form: Result<super::JsonForm<WishStepForm>, AppError>,
) -> Result<Json<WishItem>, AppError> {
    let super::JsonForm(form) = form?;
    let wish = state
        .db
        .wish(&user.county, rider_id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let to = form.next(&wish.status).map_err(AppError::Refused)?;
    let (reason, org) = match to {
        "rejected" => (form.reason.trim(), ""),
        "claimed" => ("", form.org.trim()),
        _ => ("", ""),
    };
    let at = now_ms();
    if !state
        .db
        .wish_step(rider_id, &id, &wish.status, to, reason, org, at)
        .await?
    {
        // Another supervisor moved it meanwhile.
        return Err(AppError::Refused(ApiError::from(ErrorCode::WishStep)));
    }
    let wish = state
        .db
        .wish(&user.county, rider_id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The step stands once SQL has it: the copies are written after, and a failure here is
    // put right at the next start (`wall::reconcile`, `points::reconcile`).
    if to != "rejected"
        && let Err(e) = crate::wall::write(&state, &user.county, &wish).await
    {
        tracing::error!(error = ?e, rider_id, id, "wish not copied to the wall");
    }
    if let Err(e) = crate::points::write_office(&state, rider_id, None).await {
        tracing::error!(error = ?e, rider_id, id, "wish notice not copied to the office document");
    }
    Ok(Json(wish))
}
