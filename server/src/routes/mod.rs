//! JSON and WebSocket routes, by resource.

pub mod assets;
pub mod auth;
pub mod coverage;
pub mod me;
pub mod notices;
pub mod photos;
pub mod register;
pub mod reports;
pub mod rewards;
pub mod settings;
pub mod stations;
pub mod sync;
pub mod wishes;

/// A list's page parameters, checked: the size (1 to [`model::api::MAX_PAGE`],
/// [`model::api::PAGE`] when not given) and where it starts. Refusals name the parameter.
pub fn page(
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<(i64, Option<model::api::Cursor>), crate::error::AppError> {
    use model::api::{ApiError, ErrorCode, MAX_PAGE, PAGE};
    let refused = |field: &str, limit: Option<u64>| {
        crate::error::AppError::Refused(ApiError {
            detail: Some(field.into()),
            limit,
            ..ErrorCode::BadRequest.into()
        })
    };
    let size = limit.unwrap_or(PAGE);
    if !(1..=MAX_PAGE).contains(&size) {
        return Err(refused("limit", Some(MAX_PAGE as u64)));
    }
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(model::api::Cursor::parse(c).ok_or_else(|| refused("cursor", None))?),
    };
    Ok((size, after))
}
