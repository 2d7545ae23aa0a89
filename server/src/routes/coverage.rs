//! What the county learns from its stations: check-ins per station by day and hour, the
//! coverage view (where riders are out of reach of every open station), and the printable
//! poster whose QR code riders scan to check in.

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use model::{
    api::{CheckinStats, Coverage, CoverageArea, ErrorCode, StationCheckins, is_station_id},
    geo::{Grid, RIDING_SPEEDS_KMH, circle_m, distance_m},
    stations_doc::{District, Station},
};
use serde::Deserialize;

use crate::{
    auth::Staff,
    db::{cst_day, now_ms},
    error::AppError,
    state::AppState,
};

const DAY_MS: i64 = 24 * 3_600_000;
const HOUR_MS: i64 = 3_600_000;

/// The county's stations and districts, from its stations document.
async fn county_doc(
    state: &AppState,
    county: &str,
) -> Result<(Vec<(String, Station)>, Vec<(String, District)>), AppError> {
    let Some(doc) = state.db.county_stations_doc(county).await? else {
        return Ok((Vec::new(), Vec::new()));
    };
    Ok(state
        .relay
        .read(&doc, |d| {
            (
                model::stations_doc::stations(d).unwrap_or_default(),
                model::stations_doc::districts(d),
            )
        })
        .await?
        .map(|r| r.value)
        .unwrap_or_default())
}

/// `GET /api/checkins` and `GET /api/coverage`: the days they look at.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// How many days back, today included (1–90; 7 for check-ins, 30 for coverage).
    #[param(minimum = 1, maximum = 90)]
    pub days: Option<u32>,
}

/// `GET /api/coverage`: the speed its circles are drawn at.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpeedQuery {
    /// The riding speed the 15-minute circle is drawn at, in km/h (one of 10, 15, 20, 25).
    pub speed: Option<u32>,
}

fn days(q: &DaysQuery, default: u32) -> Result<u32, AppError> {
    match q.days.unwrap_or(default) {
        d @ 1..=90 => Ok(d),
        _ => Err(AppError::code(ErrorCode::BadRequest)),
    }
}

