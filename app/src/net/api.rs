//! The JSON API calls the app makes; every body is a `model::api` type.

use model::api::{
    CatalogueItem, CountySettings, LoginForm, Me, NoticeForm, NoticeSent, Pickup, PickupForm,
    RegisterForm, ReportList, ReportRow, ReviewForm, RewardForm, StationItem, Stats,
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    error::AppError,
    net::{http, me, row},
};

fn body<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn read<T: DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Decode(e.to_string()))
}

/// Logs in; the server sets the session cookie.
pub async fn login(login: &str, password: &str) -> Result<(), AppError> {
    let form = LoginForm {
        login: login.to_owned(),
        password: password.to_owned(),
    };
    let answer = http::send("POST", "/api/login", Some(&body(&form))).await?;
    // Here 401 means wrong credentials, and its code says so.
    if answer.ok() {
        Ok(())
    } else {
        Err(answer.into_http_error())
    }
}

/// Creates a rider account with an invite code; the server logs it in (session cookie) and
/// answers as /api/me does.
pub async fn register(form: &RegisterForm) -> Result<Me, AppError> {
    let answer = http::send("POST", "/api/register", Some(&body(form))).await?;
    if !answer.ok() {
        return Err(answer.into_http_error());
    }
    me::parse(&answer.text)
}

/// Ends the session on the server.
pub async fn logout() -> Result<(), AppError> {
    let answer = http::send("POST", "/api/logout", None).await?;
    if answer.ok() {
        Ok(())
    } else {
        Err(answer.into_error())
    }
}

