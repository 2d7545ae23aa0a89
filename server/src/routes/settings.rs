//! A county's own rules for triage: the reasons for an invalid report, the departments to
//! forward to, the award of each category and the duplicate share.

use axum::{Json, extract::State};
use model::api::CountySettings;

use crate::{
    auth::Staff,
    db::{Db, now_ms},
    error::AppError,
    relay::Relay,
    state::AppState,
};

/// Copies `county`'s awards per category into its stations document, where riders' phones
/// read them to show their pending points.
pub async fn publish_awards(db: &Db, relay: &Relay, county: &str) -> anyhow::Result<()> {
    let Some(doc) = db.county_stations_doc(county).await? else {
        return Ok(());
    };
    let settings = db.county_settings(county).await?;
    let awards: Vec<(String, i64)> = model::Category::ALL
        .iter()
        .map(|&c| (c.code().to_owned(), i64::from(settings.award(c))))
        .collect();
    relay
        .change(&doc, |d| model::stations_doc::put_awards(d, &awards))
        .await?;
    Ok(())
}

/// `GET /api/settings`: the supervisor's county's settings (the defaults if it never set any).
#[utoipa::path(
    get,
    path = "/settings",
    operation_id = "get_settings",
    tag = "settings",
    responses(
        (status = 200, description = "The county's settings", body = model::api::CountySettings),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Staff(user): Staff,
) -> Result<Json<CountySettings>, AppError> {
    Ok(Json(state.db.county_settings(&user.county).await?))
}

/// `PUT /api/settings`: replaces the supervisor's county's settings; answers them as stored
/// (trimmed).
#[utoipa::path(
    put,
    path = "/settings",
    operation_id = "put_settings",
    tag = "settings",
    request_body = model::api::CountySettings,
    responses(
        (status = 200, description = "The settings as stored (trimmed)", body = model::api::CountySettings),
        (status = 400, description = "`bad_reasons`, `bad_departments`, `bad_points`, `bad_share`; or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn put(
    State(state): State<AppState>,
    Staff(user): Staff,
    form: Result<super::JsonForm<CountySettings>, AppError>,
) -> Result<Json<CountySettings>, AppError> {
    let super::JsonForm(form) = form?;
    let settings = form.checked().map_err(AppError::Refused)?;
    state
        .db
        .county_settings_put(&user.county, &settings, user.id, now_ms())
        .await?;
    if let Err(e) = publish_awards(&state.db, &state.relay, &user.county).await {
        tracing::error!(error = ?e, county = user.county, "awards not copied to the stations document");
    }
    Ok(Json(settings))
}
