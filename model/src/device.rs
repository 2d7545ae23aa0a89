//! The rider's device, without the device: what the app decides about its rider document,
//! sans IO. [`Device`] holds the [`SyncClient`] (the rider document and the read-only office
//! and stations documents), the outbox (reports filed here that the relay is not known to hold)
//! and how the rider document sits in storage (a snapshot and incremental chunks). It answers
//! with values: a [`Write`] to commit, the [`OutboxRow`]s to show, the effects to send. The app
//! drives it from IndexedDB and a WebSocket; its rules are tested here, natively.
//!
//! The rules:
//! - filing a report is one change, and the write that follows carries the change (as a chunk
//!   after the last saved heads), the sync state and the outbox entry together;
//! - every [`MAX_CHUNKS`] chunks, and after a failed write, the next write is a whole snapshot
//!   that replaces the chunks;
//! - an outbox entry is dropped in the write that carries the sync state proving the relay
//!   holds its change ([`SyncClient::relay_has`]), so after a restart the states are the same;
//! - a report with no outbox entry was received (it came from the relay, or it was confirmed).

use std::collections::{BTreeMap, BTreeSet};

use automerge::{Automerge, ChangeHash};

use crate::{
    ModelError, Report,
    client::{Effect, SyncClient},
    rider_doc,
};

/// How many incremental chunks may pile up before the next write folds them into a snapshot.
pub const MAX_CHUNKS: usize = 32;

/// The storage key of a document's `n`-th chunk; zero-padded so that key order is saving order.
pub fn chunk_key(doc_id: &str, n: u64) -> String {
    format!("{doc_id}/{n:012}")
}

/// A report filed on this device whose change the relay has not confirmed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// The report's id (the storage key).
    pub report_id: String,
    /// The hash (hex) of the document change that added the report.
    pub hash: String,
    /// When the report was filed, in milliseconds since the epoch.
    pub created_at: f64,
}

/// What storage holds of one document.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoredDoc {
    /// The last saved snapshot.
    pub snapshot: Option<Vec<u8>>,
    /// Changes saved after the snapshot, by key, in key (that is, saving) order.
    pub chunks: Vec<(String, Vec<u8>)>,
    /// The last saved sync state with the relay.
    pub sync: Option<Vec<u8>>,
}

/// Writes to commit together or not at all.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Write {
    /// Document snapshots to store, by document id.
    pub docs: Vec<(String, Vec<u8>)>,
    /// Incremental saves to add, by chunk key ([`chunk_key`]).
    pub chunks_put: Vec<(String, Vec<u8>)>,
    /// Chunk keys folded into a snapshot of the same write.
    pub chunks_delete: Vec<String>,
    /// Sync states to store, by document id.
    pub sync: Vec<(String, Vec<u8>)>,
    /// Outbox entries to add or replace.
    pub outbox_put: Vec<OutboxEntry>,
    /// Report ids whose outbox entries are done with.
    pub outbox_delete: Vec<String>,
}

/// Where a report filed here stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Delivery {
    /// Saved on this device; no connection to the relay.
    Local,
    /// Connected, and the relay has not confirmed it yet.
    Sending,
    /// The relay holds it (or it came from the relay in the first place).
    Received,
}

impl Delivery {
    /// A stable code (the `data-state` the app's tests read).
    pub fn code(self) -> &'static str {
        match self {
            Delivery::Local => "local",
            Delivery::Sending => "sending",
            Delivery::Received => "received",
        }
    }
}

/// One line of the rider's outbox.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutboxRow {
    pub report: Report,
    pub delivery: Delivery,
}

/// One of the rider's redemption requests (from any of their devices), with whether the relay
/// holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RequestRow {
    pub id: String,
    pub request: rider_doc::Redemption,
    pub delivery: Delivery,
}

/// One of the rider's wishes (from any of their devices), with whether the relay holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WishRow {
    pub id: String,
    pub wish: rider_doc::Wish,
    pub delivery: Delivery,
}

/// What a batch of effects asks of the shell.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Absorbed {
    /// A document or a sync state moved: write (soon).
    pub persist: bool,
    /// A read-only document changed: show its news (decisions, stations).
    pub read_only_changed: bool,
}

