//! The supervisors' report list, its live feed, and their decisions on reports.

use std::convert::Infallible;

use axum::{
    Json,
    extract::{Path, Query, State, rejection::JsonRejection},
    response::sse::{Event, KeepAlive, Sse},
};
use futures::{Stream, StreamExt};
use model::api::{
    ApiError, ErrorCode, MAX_REVIEW_NOTE_CHARS, ReportList, ReportRow, ReviewForm, ReviewStatus,
};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;

use crate::{
    auth::{Staff, may_supervise},
    db::{Role, now_ms},
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
    let row = state.db.report_get(rider_id, &id).await?;
    let Some(row) = row.filter(|r| may_supervise(&user, &r.county)) else {
        return Err(AppError::NotFound);
    };
    let at = now_ms();
    state
        .db
        .report_review(rider_id, &row.id, form.status, &form.note, user.id, at)
        .await?;
    let office = state
        .db
        .user_by_id(rider_id)
        .await?
        .and_then(|u| u.office_doc);
    let review = model::office_doc::Review {
        status: form.status.code().to_owned(),
        note: form.note.clone(),
        at,
    };
    let written = match &office {
        Some(office) => state
            .relay
            .change(office, |d| {
                model::office_doc::put_review(d, &row.id, &review)
            })
            .await
            .map_err(AppError::Internal)?,
        None => None,
    };
    if written.is_none() {
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
