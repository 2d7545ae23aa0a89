//! The sans-IO core of a client of the automerge-repo protocol: bytes and calls in, effects out.
//!
//! The app feeds it WebSocket frames and writes what it asks to IndexedDB; the server's tests
//! feed it from a tokio WebSocket. It keeps, per document, the Automerge document and the sync
//! state with the relay. A sync state is persisted between connections, so a reconnect with
//! nothing new costs a few hundred bytes, and so the app knows after a reload which of its
//! changes the relay already holds.

use std::collections::BTreeMap;

use automerge::{
    Automerge, ChangeHash,
    sync::{self, SyncDoc},
};

use crate::{
    ModelError,
    wire::{Message, PROTOCOL_VERSION},
};

/// Where a document stands with the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocStatus {
    /// Not yet asked about on this connection.
    Idle,
    /// Asked for, no answer yet.
    Syncing,
    /// The relay has answered at least once on this connection.
    Synced,
    /// The relay says it has no such document for us (or it is not ours to read).
    Unavailable,
}

/// What the caller must do after an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send these bytes as one binary WebSocket frame.
    Send(Vec<u8>),
    /// The handshake is done; the relay's peer id.
    Ready(String),
    /// Remote changes were applied to this document: persist it and show it.
    DocChanged(String),
    /// The sync state of this document moved: persist it.
    SyncStateChanged(String),
    /// The relay refused or does not have this document.
    Unavailable(String),
    /// The relay reported a protocol error; it will close the connection.
    RelayError(String),
}

struct Slot {
    doc: Automerge,
    sync: sync::State,
    status: DocStatus,
}

/// One client's view of its documents and of one relay connection.
pub struct SyncClient {
    peer_id: String,
    remote: Option<String>,
    docs: BTreeMap<String, Slot>,
}

