//! The supervisors' report list and its live feed.

use std::convert::Infallible;

use axum::{
    Json,
    extract::{Query, State},
    response::sse::{Event, KeepAlive, Sse},
};
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio_stream::wrappers::BroadcastStream;

use crate::{
    auth::Staff,
    db::{ReportRow, Role},
    error::AppError,
    state::AppState,
};

/// List parameters.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub limit: Option<i64>,
}

/// The list body.
#[derive(Debug, Serialize)]
pub struct ListBody {
    pub reports: Vec<ReportRow>,
}

/// The newest reports of the supervisor's county.
pub async fn list(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(q): Query<ListQuery>,
) -> Result<Json<ListBody>, AppError> {
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let reports = state.db.reports_for_county(&user.county, limit).await?;
    Ok(Json(ListBody { reports }))
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