/// The logged-in user; [`AppError::Unauthorized`] when the session is gone.
pub async fn me() -> Result<Me, AppError> {
    let answer = http::send("GET", "/api/me", None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    me::parse(&answer.text)
}

/// One page of the reports of the supervisor's county that pass `filter`, newest first, from
/// `cursor` (the first page without one), and the cursor of the next page if there is one.
pub async fn reports(
    limit: u32,
    filter: &row::Filter,
    cursor: Option<&str>,
) -> Result<(Vec<ReportRow>, Option<String>), AppError> {
    let query = filter.query();
    let sep = if query.is_empty() { "" } else { "&" };
    let from = cursor.map_or_else(String::new, |c| {
        format!("&cursor={}", js_sys::encode_uri_component(c))
    });
    let path = format!("/api/reports?limit={limit}{from}{sep}{query}");
    let answer = http::send("GET", &path, None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    let list = read::<ReportList>(&answer.text)?;
    let mut rows = list.reports;
    row::sort(&mut rows);
    Ok((rows, list.next))
}

/// A supervisor's decision on a report; the updated row.
pub async fn review(
    rider_id: i64,
    report_id: &str,
    form: &ReviewForm,
) -> Result<ReportRow, AppError> {
    let path = format!("/api/reports/{rider_id}/{report_id}/review");
    let answer = http::send("POST", &path, Some(&body(form))).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// The reports a report may repeat (same category, within 200 m, filed in the 48 h before it),
/// nearest first.
pub async fn duplicates(rider_id: i64, report_id: &str) -> Result<Vec<ReportRow>, AppError> {
    let path = format!("/api/reports/{rider_id}/{report_id}/duplicates");
    let answer = http::send("GET", &path, None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    Ok(read::<ReportList>(&answer.text)?.reports)
}

/// Hands over the reward waiting under a pickup code (once: a second use is refused).
pub async fn pickup(code: &str) -> Result<Pickup, AppError> {
    let form = PickupForm {
        code: code.trim().to_owned(),
    };
    let answer = http::send("POST", "/api/pickups", Some(&body(&form))).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// Sends a notice to every rider of the county; returns how many it went to.
pub async fn send_notice(text: &str) -> Result<NoticeSent, AppError> {
    let form = NoticeForm {
        text: text.to_owned(),
    };
    let answer = http::send("POST", "/api/notices", Some(&body(&form))).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// The county's stations (for the distance filter).
pub async fn stations() -> Result<Vec<StationItem>, AppError> {
    let answer = http::send("GET", "/api/stations", None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// Adds or replaces station `id` of the county; returns it as stored.
pub async fn save_station(
    id: &str,
    form: &model::api::StationForm,
) -> Result<StationItem, AppError> {
    let path = format!("/api/stations/{}", js_sys::encode_uri_component(id));
    let answer = http::send("PUT", &path, Some(&body(form))).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// Imports the stations of a CSV file; returns how many.
pub async fn import_stations(csv: &str) -> Result<usize, AppError> {
    let answer = http::send("POST", "/api/stations.csv", Some(csv)).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read::<model::api::StationsImported>(&answer.text).map(|i| i.imported)
}

/// The county's alerts, newest first.
pub async fn alerts() -> Result<Vec<model::api::AlertItem>, AppError> {
    let answer = http::send("GET", "/api/alerts", None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// Publishes a heat or cold alert to the county's riders.
pub async fn send_alert(form: &model::api::AlertForm) -> Result<model::api::AlertItem, AppError> {
    let answer = http::send("POST", "/api/alerts", Some(&body(form))).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// The county's wishes, newest first: every page.
pub async fn wishes() -> Result<Vec<model::api::WishItem>, AppError> {
    let mut all = Vec::new();
    let mut path = "/api/wishes?limit=500".to_owned();
    loop {
        let answer = http::send("GET", &path, None).await?;
        if !answer.ok() {
            return Err(answer.into_error());
        }
        let page = read::<model::api::WishList>(&answer.text)?;
        all.extend(page.wishes);
        match page.next {
            Some(next) => {
                path = format!(
                    "/api/wishes?limit=500&cursor={}",
                    js_sys::encode_uri_component(&next)
                )
            }
            None => return Ok(all),
        }
    }
}

/// Takes a step on a wish.
pub async fn wish_step(
    rider_id: i64,
    id: &str,
    form: &model::api::WishStepForm,
) -> Result<model::api::WishItem, AppError> {
    let path = format!(
        "/api/wishes/{rider_id}/{}",
        js_sys::encode_uri_component(id)
    );
    let answer = http::send("POST", &path, Some(&body(form))).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// Check-ins per station over the last week.
pub async fn checkins() -> Result<model::api::CheckinStats, AppError> {
    let answer = http::send("GET", "/api/checkins?days=7", None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// Where the last 30 days' reports and check-ins lie out of reach of every open station.
pub async fn coverage() -> Result<model::api::Coverage, AppError> {
    let answer = http::send("GET", "/api/coverage?days=30", None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// The county's settings for triage.
pub async fn settings() -> Result<CountySettings, AppError> {
    let answer = http::send("GET", "/api/settings", None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// Replaces the county's settings; returns them as stored.
pub async fn save_settings(settings: &CountySettings) -> Result<CountySettings, AppError> {
    let answer = http::send("PUT", "/api/settings", Some(&body(settings))).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// The county's catalogue of rewards.
pub async fn catalogue() -> Result<Vec<CatalogueItem>, AppError> {
    let answer = http::send("GET", "/api/rewards", None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// Adds a reward to the county's catalogue (`id` none), or changes one.
pub async fn save_reward(id: Option<i64>, form: &RewardForm) -> Result<CatalogueItem, AppError> {
    let answer = match id {
        None => http::send("POST", "/api/rewards", Some(&body(form))).await?,
        Some(id) => http::send("PUT", &format!("/api/rewards/{id}"), Some(&body(form))).await?,
    };
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}

/// The county's figures for the last `weeks` weeks.
pub async fn stats(weeks: u32) -> Result<Stats, AppError> {
    let answer = http::send("GET", &format!("/api/stats?weeks={weeks}"), None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    read(&answer.text)
}
