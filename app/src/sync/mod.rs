//! The sync engine of a logged-in rider: drives [`model::client::SyncClient`] from a WebSocket,
//! keeps its document and sync state in IndexedDB, and publishes the outbox to the UI.
//!
//! When it connects: at start, on the `online` event, when the page becomes visible, and on a
//! backoff timer (1 s doubling to 30 s, reset once the relay has answered the join). `online` only
//! restarts the timer at 1 s: the first attempt after it often fails (the service worker or the
//! radio may still be offline), and the timer keeps trying.
//!
//! What it persists: the document (as chunks of the changes since the last write, folded into a
//! snapshot every [`MAX_CHUNKS`]) and its sync state, together and in one transaction, whenever
//! either moves; an outbox entry is dropped in the same transaction as the sync state
//! that proves the relay holds its change. So after a reload the outbox states are the same.

pub mod backoff;
mod link;
pub mod outbox;
pub mod peer;
pub mod photos;

use std::{
    cell::{Cell, RefCell},
    collections::BTreeMap,
    rc::{Rc, Weak},
    time::Duration,
};

use automerge::{Automerge, ChangeHash};
use leptos::prelude::*;
use model::{Report, client::Effect, client::SyncClient, rider_doc};

use crate::{
    error::AppError,
    net::{me::Me, socket::Socket},
    state::{Session, SyncView},
    store::{Batch, META_PEER_ID, OutboxEntry, PhotoEntry, Store, chunk_key},
};
use backoff::Backoff;

/// How many incremental chunks may pile up before the next write folds them into a snapshot.
const MAX_CHUNKS: usize = 32;

/// How long incoming changes may wait before they are written, so a burst of frames costs one
/// snapshot rather than one per frame.
const PERSIST_DELAY: Duration = Duration::from_millis(150);

/// The running sync of one rider document.
pub struct Engine {
    doc_id: String,
    peer_id: String,
    store: Store,
    view: SyncView,
    session: Session,
    me_weak: RefCell<Weak<Engine>>,
    client: RefCell<SyncClient>,
    /// Reports filed here and not yet confirmed, by report id.
    pending: RefCell<BTreeMap<String, OutboxEntry>>,
    socket: RefCell<Option<Socket>>,
    /// Bumped for every socket, so events of a replaced socket are ignored.
    generation: Cell<u32>,
    backoff: RefCell<Backoff>,
    retry: RefCell<Option<TimeoutHandle>>,
    persist_scheduled: Cell<bool>,
    /// Writes started and not yet committed.
    writes_in_flight: Cell<u32>,
    /// The document's heads as last handed to the store: the next write saves only what
    /// follows them, as a chunk, so filing a report costs a few hundred bytes, not a snapshot.
    saved_heads: RefCell<Vec<ChangeHash>>,
    /// Keys of the chunks stored after the snapshot.
    chunk_keys: RefCell<Vec<String>>,
    next_chunk: Cell<u64>,
    /// Set when the next write must be a full snapshot (too many chunks, or a failed write).
    needs_snapshot: Cell<bool>,
    listeners: RefCell<Vec<WindowListenerHandle>>,
    stopped: Cell<bool>,
    /// The photo queue, which follows the outbox.
    uploader: Rc<photos::Uploader>,
    /// The read-only documents kept in sync alongside: the office and stations documents.
    office_id: Option<String>,
    stations_id: Option<String>,
    /// Read-only documents changed since they were last written to the device.
    extra_dirty: RefCell<std::collections::BTreeSet<String>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("doc_id", &self.doc_id)
            .field("peer_id", &self.peer_id)
            .finish()
    }
}

