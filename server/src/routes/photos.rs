//! `PUT /api/photos/{sha256}` and `GET /api/photos/{sha256}`.
//!
//! An upload is read as a stream and checked as it arrives: the size cap, the magic bytes
//! (JPEG, PNG or WebP) and the pixel dimensions in the header are all checked before the body
//! is held whole, so a refused upload costs at most the cap in memory. Then the file must be
//! complete and hash to its name. Nothing is stored unless every check passes.

use axum::{
    Json,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use futures::StreamExt;
use model::api::{ApiError, ErrorCode, PhotoStored};
use sha2::{Digest, Sha256};

use crate::{
    auth::{self, CurrentUser},
    db::{PhotoRow, Role},
    error::AppError,
    photos::{
        image_info::{self, Format},
        is_sha256_hex,
    },
    state::AppState,
};

fn reject(code: ErrorCode) -> AppError {
    AppError::code(code)
}

fn check_name(sha256: &str) -> Result<(), AppError> {
    if is_sha256_hex(sha256) {
        Ok(())
    } else {
        Err(reject(ErrorCode::BadName))
    }
}

/// Reads and checks an upload; returns the bytes, format and dimensions.
async fn read_checked(
    body: Body,
    max_bytes: usize,
    max_side: u32,
) -> Result<(Vec<u8>, Format, (u32, u32)), AppError> {
    let too_large =
        || AppError::Refused(ApiError::with_limit(ErrorCode::TooLarge, max_bytes as u64));
    let mut buf: Vec<u8> = Vec::new();
    let mut format = None;
    let mut dims = None;
    let mut stream = body.into_data_stream();
    loop {
        let chunk = match stream.next().await {
            Some(Ok(c)) => c,
            Some(Err(_)) => {
                return Err(reject(ErrorCode::Interrupted));
            }
            None => break,
        };
        if buf.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
        if format.is_none() && buf.len() >= image_info::SNIFF_LEN {
            format =
                Some(image_info::sniff(&buf).ok_or_else(|| reject(ErrorCode::UnsupportedType))?);
        }
        if let (Some(f), None) = (format, dims) {
            dims = image_info::dimensions(f, &buf)
                .map_err(|e| AppError::Refused(ApiError::with_detail(ErrorCode::BadImage, e)))?;
            if let Some((w, h)) = dims
                && (w > max_side || h > max_side || w == 0 || h == 0)
            {
                return Err(AppError::Refused(ApiError {
                    detail: Some(format!("{w}×{h}")),
                    ..ApiError::with_limit(ErrorCode::TooManyPixels, u64::from(max_side))
                }));
            }
        }
    }
    let Some(format) = format else {
        return Err(reject(ErrorCode::UnsupportedType));
    };
    let incomplete = || reject(ErrorCode::Truncated);
    let dims = dims.ok_or_else(incomplete)?;
    if !image_info::complete(format, &buf) {
        return Err(incomplete());
    }
    Ok((buf, format, dims))
}

/// Stores a photo under its SHA-256: a rider's (for their reports) or a supervisor's (a
/// reward's picture).
#[utoipa::path(
    put,
    path = "/photos/{sha256}",
    operation_id = "put_photo",
    tag = "photos",
    params(("sha256" = String, Path, pattern = "^[0-9a-f]{64}$", description = "The SHA-256 of the bytes, 64 lower-case hex digits")),
    request_body(content = inline(crate::openapi::Binary), content_type = "application/octet-stream", description = "The photo's bytes: JPEG, PNG or WebP (the type is read from the bytes)"),
    responses(
        (status = 201, description = "Stored", body = model::api::PhotoStored),
        (status = 200, description = "Stored before (by this user): nothing was written", body = model::api::PhotoStored),
        (status = 400, description = "`bad_name`: not 64 lower-case hex digits; `interrupted`: the upload broke off", body = model::api::ErrorBody),
        (status = 403, description = "`forbidden`: station staff cannot upload", body = model::api::ErrorBody),
        (status = 413, description = "`too_large`: over `limit` bytes", body = model::api::ErrorBody),
        (status = 415, description = "`unsupported_type`: not JPEG, PNG or WebP", body = model::api::ErrorBody),
        (status = 422, description = "`too_many_pixels`, `bad_image`, `truncated`, `hash_mismatch`", body = model::api::ErrorBody),
    )
)]
pub async fn put(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    if user.role != Role::Rider && !user.role.supervises() {
        return Err(AppError::Forbidden);
    }
    check_name(&sha256)?;
    let max_bytes = state.config.max_photo_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes as u64) {
        return Err(AppError::Refused(ApiError::with_limit(
            ErrorCode::TooLarge,
            max_bytes as u64,
        )));
    }
    // A retry of an upload that already landed: answer at once, write nothing.
    if let Some(row) = state.db.photo_get(&sha256).await?
        && state.db.photo_owned_by(&sha256, user.id).await?
    {
        return Ok(stored(row, false, StatusCode::OK));
    }
    let (buf, format, (w, h)) = read_checked(body, max_bytes, state.config.max_photo_side).await?;
    let actual = hex::encode(Sha256::digest(&buf));
    if actual != sha256 {
        return Err(AppError::Refused(ApiError::with_detail(
            ErrorCode::HashMismatch,
            format!("the bytes hash to {actual}"),
        )));
    }
    let row = PhotoRow {
        sha256: sha256.clone(),
        mime: format.mime().into(),
        bytes: buf.len() as i64,
        width: i64::from(w),
        height: i64::from(h),
    };
    // Same bytes from another rider: only the ownership is new.
    let created = state.db.photo_get(&sha256).await?.is_none();
    if created {
        let size = buf.len() as u64;
        state.photos.put(&sha256, buf.into()).await?;
        crate::metrics::add(&crate::metrics::COUNTERS.photos_stored, 1);
        crate::metrics::add(&crate::metrics::COUNTERS.photo_bytes, size);
    }
    state.db.photo_insert(&row, user.id).await?;
    // Supervisors watching the live feed learn that the photo can be shown now.
    let reports = state.db.reports_with_photo(user.id, &sha256).await?;
    crate::cluster::announce(&state, reports).await;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(stored(row, created, status))
}

