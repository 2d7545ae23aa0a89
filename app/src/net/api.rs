//! The JSON API calls the app makes.

use crate::{
    error::AppError,
    json,
    net::{http, me::Me, row::ReportRow},
};

/// Logs in; the server sets the session cookie.
pub async fn login(login: &str, password: &str) -> Result<(), AppError> {
    let body = json::object_text(&[("login", login), ("password", password)]);
    let answer = http::send("POST", "/api/login", Some(&body)).await?;
    // Here 401 means wrong credentials, and its message says so.
    if answer.ok() {
        Ok(())
    } else {
        Err(answer.into_http_error())
    }
}

/// What a new rider types in to sign up.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    pub phone: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub invite: &'a str,
}

/// Creates a rider account with an invite code; the server logs it in (session cookie) and
/// answers as /api/me does. Refusals carry the server's message, shown as is.
pub async fn register(form: &Registration<'_>) -> Result<Me, AppError> {
    let body = json::object_text(&[
        ("phone", form.phone),
        ("name", form.name),
        ("password", form.password),
        ("invite", form.invite),
    ]);
    let answer = http::send("POST", "/api/register", Some(&body)).await?;
    if !answer.ok() {
        return Err(answer.into_http_error());
    }
    Me::parse(&answer.text)
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
    Me::parse(&answer.text)
}

/// The newest reports of the supervisor's county, newest first.
pub async fn reports(limit: u32) -> Result<Vec<ReportRow>, AppError> {
    let answer = http::send("GET", &format!("/api/reports?limit={limit}"), None).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    let body = json::parse(&answer.text)?;
    let mut rows: Vec<ReportRow> = json::array(&body, "reports")
        .iter()
        .filter_map(|v| ReportRow::from_js(v).ok())
        .collect();
    crate::net::row::sort(&mut rows);
    Ok(rows)
}

/// A supervisor's decision on a report (`valid`, `invalid`, …); the updated row.
pub async fn review(rider_id: i64, report_id: &str, status: &str) -> Result<ReportRow, AppError> {
    let body = json::object_text(&[("status", status)]);
    let path = format!("/api/reports/{rider_id}/{report_id}/review");
    let answer = http::send("POST", &path, Some(&body)).await?;
    if !answer.ok() {
        return Err(answer.into_error());
    }
    ReportRow::parse(&answer.text)
}
