//! Notices (通知) from a county's supervisors to its riders: written to each rider's notices in
//! SQL at once, then copied into their office documents, where phones read them offline.

use axum::{Json, extract::State};
use model::api::{ApiError, ErrorCode, MAX_NOTICE_CHARS, NoticeForm, NoticeSent};

use crate::{auth::Staff, db::now_ms, error::AppError, state::AppState};

/// `POST /api/notices`: sends a notice to every rider of the supervisor's county. The office
/// documents are written after the answer, one rider at a time; a stop in between leaves them
/// to the check at the next start (`points::reconcile`).
#[utoipa::path(
    post,
    path = "/notices",
    operation_id = "send_notice",
    tag = "notices",
    request_body = model::api::NoticeForm,
    responses(
        (status = 200, description = "How many riders it goes to", body = model::api::NoticeSent),
        (status = 400, description = "`bad_notice`: empty, over `limit` characters, or not plain text; or a body that is not the form", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: not a supervisor or admin of a county", body = model::api::ErrorBody),
    )
)]
pub async fn send(
    State(state): State<AppState>,
    Staff(user): Staff,
    form: Result<super::JsonForm<NoticeForm>, AppError>,
) -> Result<Json<NoticeSent>, AppError> {
    let super::JsonForm(form) = form?;
    let text = form.text.trim();
    let chars = text.chars().count();
    if chars > MAX_NOTICE_CHARS
        || !model::validate::has_visible(text)
        || !model::validate::plain_text(text, true)
    {
        return Err(AppError::Refused(ApiError::with_limit(
            ErrorCode::BadNotice,
            MAX_NOTICE_CHARS as u64,
        )));
    }
    let riders = state.db.notice_county(&user.county, text, now_ms()).await?;
    let sent = riders.len() as u64;
    tokio::spawn(async move {
        for rider_id in riders {
            if let Err(e) = crate::points::write_office(&state, rider_id, None).await {
                tracing::error!(error = ?e, rider_id, "notice not copied to the office document");
            }
        }
    });
    Ok(Json(NoticeSent { riders: sent }))
}
