//! The supervisors' report list, its live feed, and their decisions on reports.

use std::convert::Infallible;

use axum::{
    Json,
    extract::{Path, Query, State, rejection::JsonRejection},
    response::sse::{Event, KeepAlive, Sse},
};
use futures::{Stream, StreamExt};
use model::{
    api::{
        ApiError, DUPLICATE_RADIUS_M, DUPLICATE_SHARE_PERCENT, DUPLICATE_WINDOW_MS, ErrorCode,
        MAX_AWARD, MAX_REVIEW_NOTE_CHARS, ReportList, ReportRow, ReviewForm, ReviewStatus,
    },
    office_doc::Review,
};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;

use crate::{
    auth::{Staff, may_supervise},
    db::{Award, Decision, Refused, Role, now_ms},
    error::AppError,
    state::AppState,
};

/// List parameters.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub limit: Option<i64>,
}

/// The newest reports of the supervisor's county.
pub async fn list(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(q): Query<ListQuery>,
) -> Result<Json<ReportList>, AppError> {
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let reports = state.db.reports_for_county(&user.county, limit).await?;
    Ok(Json(ReportList { reports }))
}

/// New and changed reports of the supervisor's county, as server-sent events named `report`.
pub async fn feed(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let county = user.county.clone();
    let admin = user.role == Role::Admin;
    let stream = BroadcastStream::new(state.feed.subscribe()).filter_map(move |row| {
        let out = match row {
            Ok(row) if admin || row.county == county => Event::default()
                .event("report")
                .json_data(&row)
                .ok()
                .map(Ok),
            // A lagging listener missed rows: tell it to reload the list.
            Err(_) => Some(Ok(Event::default().event("resync").data("{}"))),
            Ok(_) => None,
        };
        futures::future::ready(out)
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// `POST /api/reports/{rider_id}/{id}/review`: a supervisor of the report's county decides on
/// it. The decision goes into the rider's office document, which only the server writes; a
/// report of another county answers 404, exactly like a missing one.
pub async fn review(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path((rider_id, id)): Path<(i64, String)>,
    form: Result<Json<ReviewForm>, JsonRejection>,
) -> Result<Json<ReportRow>, AppError> {
    // A status that is not a code at all fails here, as a malformed body.
    let Json(form) = form?;
    if form.status == ReviewStatus::New {
        return Err(AppError::code(ErrorCode::BadStatus));
    }
    if form.note.chars().count() > MAX_REVIEW_NOTE_CHARS {
        return Err(AppError::Refused(ApiError::with_limit(
            ErrorCode::NoteTooLong,
            MAX_REVIEW_NOTE_CHARS as u64,
        )));
    }
    if form.points.is_some_and(|p| p > MAX_AWARD) {
        return Err(AppError::Refused(ApiError::with_limit(
            ErrorCode::BadPoints,
            u64::from(MAX_AWARD),
        )));
    }
    let row = state.db.report_get(rider_id, &id).await?;
    let Some(row) = row.filter(|r| may_supervise(&user, &r.county)) else {
        return Err(AppError::NotFound);
    };
    let award = match (form.status, &form.duplicate_of) {
        (ReviewStatus::Valid, _) => Award::Points(i64::from(
            form.points.unwrap_or_else(|| row.category.default_points()),
        )),
        (ReviewStatus::Duplicate, Some(first)) => {
            let original = state.db.report_get(first.rider_id, &first.id).await?;
            let same = first.rider_id == rider_id && first.id == row.id;
            if same || !original.is_some_and(|o| may_supervise(&user, &o.county)) {
                return Err(AppError::code(ErrorCode::BadDuplicate));
            }
            Award::ShareOf {
                rider_id: first.rider_id,
                report_id: &first.id,
                percent: DUPLICATE_SHARE_PERCENT,
            }
        }
        _ => Award::Points(0),
    };
    let at = now_ms();
    let decision = Decision {
        rider_id,
        report_id: &row.id,
        status: form.status,
        note: &form.note,
        by: user.id,
        at,
        award,
    };
    match state.db.decide(&decision).await {
        Ok(_) => {}
        Err(Refused::NotFound) => return Err(AppError::NotFound),
        Err(Refused::Final) => return Err(AppError::code(ErrorCode::DecisionFinal)),
        Err(Refused::Spent) => return Err(AppError::code(ErrorCode::PointsSpent)),
        Err(Refused::Db(e)) => return Err(e.into()),
    }
    // The ledger has committed; the office document gets the decision and the points. Should
    // this fail, the copy is rewritten from the ledger at the next start.
    let review = Review {
        status: form.status.code().to_owned(),
        note: form.note.clone(),
        at,
    };
    let written = crate::points::write_office(&state, rider_id, Some((&row.id, &review)))
        .await
        .map_err(AppError::Internal)?;
    if !written {
        tracing::error!(rider_id, "the rider's office document is missing");
    }
    let row = state
        .db
        .report_get(rider_id, &row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let _ = state.feed.send(row.clone());
    Ok(Json(row))
}

/// `GET /api/reports/{rider_id}/{id}/duplicates`: the reports this one may repeat: of the same
/// county and category, filed in the 48 hours before it, within 200 m; nearest first.
pub async fn duplicates(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path((rider_id, id)): Path<(i64, String)>,
) -> Result<Json<ReportList>, AppError> {
    let row = state.db.report_get(rider_id, &id).await?;
    let Some(row) = row.filter(|r| may_supervise(&user, &r.county)) else {
        return Err(AppError::NotFound);
    };
    let here = (row.lat, row.lon);
    let mut near: Vec<(f64, ReportRow)> = state
        .db
        .reports_filed_between(
            &row.county,
            row.category.code(),
            row.created_at - DUPLICATE_WINDOW_MS,
            row.created_at,
        )
        .await?
        .into_iter()
        .filter(|r| !(r.rider_id == row.rider_id && r.id == row.id))
        .map(|r| (model::geo::distance_m(here, (r.lat, r.lon)), r))
        .filter(|(d, _)| *d <= DUPLICATE_RADIUS_M)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(Json(ReportList {
        reports: near.into_iter().map(|(_, r)| r).collect(),
    }))
}
