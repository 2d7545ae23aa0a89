//! One WebSocket's side of the relay: the handshake, the share policy, and each document's
//! sync, checking each inbound frame first.
//!
//! The pump is generic over the socket's `Sink`/`Stream`, apart from the HTTP upgrade. A frame
//! that is too large, is not binary, or does not decode as a protocol message ends that
//! connection with an `error` message; every other connection carries on. So does a sync
//! message that would bring its document over the per-document size cap: the document's
//! stored size plus the changes the message carries. A change is answered only once it is
//! stored, so a client is never told the relay holds a change that a crash could still lose.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::extract::ws::{CloseFrame, Message};
use futures::{Sink, SinkExt, Stream, StreamExt};
use model::{
    relay::{Access, ConnId},
    wire::{self, PROTOCOL_VERSION},
};
use tokio::{sync::mpsc, time::Instant};

use super::{Outbox, Relay, Slot, SlotState};
use crate::metrics;

/// What one connection may send.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest frame, in bytes.
    pub max_frame: usize,
    /// Largest document, in stored bytes, that a sync message may grow.
    pub max_doc: usize,
    /// Time from the upgrade to the client's `join`.
    pub join_deadline: Duration,
    /// A ping goes out after this long without a frame from the client, and the connection
    /// closes after twice as long.
    pub idle: Duration,
}

/// Counts an open sync socket in the metrics while it lives.
struct SyncOpen;

impl SyncOpen {
    fn new() -> SyncOpen {
        metrics::add(&metrics::COUNTERS.sync_open, 1);
        SyncOpen
    }
}

