//! `GET /api/me` and `POST /api/sync-ticket`.

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};

use crate::{
    auth::{self, CurrentUser},
    db::{Bounds, Role, User, now_ms},
    error::AppError,
    state::AppState,
};

/// The display name of a county code.
pub fn county_name(code: &str) -> &str {
    match code {
        "youyang" => "酉阳县",
        "hanyin" => "汉阴县",
        "qingyang" => "青阳县",
        other => other,
    }
}

/// The logged-in user, their documents and the prefix their peer ids must carry.
#[derive(Debug, Serialize)]
pub struct MeBody {
    pub user: UserBody,
    pub docs: DocsBody,
    pub peer_prefix: String,
}

/// A user as the client sees them.
#[derive(Debug, Serialize)]
pub struct UserBody {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub county: String,
    pub county_name: String,
    /// The county's area; reports outside it are warned about. Absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county_bounds: Option<Bounds>,
}

/// The ids of the user's documents. The rider document is read-write; the office and stations
/// documents are read-only.
#[derive(Debug, Serialize)]
pub struct DocsBody {
    pub rider: Option<String>,
    pub office: Option<String>,
    pub stations: Option<String>,
}

impl MeBody {
    /// The body for `user`.
    pub async fn load(state: &AppState, user: &User) -> Result<Self, AppError> {
        let stations = state.db.county_stations_doc(&user.county).await?;
        let bounds = state.db.county_bounds(&user.county).await?;
        Ok(Self::of(user, stations, bounds))
    }

    /// The body for `user`, whose county's stations document is `stations` and whose area is
    /// `bounds`.
    pub fn of(user: &User, stations: Option<String>, bounds: Option<Bounds>) -> Self {
        MeBody {
            user: UserBody {
                id: user.id,
                login: user.login.clone(),
                name: user.name.clone(),
                role: user.role,
                county: user.county.clone(),
                county_name: county_name(&user.county).to_owned(),
                county_bounds: bounds,
            },
            docs: DocsBody {
                rider: user.rider_doc.clone(),
                office: user.office_doc.clone(),
                stations,
            },
            peer_prefix: model::PeerId::prefix(user.id),
        }
    }
}

/// Whether `peer` is a well-formed peer id of `user_id` (`model::PeerId`).
pub fn valid_peer_for(peer: &str, user_id: i64) -> bool {
    model::PeerId::parse(peer).is_some_and(|p| p.user_id() == user_id)
}

/// The logged-in user.
pub async fn me(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<MeBody>, AppError> {
    Ok(Json(MeBody::load(&state, &user).await?))
}

/// An optional peer id the client wants its ticket bound to.
#[derive(Debug, Default, Deserialize)]
pub struct TicketForm {
    pub peer_id: Option<String>,
}

/// A single-use ticket for `/sync?ticket=`.
#[derive(Debug, Serialize)]
pub struct TicketBody {
    pub ticket: String,
    pub peer_id: String,
    pub expires_in: i64,
}

/// How long a ticket may wait before it is used.
pub const TICKET_TTL_MS: i64 = 60_000;

/// Issues a ticket for clients that cannot send cookies on a WebSocket.
pub async fn sync_ticket(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: axum::body::Bytes,
) -> Result<Json<TicketBody>, AppError> {
    // The body is optional; when present it must be a JSON object.
    let form: TicketForm = if body.iter().all(u8::is_ascii_whitespace) {
        TicketForm::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::BadRequest(format!("请求格式不正确: {e}")))?
    };
    let peer_id = match form.peer_id {
        Some(p) if valid_peer_for(&p, user.id) => p,
        Some(_) => {
            return Err(AppError::BadRequest(format!(
                "peer_id must be {}<1-64 letters, digits, - or _>",
                model::PeerId::prefix(user.id)
            )));
        }
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
            user.id,
            &peer_id,
            now_ms() + TICKET_TTL_MS,
        )
        .await?;
    Ok(Json(TicketBody {
        ticket,
        peer_id,
        expires_in: TICKET_TTL_MS / 1000,
    }))
}