/// One rider's documents on one device, with the outbox and the storage bookkeeping.
#[derive(Debug)]
pub struct Device {
    client: SyncClient,
    doc_id: String,
    read_only: Vec<String>,
    /// Reports filed here and not yet confirmed, by report id.
    pending: BTreeMap<String, OutboxEntry>,
    /// The rider document's heads as last handed to storage: the next write saves only what
    /// follows them, as a chunk.
    saved_heads: Vec<ChangeHash>,
    /// Keys of the chunks stored after the snapshot.
    chunk_keys: Vec<String>,
    next_chunk: u64,
    /// The next write must be a whole snapshot (too many chunks, or a failed write).
    needs_snapshot: bool,
    /// Read-only documents changed since they were last written.
    read_only_dirty: BTreeSet<String>,
    /// What did not load from storage, for the shell to log.
    load_problems: Vec<String>,
}

/// A document from storage: the snapshot, then the chunks; a snapshot that no longer loads is
/// replaced by an empty document (the relay has it), a chunk that does not load is skipped.
fn load(stored: &StoredDoc, problems: &mut Vec<String>) -> Automerge {
    let mut doc = match stored.snapshot.as_deref().map(Automerge::load) {
        Some(Ok(doc)) => doc,
        Some(Err(e)) => {
            problems.push(format!("a stored snapshot does not load: {e}"));
            Automerge::new()
        }
        None => Automerge::new(),
    };
    for (key, chunk) in &stored.chunks {
        if let Err(e) = doc.load_incremental(chunk) {
            problems.push(format!("stored chunk {key} does not load: {e}"));
        }
    }
    doc
}

impl Device {
    /// The device as storage left it: the rider document `doc_id`, the read-only documents
    /// (each kept as one snapshot), and the outbox. Outbox entries stay whatever loads, so
    /// nothing the rider filed is hidden.
    pub fn open(
        peer_id: impl Into<String>,
        doc_id: impl Into<String>,
        rider: StoredDoc,
        read_only: Vec<(String, StoredDoc)>,
        outbox: Vec<OutboxEntry>,
    ) -> Self {
        let doc_id = doc_id.into();
        let mut load_problems = Vec::new();
        let doc = load(&rider, &mut load_problems);
        let saved_heads = doc.get_heads();
        let chunk_keys: Vec<String> = rider.chunks.iter().map(|(k, _)| k.clone()).collect();
        let next_chunk = chunk_keys
            .last()
            .and_then(|k| k.rsplit('/').next())
            .and_then(|n| n.parse::<u64>().ok())
            .map_or(0, |n| n + 1);
        let mut client = SyncClient::new(peer_id);
        client.add_doc(doc_id.clone(), doc, rider.sync.as_deref());
        let mut ids = Vec::new();
        for (id, stored) in read_only {
            let doc = load(&stored, &mut load_problems);
            client.add_doc(id.clone(), doc, stored.sync.as_deref());
            ids.push(id);
        }
        Device {
            needs_snapshot: chunk_keys.len() >= MAX_CHUNKS,
            client,
            doc_id,
            read_only: ids,
            pending: outbox
                .into_iter()
                .map(|e| (e.report_id.clone(), e))
                .collect(),
            saved_heads,
            chunk_keys,
            next_chunk,
            read_only_dirty: BTreeSet::new(),
            load_problems,
        }
    }