impl Engine {
    /// Loads the rider's document, sync state and outbox from the device and starts syncing.
    pub async fn start(
        me: &Me,
        doc_id: String,
        store: Store,
        view: SyncView,
        session: Session,
    ) -> Result<Rc<Self>, AppError> {
        // The read-only documents are small: each is kept as one snapshot.
        let office_id = me.docs.office.clone();
        let stations_id = me.docs.stations.clone();
        let ids: Vec<&str> = std::iter::once(doc_id.as_str())
            .chain(office_id.as_deref())
            .chain(stations_id.as_deref())
            .collect();
        let mut read = store.start_up(&ids, META_PEER_ID).await?;
        crate::time::mark_once("nx-doc-read");
        let peer_id = peer::peer_id(&store, Some(read.meta.take()), me.user.id).await?;
        let mut docs = read.docs.into_iter();
        let stored = docs.next().unwrap_or_default();
        // A snapshot that no longer loads is replaced by what the relay has; the outbox entries
        // stay, so nothing the rider filed is hidden.
        let mut doc = stored
            .snapshot
            .as_deref()
            .and_then(|b| Automerge::load(b).ok())
            .unwrap_or_else(Automerge::new);
        for (_, chunk) in &stored.chunks {
            if let Err(e) = doc.load_incremental(chunk) {
                leptos::logging::warn!("sync: a stored chunk does not load: {e}");
            }
        }
        crate::time::mark_once("nx-doc-parsed");
        let saved_heads = doc.get_heads();
        let chunk_keys: Vec<String> = stored.chunks.iter().map(|(k, _)| k.clone()).collect();
        let next_chunk = chunk_keys
            .last()
            .and_then(|k| k.rsplit('/').next())
            .and_then(|n| n.parse::<u64>().ok())
            .map_or(0, |n| n + 1);
        let needs_snapshot = chunk_keys.len() >= MAX_CHUNKS;
        let mut client = SyncClient::new(peer_id.clone());
        client.add_doc(doc_id.clone(), doc, stored.sync.as_deref());
        for (id, stored) in office_id.iter().chain(stations_id.iter()).zip(docs) {
            let doc = stored
                .snapshot
                .as_deref()
                .and_then(|b| Automerge::load(b).ok())
                .unwrap_or_else(Automerge::new);
            client.add_doc(id.clone(), doc, stored.sync.as_deref());
        }
        let pending = read
            .outbox
            .into_iter()
            .map(|e| (e.report_id.clone(), e))
            .collect();

        crate::time::mark_once("nx-reads-done");
        let store_for_photos = store.clone();
        let engine = Rc::new(Engine {
            doc_id,
            peer_id,
            store,
            view,
            session,
            me_weak: RefCell::new(Weak::new()),
            client: RefCell::new(client),
            pending: RefCell::new(pending),
            socket: RefCell::new(None),
            generation: Cell::new(0),
            backoff: RefCell::new(Backoff::new()),
            retry: RefCell::new(None),
            persist_scheduled: Cell::new(false),
            writes_in_flight: Cell::new(0),
            saved_heads: RefCell::new(saved_heads),
            chunk_keys: RefCell::new(chunk_keys),
            next_chunk: Cell::new(next_chunk),
            needs_snapshot: Cell::new(needs_snapshot),
            listeners: RefCell::new(Vec::new()),
            stopped: Cell::new(false),
            uploader: photos::Uploader::start(store_for_photos, view, session),
            office_id,
            stations_id,
            extra_dirty: RefCell::new(std::collections::BTreeSet::new()),
        });
        *engine.me_weak.borrow_mut() = Rc::downgrade(&engine);
        engine.publish_read_only();
        engine.listen();
        engine.refresh();
        engine.connect();
        Ok(engine)
    }

    /// The rider document's id.
    pub fn doc_id(&self) -> &str {
        &self.doc_id
    }

    /// Stops syncing: closes the socket, cancels timers, removes listeners.
    pub fn stop(&self) {
        self.stopped.set(true);
        self.cancel_retry();
        self.socket.borrow_mut().take();
        for l in self.listeners.borrow_mut().drain(..) {
            l.remove();
        }
        self.client.borrow_mut().disconnected();
        self.view.connected.set(false);
        self.uploader.stop();
    }