/// `GET /api/checkins?days=7`: check-ins at each station of the county over the last `days`
/// days (China Standard Time), per day and per hour of the day, most check-ins first. Stations
/// closed for good are listed too while they have check-ins.
#[utoipa::path(
    get,
    path = "/checkins",
    operation_id = "checkins",
    tag = "stations",
    params(DaysQuery),
    responses(
        (status = 200, description = "Check-ins per station, day and hour", body = model::api::CheckinStats),
        (status = 400, description = "`bad_request`: `days` is not 1 to 90", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn checkins(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(q): Query<DaysQuery>,
) -> Result<Json<CheckinStats>, AppError> {
    let n = days(&q, 7)? as i64;
    let today = cst_day(now_ms()).0;
    let first = today - (n - 1) * DAY_MS;
    let day_starts: Vec<i64> = (0..n).map(|i| first + i * DAY_MS).collect();
    let (stations, _) = county_doc(&state, &user.county).await?;
    let mut rows: HashMap<String, StationCheckins> = stations
        .iter()
        .filter(|(_, s)| !s.closed())
        .map(|(id, s)| {
            let row = StationCheckins {
                id: id.clone(),
                name: s.name.clone(),
                total: 0,
                by_day: vec![0; n as usize],
                by_hour: vec![0; 24],
            };
            (id.clone(), row)
        })
        .collect();
    let names: HashMap<&str, &str> = stations
        .iter()
        .map(|(id, s)| (id.as_str(), s.name.as_str()))
        .collect();
    for (station, at) in state.db.checkins_since(&user.county, first).await? {
        // Only the county's own stations are counted.
        let Some(name) = names.get(station.as_str()) else {
            continue;
        };
        let row = rows
            .entry(station.clone())
            .or_insert_with(|| StationCheckins {
                id: station.clone(),
                name: (*name).to_owned(),
                total: 0,
                by_day: vec![0; n as usize],
                by_hour: vec![0; 24],
            });
        let day = ((cst_day(at).0 - first) / DAY_MS) as usize;
        let Some(slot) = row.by_day.get_mut(day) else {
            continue;
        };
        *slot += 1;
        row.total += 1;
        row.by_hour[((at - cst_day(at).0) / HOUR_MS).clamp(0, 23) as usize] += 1;
    }
    let mut stations: Vec<StationCheckins> = rows.into_values().collect();
    stations.sort_by(|a, b| b.total.cmp(&a.total).then(a.name.cmp(&b.name)));
    Ok(Json(CheckinStats {
        days: day_starts,
        stations,
    }))
}

/// `GET /api/coverage?days=30&speed=15`: the county's reports and check-ins of the last
/// `days` days that lie farther than 15 riding minutes (at `speed` km/h) from every open
/// station, grouped in cells of about 2 km, most points first. An open station is one not
/// paused or closed, whatever its hours.
#[utoipa::path(
    get,
    path = "/coverage",
    operation_id = "coverage",
    tag = "stations",
    params(DaysQuery, SpeedQuery),
    responses(
        (status = 200, description = "Where reports and check-ins lie beyond 15 riding minutes of every open station", body = model::api::Coverage),
        (status = 400, description = "`bad_request`: `days` is not 1 to 90, or `speed` not one of 10, 15, 20, 25", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn coverage(
    State(state): State<AppState>,
    Staff(user): Staff,
    Query(q): Query<DaysQuery>,
    Query(speed): Query<SpeedQuery>,
) -> Result<Json<Coverage>, AppError> {
    let n = days(&q, 30)?;
    let speed = speed.speed.unwrap_or(15);
    if !RIDING_SPEEDS_KMH.contains(&speed) {
        return Err(AppError::code(ErrorCode::BadRequest));
    }
    let radius_m = circle_m(speed);
    let since = cst_day(now_ms()).0 - i64::from(n - 1) * DAY_MS;
    let (stations, districts) = county_doc(&state, &user.county).await?;
    let open: Vec<&(String, Station)> = stations
        .iter()
        .filter(|(_, s)| !s.closed() && !s.paused())
        .collect();
    let grid = Grid::new(open.iter().map(|(_, s)| (s.lat, s.lon)));
    let at: HashMap<&str, (f64, f64)> = stations
        .iter()
        .map(|(id, s)| (id.as_str(), (s.lat, s.lon)))
        .collect();
    let reports = state.db.report_places_since(&user.county, since).await?;
    let checkins: Vec<(f64, f64)> = state
        .db
        .checkins_since(&user.county, since)
        .await?
        .into_iter()
        .filter_map(|(station, _)| at.get(station.as_str()).copied())
        .collect();
    // Each cell out of reach: the sums of its points' coordinates, and its counts.
    let mut cells: HashMap<(i64, i64), (f64, f64, u64, u64)> = HashMap::new();
    let points = reports
        .iter()
        .map(|p| (*p, true))
        .chain(checkins.iter().map(|p| (*p, false)));
    let mut looked = 0u64;
    let mut uncovered = 0u64;
    for ((lat, lon), is_report) in points {
        looked += 1;
        if grid
            .nearest_within((lat, lon), radius_m, |_| true)
            .is_some()
        {
            continue;
        }
        uncovered += 1;
        let key = (
            (lat / Grid::CELL_DEG).floor() as i64,
            (lon / Grid::CELL_DEG).floor() as i64,
        );
        let cell = cells.entry(key).or_default();
        cell.0 += lat;
        cell.1 += lon;
        if is_report {
            cell.2 += 1;
        } else {
            cell.3 += 1;
        }
    }
    let mut areas: Vec<CoverageArea> = cells
        .into_values()
        .map(|(lat_sum, lon_sum, reports, checkins)| {
            let count = (reports + checkins) as f64;
            let centre = (lat_sum / count, lon_sum / count);
            let district = districts
                .iter()
                .min_by(|a, b| {
                    let da = distance_m(centre, (a.1.lat, a.1.lon));
                    let db = distance_m(centre, (b.1.lat, b.1.lon));
                    da.total_cmp(&db)
                })
                .map(|(_, d)| d.name.clone())
                .unwrap_or_default();
            let nearest = grid.nearest(centre, 1, |_| true).into_iter().next();
            CoverageArea {
                district,
                lat: centre.0,
                lon: centre.1,
                reports,
                checkins,
                nearest_m: nearest.map_or(0.0, |(d, _)| d.round()),
                nearest: nearest
                    .map(|(_, i)| open[i].1.name.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    areas.sort_by(|a, b| {
        (b.reports + b.checkins)
            .cmp(&(a.reports + a.checkins))
            .then(a.lat.total_cmp(&b.lat))
    });
    Ok(Json(Coverage {
        days: n,
        speed_kmh: speed,
        radius_m,
        points: looked,
        uncovered,
        areas,
    }))
}

/// The address a station's QR code opens: `https://<host>/s/<id>` (`http` for a server on
/// this machine's loopback), the host as the request named it.
pub fn station_url(headers: &HeaderMap, id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let local = host == "localhost"
        || host.starts_with("localhost:")
        || host.starts_with("127.")
        || host.starts_with("[::1]");
    let scheme = if local { "http" } else { "https" };
    format!("{scheme}://{host}/s/{id}")
}

/// `GET /api/stations/{id}/poster.svg`: a printable A4 poster for station `id` of the county:
/// its name, address and hours, and a QR code of its check-in address ([`station_url`]).
#[utoipa::path(
    get,
    path = "/stations/{id}/poster.svg",
    operation_id = "station_poster",
    tag = "stations",
    params(("id" = String, Path, description = "The station's id")),
    responses(
        (status = 200, description = "A printable A4 poster with the station's check-in QR code", content_type = "image/svg+xml", body = String),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: no such station in the county", body = model::api::ErrorBody),
    )
)]
pub async fn poster(
    State(state): State<AppState>,
    Staff(user): Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if !is_station_id(&id) {
        return Err(AppError::NotFound);
    }
    let (stations, _) = county_doc(&state, &user.county).await?;
    let station = stations
        .into_iter()
        .find(|(k, _)| *k == id)
        .map(|(_, s)| s)
        .ok_or(AppError::NotFound)?;
    let url = station_url(&headers, &id);
    let svg = poster_svg(&station, &url)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code: {e:?}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"poster.svg\"",
            ),
        ],
        svg,
    )
        .into_response())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The poster: 210 × 297 (A4, millimetres as user units), the QR code in the middle.
pub fn poster_svg(station: &Station, url: &str) -> Result<String, qrcode::types::QrError> {
    let code = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M)?;
    let width = code.width();
    // Modules as one path of unit squares, scaled into a 150 mm square with a quiet zone.
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width, i / width);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let side = 150.0;
    let scale = side / (width + 8) as f64;
    let (x0, y0) = (30.0 + 4.0 * scale, 70.0 + 4.0 * scale);
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297">
<rect width="210" height="297" fill="#fff"/>
<text x="105" y="30" font-size="14" text-anchor="middle" font-family="sans-serif">{name}</text>
<text x="105" y="45" font-size="7" text-anchor="middle" font-family="sans-serif">{address}</text>
<text x="105" y="58" font-size="8" text-anchor="middle" font-family="sans-serif">扫码签到 · 暖新</text>
<rect x="30" y="70" width="{side}" height="{side}" fill="#fff"/>
<path data-qr="{width}" transform="translate({x0:.3} {y0:.3}) scale({scale:.5})" d="{path}" fill="#000" shape-rendering="crispEdges"/>
<text x="105" y="235" font-size="6" text-anchor="middle" font-family="monospace">{url}</text>
<text x="105" y="250" font-size="7" text-anchor="middle" font-family="sans-serif">{hours}</text>
</svg>
"##,
        name = escape(&station.name),
        address = escape(&station.address),
        hours = escape(&station.hours),
        url = escape(url),
    ))
}
