//! `GET /api/me` and `POST /api/sync-ticket`.

use axum::{Json, extract::State};
use model::api::{ErrorCode, Me, MeDocs, MeUser, Names, Ticket, TicketForm};

use crate::{
    auth::{self, CurrentUser},
    db::{County, User, now_ms},
    error::AppError,
    state::AppState,
};

/// The `/api/me` body for `user`.
pub async fn me_body(state: &AppState, user: &User) -> Result<Me, AppError> {
    let county = state.db.county(&user.county).await?;
    Ok(me_of(user, county))
}

/// The `/api/me` body for `user`, whose county is recorded as `county`.
pub fn me_of(user: &User, county: Option<County>) -> Me {
    let (stations, names, bounds) = match county {
        Some(c) => (Some(c.stations_doc), c.names, c.bounds),
        None => {
            let code = user.county.clone();
            let names = Names {
                zh: code.clone(),
                en: code,
            };
            (None, names, None)
        }
    };
    Me {
        user: MeUser {
            id: user.id,
            login: user.login.clone(),
            name: user.name.clone(),
            role: user.role,
            county: user.county.clone(),
            county_name: names,
            county_bounds: bounds,
        },
        docs: MeDocs {
            rider: user.rider_doc.clone(),
            office: user.office_doc.clone(),
            stations,
        },
        peer_prefix: model::PeerId::prefix(user.id),
    }
}

/// Whether `peer` is a well-formed peer id of `user_id` (`model::PeerId`).
pub fn valid_peer_for(peer: &str, user_id: i64) -> bool {
    model::PeerId::parse(peer).is_some_and(|p| p.user_id() == user_id)
}

/// The logged-in user.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "me",
    tag = "session",
    responses(
        (status = 200, description = "The logged-in user, their documents and their peer-id prefix", body = model::api::Me),
    )
)]
pub async fn me(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<Me>, AppError> {
    Ok(Json(me_body(&state, &user).await?))
}

/// How long a ticket may wait before it is used.
pub const TICKET_TTL_MS: i64 = 60_000;

/// Issues a ticket for clients that cannot send cookies on a WebSocket. The ticket is good
/// while the session that asked for it lives.
#[utoipa::path(
    post,
    path = "/sync-ticket",
    operation_id = "sync_ticket",
    tag = "sync",
    request_body(content = Option<model::api::TicketForm>, description = "The peer id to bind the ticket to. The body may be left out (or be `null`); announced as JSON, it is not empty"),
    responses(
        (status = 200, description = "A single-use ticket for `/sync?ticket=`, good for `expires_in` seconds", body = model::api::Ticket),
        (status = 400, description = "`bad_peer_id`: not a peer id of this user; or a body that is not the form (the body may be left out)", body = model::api::ErrorBody),
    )
)]
pub async fn sync_ticket(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Ticket>, AppError> {
    let (user, session) = auth::session_from_headers(&state, &headers).await?;
    // The body is optional (JSON `null` says the same); when present, or announced as JSON, it
    // must be a JSON object.
    let says_json = super::says_json(&headers);
    let empty = body.iter().all(u8::is_ascii_whitespace);
    if empty && says_json {
        return Err(AppError::bad_json("an empty body sent as application/json"));
    }
    let form: TicketForm = if empty || body.trim_ascii() == b"null" {
        TicketForm::default()
    } else {
        super::json_object(&body)?
    };
    let peer_id = match form.peer_id {
        Some(p) if valid_peer_for(&p, user.id) => p,
        Some(_) => return Err(AppError::code(ErrorCode::BadPeerId)),
        None => format!(
            "{}{}",
            model::PeerId::prefix(user.id),
            &auth::new_token()[..16]
        ),
    };
    let ticket = auth::new_token();
    state
        .db
        .ticket_insert(
            &auth::token_hash(&ticket),
            &session,
            user.id,
            &peer_id,
            now_ms() + TICKET_TTL_MS,
        )
        .await?;
    Ok(Json(Ticket {
        ticket,
        peer_id,
        expires_in: TICKET_TTL_MS / 1000,
    }))
}
