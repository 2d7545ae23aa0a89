//! The supervisors' report list, as `/api/reports` and its feed send it (`model::api::ReportRow`).

pub use model::api::ReportRow;
use model::{Category, api::ReviewStatus};

/// The console's filters; the same as the server's list and CSV export take.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub status: Option<ReviewStatus>,
    pub category: Option<Category>,
    /// Words in the note, the place or the rider's name.
    pub text: String,
    /// Filed at or after, and before (ms since the epoch).
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// One rider's reports only: their user id and name (for the chip that says so).
    pub rider: Option<(i64, String)>,
    /// Only reports within so many metres of a station: its id, position and the metres.
    pub near: Option<Near>,
}

/// A distance filter: reports within `within_m` of a station.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    pub station: String,
    pub lat: f64,
    pub lon: f64,
    pub within_m: u32,
}

/// The start of a day picked in a date field (`2026-11-20`), 00:00 China Standard Time, in ms
/// since the epoch; `None` for an empty or malformed value.
pub fn day_start(value: &str) -> Option<i64> {
    if value.len() != 10 {
        return None;
    }
    let ms = js_sys::Date::parse(&format!("{value}T00:00:00+08:00"));
    ms.is_finite().then_some(ms as i64)
}

impl Filter {
    /// The query string of the list and the export (without `?`).
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.code()));
        }
        if let Some(c) = self.category {
            parts.push(format!("category={}", c.code()));
        }
        if let Some(from) = self.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to={to}"));
        }
        if let Some((id, _)) = &self.rider {
            parts.push(format!("rider={id}"));
        }
        if let Some(n) = &self.near {
            parts.push(format!("near={},{}&within={}", n.lat, n.lon, n.within_m));
        }
        let text = self.text.trim();
        if !text.is_empty() {
            parts.push(format!(
                "q={}",
                js_sys::encode_uri_component(text)
                    .as_string()
                    .unwrap_or_default()
            ));
        }
        parts.join("&")
    }

    /// Whether a row from the live feed belongs in the filtered list.
    pub fn matches(&self, row: &ReportRow) -> bool {
        let text = self.text.trim();
        self.status.is_none_or(|s| row.status == s)
            && self.category.is_none_or(|c| row.category == c)
            && self.from.is_none_or(|t| row.created_at >= t)
            && self.to.is_none_or(|t| row.created_at < t)
            && self
                .rider
                .as_ref()
                .is_none_or(|(id, _)| row.rider_id == *id)
            && self.near.as_ref().is_none_or(|n| {
                model::geo::distance_m((n.lat, n.lon), (row.lat, row.lon)) <= f64::from(n.within_m)
            })
            && (text.is_empty()
                || row.note.contains(text)
                || row.place.contains(text)
                || row.rider_name.contains(text))
    }
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
            .cmp(&a.received_at)
            .then(b.created_at.cmp(&a.created_at))
            .then(a.id.cmp(&b.id))
    });
}