impl Drop for SyncOpen {
    fn drop(&mut self) {
        metrics::COUNTERS
            .sync_open
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// How long the last frames of a closing connection may take to go out.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Why a connection ends early: a WebSocket close code and a reason for the peer.
type Failure = (u16, String);

/// One connection's side of the relay: its peer id and the documents it syncs.
struct Conn {
    relay: Relay,
    id: ConnId,
    peer: String,
    outbox: Outbox,
    joined: HashMap<String, Arc<Slot>>,
    ready: bool,
}

/// Whether a sync message carries changes (one that does not decode is passed on, to fail in
/// the document's own decoding).
fn carries_changes(data: &[u8]) -> bool {
    match automerge::sync::Message::decode(data) {
        Ok(m) => !m.changes.is_empty(),
        Err(_) => true,
    }
}

impl Conn {
    fn send(&self, msg: &wire::Message) {
        let _ = self.outbox.send(msg.encode());
    }

    fn unavailable(&self, document_id: String) {
        self.send(&wire::Message::DocUnavailable {
            document_id,
            sender_id: self.relay.peer_id().to_owned(),
            target_id: self.peer.clone(),
        });
    }

    async fn handle(&mut self, msg: wire::Message, limits: &Limits) -> Result<(), Failure> {
        match msg {
            wire::Message::Join {
                sender_id,
                supported_protocol_versions,
            } => {
                if sender_id != self.peer {
                    return Err((
                        1008,
                        format!(
                            "peer ID mismatch: {sender_id} joined a connection of {}",
                            self.peer
                        ),
                    ));
                }
                if !supported_protocol_versions
                    .iter()
                    .any(|v| v == PROTOCOL_VERSION)
                {
                    return Err((1002, "only protocol version 1 is supported".into()));
                }
                if self.ready {
                    return Ok(());
                }
                self.ready = true;
                self.send(&wire::Message::Peer {
                    sender_id: self.relay.peer_id().to_owned(),
                    target_id: self.peer.clone(),
                    selected_protocol_version: PROTOCOL_VERSION.to_owned(),
                    storage_id: Some(self.relay.storage_id().to_owned()),
                });
                Ok(())
            }
            wire::Message::Request {
                document_id,
                target_id,
                data,
                ..
            }
            | wire::Message::Sync {
                document_id,
                target_id,
                data,
                ..
            } => {
                if !self.ready {
                    return Err((1002, "the first message must be join".into()));
                }
                if target_id != self.relay.peer_id() {
                    return Err((
                        1008,
                        format!(
                            "target peer ID mismatch: {target_id} is not {}",
                            self.relay.peer_id()
                        ),
                    ));
                }
                self.sync(document_id, Some(&data), limits.max_doc).await
            }
            _ => Ok(()),
        }
    }

    /// Syncs one document with this connection: applies `data` if given, stores what changed,
    /// and sends every connection of the document what it now needs.
    async fn sync(
        &mut self,
        doc_id: String,
        data: Option<&[u8]>,
        max_doc: usize,
    ) -> Result<(), Failure> {
        let Some(access) = self.relay.acl().decide(&doc_id, &self.peer) else {
            self.unavailable(doc_id);
            return Ok(());
        };
        let slot = match self.joined.get(&doc_id) {
            Some(s) => s.clone(),
            None => self.relay.acquire(&doc_id),
        };
        let out = self.sync_in(&slot, access, data, max_doc).await;
        match out {
            Ok(true) if !self.joined.contains_key(&doc_id) => {
                self.joined.insert(doc_id, slot);
            }
            Ok(false) => {
                self.joined.remove(&doc_id);
                self.relay.release(slot);
                self.unavailable(doc_id);
            }
            _ => {
                if !self.joined.contains_key(&doc_id) {
                    self.relay.release(slot);
                }
            }
        }
        out.map(|_| ())
    }

    /// `Ok(false)` when the store has no such document.
    async fn sync_in(
        &self,
        slot: &Arc<Slot>,
        access: Access,
        data: Option<&[u8]>,
        max_doc: usize,
    ) -> Result<bool, Failure> {
        let locked = self.relay.lock(slot).await.map_err(|e| {
            tracing::error!(error = %e, "loading a document");
            (
                1011,
                "the document cannot be read now; try again later".to_owned(),
            )
        })?;
        let Some(mut state) = locked else {
            return Ok(false);
        };
        let SlotState::Loaded(l) = &mut *state else {
            return Ok(false);
        };
        if !l.relay.has_peer(self.id) {
            l.relay.join(self.id, &self.peer, access);
            l.conns.insert(self.id, self.outbox.clone());
        }
        if let Some(data) = data {
            if access == Access::ReadWrite && carries_changes(data) {
                // The stored chunks bound the document's size from above; near the cap it is
                // measured for real, as one compact snapshot.
                let mut size = l.stored_bytes();
                if size.saturating_add(data.len()) > max_doc / 2 {
                    size = size.min(l.relay.snapshot().0.len());
                }
                let total = size.saturating_add(data.len());
                if total > max_doc {
                    return Err((
                        1009,
                        format!(
                            "document {} would grow to {total} bytes, over the limit of {max_doc}",
                            l.relay.id()
                        ),
                    ));
                }
            }
            let changed = l
                .relay
                .receive(self.id, data)
                .map_err(|e| (1007, format!("malformed sync message: {e}")))?;
            if changed {
                self.relay.persist(slot, &mut state).await.map_err(|e| {
                    tracing::error!(error = %e, "storing changes");
                    (
                        1011,
                        "the changes cannot be stored now; try again later".to_owned(),
                    )
                })?;
            }
        }
        if let SlotState::Loaded(l) = &mut *state {
            l.flush();
        }
        Ok(true)
    }

    /// Stops syncing every document; each leaves memory if nobody else uses it.
    async fn leave_all(self) {
        for (_, slot) in self.joined {
            {
                let mut state = slot.state.lock().await;
                if let SlotState::Loaded(l) = &mut *state {
                    l.relay.leave(self.id);
                    l.conns.remove(&self.id);
                }
            }
            self.relay.release(slot);
        }
    }
}

/// Sends one frame; false when the socket failed or the client did not take it within `wait`
/// (a client that stops reading must not hold the connection forever).
async fn sent<T: Sink<Message> + Unpin>(tx: &mut T, msg: Message, wait: Duration) -> bool {
    matches!(tokio::time::timeout(wait, tx.send(msg)).await, Ok(Ok(())))
}

/// Serves one authenticated socket bound to `peer` until either side closes it, the client
/// misses a deadline, or `watch` sees its session end. After the handshake the relay offers
/// `announce` (the rider's own document) unasked.
pub async fn serve_socket<S, E>(
    socket: S,
    relay: Relay,
    peer: String,
    announce: Option<String>,
    limits: Limits,
    watch: crate::revoke::Watch,
) where
    S: Stream<Item = Result<Message, E>> + Sink<Message> + Send + Unpin + 'static,
    E: std::fmt::Display,
{
    let (mut ws_tx, mut ws_rx) = socket.split();
    let _open = SyncOpen::new();
    let (outbox, mut from_relay) = mpsc::unbounded_channel::<Vec<u8>>();
    let mut conn = Conn {
        id: relay.next_conn(),
        relay,
        peer: peer.clone(),
        outbox,
        joined: HashMap::new(),
        ready: false,
    };
    let mut announce = announce;
    let mut peer_closed = false;
    // The session's end, watched by a task of its own for the connection's life (see
    // `Watch::spawn`: nothing this loop leaves unpolled while it handles a frame may hold a
    // database connection).
    let ended = watch.spawn();
    tokio::pin!(ended);
    let mut revoked = false;
    let join_by = Instant::now() + limits.join_deadline;
    let mut heard = Instant::now();
    let mut pinged = false;
    let failure: Option<(u16, String)> = loop {
        let deadline = if conn.ready {
            heard + limits.idle * if pinged { 2 } else { 1 }
        } else {
            join_by
        };
        tokio::select! {
            reason = &mut ended => {
                revoked = true;
                break Some((1008, reason.into()));
            }
            _ = tokio::time::sleep_until(deadline) => {
                if !conn.ready {
                    break Some((1008, "no join before the deadline".into()));
                }
                if pinged {
                    break Some((1001, "idle".into()));
                }
                pinged = true;
                if !sent(&mut ws_tx, Message::Ping(Default::default()), limits.idle).await {
                    break None;
                }
            }
            inbound = ws_rx.next() => match inbound {
                Some(Ok(Message::Binary(bytes))) => {
                    heard = Instant::now();
                    pinged = false;
                    metrics::add(&metrics::COUNTERS.frames_in, 1);
                    metrics::add(&metrics::COUNTERS.bytes_in, bytes.len() as u64);
                    if bytes.len() > limits.max_frame {
                        break Some((1009, format!("frame of {} bytes is over the limit of {}", bytes.len(), limits.max_frame)));
                    }
                    let msg = match wire::Message::decode(&bytes) {
                        Ok(m) => m,
                        Err(e) => break Some((1007, format!("malformed message: {e}"))),
                    };
                    if let Err(f) = conn.handle(msg, &limits).await {
                        break Some(f);
                    }
                    if conn.ready && let Some(doc) = announce.take()
                        && let Err(f) = conn.sync(doc, None, limits.max_doc).await
                    {
                        break Some(f);
                    }
                }
                Some(Ok(Message::Text(_))) => {
                    break Some((1003, "text frames are not part of the protocol".into()));
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                    heard = Instant::now();
                    pinged = false;
                }
                Some(Ok(Message::Close(_))) | None => {
                    peer_closed = true;
                    break None;
                }
                Some(Err(e)) => break Some((1009, format!("unreadable frame: {e}"))),
            },
            outbound = from_relay.recv() => match outbound {
                Some(bytes) => {
                    metrics::add(&metrics::COUNTERS.frames_out, 1);
                    metrics::add(&metrics::COUNTERS.bytes_out, bytes.len() as u64);
                    if !sent(&mut ws_tx, Message::Binary(bytes.into()), limits.idle).await {
                        break None;
                    }
                }
                None => break None,
            },
        }
    };
    conn.leave_all().await;
    // Frames already queued (an answer just before a failure) still go out, unless the
    // session has ended: then nothing more of the documents leaves.
    while !revoked && let Ok(bytes) = from_relay.try_recv() {
        if !sent(&mut ws_tx, Message::Binary(bytes.into()), limits.idle).await {
            break;
        }
    }
    if let Some((code, reason)) = failure {
        tracing::info!(peer = %peer, code, reason = %reason, "closing a sync connection");
        // An idle close is no protocol violation: no `error`, which tells clients not to retry.
        if code == 1001 {
            let close = Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            }));
            sent(&mut ws_tx, close, CLOSE_WAIT).await;
            let _ = tokio::time::timeout(CLOSE_WAIT, ws_tx.close()).await;
            return;
        }
        let msg = wire::Message::Error {
            message: reason.clone(),
        }
        .encode();
        let reason: String = reason.chars().take(100).collect();
        let close = Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        let _ = sent(&mut ws_tx, Message::Binary(msg.into()), CLOSE_WAIT).await
            && sent(&mut ws_tx, close, CLOSE_WAIT).await;
    } else if !peer_closed {
        let close = Message::Close(Some(CloseFrame {
            code: 1000,
            reason: "".into(),
        }));
        sent(&mut ws_tx, close, CLOSE_WAIT).await;
    }
    // Flushes the close reply the socket layer queued when the peer closed first.
    let _ = tokio::time::timeout(CLOSE_WAIT, ws_tx.close()).await;
}
