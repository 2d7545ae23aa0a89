//! The county's stations, as the console needs them: to filter reports by their distance from
//! one, and to keep them. The county's stations document is where they live: a change written
//! there reaches riders' phones at their next sync.

use axum::response::IntoResponse;
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use model::{
    api::{
        AlertForm, AlertItem, ApiError, ErrorCode, StationForm, StationItem, StationsImported,
        is_station_id,
    },
    stations_doc::{Alert, Station},
};

use crate::{auth::Staff, db::now_ms, error::AppError, state::AppState};

/// `GET /api/stations`: the stations of the supervisor's county, by name, from its stations
/// document (empty when the county has none).
#[utoipa::path(
    get,
    path = "/stations",
    operation_id = "list_stations",
    tag = "stations",
    responses(
        (status = 200, description = "The county's stations, by name", body = Vec<model::api::StationItem>),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> Result<Json<Vec<StationItem>>, AppError> {
    let Some(doc) = state.db.county_stations_doc(&user.county).await? else {
        return Ok(Json(Vec::new()));
    };
    let stations = state
        .relay
        .read(&doc, |d| {
            model::stations_doc::stations(d).unwrap_or_default()
        })
        .await?
        .map(|r| r.value)
        .unwrap_or_default();
    let mut items: Vec<StationItem> = stations
        .into_iter()
        .map(|(id, s)| StationItem {
            id,
            station: s.form(),
        })
        .collect();
    items.sort_by(|a, b| a.station.name.cmp(&b.station.name));
    Ok(Json(items))
}

/// `PUT /api/stations/{id}`: adds or replaces station `id` of the supervisor's county, checked
/// field by field (coordinates inside the county, hours that read, codes from the fixed
/// lists); a refusal names the field in `detail`. `status: closed` keeps the station for the
/// record but out of riders' lists.
#[utoipa::path(
    put,
    path = "/stations/{id}",
    operation_id = "put_station",
    tag = "stations",
    params(("id" = String, Path, description = "1 to 40 lower-case letters, digits and hyphens")),
    request_body = model::api::StationForm,
    responses(
        (status = 200, description = "The station as stored", body = model::api::StationItem),
        (status = 400, description = "`bad_station_name`, `bad_coordinates`, `bad_hours`, `bad_station_field` (`detail` names the field); or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: the county has no stations document", body = model::api::ErrorBody),
    )
)]
pub async fn put(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
    form: Result<super::JsonForm<StationForm>, AppError>,
) -> Result<Json<StationItem>, AppError> {
    if !is_station_id(&id) {
        return Err(AppError::Refused(model::api::ApiError::from(
            ErrorCode::BadStationName,
        )));
    }
    let super::JsonForm(form) = form?;
    let county = state
        .db
        .county(&user.county)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = form
        .checked(county.bounds.as_ref())
        .map_err(AppError::Refused)?;
    let station = Station::from_form(form);
    state
        .relay
        .change(&county.stations_doc, |d| {
            model::stations_doc::put_station(d, &id, &station, now_ms())
        })
        .await?;
    Ok(Json(StationItem {
        id,
        station: station.form(),
    }))
}

/// How long an ended alert stays in the stations document (a week), for the console's list.
const ALERTS_KEPT_MS: i64 = 7 * 24 * 3_600_000;

/// `GET /api/alerts`: the county's alerts, newest first.
#[utoipa::path(
    get,
    path = "/alerts",
    operation_id = "list_alerts",
    tag = "stations",
    responses(
        (status = 200, description = "The county's alerts, newest first", body = Vec<model::api::AlertItem>),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn alerts(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> Result<Json<Vec<AlertItem>>, AppError> {
    let Some(doc) = state.db.county_stations_doc(&user.county).await? else {
        return Ok(Json(Vec::new()));
    };
    let mut items: Vec<AlertItem> = state
        .relay
        .read(&doc, model::stations_doc::alerts)
        .await?
        .map(|r| r.value)
        .unwrap_or_default()
        .into_iter()
        .map(|(id, a)| AlertItem {
            id,
            alert: AlertForm {
                kind: a.kind,
                level: a.level,
                text: a.text,
                from: a.from,
                to: a.to,
            },
        })
        .collect();
    items.sort_by_key(|i| std::cmp::Reverse(i.alert.from));
    Ok(Json(items))
}

/// `POST /api/alerts`: publishes a heat or cold alert to the county's riders through its
/// stations document; phones show it while it is in force, offline too.
#[utoipa::path(
    post,
    path = "/alerts",
    operation_id = "add_alert",
    tag = "stations",
    request_body = model::api::AlertForm,
    responses(
        (status = 201, description = "The alert as published", body = model::api::AlertItem),
        (status = 400, description = "`bad_alert` (`detail` names the field); or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: the county has no stations document", body = model::api::ErrorBody),
    )
)]
pub async fn alert(
    State(state): State<AppState>,
    Staff(user): Staff,
    form: Result<super::JsonForm<AlertForm>, AppError>,
) -> Result<(StatusCode, Json<AlertItem>), AppError> {
    let super::JsonForm(form) = form?;
    let form = form.checked().map_err(AppError::Refused)?;
    let doc = state
        .db
        .county_stations_doc(&user.county)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = uuid::Uuid::new_v4().to_string();
    let alert = Alert {
        kind: form.kind.clone(),
        level: form.level,
        text: form.text.clone(),
        from: form.from,
        to: form.to,
    };
    let ended_before = now_ms() - ALERTS_KEPT_MS;
    state
        .relay
        .change(&doc, |d| {
            model::stations_doc::put_alert(d, &id, &alert, ended_before)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(AlertItem { id, alert: form })))
}

