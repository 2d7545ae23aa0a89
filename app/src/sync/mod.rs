//! The sync engine of a logged-in rider: the browser shell of [`model::device::Device`], which
//! decides what to save and when a report counts as received. The engine feeds it frames from a
//! WebSocket, commits its writes to IndexedDB, and publishes its outbox to the UI.
//!
//! When it connects: at start, on the `online` event, when the page becomes visible, and on a
//! backoff timer (1 s doubling to 30 s, reset once the relay has answered the join). `online` only
//! restarts the timer at 1 s: the first attempt after it often fails (the service worker or the
//! radio may still be offline), and the timer keeps trying.
//!
//! What it persists is the device's [`Write`](model::device::Write): the document (as chunks of
//! the changes since the last write, folded into a snapshot every
//! [`MAX_CHUNKS`](model::device::MAX_CHUNKS)) and its sync state, together and in one
//! transaction, whenever either moves; an outbox entry is dropped in the same transaction as the
//! sync state that proves the relay holds its change. So after a reload the outbox states are
//! the same.

pub mod backoff;
mod link;
pub mod peer;
pub mod photos;

use std::{
    cell::{Cell, RefCell},
    rc::{Rc, Weak},
    time::Duration,
};

use leptos::prelude::*;
use model::{Report, client::Effect, device::Device};