impl std::fmt::Debug for SyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncClient")
            .field("peer_id", &self.peer_id)
            .field("remote", &self.remote)
            .field("docs", &self.docs.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl SyncClient {
    /// A client that will introduce itself as `peer_id`.
    pub fn new(peer_id: impl Into<String>) -> Self {
        Self {
            peer_id: peer_id.into(),
            remote: None,
            docs: BTreeMap::new(),
        }
    }

    /// This client's peer id.
    pub fn peer_id(&self) -> &str {
        &self.peer_id
    }

    /// Whether the handshake with the relay is done on the current connection.
    pub fn is_ready(&self) -> bool {
        self.remote.is_some()
    }

    /// Adds a document to keep in sync: `doc` may be empty (then it is requested from the relay),
    /// `sync_state` is what [`SyncClient::sync_state_bytes`] returned last time, if anything.
    pub fn add_doc(&mut self, id: impl Into<String>, doc: Automerge, sync_state: Option<&[u8]>) {
        let sync = sync_state
            .and_then(|b| sync::State::decode(b).ok())
            .unwrap_or_default();
        self.docs.insert(
            id.into(),
            Slot {
                doc,
                sync,
                status: DocStatus::Idle,
            },
        );
    }

    /// The ids of the documents kept in sync.
    pub fn doc_ids(&self) -> impl Iterator<Item = &str> {
        self.docs.keys().map(String::as_str)
    }

    /// A document, if it is kept here.
    pub fn doc(&self, id: &str) -> Option<&Automerge> {
        self.docs.get(id).map(|s| &s.doc)
    }

    /// Where a document stands on the current connection.
    pub fn status(&self, id: &str) -> Option<DocStatus> {
        self.docs.get(id).map(|s| s.status)
    }

    /// Whether the relay has said (with automerge's read-only flag) that it applies none of our
    /// changes to this document; the sync protocol then stops offering them.
    pub fn relay_read_only(&self, id: &str) -> bool {
        self.docs
            .get(id)
            .is_some_and(|s| s.sync.is_peer_read_only())
    }

    /// The sync state to persist for a document (only what outlives a connection).
    pub fn sync_state_bytes(&self, id: &str) -> Option<Vec<u8>> {
        self.docs.get(id).map(|s| s.sync.encode())
    }

    /// Changes a document locally and returns the messages that send the change, if connected.
    pub fn change<R>(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Automerge) -> Result<R, ModelError>,
    ) -> Result<(R, Vec<Effect>), ModelError> {
        let slot = self
            .docs
            .get_mut(id)
            .ok_or_else(|| ModelError::Sync(format!("unknown document {id}")))?;
        let r = f(&mut slot.doc)?;
        let mut out = Vec::new();
        self.push_sync(id, &mut out);
        Ok((r, out))
    }

    /// Whether the relay is known to hold the change `hash` of document `id`: it is among the
    /// heads both sides share, or an ancestor of them.
    pub fn relay_has(&self, id: &str, hash: &ChangeHash) -> bool {
        let Some(slot) = self.docs.get(id) else {
            return false;
        };
        if slot.doc.get_change_meta_by_hash(hash).is_none() {
            return false;
        }
        !slot
            .doc
            .get_changes_meta(&slot.sync.shared_heads)
            .iter()
            .any(|c| c.hash == *hash)
    }

    /// The changes of `id` the relay is not known to hold, computed in one pass, for checking
    /// many changes at once (see [`SyncClient::relay_has`] for one).
    pub fn unconfirmed(&self, id: &str) -> std::collections::HashSet<ChangeHash> {
        self.docs
            .get(id)
            .map(|s| {
                s.doc
                    .get_changes_meta(&s.sync.shared_heads)
                    .iter()
                    .map(|c| c.hash)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many local changes of `id` the relay is not known to hold.
    pub fn unconfirmed_changes(&self, id: &str) -> usize {
        self.docs
            .get(id)
            .map(|s| s.doc.get_changes_meta(&s.sync.shared_heads).len())
            .unwrap_or(0)
    }

    /// A new connection is open: returns the join message. Per-connection sync state is reset,
    /// what both sides are known to share is kept.
    pub fn connected(&mut self) -> Vec<Effect> {
        self.reset_sessions();
        vec![Effect::Send(
            Message::Join {
                sender_id: self.peer_id.clone(),
                supported_protocol_versions: vec![PROTOCOL_VERSION.to_owned()],
            }
            .encode(),
        )]
    }

    /// The connection is gone.
    pub fn disconnected(&mut self) {
        self.reset_sessions();
    }

    fn reset_sessions(&mut self) {
        self.remote = None;
        for slot in self.docs.values_mut() {
            slot.sync = sync::State::decode(&slot.sync.encode()).unwrap_or_default();
            slot.status = DocStatus::Idle;
        }
    }

    /// Handles one frame from the relay.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<Vec<Effect>, ModelError> {
        let msg = Message::decode(bytes)?;
        let mut out = Vec::new();
        match msg {
            Message::Peer {
                sender_id,
                selected_protocol_version,
                ..
            } => {
                if selected_protocol_version != PROTOCOL_VERSION {
                    return Err(ModelError::Wire(format!(
                        "relay chose protocol {selected_protocol_version}"
                    )));
                }
                self.remote = Some(sender_id.clone());
                out.push(Effect::Ready(sender_id));
                let ids: Vec<String> = self.docs.keys().cloned().collect();
                for id in ids {
                    if let Some(s) = self.docs.get_mut(&id) {
                        s.status = DocStatus::Syncing;
                    }
                    self.push_sync(&id, &mut out);
                }
            }
            Message::Sync {
                document_id, data, ..
            }
            | Message::Request {
                document_id, data, ..
            } => {
                let Some(slot) = self.docs.get_mut(&document_id) else {
                    // Not a document this client keeps: say so rather than stay silent.
                    if let Some(remote) = &self.remote {
                        out.push(Effect::Send(
                            Message::DocUnavailable {
                                document_id,
                                sender_id: self.peer_id.clone(),
                                target_id: remote.clone(),
                            }
                            .encode(),
                        ));
                    }
                    return Ok(out);
                };
                let msg =
                    sync::Message::decode(&data).map_err(|e| ModelError::Sync(e.to_string()))?;
                let before = slot.doc.get_heads();
                let shared_before = slot.sync.shared_heads.clone();
                slot.doc.receive_sync_message(&mut slot.sync, msg)?;
                slot.status = DocStatus::Synced;
                if slot.doc.get_heads() != before {
                    out.push(Effect::DocChanged(document_id.clone()));
                }
                if slot.sync.shared_heads != shared_before {
                    out.push(Effect::SyncStateChanged(document_id.clone()));
                }
                self.push_sync(&document_id, &mut out);
            }
            Message::DocUnavailable { document_id, .. } => {
                if let Some(slot) = self.docs.get_mut(&document_id) {
                    slot.status = DocStatus::Unavailable;
                    out.push(Effect::Unavailable(document_id));
                }
            }
            Message::Error { message } => out.push(Effect::RelayError(message)),
            Message::Join { .. } | Message::Leave { .. } | Message::Other { .. } => {}
        }
        Ok(out)
    }

    fn push_sync(&mut self, id: &str, out: &mut Vec<Effect>) {
        let Some(remote) = self.remote.clone() else {
            return;
        };
        let Some(slot) = self.docs.get_mut(id) else {
            return;
        };
        if slot.status == DocStatus::Unavailable || slot.status == DocStatus::Idle {
            return;
        }
        // An empty document is one we do not have yet: ask for it with a request.
        let empty = slot.doc.get_heads().is_empty();
        if let Some(m) = slot.doc.generate_sync_message(&mut slot.sync) {
            let data = m.encode();
            let msg = if empty {
                Message::Request {
                    document_id: id.to_owned(),
                    sender_id: self.peer_id.clone(),
                    target_id: remote,
                    data,
                }
            } else {
                Message::Sync {
                    document_id: id.to_owned(),
                    sender_id: self.peer_id.clone(),
                    target_id: remote,
                    data,
                }
            };
            out.push(Effect::Send(msg.encode()));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{Report, ReportId, rider_doc};

    /// A relay stand-in speaking the protocol, used to test the client alone; the real relay is
    /// exercised by the server's integration tests.
    pub(crate) struct FakeRelay {
        pub(crate) doc: Automerge,
        sync: sync::State,
    }

    impl FakeRelay {
        pub(crate) fn new(doc: Automerge) -> Self {
            FakeRelay {
                doc,
                sync: sync::State::new(),
            }
        }

        pub(crate) fn handle(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
            match Message::decode(bytes).unwrap() {
                Message::Join { sender_id, .. } => vec![
                    Message::Peer {
                        sender_id: "relay".into(),
                        target_id: sender_id,
                        selected_protocol_version: "1".into(),
                        storage_id: None,
                    }
                    .encode(),
                ],
                Message::Sync {
                    document_id,
                    sender_id,
                    data,
                    ..
                }
                | Message::Request {
                    document_id,
                    sender_id,
                    data,
                    ..
                } => {
                    let m = sync::Message::decode(&data).unwrap();
                    self.doc.receive_sync_message(&mut self.sync, m).unwrap();
                    self.doc
                        .generate_sync_message(&mut self.sync)
                        .map(|m| {
                            Message::Sync {
                                document_id,
                                sender_id: "relay".into(),
                                target_id: sender_id,
                                data: m.encode(),
                            }
                            .encode()
                        })
                        .into_iter()
                        .collect()
                }
                _ => vec![],
            }
        }
    }

    /// A valid report with a new id and `note`.
    pub(crate) fn report(note: &str) -> Report {
        Report {
            id: ReportId::new().to_string(),
            category: "fire_lane".into(),
            note: note.into(),
            lat: 28.84,
            lon: 108.77,
            accuracy_m: Some(12.0),
            location_source: "gps".into(),
            place: String::new(),
            created_at: 1_790_000_000_000,
            photos: vec![],
            photo_taken_at: None,
            photo_lat: None,
            photo_lon: None,
        }
    }

    pub(crate) fn pump(client: &mut SyncClient, relay: &mut FakeRelay, first: Vec<Effect>) {
        let mut queue: Vec<Vec<u8>> = first
            .into_iter()
            .filter_map(|e| {
                if let Effect::Send(b) = e {
                    Some(b)
                } else {
                    None
                }
            })
            .collect();
        for _ in 0..100 {
            let Some(b) = queue.pop() else { return };
            for reply in relay.handle(&b) {
                for e in client.receive(&reply).unwrap() {
                    if let Effect::Send(b) = e {
                        queue.push(b);
                    }
                }
            }
        }
        panic!("sync did not converge");
    }

    #[test]
    fn fetches_then_pushes_and_knows_what_the_relay_holds() {
        let server_doc = rider_doc::new_doc("u1", None).unwrap();
        let mut relay = FakeRelay {
            doc: server_doc,
            sync: sync::State::new(),
        };
        let mut client = SyncClient::new("u1.dev");
        client.add_doc("d1", Automerge::new(), None);
        let join = client.connected();
        pump(&mut client, &mut relay, join);
        assert_eq!(
            rider_doc::header(client.doc("d1").unwrap()).unwrap().owner,
            "u1"
        );

        let report = report("");
        // Offline: saved locally, nothing sent, not confirmed.
        client.disconnected();
        let (hash, effects) = client
            .change("d1", |d| rider_doc::put_report(d, &report))
            .unwrap();
        let hash = hash.expect("a new change");
        assert!(effects.is_empty());
        assert!(!client.relay_has("d1", &hash));
        assert!(client.unconfirmed("d1").contains(&hash));
        // The persisted sync state survives a "reload".
        let saved = client.sync_state_bytes("d1").unwrap();
        let doc = client.doc("d1").unwrap().clone();
        let mut client = SyncClient::new("u1.dev");
        client.add_doc("d1", doc, Some(&saved));
        let join = client.connected();
        pump(&mut client, &mut relay, join);
        assert!(client.relay_has("d1", &hash));
        assert_eq!(client.unconfirmed_changes("d1"), 0);
        assert!(client.unconfirmed("d1").is_empty());
        assert_eq!(rider_doc::reports(&relay.doc).unwrap().len(), 1);
    }
}
