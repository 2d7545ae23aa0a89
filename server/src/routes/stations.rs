//! The county's stations, as the console needs them: to filter reports by their distance from
//! one.

use axum::{Json, extract::State};
use model::api::StationItem;

use crate::{auth::Staff, error::AppError, state::AppState};

/// `GET /api/stations`: the stations of the supervisor's county, by name, from its stations
/// document (empty when the county has none).
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
            name: s.name,
            lat: s.lat,
            lon: s.lon,
        })
        .collect();
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(items))
}
