//! The supervisors' report list, its live feed, and their decisions on reports.

use std::convert::Infallible;

use axum::{
    Json,
    extract::{Path, Query, State},
    response::{
        IntoResponse,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures::{Stream, StreamExt};
use model::{
    api::{
        ApiError, Cursor, DUPLICATE_RADIUS_M, DUPLICATE_WINDOW_MS, ErrorCode, Lang, MAX_AWARD,
        MAX_REVIEW_NOTE_CHARS, ReportList, ReportRow, ReviewForm, ReviewStatus,
    },
    office_doc::Review,
};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;

use crate::{
    auth::{Staff, may_supervise},
    db::{Award, Decision, Refused, ReportFilter, Role, now_ms},
    error::AppError,
    state::AppState,
};

/// The filters of the report list and its CSV export, each optional.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// A status code (`new`, `valid`, …).
    pub status: Option<String>,
    /// A category code.
    pub category: Option<String>,
    /// Filed at or after (ms since the epoch).
    pub from: Option<i64>,
    /// Filed before (ms since the epoch).
    pub to: Option<i64>,
    /// A rider's user id.
    pub rider: Option<i64>,
    /// Words in the note, the place or the rider's name.
    pub q: Option<String>,
    /// A point, `lat,lon` (a station's): only reports within `within` metres of it (1,000 when
    /// not given).
    pub near: Option<String>,
    /// With `near`: the distance, 1 to 50,000 metres.
    pub within: Option<f64>,
}

impl FilterQuery {
    /// The filter, once its codes are checked.
    fn filter(&self) -> Result<ReportFilter, AppError> {
        let status = self.status.as_deref().filter(|s| !s.is_empty());
        if status.is_some_and(|s| ReviewStatus::from_code(s).is_none()) {
            return Err(AppError::code(ErrorCode::BadStatus));
        }
        let category = self.category.as_deref().filter(|s| !s.is_empty());
        if category.is_some_and(|c| model::Category::from_code(c).is_none()) {
            return Err(AppError::code(ErrorCode::BadRequest));
        }
        let near = match self.near.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(point) => {
                let (lat, lon) = point
                    .split_once(',')
                    .and_then(|(a, b)| {
                        Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?))
                    })
                    .filter(|(lat, lon)| lat.abs() <= 90.0 && lon.abs() <= 180.0)
                    .ok_or_else(|| AppError::bad_json("near is `lat,lon` in degrees"))?;
                let within = self.within.unwrap_or(1000.0);
                if !model::geo::NEAR_RANGE_M.contains(&within) {
                    return Err(AppError::bad_json("within is 1 to 50000 metres"));
                }
                Some((lat, lon, within))
            }
        };
        Ok(ReportFilter {
            near,
            status: status.map(str::to_owned),
            category: category.map(str::to_owned),
            from: self.from,
            to: self.to,
            rider: self.rider,
            text: self.q.as_deref().map(str::trim).map(str::to_owned),
        })
    }
}

/// One page of the reports of the supervisor's county that pass the filters, the last
/// received first, with the cursor of the next page. Pages follow a fixed order (time
/// received, set once by the server; rider; id), so walking them lists every report once,
/// however many arrive or change meanwhile.
#[utoipa::path(
    get,
    path = "/reports",
    operation_id = "list_reports",
    tag = "reports",
    params(super::PageQuery, FilterQuery),
    responses(
        (status = 200, description = "One page of reports, the last received first", body = model::api::ReportList),
        (status = 400, description = "`bad_status`, or `bad_request` for a bad category, page size, cursor or point (`detail` names it)", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(page): Query<super::PageQuery>,
    Query(q): Query<FilterQuery>,
) -> Result<Json<ReportList>, AppError> {
    let (limit, after) = page.checked()?;
    let mut reports = state
        .db
        .reports_filtered(&user.county, &q.filter()?, limit + 1, after.as_ref())
        .await?;
    let next = if reports.len() as i64 > limit {
        reports.truncate(limit as usize);
        reports.last().map(|r| Cursor::after(r).encode())
    } else {
        None
    };
    Ok(Json(ReportList { reports, next }))
}

/// Stats parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// How many weeks back (1–26, default 8).
    pub weeks: Option<i64>,
}

