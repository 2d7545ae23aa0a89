//! 微心愿: the console's list of the county's wishes, and the steps a supervisor takes on one
//! (approve, reject with a reason, claim for an organisation, fulfil). Each step is one SQL
//! transaction with a notice to the rider; the rider's office document and the county's wish
//! wall (stations document) are written after it.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::JsonRejection},
};
use model::api::{ApiError, Cursor, ErrorCode, WISH_STATUSES, WishItem, WishList, WishStepForm};
use serde::Deserialize;

use crate::{auth::Staff, db::now_ms, error::AppError, state::AppState};

/// `GET /api/wishes` parameters.
#[derive(Debug, Deserialize)]
pub struct WishQuery {
    /// Only wishes of this status (one of `WISH_STATUSES`).
    pub status: Option<String>,
    /// The page: its size and where it starts (`next` of the page before).
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /api/wishes`: one page of the county's wishes, newest first.
pub async fn list(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(q): Query<WishQuery>,
) -> Result<Json<WishList>, AppError> {
    let (limit, after) = super::page(q.limit, q.cursor.as_deref())?;
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
pub async fn step(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path((rider_id, id)): Path<(i64, String)>,
    form: Result<Json<WishStepForm>, JsonRejection>,
) -> Result<Json<WishItem>, AppError> {
    let Json(form) = form?;
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
