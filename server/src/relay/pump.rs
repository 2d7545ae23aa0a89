//! Moves frames between one WebSocket and samod, checking each inbound frame first.
//!
//! The pump is generic over the socket's `Sink`/`Stream`, apart from the HTTP upgrade. A frame
//! that is too large, is not binary, or does not decode as a protocol message ends that
//! connection with an `error` message; samod and every other connection carry on. So does a
//! sync message that would bring its document over the per-document size cap: the document's
//! saved size plus the changes the message carries.

use std::convert::Infallible;

use axum::extract::ws::{CloseFrame, Message};
use futures::{Sink, SinkExt, Stream, StreamExt, channel::mpsc};
use samod::{AcceptorHandle, PeerId, Transport};

/// What one connection may send.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest frame, in bytes.
    pub max_frame: usize,
    /// Largest document, in saved bytes, that a sync message may grow.
    pub max_doc: usize,
    /// The relay, to measure documents.
    pub repo: samod::Repo,
    /// The account behind the connection, checked every `account_check_every`: an account
    /// disabled meanwhile (the CLI works on the database directly) loses its open connections.
    pub db: crate::db::Db,
    pub user_id: i64,
    pub account_check_every: std::time::Duration,
    /// What the relay knows of each document's saved size, shared by all connections.
    pub sizes: DocSizes,
    /// The document store's writes: an answer is passed on only once they are done.
    pub store: super::StoreStats,
}

/// An upper bound of each document's saved size, kept up to date as sync messages grow them,
/// so that checking the cap does not save the whole document on every change.
///
/// A sync message's changes are not compressed the way a saved document is, so adding the
/// message's length to the bound keeps it an upper bound in practice. Once the bound passes
/// half the cap, the document is saved and measured for real on every message.
#[derive(Clone, Debug, Default)]
pub struct DocSizes {
    bounds: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

impl DocSizes {
    fn get(&self, doc: &str) -> Option<usize> {
        self.bounds.lock().ok()?.get(doc).copied()
    }

    fn set(&self, doc: &str, size: usize) {
        if let Ok(mut b) = self.bounds.lock() {
            b.insert(doc.to_owned(), size);
        }
    }
}

/// Why `msg` must not reach samod, if it must not: a sync message with changes for a document
/// already at or over `limits.max_doc` once they are added.
async fn over_doc_cap(msg: &model::wire::Message, limits: &Limits) -> Option<String> {
    let model::wire::Message::Sync {
        document_id, data, ..
    } = msg
    else {
        return None;
    };
    // A message without changes (heads, a bloom filter) never grows a document.
    let carries_changes = match automerge::sync::Message::decode(data) {
        Ok(m) => !m.changes.is_empty(),
        Err(_) => true,
    };
    if !carries_changes {
        return None;
    }
    let bound = match limits.sizes.get(document_id) {
        Some(b) if b.saturating_add(data.len()) <= limits.max_doc / 2 => b,
        // Unknown, or near enough to the cap to measure.
        _ => {
            // A document the relay does not have cannot grow here: samod refuses the message.
            let id = document_id.parse::<samod::DocumentId>().ok()?;
            let handle = limits.repo.find(id).await.ok()??;
            handle.with_document(|d| d.save().len())
        }
    };
    let total = bound.saturating_add(data.len());
    if total > limits.max_doc {
        return Some(format!(
            "document {document_id} would grow to {total} bytes, over the limit of {}",
            limits.max_doc
        ));
    }
    limits.sizes.set(document_id, total);
    None
}

/// Serves one authenticated socket bound to `peer` until either side closes it.
pub async fn serve_socket<S, E>(socket: S, acceptor: AcceptorHandle, peer: PeerId, limits: Limits)
where
    S: Stream<Item = Result<Message, E>> + Sink<Message> + Send + Unpin + 'static,
    E: std::fmt::Display,
{
    let (mut ws_tx, mut ws_rx) = socket.split();
    let (mut to_repo, from_pump) = mpsc::channel::<Vec<u8>>(32);
    let (to_pump, mut from_repo) = mpsc::channel::<Vec<u8>>(32);
    let transport = Transport::new(from_pump.map(Ok::<_, Infallible>), to_pump)
        .with_expected_peer_id(peer.clone());
    let Ok(_conn) = acceptor.accept(transport) else {
        let _ = ws_tx.send(Message::Close(None)).await;
        return;
    };
    let mut peer_closed = false;
    let mut account_check = tokio::time::interval(limits.account_check_every);
    account_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    account_check.tick().await;
    let failure: Option<(u16, String)> = loop {
        tokio::select! {
            _ = account_check.tick() => {
                match limits.db.user_by_id(limits.user_id).await {
                    Ok(Some(u)) if !u.disabled => {}
                    Ok(_) => break Some((1008, "account disabled".into())),
                    // A database hiccup is no reason to drop a rider.
                    Err(e) => tracing::warn!(error = %e, "checking an account"),
                }
            }
            inbound = ws_rx.next() => match inbound {
                Some(Ok(Message::Binary(bytes))) => {
                    if bytes.len() > limits.max_frame {
                        break Some((1009, format!("frame of {} bytes is over the limit of {}", bytes.len(), limits.max_frame)));
                    }
                    let msg = match model::wire::Message::decode(&bytes) {
                        Ok(m) => m,
                        Err(e) => break Some((1007, format!("malformed message: {e}"))),
                    };
                    if let Some(why) = over_doc_cap(&msg, &limits).await {
                        break Some((1009, why));
                    }
                    if to_repo.send(bytes.to_vec()).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Text(_))) => {
                    break Some((1003, "text frames are not part of the protocol".into()));
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | None => {
                    peer_closed = true;
                    break None;
                }
                Some(Err(e)) => break Some((1009, format!("unreadable frame: {e}"))),
            },
            outbound = from_repo.next() => match outbound {
                Some(bytes) => {
                    // An answer about a document goes out once its writes are done.
                    if let Ok(
                        model::wire::Message::Sync { document_id, .. }
                        | model::wire::Message::Request { document_id, .. },
                    ) = model::wire::Message::decode(&bytes)
                    {
                        limits.store.written(&document_id).await;
                    }
                    if ws_tx.send(Message::Binary(bytes.into())).await.is_err() {
                        break None;
                    }
                }
                None => break None,
            },
        }
    };
    to_repo.close_channel();
    if let Some((code, reason)) = failure {
        tracing::info!(peer = %peer, code, reason = %reason, "closing a sync connection");
        let msg = model::wire::Message::Error {
            message: reason.clone(),
        }
        .encode();
        let _ = ws_tx.send(Message::Binary(msg.into())).await;
        let reason: String = reason.chars().take(100).collect();
        let _ = ws_tx
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    } else if !peer_closed {
        let _ = ws_tx
            .send(Message::Close(Some(CloseFrame {
                code: 1000,
                reason: "".into(),
            })))
            .await;
    }
    // Flushes the close reply the socket layer queued when the peer closed first.
    let _ = ws_tx.close().await;
}