    /// Files a report: one change to the document, then the snapshot, sync state and outbox
    /// entry in one committed transaction. Returns once the phone has it; the relay gets it now
    /// if connected, else on the next connection. The result is when the transaction committed,
    /// on the page's monotonic clock ([`crate::time::perf_now`]).
    ///
    /// `photos` (the report's, prepared and named by hash) are stored in the same transaction;
    /// the photo queue uploads them once the relay holds the report.
    pub async fn file(&self, report: Report, photos: Vec<PhotoEntry>) -> Result<f64, AppError> {
        let generation = self.generation.get();
        let (hash, effects) = self
            .client
            .borrow_mut()
            .change(&self.doc_id, |d| rider_doc::put_report(d, &report))?;
        // No hash means the document already held this very report: nothing new to confirm.
        let entry = hash.map(|hash| OutboxEntry {
            report_id: report.id.clone(),
            hash: hash.to_string(),
            created_at: report.created_at as f64,
        });
        if let Some(entry) = &entry {
            self.pending
                .borrow_mut()
                .insert(entry.report_id.clone(), entry.clone());
        }
        let mut batch = self.snapshot_batch();
        batch.outbox_put.extend(entry);
        batch.photos_put.extend(photos);
        // Commit first, then redraw: the report is safe on the phone before any UI work runs.
        let saved = self.write(batch).await;
        let committed_at = crate::time::perf_now();
        self.refresh();
        // The change is made for this connection's sync session; a newer socket has its own.
        if generation == self.generation.get() {
            self.apply(effects);
        }
        saved.map(|()| committed_at)
    }

    fn apply(&self, effects: Vec<Effect>) {
        let mut dirty = false;
        let mut read_only_changed = false;
        for effect in effects {
            match effect {
                Effect::Send(bytes) => {
                    if let Some(socket) = self.socket.borrow().as_ref() {
                        socket.send(&bytes);
                    }
                }
                Effect::Ready(_) => self.backoff.borrow_mut().reset(),
                Effect::DocChanged(id) | Effect::SyncStateChanged(id) => {
                    if id != self.doc_id {
                        self.extra_dirty.borrow_mut().insert(id);
                        read_only_changed = true;
                    }
                    dirty = true;
                }
                Effect::Unavailable(id) => {
                    leptos::logging::warn!("sync: the relay does not offer document {id}");
                }
                Effect::RelayError(message) => {
                    leptos::logging::warn!("sync: relay error: {message}")
                }
            }
        }
        if read_only_changed {
            self.publish_read_only();
        }
        if dirty {
            self.schedule_persist();
        }
        self.refresh();
    }

    /// Publishes what the read-only documents hold: decisions on reports, and stations.
    fn publish_read_only(&self) {
        let client = self.client.borrow();
        if let Some(doc) = self.office_id.as_deref().and_then(|id| client.doc(id))
            && !doc.get_heads().is_empty()
        {
            let reviews = model::office_doc::reviews(doc).unwrap_or_default();
            self.view.reviews.set(reviews.into_iter().collect());
        }
        if let Some(doc) = self.stations_id.as_deref().and_then(|id| client.doc(id))
            && !doc.get_heads().is_empty()
        {
            let stations = model::stations_doc::stations(doc).unwrap_or_default();
            self.view.stations.set(Some(stations));
        }
    }

    /// Publishes the outbox and connection state to the UI.
    fn refresh(&self) {
        let client = self.client.borrow();
        let rows = outbox::rows(&client, &self.doc_id, &self.pending.borrow());
        let ready = client
            .doc(&self.doc_id)
            .is_some_and(|d| rider_doc::header(d).is_ok());
        let connected = client.is_ready();
        drop(client);
        // The photo queue reads the device again when woken: wake it only when a report was
        // filed or reached the relay, or the connection came back, not on every frame.
        let rows_changed = self.view.rows.with_untracked(|old| *old != rows);
        let reconnected = connected && !self.view.connected.get_untracked();
        if rows_changed {
            self.view.rows.set(rows);
        }
        if ready {
            crate::time::mark_once("nx-doc-loaded");
        }
        self.view.doc_ready.set(ready);
        self.view.connected.set(connected);
        if rows_changed || reconnected {
            self.uploader.kick();
        }
    }

