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
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        json_object(value).map(JsonForm)
    }
}

/// `value` read as `T`, when it is a JSON object.
pub fn json_object<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, crate::error::AppError> {
    if !value.is_object() {
        return Err(crate::error::AppError::bad_json(
            "the body is not a JSON object",
        ));
    }
    T::deserialize(value).map_err(|e| crate::error::AppError::bad_json(e.to_string()))
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