use crate::{
    error::AppError,
    net::{me::Me, socket::Socket},
    state::{Session, SyncView},
    store::{Batch, META_PEER_ID, PhotoEntry, Store},
};
use backoff::Backoff;

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
    /// The documents, the outbox and what storage holds: every decision is made there.
    device: RefCell<Device>,
    socket: RefCell<Option<Socket>>,
    /// Bumped for every socket, so events of a replaced socket are ignored.
    generation: Cell<u32>,
    backoff: RefCell<Backoff>,
    retry: RefCell<Option<TimeoutHandle>>,
    persist_scheduled: Cell<bool>,
    /// Writes started and not yet committed.
    writes_in_flight: Cell<u32>,
    listeners: RefCell<Vec<WindowListenerHandle>>,
    stopped: Cell<bool>,
    /// The photo queue, which follows the outbox.
    uploader: Rc<photos::Uploader>,
    /// The read-only documents kept in sync alongside: the office and stations documents.
    office_id: Option<String>,
    stations_id: Option<String>,
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
        let rider = docs.next().unwrap_or_default();
        let read_only = office_id
            .iter()
            .chain(stations_id.iter())
            .cloned()
            .zip(docs)
            .collect();
        let mut device = Device::open(
            peer_id.clone(),
            doc_id.clone(),
            rider,
            read_only,
            read.outbox,
        );
        // A snapshot that no longer loads is replaced by what the relay has; the outbox entries
        // stay, so nothing the rider filed is hidden.
        for problem in device.take_load_problems() {
            leptos::logging::warn!("sync: {problem}");
        }
        crate::time::mark_once("nx-doc-parsed");
        let store_for_photos = store.clone();
        let engine = Rc::new(Engine {
            doc_id,
            peer_id,
            store,
            view,
            session,
            me_weak: RefCell::new(Weak::new()),
            device: RefCell::new(device),
            socket: RefCell::new(None),
            generation: Cell::new(0),
            backoff: RefCell::new(Backoff::new()),
            retry: RefCell::new(None),
            persist_scheduled: Cell::new(false),
            writes_in_flight: Cell::new(0),
            listeners: RefCell::new(Vec::new()),
            stopped: Cell::new(false),
            uploader: photos::Uploader::start(store_for_photos, view, session),
            office_id,
            stations_id,
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
        self.device.borrow_mut().disconnected();
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
        let (effects, write) = self.device.borrow_mut().file(&report)?;
        let mut batch = Batch::from(write);
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

    /// Asks for reward `reward` of the county's catalogue: one change to the rider document,
    /// kept on the phone (and in the outbox) before anything else, sent now or on the next
    /// connection. The server decides it; the outcome comes in the office document.
    pub async fn redeem(&self, reward: &str) -> Result<(), AppError> {
        let generation = self.generation.get();
        let id = uuid::Uuid::new_v4().to_string();
        let request = model::rider_doc::Redemption {
            reward: reward.to_owned(),
            at: js_sys::Date::now() as i64,
        };
        let (effects, write) = self.device.borrow_mut().redeem(&id, &request)?;
        let saved = self.write(Batch::from(write)).await;
        self.refresh();
        if generation == self.generation.get() {
            self.apply(effects);
        }
        saved
    }

    fn apply(&self, effects: Vec<Effect>) {
        let absorbed = self.device.borrow_mut().absorb(&effects);
        for effect in effects {
            match effect {
                Effect::Send(bytes) => {
                    if let Some(socket) = self.socket.borrow().as_ref() {
                        socket.send(&bytes);
                    }
                }
                Effect::Ready(_) => self.backoff.borrow_mut().reset(),
                Effect::Unavailable(id) => {
                    leptos::logging::warn!("sync: the relay does not offer document {id}");
                }
                Effect::RelayError(message) => {
                    leptos::logging::warn!("sync: relay error: {message}")
                }
                Effect::DocChanged(_) | Effect::SyncStateChanged(_) => {}
            }
        }
        if absorbed.read_only_changed {
            self.publish_read_only();
        }
        if absorbed.persist {
            self.schedule_persist();
        }
        self.refresh();
    }

    /// Publishes what the read-only documents hold: decisions on reports, points, notices and
    /// stations.
    fn publish_read_only(&self) {
        let device = self.device.borrow();
        let client = device.client();
        if let Some(doc) = self.office_id.as_deref().and_then(|id| client.doc(id))
            && !doc.get_heads().is_empty()
        {
            let reviews = model::office_doc::reviews(doc).unwrap_or_default();
            self.view.reviews.set(reviews.into_iter().collect());
            self.view.points.set(model::office_doc::points(doc));
            let notices = model::office_doc::notices(doc);
            if self.view.notices.with_untracked(|n| *n != notices) {
                self.view.notices.set(notices);
            }
            let outcomes = model::office_doc::outcomes(doc);
            if self.view.outcomes.with_untracked(|o| *o != outcomes) {
                self.view.outcomes.set(outcomes);
            }
        }
        if let Some(doc) = self.stations_id.as_deref().and_then(|id| client.doc(id))
            && !doc.get_heads().is_empty()
        {
            let stations = model::stations_doc::stations(doc).unwrap_or_default();
            self.view.stations.set(Some(stations));
            let rewards = model::stations_doc::rewards(doc);
            if self.view.rewards.with_untracked(|r| *r != rewards) {
                self.view.rewards.set(rewards);
            }
            let awards = model::stations_doc::awards(doc);
            if self.view.awards.with_untracked(|a| *a != awards) {
                self.view.awards.set(awards);
            }
        }
    }

    /// Publishes the outbox and connection state to the UI.
    fn refresh(&self) {
        let device = self.device.borrow();
        let rows = device.rows();
        let requests = device.requests();
        let can_redeem = device.can_redeem();
        let ready = device.ready();
        let connected = device.client().is_ready();
        drop(device);
        // The photo queue reads the device again when woken: wake it only when a report was
        // filed or reached the relay, or the connection came back, not on every frame.
        let rows_changed = self.view.rows.with_untracked(|old| *old != rows);
        let reconnected = connected && !self.view.connected.get_untracked();
        if rows_changed {
            self.view.rows.set(rows);
        }
        if self.view.requests.with_untracked(|old| *old != requests) {
            self.view.requests.set(requests);
        }
        self.view.can_redeem.set(can_redeem);
        if ready {
            crate::time::mark_once("nx-doc-loaded");
        }
        self.view.doc_ready.set(ready);
        self.view.connected.set(connected);
        if rows_changed || reconnected {
            self.uploader.kick();
        }
    }

    /// Writes a batch, keeping [`SyncView::unsaved`] true until it is committed.
    async fn write(&self, batch: Batch) -> Result<(), AppError> {
        self.writes_in_flight.set(self.writes_in_flight.get() + 1);
        self.view.unsaved.set(true);
        let result = self.store.write(batch).await;
        if result.is_err() {
            // What this batch held may be missing from the device: rewrite it all next time.
            self.device.borrow_mut().write_failed();
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
                let batch = Batch::from(engine.device.borrow_mut().write());
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