    /// A batch with the current snapshot and sync state, dropping outbox entries the relay
    /// now holds (in memory at once, on the device with the same write).
    fn snapshot_batch(&self) -> Batch {
        let client = self.client.borrow();
        let mut batch = Batch::default();
        if let Some(doc) = client.doc(&self.doc_id) {
            let mut keys = self.chunk_keys.borrow_mut();
            if self.needs_snapshot.get() || keys.len() >= MAX_CHUNKS {
                batch.docs.push((self.doc_id.clone(), doc.save()));
                batch.chunks_delete = std::mem::take(&mut *keys);
                self.needs_snapshot.set(false);
            } else {
                let chunk = doc.save_after(&self.saved_heads.borrow());
                if !chunk.is_empty() {
                    let key = chunk_key(&self.doc_id, self.next_chunk.get());
                    self.next_chunk.set(self.next_chunk.get() + 1);
                    keys.push(key.clone());
                    batch.chunks_put.push((key, chunk));
                }
            }
            *self.saved_heads.borrow_mut() = doc.get_heads();
        }
        if let Some(sync) = client.sync_state_bytes(&self.doc_id) {
            batch.sync.push((self.doc_id.clone(), sync));
        }
        for id in std::mem::take(&mut *self.extra_dirty.borrow_mut()) {
            if let Some(doc) = client.doc(&id) {
                batch.docs.push((id.clone(), doc.save()));
            }
            if let Some(sync) = client.sync_state_bytes(&id) {
                batch.sync.push((id, sync));
            }
        }
        let mut pending = self.pending.borrow_mut();
        // Offline, nothing new can be confirmed: skip the work on the hot path of filing.
        let done: Vec<String> = match client.doc(&self.doc_id) {
            Some(doc) if client.is_ready() && !pending.is_empty() => {
                let unconfirmed = client.unconfirmed(&self.doc_id);
                pending
                    .values()
                    .filter(|e| outbox::confirmed_in(doc, &unconfirmed, e))
                    .map(|e| e.report_id.clone())
                    .collect()
            }
            _ => Vec::new(),
        };
        for id in &done {
            pending.remove(id);
        }
        batch.outbox_delete = done;
        batch
    }

    /// Writes a batch, keeping [`SyncView::unsaved`] true until it is committed.
    async fn write(&self, batch: Batch) -> Result<(), AppError> {
        self.writes_in_flight.set(self.writes_in_flight.get() + 1);
        self.view.unsaved.set(true);
        let result = self.store.write(batch).await;
        if result.is_err() {
            // What this batch held may be missing from the device: rewrite it all next time.
            self.needs_snapshot.set(true);
        }
        self.writes_in_flight.set(self.writes_in_flight.get() - 1);
        self.update_unsaved();
        result
    }

    fn update_unsaved(&self) {
        self.view
            .unsaved
            .set(self.persist_scheduled.get() || self.writes_in_flight.get() > 0);
    }

    fn schedule_persist(&self) {
        if self.persist_scheduled.replace(true) {
            return;
        }
        self.view.unsaved.set(true);
        let weak = self.me_weak.borrow().clone();
        set_timeout(
            move || {
                let Some(engine) = weak.upgrade() else { return };
                engine.persist_scheduled.set(false);
                let batch = engine.snapshot_batch();
                leptos::task::spawn_local(async move {
                    if let Err(e) = engine.write(batch).await {
                        leptos::logging::warn!("sync: cannot save the document: {e}");
                    }
                });
            },
            PERSIST_DELAY,
        );
    }
}
