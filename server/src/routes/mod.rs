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

/// A JSON body read as `T`, which must be a JSON object: serde would also read a struct from
/// an array, by position, and the API's forms are objects. Refusals are `400 bad_request`
/// (`413 body_too_large` over the limit), with the parser's complaint in `detail`.
#[derive(Debug)]
pub struct JsonForm<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonForm<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = crate::error::AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        if !says_json(req.headers()) {
            return Err(crate::error::AppError::bad_json(
                "Expected request with `Content-Type: application/json`",
            ));
        }
        let body = axum::body::Bytes::from_request(req, state).await?;
        json_object(&body).map(JsonForm)
    }
}

/// Whether the request's `Content-Type` is JSON: `application/json`, or `application/…+json`,
/// with any parameters.
pub fn says_json(headers: &axum::http::HeaderMap) -> bool {
    let essence = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A JSON object read as `T` (serde's complaint, with its line and column, in `detail`).
pub fn json_object<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<T, crate::error::AppError> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(crate::error::AppError::bad_json(
            "the body is not a JSON object",
        ));
    }
    let axum::Json(form) = axum::Json::<T>::from_bytes(body)?;
    Ok(form)
}

/// Where a page of a list starts, and how many entries it holds.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Entries on the page: 1 to 500; 200 when not given.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Where the page starts: the `next` of the page before, as it came.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page, checked: the size (1 to [`model::api::MAX_PAGE`], [`model::api::PAGE`]
    /// when not given) and where it starts. Refusals name the parameter.
    pub fn checked(&self) -> Result<(i64, Option<model::api::Cursor>), crate::error::AppError> {
        page(self.limit, self.cursor.as_deref())
    }
}

fn page(
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