/// `GET /api/stats`: the county's reports per week and category (received, decided, valid,
/// median time to decision, points), and its riders by points earned this month.
#[utoipa::path(
    get,
    path = "/stats",
    operation_id = "report_stats",
    tag = "reports",
    params(StatsQuery),
    responses(
        (status = 200, description = "Figures per week and category, and riders by points this month", body = model::api::Stats),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn stats(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(q): Query<StatsQuery>,
) -> Result<Json<model::api::Stats>, AppError> {
    let weeks = q.weeks.unwrap_or(8).clamp(1, 26);
    Ok(Json(state.db.stats(&user.county, weeks, now_ms()).await?))
}

/// The most reports one export holds.
const EXPORT_LIMIT: i64 = 100_000;

/// `GET /api/reports.csv`: the filtered list (the filters of [`list`]) as a CSV file, newest
/// first, in the language of `Accept-Language`.
#[utoipa::path(
    get,
    path = "/reports.csv",
    operation_id = "export_reports",
    tag = "reports",
    params(FilterQuery),
    responses(
        (status = 200, description = "The filtered reports as a CSV file (UTF-8 with a byte-order mark)", content_type = "text/csv", body = String),
        (status = 400, description = "`bad_status`, or `bad_request` for a bad filter", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    Staff(user): Staff,
    headers: axum::http::HeaderMap,
    Query(q): Query<FilterQuery>,
) -> Result<axum::response::Response, AppError> {
    let mut rows = state
        .db
        .reports_filtered(&user.county, &q.filter()?, EXPORT_LIMIT, None)
        .await?;
    // A spreadsheet reads best by the date filed.
    rows.sort_by(|a, b| (b.created_at, a.rider_id, &a.id).cmp(&(a.created_at, b.rider_id, &b.id)));
    let lang = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Zh, Lang::from_accept_language);
    let body = crate::export::csv(&rows, lang);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"nuanxin-reports.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// New and changed reports of the supervisor's county, as server-sent events named `report`,
/// until the session that opened the feed ends.
#[utoipa::path(
    get,
    path = "/reports/feed",
    operation_id = "report_feed",
    tag = "reports",
    responses(
        (status = 200, description = "Server-sent events until the session ends: `report`, a `ReportRow` in JSON, new or changed; `resync` (`{}`), when the feed fell behind: read the list again", content_type = "text/event-stream", body = String),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn feed(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let (user, session) = crate::auth::session_from_headers(&state, &headers).await?;
    if !user.role.supervises() {
        return Err(AppError::Forbidden);
    }
    let ended = state.revocations.watch(user.id, session).spawn();
    let ended = Box::pin(async move {
        let reason = ended.await;
        tracing::info!(reason, "closing a live feed");
    });
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
    Ok(Sse::new(stream.take_until(ended)).keep_alive(KeepAlive::default()))
}

/// `POST /api/reports/{rider_id}/{id}/review`: a supervisor of the report's county decides on
/// it. The decision goes into the rider's office document, which only the server writes; a
/// report of another county answers 404, exactly like a missing one.
#[utoipa::path(
    post,
    path = "/reports/{rider_id}/{id}/review",
    operation_id = "review_report",
    tag = "reports",
    params(
        ("rider_id" = i64, Path, description = "The rider's user id"),
        ("id" = String, Path, description = "The report's id"),
    ),
    request_body = model::api::ReviewForm,
    responses(
        (status = 200, description = "The report as decided", body = model::api::ReportRow),
        (status = 400, description = "`bad_status`, `note_too_long`, `bad_points`, `bad_duplicate`, `bad_text`; or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: no such report in the county", body = model::api::ErrorBody),
        (status = 409, description = "`decision_final`: decided over 24 hours ago; `points_spent`: the change would take back spent points", body = model::api::ErrorBody),
    )
)]
pub async fn review(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path((rider_id, id)): Path<(i64, String)>,
    form: Result<super::JsonForm<ReviewForm>, AppError>,
) -> Result<Json<ReportRow>, AppError> {
    // A status that is not a code at all fails here, as a malformed body.
    let super::JsonForm(form) = form?;
    if form.status == ReviewStatus::New {
        return Err(AppError::code(ErrorCode::BadStatus));
    }
    if form.note.chars().count() > MAX_REVIEW_NOTE_CHARS {
        return Err(AppError::Refused(ApiError::with_limit(
            ErrorCode::NoteTooLong,
            MAX_REVIEW_NOTE_CHARS as u64,
        )));
    }
    if !model::validate::plain_text(&form.note, true) {
        return Err(AppError::Refused(ApiError::with_detail(
            ErrorCode::BadText,
            "note",
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
    // The county's own awards and duplicate share.
    let settings = state.db.county_settings(&row.county).await?;
    let award = match (form.status, &form.duplicate_of) {
        (ReviewStatus::Valid, _) => Award::Points(i64::from(
            form.points.unwrap_or_else(|| settings.award(row.category)),
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
                percent: i64::from(settings.duplicate_share),
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
    // The office document loads while the transaction commits.
    let (decided, office) = tokio::join!(
        state.db.decide(&decision),
        crate::points::preload_office(&state, rider_id)
    );
    match decided {
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
    // Written into the document loaded above; found again if that load failed.
    let written = match office.ok().flatten() {
        Some(pinned) => {
            let review = Some((row.id.as_str(), &review));
            crate::points::write_office_doc(&state, pinned.id(), rider_id, review).await
        }
        None => crate::points::write_office(&state, rider_id, Some((&row.id, &review))).await,
    }
    .map_err(AppError::Internal)?;
    if !written {
        tracing::error!(rider_id, "the rider's office document is missing");
    }
    // The row as read before, with its decision: nothing else of it changes here.
    let row = ReportRow {
        status: form.status,
        ..row
    };
    crate::cluster::announce(&state, vec![row.clone()]).await;
    Ok(Json(row))
}

/// `GET /api/reports/{rider_id}/{id}/duplicates`: the reports this one may repeat: of the same
/// county and category, filed in the 48 hours before it, within 200 m; nearest first.
#[utoipa::path(
    get,
    path = "/reports/{rider_id}/{id}/duplicates",
    operation_id = "report_duplicates",
    tag = "reports",
    params(
        ("rider_id" = i64, Path, description = "The rider's user id"),
        ("id" = String, Path, description = "The report's id"),
    ),
    responses(
        (status = 200, description = "The earlier reports this one may repeat, nearest first (one page, no `next`)", body = model::api::ReportList),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: no such report in the county", body = model::api::ErrorBody),
    )
)]
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
        next: None,
    }))
}