/// The most import errors listed in one answer.
const MAX_LISTED_ERRORS: usize = 50;

/// `GET /api/stations.csv`: the county's stations as a CSV file (`model::station_csv`), the
/// file `POST /api/stations.csv` reads.
#[utoipa::path(
    get,
    path = "/stations.csv",
    operation_id = "export_stations",
    tag = "stations",
    responses(
        (status = 200, description = "The county's stations as a CSV file, the file `POST /stations.csv` reads", content_type = "text/csv", body = String),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    user: Staff,
) -> Result<axum::response::Response, AppError> {
    let Json(items) = list(State(state), user).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"nuanxin-stations.csv\"",
            ),
        ],
        model::station_csv::write(&items),
    )
        .into_response())
}

/// `POST /api/stations.csv`: adds or replaces the stations of a CSV file in one change, each
/// checked as `PUT /api/stations/{id}` checks it. One line that does not hold and nothing is
/// imported: `400 bad_csv` lists every such line in `detail`.
#[utoipa::path(
    post,
    path = "/stations.csv",
    operation_id = "import_stations",
    tag = "stations",
    request_body(content = String, content_type = "text/csv", description = "A CSV file in the form `GET /stations.csv` writes"),
    responses(
        (status = 200, description = "How many stations were added or replaced", body = model::api::StationsImported),
        (status = 400, description = "`bad_csv`: `detail` lists every line that does not hold; nothing was imported", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: the county has no stations document", body = model::api::ErrorBody),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    Staff(user): Staff,
    body: String,
) -> Result<Json<StationsImported>, AppError> {
    let refused = |errors: Vec<(usize, String)>| {
        let listed: Vec<String> = errors
            .iter()
            .take(MAX_LISTED_ERRORS)
            .map(|(line, what)| format!("line {line}: {what}"))
            .collect();
        AppError::Refused(ApiError {
            detail: Some(listed.join("; ")),
            ..ApiError::from(ErrorCode::BadCsv)
        })
    };
    let county = state
        .db
        .county(&user.county)
        .await?
        .ok_or(AppError::NotFound)?;
    // A file saved in a legacy encoding (GBK) reaches here with its Chinese replaced: refuse it
    // rather than overwrite every name.
    if body.contains('\u{fffd}') {
        return Err(refused(vec![(
            1,
            "not UTF-8: save it as CSV UTF-8".to_owned(),
        )]));
    }
    let rows = model::station_csv::read(&body).map_err(refused)?;
    let mut errors = Vec::new();
    let mut stations: Vec<(String, Station)> = Vec::new();
    for (line, id, form) in rows {
        if !is_station_id(&id) {
            errors.push((line, format!("bad_station_name id: {id}")));
            continue;
        }
        if stations.iter().any(|(seen, _)| *seen == id) {
            errors.push((line, format!("id {id} twice")));
            continue;
        }
        match form.checked(county.bounds.as_ref()) {
            Ok(form) => stations.push((id, Station::from_form(form))),
            Err(e) => {
                let detail = e.detail.map(|d| format!(" {d}")).unwrap_or_default();
                errors.push((line, format!("{}{detail}", e.code.code())));
            }
        }
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    state
        .relay
        .change(&county.stations_doc, |d| {
            model::stations_doc::put_stations(d, &stations, now_ms())
        })
        .await?;
    Ok(Json(StationsImported {
        imported: stations.len(),
    }))
}
