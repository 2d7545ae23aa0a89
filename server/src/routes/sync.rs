//! `GET /sync`: the WebSocket upgrade into the relay.
//!
//! Two ways in: a browser's session cookie with a same-origin `Origin` and `?peer=<peer id>`,
//! or `?ticket=` from `POST /api/sync-ticket` for clients that cannot send cookies on a
//! WebSocket. Either way the connection is bound to one peer id of the authenticated user.

use axum::{
    Extension,
    extract::{Query, State, WebSocketUpgrade},
    http::HeaderMap,
    response::Response,
};
use model::api::ErrorCode;
use serde::Deserialize;

use crate::{
    auth, error::AppError, listen::ConnSlot, relay::serve_socket, routes::me::valid_peer_for,
    state::AppState,
};

/// Each connection's read and write buffer, in bytes (frames larger than this still pass).
const SOCKET_BUFFER: usize = 8 * 1024;

/// Query parameters of the upgrade.
#[derive(Debug, Deserialize)]
pub struct SyncQuery {
    pub peer: Option<String>,
    pub ticket: Option<String>,
}

/// Whether the request's `Origin` names the host it was sent to. Browsers always send
/// `Origin` on a WebSocket handshake, so a missing one is refused for cookie logins.
fn same_origin(headers: &HeaderMap) -> bool {
    let origin = headers.get("origin").and_then(|v| v.to_str().ok());
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some(o), Some(h)) => {
            let o = o
                .strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"));
            o == Some(h)
        }
        _ => false,
    }
}

/// Authenticates the upgrade and hands the socket to the relay, tied to the session that
/// opened it (directly, or through the ticket), and holding its connection's place under the
/// caps until it closes.
pub async fn upgrade(
    State(state): State<AppState>,
    Query(q): Query<SyncQuery>,
    slot: Option<Extension<ConnSlot>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let (user, peer, session) = if let Some(ticket) = q.ticket {
        state
            .db
            .ticket_consume(&auth::token_hash(&ticket))
            .await?
            .ok_or(AppError::Unauthorized)?
    } else {
        let (user, session) = auth::session_from_headers(&state, &headers).await?;
        if !same_origin(&headers) {
            return Err(AppError::Forbidden);
        }
        let peer = q.peer.ok_or_else(|| AppError::code(ErrorCode::BadPeerId))?;
        if !valid_peer_for(&peer, user.id) {
            return Err(AppError::code(ErrorCode::BadPeerId));
        }
        (user, peer, session)
    };
    // The account, its documents or its county may have been made or changed since the relay
    // started (the CLI works on the database): learn them now.
    crate::accounts::learn(&state, &user)
        .await
        .map_err(AppError::Internal)?;
    let max = state.config.max_frame_bytes;
    let limits = crate::relay::Limits {
        max_frame: max,
        max_doc: state.config.max_doc_bytes,
        join_deadline: state.config.limits.join_deadline,
        idle: state.config.limits.ws_idle,
    };
    let watch = state.revocations.watch(user.id, session);
    let relay = state.relay.clone();
    let announce = user.rider_doc.clone();
    // Let a slightly larger frame through the socket layer so that the pump, not tungstenite,
    // reports it and can say why.
    // Small socket buffers: a rider's frames are a few hundred bytes to a few KB, and the
    // default 128 KiB each way would cost more than everything else a connection holds.
    Ok(ws
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .max_message_size(max + 1024)
        .max_frame_size(max + 1024)
        .on_upgrade(move |socket| async move {
            serve_socket(socket, relay, peer, announce, limits, watch).await;
            drop(slot);
        }))
}
