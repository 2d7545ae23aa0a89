//! One row of the supervisors' report list, as `/api/reports` and its feed send it.

use wasm_bindgen::JsValue;

use crate::{error::AppError, json};

/// A report as indexed by the server.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub id: String,
    pub rider_id: i64,
    pub rider_name: String,
    pub category: String,
    pub category_label: String,
    pub note: String,
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub location_source: String,
    pub place: String,
    pub created_at: f64,
    pub received_at: f64,
    pub status: String,
    /// SHA-256 names of the report's photos (`/api/photos/{name}`).
    pub photos: Vec<String>,
    /// Those of `photos` the server holds already; the others are still on the rider's phone.
    pub photos_stored: Vec<String>,
    /// When the earliest photo was taken, by its EXIF (ms since the epoch).
    pub photo_taken_at: Option<f64>,
}

impl ReportRow {
    /// Reads one row object.
    pub fn from_js(v: &JsValue) -> Result<Self, AppError> {
        Ok(ReportRow {
            id: json::string(v, "id")?,
            rider_id: json::opt_number(v, "rider_id").unwrap_or(0.0) as i64,
            rider_name: json::string_or_empty(v, "rider_name"),
            category: json::string_or_empty(v, "category"),
            category_label: json::string_or_empty(v, "category_label"),
            note: json::string_or_empty(v, "note"),
            lat: json::number(v, "lat")?,
            lon: json::number(v, "lon")?,
            accuracy_m: json::opt_number(v, "accuracy_m"),
            location_source: json::string_or_empty(v, "location_source"),
            place: json::string_or_empty(v, "place"),
            created_at: json::number(v, "created_at")?,
            received_at: json::opt_number(v, "received_at").unwrap_or(0.0),
            status: json::string_or_empty(v, "status"),
            photos: json::array(v, "photos")
                .iter()
                .filter_map(JsValue::as_string)
                .filter(|p| p.len() == 64)
                .collect(),
            photos_stored: json::array(v, "photos_stored")
                .iter()
                .filter_map(JsValue::as_string)
                .collect(),
            photo_taken_at: json::opt_number(v, "photo_taken_at"),
        })
    }

    /// Reads one row from JSON text (a feed event's data).
    pub fn parse(text: &str) -> Result<Self, AppError> {
        Self::from_js(&json::parse(text)?)
    }
}

/// How long before the report its photo was taken, in whole hours, when that is long enough
/// to be suspicious (a hazard is snapped on the spot; an old photo may be reused).
pub fn suspicious_photo_age_hours(row: &ReportRow) -> Option<i64> {
    const SUSPICIOUS_HOURS: f64 = 6.0;
    let hours = (row.created_at - row.photo_taken_at?) / 3_600_000.0;
    (hours >= SUSPICIOUS_HOURS).then_some(hours.floor() as i64)
}

/// Inserts or replaces `row` by id and keeps the list newest first.
pub fn merge(rows: &mut Vec<ReportRow>, row: ReportRow) {
    match rows.iter_mut().find(|r| r.id == row.id) {
        Some(existing) => *existing = row,
        None => rows.push(row),
    }
    sort(rows);
}

/// Newest first: by arrival at the server (a report filed offline hours ago is still news to
/// the supervisor), then by filing time, then by id so the order is stable.
pub fn sort(rows: &mut [ReportRow]) {
    rows.sort_by(|a, b| {
        b.received_at
            .total_cmp(&a.received_at)
            .then(b.created_at.total_cmp(&a.created_at))
            .then(a.id.cmp(&b.id))
    });
}
