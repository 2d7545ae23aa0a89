//! The automerge-repo relay: the documents in use, each a [`model::relay::DocRelay`] behind its
//! own lock, stored as chunks in SQL; the share policy; and the WebSocket pump.
//!
//! Work is per document. A frame locks only the document it is about, so riders' documents are
//! synced in parallel on every core, and what one frame costs does not depend on how many
//! riders are connected or registered. A document is in memory while a connection syncs it
//! (or a task reads it), and dropped when the last one lets go.

mod acl;
mod pump;
mod store;

pub use acl::{Acl, DocAccess};
pub use pump::{Limits, serve_socket};
pub use store::StoreStats;

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use automerge::Automerge;
use model::relay::{ConnId, DocRelay};
use tokio::sync::mpsc;

use crate::db::Db;

/// Every this many chunks, a document's chunks are folded into one snapshot, in the background.
const COMPACT_EVERY: usize = 32;

/// Frames for one connection, in order.
pub type Outbox = mpsc::UnboundedSender<Vec<u8>>;

/// The relay; cheap to clone.
#[derive(Clone)]
pub struct Relay {
    inner: Arc<Inner>,
}

struct Inner {
    peer_id: String,
    storage_id: String,
    db: Db,
    acl: Acl,
    stats: StoreStats,
    docs: Mutex<HashMap<String, Arc<Slot>>>,
    next_conn: AtomicU64,
    /// Rider documents with newly stored changes, for the indexer.
    changed: mpsc::UnboundedSender<Pinned>,
}

/// A document kept in memory until this is dropped, even when no connection syncs it: the
/// relay hands the indexer one for each document whose changes it stored, so a rider who
/// files a report and goes offline at once does not make the indexer load the document again.
pub struct Pinned {
    relay: Relay,
    slot: Option<Arc<Slot>>,
}

impl Pinned {
    /// The document's id.
    pub fn id(&self) -> &str {
        self.slot.as_ref().map_or("", |s| &s.id)
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.relay.release(slot);
        }
    }
}

/// One document's place in memory.
pub(crate) struct Slot {
    id: String,
    state: tokio::sync::Mutex<SlotState>,
}

pub(crate) enum SlotState {
    /// Not read from the store yet (or dropped after a failed write).
    Unloaded,
    /// The store has no such document.
    Missing,
    Loaded(Box<Loaded>),
}

/// A document in memory, with what the relay knows of its stored form.
pub(crate) struct Loaded {
    pub(crate) relay: DocRelay,
    /// The connections syncing it, for the frames its changes cause.
    pub(crate) conns: HashMap<ConnId, Outbox>,
    /// Its chunks in the store, with their sizes.
    chunks: Vec<(String, usize)>,
    /// The document's unindexed mark as of its last write (0: none known).
    seq: i64,
    compacting: bool,
}

impl Loaded {
    /// The bytes the document takes in the store.
    pub(crate) fn stored_bytes(&self) -> usize {
        self.chunks.iter().map(|(_, n)| n).sum()
    }

    /// Sends every frame the document's connections need now.
    pub(crate) fn flush(&mut self) {
        for (conn, frame) in self.relay.outgoing() {
            if let Some(tx) = self.conns.get(&conn) {
                // A connection that is gone drops its frames; it leaves right after.
                let _ = tx.send(frame);
            }
        }
    }
}

/// What a reader of a stored document sees.
#[derive(Debug)]
pub struct DocRead<R> {
    /// The reader's result.
    pub value: R,
    /// The document's unindexed mark when it was read.
    pub seq: i64,
}

impl Relay {
    /// A relay over `db` enforcing `acl`, counting its writes in `stats`. The receiver gets the
    /// id of every rider document whose changes were stored.
    pub async fn start(
        db: Db,
        acl: Acl,
        stats: StoreStats,
    ) -> anyhow::Result<(Self, mpsc::UnboundedReceiver<Pinned>)> {
        let node = uuid::Uuid::new_v4().simple().to_string();
        let storage_id = store::storage_id(&db).await?;
        let (changed, rx) = mpsc::unbounded_channel();
        let relay = Self {
            inner: Arc::new(Inner {
                peer_id: format!("relay-{}", &node[..12]),
                storage_id,
                db,
                acl,
                stats,
                docs: Mutex::default(),
                next_conn: AtomicU64::new(1),
                changed,
            }),
        };
        Ok((relay, rx))
    }

    /// The relay's peer id, new on every start.
    pub fn peer_id(&self) -> &str {
        &self.inner.peer_id
    }