fn stored(row: PhotoRow, created: bool, status: StatusCode) -> Response {
    (
        status,
        Json(PhotoStored {
            sha256: row.sha256,
            bytes: row.bytes,
            width: row.width,
            height: row.height,
            created,
        }),
    )
        .into_response()
}

/// A photo, for its uploader and for supervisors of the uploader's county. Anyone else gets
/// 404, as if it did not exist.
#[utoipa::path(
    get,
    path = "/photos/{sha256}",
    operation_id = "get_photo",
    tag = "photos",
    params(("sha256" = String, Path, pattern = "^[0-9a-f]{64}$", description = "The SHA-256 of the bytes, 64 lower-case hex digits")),
    responses(
        (status = 200, description = "The photo's bytes", content(
            (inline(crate::openapi::Binary) = "image/jpeg"),
            (inline(crate::openapi::Binary) = "image/png"),
            (inline(crate::openapi::Binary) = "image/webp"),
        )),
        (status = 304, description = "Not modified (`If-None-Match` named its ETag)"),
        (status = 400, description = "`bad_name`: not 64 lower-case hex digits", body = model::api::ErrorBody),
        (status = 404, description = "`not_found`: no such photo, or not this user's to see", body = model::api::ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    check_name(&sha256)?;
    let Some(row) = state.db.photo_get(&sha256).await? else {
        return Err(AppError::NotFound);
    };
    // A report's photo for its rider and supervisors; a reward's picture for the county.
    if !auth::may_read_photo(&user, &state.db.photo_uploaders(&sha256).await?)
        && !state.db.reward_photo_in(&user.county, &sha256).await?
    {
        return Err(AppError::NotFound);
    }
    let etag = format!("\"{sha256}\"");
    // The bytes never change under a name, so the browser may keep them for a year; `private`
    // keeps shared caches out, since access depends on the session.
    let cache = HeaderValue::from_static("private, max-age=31536000, immutable");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::CACHE_CONTROL, cache),
                (
                    header::ETAG,
                    etag.parse().unwrap_or(HeaderValue::from_static("")),
                ),
            ],
        )
            .into_response());
    }
    let bytes = state.photos.get(&sha256).await?.ok_or(AppError::NotFound)?;
    let mime = Format::from_mime(&row.mime).map_or("application/octet-stream", Format::mime);
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CACHE_CONTROL, cache),
            (
                header::ETAG,
                etag.parse().unwrap_or(HeaderValue::from_static("")),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}