    /// What did not load from storage (taken: each is reported once).
    pub fn take_load_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.load_problems)
    }

    /// The rider document's id.
    pub fn doc_id(&self) -> &str {
        &self.doc_id
    }

    /// The sync client, to read documents and the connection state.
    pub fn client(&self) -> &SyncClient {
        &self.client
    }

    /// Whether reports can be filed: the rider document is here with its schema header.
    pub fn ready(&self) -> bool {
        self.client
            .doc(&self.doc_id)
            .is_some_and(|d| rider_doc::header(d).is_ok())
    }

    /// A new connection is open: the join message.
    pub fn connected(&mut self) -> Vec<Effect> {
        self.client.connected()
    }

    /// A frame from the relay.
    pub fn receive(&mut self, frame: &[u8]) -> Result<Vec<Effect>, ModelError> {
        self.client.receive(frame)
    }

    /// The connection is gone.
    pub fn disconnected(&mut self) {
        self.client.disconnected();
    }

    /// Files a report: one change to the rider document. Returns the messages that send it (if
    /// connected) and the write that keeps it, with its outbox entry, on the device: commit the
    /// write before anything else.
    pub fn file(&mut self, report: &Report) -> Result<(Vec<Effect>, Write), ModelError> {
        let (hash, effects) = self
            .client
            .change(&self.doc_id, |d| rider_doc::put_report(d, report))?;
        // No hash means the document already held this very report: nothing new to confirm.
        let entry = hash.map(|hash| OutboxEntry {
            report_id: report.id.clone(),
            hash: hash.to_string(),
            created_at: report.created_at as f64,
        });
        if let Some(entry) = &entry {
            self.pending.insert(entry.report_id.clone(), entry.clone());
        }
        let mut write = self.write();
        write.outbox_put.extend(entry);
        Ok((effects, write))
    }

    /// Adds `ask` (a request for a reward, a check-in, a wish) under `id`: one change to the
    /// rider document, kept in the outbox (under `id`) until the relay holds it, as a report is.
    /// Refused while the document lacks the map it goes into (one made before the map existed,
    /// until the server adds it).
    pub fn ask(
        &mut self,
        id: &str,
        ask: &rider_doc::Ask,
    ) -> Result<(Vec<Effect>, Write), ModelError> {
        let (hash, effects) = self
            .client
            .change(&self.doc_id, |d| rider_doc::put_ask(d, id, ask))?;
        let entry = hash.map(|hash| OutboxEntry {
            report_id: id.to_owned(),
            hash: hash.to_string(),
            created_at: ask.at() as f64,
        });
        if let Some(entry) = &entry {
            self.pending.insert(entry.report_id.clone(), entry.clone());
        }
        let mut write = self.write();
        write.outbox_put.extend(entry);
        Ok((effects, write))
    }

    /// Whether redemption requests, check-ins and wishes can be made: the rider document has
    /// the maps they go into.
    pub fn can_redeem(&self) -> bool {
        self.client
            .doc(&self.doc_id)
            .is_some_and(rider_doc::has_maps)
    }

    /// The last check-in at `station` on this document, if any (ms since the epoch).
    pub fn last_checkin(&self, station: &str) -> Option<i64> {
        let doc = self.client.doc(&self.doc_id)?;
        rider_doc::checkins(doc)
            .into_iter()
            .filter(|(_, c)| c.station == station)
            .map(|(_, c)| c.at)
            .max()
    }

    /// The rider's wishes, newest first, with their delivery state.
    pub fn wishes(&self) -> Vec<WishRow> {
        let Some(doc) = self.client.doc(&self.doc_id) else {
            return Vec::new();
        };
        let delivery = self.delivery();
        let mut rows: Vec<WishRow> = rider_doc::wishes(doc)
            .into_iter()
            .map(|(id, wish)| WishRow {
                delivery: delivery(&id),
                id,
                wish,
            })
            .collect();
        rows.sort_by(|a, b| (b.wish.at, &a.id).cmp(&(a.wish.at, &b.id)));
        rows
    }

    /// Where an entry of the outbox (or one not in it) stands, by its id: made once for a
    /// list, so the relay's unconfirmed changes are read once.
    fn delivery(&self) -> impl Fn(&str) -> Delivery + '_ {
        let confirmed = self.confirmed();
        let connected = self.client.is_ready();
        move |id| match self.pending.get(id) {
            None => Delivery::Received,
            Some(e) if confirmed(e) => Delivery::Received,
            Some(_) if connected => Delivery::Sending,
            Some(_) => Delivery::Local,
        }
    }

    /// The rider's redemption requests, oldest first, with their delivery state.
    pub fn requests(&self) -> Vec<RequestRow> {
        let Some(doc) = self.client.doc(&self.doc_id) else {
            return Vec::new();
        };
        let delivery = self.delivery();
        let mut rows: Vec<RequestRow> = rider_doc::redemptions(doc)
            .into_iter()
            .map(|(id, request)| RequestRow {
                delivery: delivery(&id),
                id,
                request,
            })
            .collect();
        rows.sort_by(|a, b| (a.request.at, &a.id).cmp(&(b.request.at, &b.id)));
        rows
    }

    /// Takes note of effects: which documents must be written, whether read-only news came.
    pub fn absorb(&mut self, effects: &[Effect]) -> Absorbed {
        let mut out = Absorbed::default();
        for effect in effects {
            if let Effect::DocChanged(id) | Effect::SyncStateChanged(id) = effect {
                if *id != self.doc_id {
                    self.read_only_dirty.insert(id.clone());
                    out.read_only_changed = true;
                }
                out.persist = true;
            }
        }
        out
    }

    /// The write that brings storage up to date: the rider document's new changes as a chunk
    /// (or a whole snapshot replacing the chunks when due), the sync states, the read-only
    /// documents that changed, and the outbox entries the relay now holds dropped. In memory
    /// the write counts as done; call [`Device::write_failed`] if it was not committed.
    pub fn write(&mut self) -> Write {
        let mut write = Write::default();
        if let Some(doc) = self.client.doc(&self.doc_id) {
            if self.needs_snapshot || self.chunk_keys.len() >= MAX_CHUNKS {
                write.docs.push((self.doc_id.clone(), doc.save()));
                write.chunks_delete = std::mem::take(&mut self.chunk_keys);
                self.needs_snapshot = false;
            } else {
                let chunk = doc.save_after(&self.saved_heads);
                if !chunk.is_empty() {
                    let key = chunk_key(&self.doc_id, self.next_chunk);
                    self.next_chunk += 1;
                    self.chunk_keys.push(key.clone());
                    write.chunks_put.push((key, chunk));
                }
            }
            self.saved_heads = doc.get_heads();
        }
        if let Some(sync) = self.client.sync_state_bytes(&self.doc_id) {
            write.sync.push((self.doc_id.clone(), sync));
        }
        for id in std::mem::take(&mut self.read_only_dirty) {
            if let Some(doc) = self.client.doc(&id) {
                write.docs.push((id.clone(), doc.save()));
            }
            if let Some(sync) = self.client.sync_state_bytes(&id) {
                write.sync.push((id, sync));
            }
        }
        // Offline, nothing new can be confirmed: skip the work on the hot path of filing.
        if self.client.is_ready() && !self.pending.is_empty() {
            let done: Vec<String> = {
                let confirmed = self.confirmed();
                self.pending
                    .values()
                    .filter(|e| confirmed(e))
                    .map(|e| e.report_id.clone())
                    .collect()
            };
            for id in &done {
                self.pending.remove(id);
            }
            write.outbox_delete = done;
        }
        write
    }

    /// The last write was not committed: what it held may be missing from storage, so the
    /// next write is a whole snapshot.
    pub fn write_failed(&mut self) {
        self.needs_snapshot = true;
    }

    /// Whether the relay holds the change of an outbox entry: [`SyncClient::relay_has`], for
    /// many entries at once (one pass over what the relay is not known to hold). An entry whose
    /// hash does not parse, or whose change is not in the document, is never confirmed, so it
    /// is kept.
    fn confirmed(&self) -> impl Fn(&OutboxEntry) -> bool + '_ {
        let doc = self.client.doc(&self.doc_id);
        let unconfirmed = self.client.unconfirmed(&self.doc_id);
        move |e| {
            e.hash.parse::<ChangeHash>().is_ok_and(|h| {
                !unconfirmed.contains(&h)
                    && doc.is_some_and(|d| d.get_change_meta_by_hash(&h).is_some())
            })
        }
    }

    /// Every report of the rider document, newest first, with its delivery state.
    pub fn rows(&self) -> Vec<OutboxRow> {
        let Some(doc) = self.client.doc(&self.doc_id) else {
            return Vec::new();
        };
        let connected = self.client.is_ready();
        let confirmed = self.confirmed();
        rider_doc::valid_shape_reports(doc)
            .into_iter()
            .map(|report| {
                let delivery = match self.pending.get(&report.id) {
                    None => Delivery::Received,
                    Some(e) if confirmed(e) => Delivery::Received,
                    Some(_) if connected => Delivery::Sending,
                    Some(_) => Delivery::Local,
                };
                OutboxRow { report, delivery }
            })
            .collect()
    }

    /// How many reports and requests made here the relay is not known to hold.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The ids of the read-only documents.
    pub fn read_only_ids(&self) -> &[String] {
        &self.read_only
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{FakeRelay, pump, report};

    /// A device of rider u1 whose document arrived once from the relay and was saved.
    fn synced_device() -> (Device, FakeRelay, StoredDoc) {
        let mut relay = FakeRelay::new(rider_doc::new_doc("1", None).unwrap());
        let mut device = Device::open("u1.dev", "d1", StoredDoc::default(), vec![], vec![]);
        let join = device.connected();
        pump(&mut device.client, &mut relay, join);
        assert!(device.ready());
        let write = device.write();
        let stored = apply(StoredDoc::default(), &write, "d1");
        device.disconnected();
        (device, relay, stored)
    }

    /// Storage after `write`, for document `id`.
    fn apply(mut stored: StoredDoc, write: &Write, id: &str) -> StoredDoc {
        if let Some((_, snap)) = write.docs.iter().find(|(d, _)| d == id) {
            stored.snapshot = Some(snap.clone());
        }
        stored
            .chunks
            .retain(|(k, _)| !write.chunks_delete.contains(k));
        stored.chunks.extend(write.chunks_put.iter().cloned());
        if let Some((_, s)) = write.sync.iter().find(|(d, _)| d == id) {
            stored.sync = Some(s.clone());
        }
        stored
    }

    #[test]
    fn a_redemption_request_waits_in_the_outbox_until_the_relay_holds_it() {
        let (mut device, mut relay, _) = synced_device();
        assert!(device.can_redeem());
        let ask = rider_doc::Redemption {
            reward: "5".into(),
            at: 7,
        };
        let (effects, write) = device
            .ask("req-1", &rider_doc::Ask::Redemption(ask))
            .unwrap();
        assert!(effects.is_empty(), "offline: nothing to send");
        assert_eq!(write.outbox_put.len(), 1);
        assert_eq!(write.outbox_put[0].report_id, "req-1");
        let rows = device.requests();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].id.as_str(), rows[0].delivery),
            ("req-1", Delivery::Local)
        );
        assert!(device.rows().is_empty(), "a request is no report");
        // Online again: the relay gets it, and the next write drops the entry.
        let join = device.connected();
        pump(&mut device.client, &mut relay, join);
        assert_eq!(device.requests()[0].delivery, Delivery::Received);
        assert_eq!(device.write().outbox_delete, ["req-1"]);
        assert_eq!(device.pending(), 0);
    }

    #[test]
    fn a_report_filed_offline_is_one_chunk_with_its_outbox_entry_and_shows_local() {
        let (mut device, _, _) = synced_device();
        let r = report("消防通道堵塞");
        let (effects, write) = device.file(&r).unwrap();
        assert!(effects.is_empty(), "offline: nothing to send");
        assert!(write.docs.is_empty(), "no snapshot for one report");
        assert_eq!(write.chunks_put.len(), 1);
        assert_eq!(write.chunks_put[0].0, chunk_key("d1", 1));
        assert_eq!(write.outbox_put.len(), 1);
        assert_eq!(write.outbox_put[0].report_id, r.id);
        assert!(write.outbox_delete.is_empty());
        let rows = device.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].delivery, Delivery::Local);
        assert_eq!(device.pending(), 1);
        // The same report again is no change, and no second entry.
        let (_, again) = device.file(&r).unwrap();
        assert!(again.outbox_put.is_empty() && again.chunks_put.is_empty());
    }

    #[test]
    fn every_32_chunks_and_after_a_failed_write_a_snapshot_replaces_the_chunks() {
        let (mut device, _, _) = synced_device();
        let mut chunks = 1; // the first write after the sync
        for i in 0..40 {
            let (_, write) = device.file(&report(&format!("r{i}"))).unwrap();
            if chunks >= MAX_CHUNKS {
                assert_eq!(write.docs.len(), 1, "report {i}: a snapshot is due");
                assert_eq!(write.chunks_delete.len(), MAX_CHUNKS);
                assert!(write.chunks_put.is_empty());
                chunks = 0;
            } else {
                assert!(write.docs.is_empty(), "report {i}");
                assert_eq!(write.chunks_put.len(), 1);
                chunks += 1;
            }
        }
        device.write_failed();
        let (_, write) = device.file(&report("after a failure")).unwrap();
        assert_eq!(
            write.docs.len(),
            1,
            "a failed write makes the next a snapshot"
        );
    }

    #[test]
    fn storage_gives_back_the_same_document_outbox_and_states() {
        let (mut device, _, stored) = synced_device();
        let r = report("重启后仍在");
        let (_, write) = device.file(&r).unwrap();
        let stored = apply(stored, &write, "d1");
        let reopened = Device::open("u1.dev", "d1", stored, vec![], write.outbox_put.clone());
        assert_eq!(reopened.rows(), device.rows());
        assert_eq!(reopened.pending(), 1);
        let mut reopened = reopened;
        assert!(reopened.take_load_problems().is_empty());
        // The next chunk continues the numbering.
        let (_, next) = reopened.file(&report("next")).unwrap();
        assert_eq!(next.chunks_put[0].0, chunk_key("d1", 2));
    }

    #[test]
    fn the_relay_confirms_a_report_and_the_same_write_drops_its_entry() {
        let (mut device, mut relay, _) = synced_device();
        let r = report("联网后送达");
        device.file(&r).unwrap();
        let join = device.connected();
        assert_eq!(device.rows()[0].delivery, Delivery::Local, "not joined yet");
        pump(&mut device.client, &mut relay, join);
        assert!(relay.doc.get_heads() == device.client().doc("d1").unwrap().get_heads());
        assert_eq!(device.rows()[0].delivery, Delivery::Received);
        let write = device.write();
        assert_eq!(write.outbox_delete, vec![r.id.clone()]);
        assert!(
            write.sync.iter().any(|(id, _)| id == "d1"),
            "with the proof"
        );
        assert_eq!(device.pending(), 0);
    }

    #[test]
    fn a_report_from_another_device_is_received_and_an_unreadable_entry_is_kept() {
        let (mut device, mut relay, _) = synced_device();
        // Another device of the rider filed a report the relay holds.
        let other = report("另一部手机");
        rider_doc::put_report(&mut relay.doc, &other).unwrap();
        let bad = OutboxEntry {
            report_id: "x".into(),
            hash: "not a hash".into(),
            created_at: 0.0,
        };
        device.pending.insert(bad.report_id.clone(), bad);
        let join = device.connected();
        pump(&mut device.client, &mut relay, join);
        let rows = device.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].report.id, other.id);
        assert_eq!(rows[0].delivery, Delivery::Received);
        assert!(device.write().outbox_delete.is_empty());
        assert_eq!(device.pending(), 1, "never confirmed, never dropped");
    }

    #[test]
    fn a_damaged_snapshot_is_replaced_and_said() {
        let stored = StoredDoc {
            snapshot: Some(vec![1, 2, 3]),
            chunks: vec![(chunk_key("d1", 0), vec![9])],
            sync: None,
        };
        let mut device = Device::open("u1.dev", "d1", stored, vec![], vec![]);
        assert!(!device.ready());
        assert_eq!(device.take_load_problems().len(), 2);
        assert!(device.take_load_problems().is_empty());
    }

    #[test]
    fn read_only_news_is_written_and_said() {
        let mut device = Device::open(
            "u1.dev",
            "d1",
            StoredDoc::default(),
            vec![("office".into(), StoredDoc::default())],
            vec![],
        );
        let absorbed = device.absorb(&[Effect::DocChanged("office".into())]);
        assert_eq!(
            absorbed,
            Absorbed {
                persist: true,
                read_only_changed: true
            }
        );
        let write = device.write();
        assert!(write.docs.iter().any(|(id, _)| id == "office"));
        assert!(
            device.write().docs.iter().all(|(id, _)| id != "office"),
            "once"
        );
        assert_eq!(device.read_only_ids(), ["office".to_owned()]);
    }
}