    /// The id of the relay's document store, the same across restarts: automerge-repo clients
    /// key what they know the relay holds by it.
    pub fn storage_id(&self) -> &str {
        &self.inner.storage_id
    }

    /// The share table.
    pub fn acl(&self) -> &Acl {
        &self.inner.acl
    }

    pub(crate) fn next_conn(&self) -> ConnId {
        self.inner.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Stores a new document under a new id and returns the id. The chunk is written before
    /// this returns, so any part of the server may load it at once.
    pub async fn create(&self, doc: Automerge) -> anyhow::Result<String> {
        let id = store::new_doc_id();
        let data = doc.save();
        let key = store::chunk_key(&id, "snapshot", &data);
        store::with_retry("create", || self.inner.db.chunk_replace(&key, &data, &[]))
            .await
            .ok_or_else(|| anyhow::anyhow!("could not store document {id}"))?;
        self.inner.stats.count(data.len());
        Ok(id)
    }

    /// Takes a handle to document `id`, loaded or not; give it back with [`Relay::release`].
    pub(crate) fn acquire(&self, id: &str) -> Arc<Slot> {
        let mut docs = self.inner.docs.lock().unwrap_or_else(|e| e.into_inner());
        docs.entry(id.to_owned())
            .or_insert_with(|| {
                Arc::new(Slot {
                    id: id.to_owned(),
                    state: tokio::sync::Mutex::new(SlotState::Unloaded),
                })
            })
            .clone()
    }

    /// Gives back a handle: the document leaves memory when nobody else holds it.
    pub(crate) fn release(&self, slot: Arc<Slot>) {
        let mut docs = self.inner.docs.lock().unwrap_or_else(|e| e.into_inner());
        // The map's handle and this one: nobody else can reach the slot while the map is locked.
        let last = Arc::strong_count(&slot) == 2;
        let id = slot.id.clone();
        // Let go while the map is locked, so that of two handles given back at once, the
        // second sees itself as the last.
        drop(slot);
        if last {
            docs.remove(&id);
        }
    }

    /// Keeps document `id` in memory until the answer is dropped.
    pub fn pin(&self, id: &str) -> Pinned {
        Pinned {
            relay: self.clone(),
            slot: Some(self.acquire(id)),
        }
    }

    /// Loads document `id` (if the store has it) and keeps it in memory until the answer is
    /// dropped: a caller about to change it can have it loaded while it does other work.
    pub async fn preload(&self, id: &str) -> anyhow::Result<Pinned> {
        let pinned = self.pin(id);
        if let Some(slot) = &pinned.slot {
            self.lock(slot).await?;
        }
        Ok(pinned)
    }

    /// Locks a slot with its document loaded; `Ok(None)` when the store has no such document.
    pub(crate) async fn lock<'a>(
        &self,
        slot: &'a Slot,
    ) -> anyhow::Result<Option<tokio::sync::MutexGuard<'a, SlotState>>> {
        let mut state = slot.state.lock().await;
        if matches!(*state, SlotState::Unloaded) {
            *state = self.load(&slot.id).await?;
        }
        Ok(match *state {
            SlotState::Loaded(_) => Some(state),
            _ => None,
        })
    }

    async fn load(&self, id: &str) -> anyhow::Result<SlotState> {
        let db = &self.inner.db;
        let chunks = store::with_retry("load", || db.chunk_range(id))
            .await
            .ok_or_else(|| anyhow::anyhow!("could not read document {id}"))?;
        let mut parts: Vec<(String, Vec<u8>)> = chunks
            .into_iter()
            .filter(|(k, _)| {
                let kind = k.split('/').nth(1);
                matches!(kind, Some("snapshot" | "incremental"))
            })
            .collect();
        if parts.is_empty() {
            return Ok(SlotState::Missing);
        }
        // Snapshots first, then the changes after them; Automerge orders changes by their
        // dependencies either way.
        parts.sort_by_key(|(k, _)| (!k.contains("/snapshot/"), k.clone()));
        let bytes: Vec<u8> = parts.iter().flat_map(|(_, d)| d.iter().copied()).collect();
        let doc = Automerge::load(&bytes)
            .map_err(|e| anyhow::anyhow!("document {id} does not load: {e}"))?;
        let seq = store::with_retry("mark read", || db.doc_unindexed_seq(id))
            .await
            .ok_or_else(|| anyhow::anyhow!("could not read the mark of {id}"))?;
        Ok(SlotState::Loaded(Box::new(Loaded {
            relay: DocRelay::new(id, self.peer_id(), doc),
            conns: HashMap::new(),
            chunks: parts.into_iter().map(|(k, d)| (k, d.len())).collect(),
            seq,
            compacting: false,
        })))
    }

    /// Stores the changes of a loaded document not yet stored, as one chunk. On failure the
    /// document is dropped from memory (the next use reloads what the store holds), so nothing
    /// unstored is ever acknowledged.
    pub(crate) async fn persist(
        &self,
        slot: &Arc<Slot>,
        state: &mut SlotState,
    ) -> anyhow::Result<()> {
        let SlotState::Loaded(l) = state else {
            return Ok(());
        };
        let Some((chunk, heads)) = l.relay.unsaved() else {
            return Ok(());
        };
        let key = store::chunk_key(&slot.id, "incremental", &chunk);
        let db = &self.inner.db;
        let Some(seq) = store::with_retry("write", || db.chunk_put(&slot.id, &key, &chunk)).await
        else {
            *state = SlotState::Unloaded;
            anyhow::bail!("could not store the changes of {}", slot.id);
        };
        self.inner.stats.count(chunk.len());
        l.relay.saved(heads);
        l.chunks.push((key, chunk.len()));
        l.seq = seq;
        self.to_indexer(slot);
        if l.chunks.len() >= COMPACT_EVERY && !l.compacting {
            l.compacting = true;
            let relay = self.clone();
            let slot = slot.clone();
            tokio::spawn(async move { relay.compact(slot).await });
        }
        Ok(())
    }

    /// Hands a rider document whose stored content changed to the indexer (kept in memory
    /// until it is read).
    fn to_indexer(&self, slot: &Arc<Slot>) {
        if matches!(
            self.inner.acl.access(&slot.id),
            Some(DocAccess::Rider { .. })
        ) {
            let _ = self.inner.changed.send(Pinned {
                relay: self.clone(),
                slot: Some(slot.clone()),
            });
        }
    }

    /// Folds a document's chunks into one snapshot: saved under the lock, written outside it.
    async fn compact(&self, slot: Arc<Slot>) {
        let taken = {
            let mut state = slot.state.lock().await;
            match &mut *state {
                SlotState::Loaded(l) => {
                    let (data, _) = l.relay.snapshot();
                    let keys: Vec<String> = l.chunks.iter().map(|(k, _)| k.clone()).collect();
                    Some((data, keys))
                }
                _ => None,
            }
        };
        let mut done = None;
        if let Some((data, keys)) = taken {
            let key = store::chunk_key(&slot.id, "snapshot", &data);
            let db = &self.inner.db;
            if store::with_retry("compact", || db.chunk_replace(&key, &data, &keys))
                .await
                .is_some()
            {
                self.inner.stats.count(data.len());
                done = Some((key, data.len(), keys));
            }
        }
        {
            let mut state = slot.state.lock().await;
            if let SlotState::Loaded(l) = &mut *state {
                l.compacting = false;
                if let Some((key, size, folded)) = done {
                    l.chunks.retain(|(k, _)| !folded.contains(k));
                    l.chunks.insert(0, (key, size));
                }
            }
        }
        self.release(slot);
    }

    /// Reads document `id` as stored; `Ok(None)` when there is no such document.
    pub async fn read<R>(
        &self,
        id: &str,
        f: impl FnOnce(&Automerge) -> R,
    ) -> anyhow::Result<Option<DocRead<R>>> {
        self.read_pinned(&self.pin(id), f).await
    }

    /// Reads a pinned document as stored; `Ok(None)` when there is no such document.
    pub async fn read_pinned<R>(
        &self,
        pin: &Pinned,
        f: impl FnOnce(&Automerge) -> R,
    ) -> anyhow::Result<Option<DocRead<R>>> {
        let Some(slot) = &pin.slot else {
            return Ok(None);
        };
        match self.lock(slot).await {
            Ok(Some(state)) => match &*state {
                SlotState::Loaded(l) => Ok(Some(DocRead {
                    value: f(l.relay.doc()),
                    seq: l.seq,
                })),
                _ => Ok(None),
            },
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Changes document `id` on the server's behalf (a document it writes, such as an office
    /// document), stores the change and sends it to the connections syncing it. `Ok(None)`
    /// when there is no such document.
    pub async fn change<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Automerge) -> Result<R, model::ModelError>,
    ) -> anyhow::Result<Option<R>> {
        let slot = self.acquire(id);
        let out = self.change_in(&slot, f).await;
        self.release(slot);
        out
    }

    async fn change_in<R>(
        &self,
        slot: &Arc<Slot>,
        f: impl FnOnce(&mut Automerge) -> Result<R, model::ModelError>,
    ) -> anyhow::Result<Option<R>> {
        let Some(mut state) = self.lock(slot).await? else {
            return Ok(None);
        };
        let SlotState::Loaded(l) = &mut *state else {
            return Ok(None);
        };
        let r = l.relay.change(f)?;
        self.persist(slot, &mut state).await?;
        if let SlotState::Loaded(l) = &mut *state {
            l.flush();
        }
        Ok(Some(r))
    }

    /// Waits for background work (compactions) to finish.
    pub async fn stop(&self) {
        for _ in 0..200 {
            let busy = {
                let docs = self.inner.docs.lock().unwrap_or_else(|e| e.into_inner());
                docs.values().any(|s| {
                    s.state
                        .try_lock()
                        .map(|st| matches!(&*st, SlotState::Loaded(l) if l.compacting))
                        .unwrap_or(true)
                })
            };
            if !busy {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// Merges what another node stored of document `id`, if this node holds it in memory: the
    /// chunks it lacks are read and merged, the changes go to its connections, and a rider
    /// document goes to the indexer.
    pub async fn merge_stored(&self, id: &str) -> anyhow::Result<()> {
        let slot = {
            let docs = self.inner.docs.lock().unwrap_or_else(|e| e.into_inner());
            docs.get(id).cloned()
        };
        let Some(slot) = slot else {
            return Ok(());
        };
        let out = self.merge_in(&slot).await;
        self.release(slot);
        out
    }

    async fn merge_in(&self, slot: &Arc<Slot>) -> anyhow::Result<()> {
        let mut state = slot.state.lock().await;
        let l = match &mut *state {
            SlotState::Loaded(l) => l,
            // Made by another node since it was looked for: read at the next use.
            SlotState::Missing => {
                *state = SlotState::Unloaded;
                return Ok(());
            }
            SlotState::Unloaded => return Ok(()),
        };
        // The keys first: a notification usually names a chunk or two of a document that may
        // hold hundreds, and only the new ones are read.
        let db = &self.inner.db;
        let have: std::collections::HashSet<String> =
            l.chunks.iter().map(|(k, _)| k.clone()).collect();
        let mut new = Vec::new();
        for attempt in 1..=3 {
            let keys = store::with_retry("merge", || db.chunk_keys(&slot.id))
                .await
                .ok_or_else(|| anyhow::anyhow!("could not read document {}", slot.id))?;
            let wanted: Vec<String> = keys
                .into_iter()
                .filter(|k| {
                    matches!(k.split('/').nth(1), Some("snapshot" | "incremental"))
                        && !have.contains(k)
                })
                .collect();
            if wanted.is_empty() {
                return Ok(());
            }
            new = store::with_retry("merge", || db.chunks_get(&wanted))
                .await
                .ok_or_else(|| anyhow::anyhow!("could not read document {}", slot.id))?;
            // All there, or some compacted into a snapshot between the two reads: the keys
            // again, to find it.
            if new.len() == wanted.len() {
                break;
            }
            if attempt == 3 {
                tracing::warn!(
                    doc = slot.id,
                    "chunks kept vanishing while merged; the rest at the next notification"
                );
            }
        }
        // Snapshots first; Automerge orders the changes by their dependencies either way.
        new.sort_by_key(|(k, _)| (!k.contains("/snapshot/"), k.clone()));
        let mut changed = false;
        let mut failed = None;
        for (key, data) in new {
            match l.relay.merge_stored(&data) {
                Ok(c) => changed |= c,
                // What merged so far still goes out; the chunk is tried again next time.
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
            l.chunks.push((key, data.len()));
        }
        if changed {
            l.flush();
            self.to_indexer(slot);
        }
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// Merges what other nodes stored of every document in memory (after notifications may
    /// have been missed).
    pub async fn merge_all_stored(&self) {
        let ids: Vec<String> = {
            let docs = self.inner.docs.lock().unwrap_or_else(|e| e.into_inner());
            docs.keys().cloned().collect()
        };
        for id in ids {
            if let Err(e) = self.merge_stored(&id).await {
                tracing::warn!(doc = id, error = %e, "cannot merge another node's changes");
            }
        }
    }

    /// How many documents are in memory.
    pub fn open_documents(&self) -> usize {
        let docs = self.inner.docs.lock().unwrap_or_else(|e| e.into_inner());
        docs.len()
    }

    /// Queues document `id` for the indexer again.
    pub fn mark_changed(&self, id: &str) {
        let _ = self.inner.changed.send(self.pin(id));
    }
}
