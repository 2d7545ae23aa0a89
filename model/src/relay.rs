//! The sans-IO core of the relay, one document at a time: the document and one sync state per
//! connection that syncs it. Frames in, frames and a chunk to store out.
//!
//! The server keeps one [`DocRelay`] per loaded document and drives it from its sockets and its
//! SQL store. Work per event is bounded by the peers of that one document (usually one rider's
//! phone), never by the number of documents or connections the relay holds.

use std::collections::BTreeMap;

use automerge::{
    Automerge, ChangeHash,
    sync::{self, SyncDoc},
};

use crate::{ModelError, wire::Message};

/// What a connection may do with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read and write (a rider's own document).
    ReadWrite,
    /// Read only: changes the peer sends are never applied, and every message to it carries
    /// Automerge's read-only flag.
    ReadOnly,
}

/// A connection's key, chosen by the caller.
pub type ConnId = u64;

struct Peer {
    peer_id: String,
    sync: sync::State,
}

/// One document and the connections syncing it.
pub struct DocRelay {
    id: String,
    relay_id: String,
    doc: Automerge,
    /// The heads of what has been handed out as a chunk to store.
    saved: Vec<ChangeHash>,
    peers: BTreeMap<ConnId, Peer>,
}

impl std::fmt::Debug for DocRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocRelay")
            .field("id", &self.id)
            .field("peers", &self.peers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl DocRelay {
    /// Document `id` as stored, served by the relay whose peer id is `relay_id`.
    pub fn new(id: impl Into<String>, relay_id: impl Into<String>, doc: Automerge) -> Self {
        let saved = doc.get_heads();
        Self {
            id: id.into(),
            relay_id: relay_id.into(),
            doc,
            saved,
            peers: BTreeMap::new(),
        }
    }

    /// The document's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The document.
    pub fn doc(&self) -> &Automerge {
        &self.doc
    }

    /// Whether any connection syncs this document.
    pub fn has_peers(&self) -> bool {
        !self.peers.is_empty()
    }

    /// Whether connection `conn` syncs this document.
    pub fn has_peer(&self, conn: ConnId) -> bool {
        self.peers.contains_key(&conn)
    }

    /// Starts syncing with connection `conn` (peer id `peer_id`), with a fresh sync state; a
    /// connection already syncing keeps its state.
    pub fn join(&mut self, conn: ConnId, peer_id: &str, access: Access) {
        self.peers.entry(conn).or_insert_with(|| Peer {
            peer_id: peer_id.to_owned(),
            sync: match access {
                Access::ReadWrite => sync::State::new(),
                Access::ReadOnly => sync::State::new_read_only(),
            },
        });
    }

    /// Stops syncing with connection `conn`.
    pub fn leave(&mut self, conn: ConnId) {
        self.peers.remove(&conn);
    }

    /// Applies one sync message (the `data` of a `request` or `sync` frame) from connection
    /// `conn`, which must have joined. Returns whether the document changed; the changes are
    /// then in [`DocRelay::unsaved`].
    pub fn receive(&mut self, conn: ConnId, data: &[u8]) -> Result<bool, ModelError> {
        let msg = sync::Message::decode(data).map_err(|e| ModelError::Sync(e.to_string()))?;
        let Some(peer) = self.peers.get_mut(&conn) else {
            return Err(ModelError::Sync(format!(
                "{conn} has not joined {}",
                self.id
            )));
        };
        let before = self.doc.get_heads();
        self.doc.receive_sync_message(&mut peer.sync, msg)?;
        Ok(self.doc.get_heads() != before)
    }

    /// Changes the document locally (the server writing a document it owns). Returns the
    /// closure's result; the changes are then in [`DocRelay::unsaved`].
    pub fn change<R>(
        &mut self,
        f: impl FnOnce(&mut Automerge) -> Result<R, ModelError>,
    ) -> Result<R, ModelError> {
        f(&mut self.doc)
    }

    /// Merges chunks of this document that another relay stored (a snapshot or incremental
    /// changes, in any order). What they bring is in the store already, so it is not handed
    /// out again by [`DocRelay::unsaved`] unless changes of this relay were waiting too.
    /// Returns whether the document changed; [`DocRelay::outgoing`] then brings the changes
    /// to the connections.
    pub fn merge_stored(&mut self, chunk: &[u8]) -> Result<bool, ModelError> {
        let before = self.doc.get_heads();
        self.doc
            .load_incremental(chunk)
            .map_err(|e| ModelError::Sync(format!("a stored chunk of {}: {e}", self.id)))?;
        let after = self.doc.get_heads();
        if self.saved == before {
            self.saved = after.clone();
        }
        Ok(after != before)
    }

    /// The changes not yet handed out to store, as one incremental chunk, and the heads it
    /// brings the store to; `None` when there are none.
    pub fn unsaved(&self) -> Option<(Vec<u8>, Vec<ChangeHash>)> {
        let heads = self.doc.get_heads();
        if heads == self.saved {
            return None;
        }
        Some((self.doc.save_after(&self.saved), heads))
    }

    /// Records that the store holds everything up to `heads` (from [`DocRelay::unsaved`]).
    pub fn saved(&mut self, heads: Vec<ChangeHash>) {
        self.saved = heads;
    }

    /// The whole document as one compact chunk, and its heads.
    pub fn snapshot(&self) -> (Vec<u8>, Vec<ChangeHash>) {
        (self.doc.save(), self.doc.get_heads())
    }

    /// The sync frames every connection needs now (to acknowledge what it sent, or to bring it
    /// what others sent), by connection.
    pub fn outgoing(&mut self) -> Vec<(ConnId, Vec<u8>)> {
        let mut out = Vec::new();
        for (conn, peer) in &mut self.peers {
            if let Some(m) = self.doc.generate_sync_message(&mut peer.sync) {
                let frame = Message::Sync {
                    document_id: self.id.clone(),
                    sender_id: self.relay_id.clone(),
                    target_id: peer.peer_id.clone(),
                    data: m.encode(),
                };
                out.push((*conn, frame.encode()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        client::{Effect, SyncClient},
        rider_doc,
    };
    use automerge::ReadDoc;

    /// Delivers frames both ways between one client and the relay until neither has more.
    fn pump(client: &mut SyncClient, relay: &mut DocRelay, conn: ConnId, first: Vec<Effect>) {
        let mut to_relay: Vec<Vec<u8>> = first
            .into_iter()
            .filter_map(|e| match e {
                Effect::Send(b) => Some(b),
                _ => None,
            })
            .collect();
        for _ in 0..50 {
            let mut to_client = Vec::new();
            for frame in to_relay.drain(..) {
                match Message::decode(&frame).unwrap() {
                    Message::Join { .. } => to_client.push(
                        Message::Peer {
                            sender_id: "relay".into(),
                            target_id: client.peer_id().into(),
                            selected_protocol_version: "1".into(),
                            storage_id: None,
                        }
                        .encode(),
                    ),
                    Message::Sync { data, .. } | Message::Request { data, .. } => {
                        relay.receive(conn, &data).unwrap();
                        if let Some((_, heads)) = relay.unsaved() {
                            relay.saved(heads);
                        }
                        to_client.extend(relay.outgoing().into_iter().map(|(_, f)| f));
                    }
                    _ => {}
                }
            }
            if to_client.is_empty() {
                return;
            }
            for frame in to_client {
                for e in client.receive(&frame).unwrap() {
                    if let Effect::Send(b) = e {
                        to_relay.push(b);
                    }
                }
            }
        }
        panic!("sync did not settle");
    }

    #[test]
    fn a_change_is_stored_acknowledged_and_read_only_peers_cannot_write() {
        let doc = rider_doc::new_doc("7", None).unwrap();
        let mut relay = DocRelay::new("d1", "relay", doc.fork());
        assert!(relay.unsaved().is_none());

        // The owner writes a field; the relay stores exactly those changes and acknowledges them.
        let mut owner = SyncClient::new("u7.phone");
        owner.add_doc("d1", doc.fork(), None);
        relay.join(1, "u7.phone", Access::ReadWrite);
        let first = owner.connected();
        pump(&mut owner, &mut relay, 1, first);
        let (hash, frames) = owner
            .change("d1", |d| {
                use automerge::transaction::Transactable;
                let mut tx = d.transaction();
                tx.put(automerge::ROOT, "note", "hi")?;
                Ok(tx.commit().0)
            })
            .unwrap();
        pump(&mut owner, &mut relay, 1, frames);
        assert!(owner.relay_has("d1", &hash.unwrap()));
        assert_eq!(
            relay.doc().get_heads(),
            owner.doc("d1").unwrap().get_heads()
        );

        // A read-only peer's change is not applied, and it still receives the document.
        let mut reader = SyncClient::new("u7.tablet");
        let mut copy = doc.fork();
        {
            use automerge::transaction::Transactable;
            let mut tx = copy.transaction();
            tx.put(automerge::ROOT, "intruder", true).unwrap();
            tx.commit();
        }
        reader.add_doc("d1", copy, None);
        relay.join(2, "u7.tablet", Access::ReadOnly);
        let first = reader.connected();
        pump(&mut reader, &mut relay, 2, first);
        assert!(
            relay
                .doc()
                .get(automerge::ROOT, "intruder")
                .unwrap()
                .is_none()
        );
        assert!(reader.relay_read_only("d1"));
        assert!(
            reader
                .doc("d1")
                .unwrap()
                .get(automerge::ROOT, "note")
                .unwrap()
                .is_some()
        );
        relay.leave(2);
        relay.leave(1);
        assert!(!relay.has_peers());
    }

    #[test]
    fn chunks_stored_by_another_relay_reach_the_peers_and_are_not_stored_again() {
        let doc = rider_doc::new_doc("7", None).unwrap();
        let base = doc.save();
        let mut here = DocRelay::new("d1", "relay-a", Automerge::load(&base).unwrap());
        let mut there = DocRelay::new("d1", "relay-b", Automerge::load(&base).unwrap());
        here.join(1, "u7.phone", Access::ReadWrite);
        let _ = here.outgoing();
        there
            .change(|d| {
                use automerge::transaction::Transactable;
                let mut tx = d.transaction();
                tx.put(automerge::ROOT, "n", 1_i64)?;
                tx.commit();
                Ok(())
            })
            .unwrap();
        let (chunk, heads) = there.unsaved().unwrap();
        assert!(here.merge_stored(&chunk).unwrap());
        assert_eq!(here.doc().get_heads(), heads);
        assert!(here.unsaved().is_none(), "stored already");
        assert!(!here.merge_stored(&chunk).unwrap(), "a chunk merged twice");
        assert!(
            here.outgoing().iter().any(|(conn, _)| *conn == 1),
            "the phone hears of it"
        );
    }

    #[test]
    fn unsaved_chunks_rebuild_the_document() {
        let doc = rider_doc::new_doc("7", None).unwrap();
        let base = doc.save();
        let mut relay = DocRelay::new("d1", "relay", doc);
        let mut chunks = base.clone();
        for i in 0..3 {
            relay
                .change(|d| {
                    use automerge::transaction::Transactable;
                    let mut tx = d.transaction();
                    tx.put(automerge::ROOT, "n", i as i64)?;
                    tx.commit();
                    Ok(())
                })
                .unwrap();
            let (chunk, heads) = relay.unsaved().unwrap();
            chunks.extend(chunk);
            relay.saved(heads);
            assert!(relay.unsaved().is_none());
        }
        let loaded = Automerge::load(&chunks).unwrap();
        assert_eq!(loaded.get_heads(), relay.doc().get_heads());
    }
}
