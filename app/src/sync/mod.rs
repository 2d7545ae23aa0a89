//! The sync engine of a logged-in rider, and the page's handle on it.
//!
//! The engine ([`Engine`]) runs in a dedicated worker, its own wasm (`bin/engine.rs`, started by
//! [`worker::run`]): it is the browser shell of [`model::device::Device`], which decides what
//! to save and when a report counts as received. It feeds the device frames from a WebSocket,
//! commits its writes to IndexedDB, and tells the page what changed ([`protocol::Update`]). So
//! Automerge, the documents and their storage are neither downloaded, compiled nor run before
//! the page's first paint, and never block its thread. The page talks to it through
//! [`handle::EngineHandle`].
//!
//! When it connects: at start, on the `online` event, when the page says so (it became visible,
//! a new login), and on a backoff timer (1 s doubling to 30 s, reset once the relay has answered
//! the join). `online` only restarts the timer at 1 s: the first attempt after it often fails
//! (the service worker or the radio may still be offline), and the timer keeps trying.
//!
//! What it persists is the device's [`Write`](model::device::Write): the document (as chunks of
//! the changes since the last write, folded into a snapshot every
//! [`MAX_CHUNKS`](model::device::MAX_CHUNKS)) and its sync state, together and in one
//! transaction, whenever either moves; an outbox entry is dropped in the same transaction as the
//! sync state that proves the relay holds its change. So after a reload the outbox states are
//! the same. A report comes in through the inbox ([`crate::store::INBOX`]): the engine files it
//! into the document in the transaction that deletes it from the inbox.

pub mod backoff;
pub mod handle;
mod link;
pub mod peer;
pub mod photos;
pub mod protocol;
pub mod worker;

use std::{
    cell::{Cell, RefCell},
    rc::{Rc, Weak},
};

use gloo_timers::future::TimeoutFuture;
use model::{client::Effect, device::Device};

use crate::{
    error::AppError,
    net::socket::Socket,
    store::{Batch, META_PEER_ID, Store},
};
use backoff::Backoff;
use protocol::{Status, Update};

/// How long incoming changes may wait before they are written, so a burst of frames costs one
/// snapshot rather than one per frame.
const PERSIST_DELAY_MS: u32 = 150;

/// A check-in at a station the rider checked in at less than this long ago (an hour) is not
/// made again: opening the poster's page twice counts once.
const CHECKIN_GAP_MS: i64 = 3_600_000;

/// Where the engine sends its updates.
pub type Post = Box<dyn Fn(&Update)>;

/// The running sync of one rider document.
pub struct Engine {
    doc_id: String,
    peer_id: String,
    socket_url: String,
    store: Store,
    post: Post,
    me_weak: RefCell<Weak<Engine>>,
    /// The documents, the outbox and what storage holds: every decision is made there.
    device: RefCell<Device>,
    socket: RefCell<Option<Socket>>,
    /// Bumped for every socket, so events of a replaced socket are ignored.
    generation: Cell<u32>,
    backoff: RefCell<Backoff>,
    /// A retry is waiting; bumping `retry_turn` cancels it.
    retry_pending: Cell<bool>,
    retry_turn: Cell<u32>,
    /// A write of incoming changes is waiting for [`PERSIST_DELAY_MS`].
    persist_pending: Cell<bool>,
    /// Writes started and not yet committed.
    writes_in_flight: Cell<u32>,
    stopped: Cell<bool>,
    /// The server refused the session: no attempt until the page says to try again.
    held: Cell<bool>,
    /// The inbox is being read; `inbox_again`: and has news since the read began.
    inbox_busy: Cell<bool>,
    inbox_again: Cell<bool>,
    /// The read-only documents kept in sync alongside: the office and stations documents.
    office_id: Option<String>,
    stations_id: Option<String>,
    /// What the page was last told, so only changes are sent.
    told: RefCell<Told>,
}

#[derive(Default)]
struct Told {
    rows: Option<Vec<model::device::OutboxRow>>,
    requests: Option<Vec<model::device::RequestRow>>,
    wishes: Option<Vec<model::device::WishRow>>,
    status: Option<Status>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("peer_id", &self.peer_id)
            .finish()
    }
}

/// Where the engine starts: the [`protocol::Command::Start`] fields.
#[derive(Debug, Clone)]
pub struct Config {
    pub user_id: i64,
    pub doc_id: String,
    pub office: Option<String>,
    pub stations: Option<String>,
    pub socket_url: String,
}

impl Engine {
    /// Loads the rider's document, sync state and outbox from the device and starts syncing.
    pub async fn start(config: Config, post: Post) -> Result<Rc<Self>, AppError> {
        let store = Store::open().await?;
        let Config {
            user_id,
            doc_id,
            office: office_id,
            stations: stations_id,
            socket_url,
        } = config;
        // The read-only documents are small: each is kept as one snapshot.
        let ids: Vec<&str> = std::iter::once(doc_id.as_str())
            .chain(office_id.as_deref())
            .chain(stations_id.as_deref())
            .collect();
        let mut read = store.start_up(&ids, META_PEER_ID).await?;
        let peer_id = peer::peer_id(&store, Some(read.meta.take()), user_id).await?;
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
            post(&Update::Warn(format!("sync: {problem}")));
        }
        let engine = Rc::new(Engine {
            doc_id,
            peer_id,
            socket_url,
            store,
            post,
            me_weak: RefCell::new(Weak::new()),
            device: RefCell::new(device),
            socket: RefCell::new(None),
            generation: Cell::new(0),
            backoff: RefCell::new(Backoff::new()),
            retry_pending: Cell::new(false),
            retry_turn: Cell::new(0),
            persist_pending: Cell::new(false),
            writes_in_flight: Cell::new(0),
            stopped: Cell::new(false),
            held: Cell::new(false),
            inbox_busy: Cell::new(false),
            inbox_again: Cell::new(false),
            office_id,
            stations_id,
            told: RefCell::new(Told::default()),
        });
        *engine.me_weak.borrow_mut() = Rc::downgrade(&engine);
        engine.publish_read_only();
        engine.refresh();
        engine.connect();
        engine.take_inbox();
        Ok(engine)
    }

    fn warn(&self, message: String) {
        (self.post)(&Update::Warn(message));
    }

    /// Stops syncing: closes the socket and cancels the timers. Writes already
    /// started still commit ([`Engine::settled`]).
    pub fn stop(&self) {
        self.stopped.set(true);
        self.cancel_retry();
        self.socket.borrow_mut().take();
        self.device.borrow_mut().disconnected();
        // A pending write is made now rather than dropped.
        if self.persist_pending.replace(false) {
            self.persist_now();
        }
    }

    /// Whether every write has committed.
    pub fn settled(&self) -> bool {
        self.writes_in_flight.get() == 0 && !self.persist_pending.get()
    }

    /// Takes every report of the inbox into the rider document, each in the transaction that
    /// removes it from the inbox; once the document is ready (before that they wait there).
    pub fn take_inbox(&self) {
        if self.inbox_busy.replace(true) {
            self.inbox_again.set(true);
            return;
        }
        let Some(engine) = self.me_weak.borrow().upgrade() else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                engine.inbox_again.set(false);
                if engine.device.borrow().ready() && !engine.stopped.get() {
                    match engine.store.inbox(&engine.doc_id).await {
                        Ok(reports) => {
                            for report in reports {
                                if engine.stopped.get() {
                                    break;
                                }
                                if let Err(e) = engine.file(report).await {
                                    engine.warn(format!("sync: cannot file a report: {e}"));
                                }
                            }
                        }
                        Err(e) => engine.warn(format!("sync: cannot read the inbox: {e}")),
                    }
                }
                if !engine.inbox_again.get() {
                    break;
                }
            }
            engine.inbox_busy.set(false);
        });
    }

    /// Files one report of the inbox: one change to the document, then the snapshot, sync
    /// state and outbox entry, with the inbox entry's removal, in one committed transaction.
    /// The relay gets it now if connected, else on the next connection.
    async fn file(&self, report: model::Report) -> Result<(), AppError> {
        let generation = self.generation.get();
        let (effects, write) = self.device.borrow_mut().file(&report)?;
        let mut batch = Batch::from(write);
        batch.inbox_delete.push(report.id.clone());
        let saved = self.write(batch).await;
        self.refresh();
        // The change is made for this connection's sync session; a newer socket has its own.
        if generation == self.generation.get() {
            self.apply(effects);
        }
        saved
    }

    /// Asks for a reward, checks in at a station or posts a wish: one change to the rider
    /// document, kept on the phone (and in the outbox) before anything else, sent now or on the
    /// next connection. The server takes it; a decision comes in the office document. A
    /// check-in at a station checked in at within the hour is not made again.
    pub async fn ask(&self, ask: model::rider_doc::Ask) -> Result<(), AppError> {
        if let model::rider_doc::Ask::CheckIn(c) = &ask
            && self
                .device
                .borrow()
                .last_checkin(&c.station)
                .is_some_and(|last| (c.at - last).abs() < CHECKIN_GAP_MS)
        {
            return Ok(());
        }
        let generation = self.generation.get();
        let id = uuid::Uuid::new_v4().to_string();
        let (effects, write) = self.device.borrow_mut().ask(&id, &ask)?;
        let saved = self.write(Batch::from(write)).await;
        self.refresh();
        if generation == self.generation.get() {
            self.apply(effects);
        }
        saved
    }

    fn apply(&self, effects: Vec<Effect>) {
        let absorbed = self.device.borrow_mut().absorb(&effects);
        let was_ready = self.told.borrow().status.is_some_and(|s| s.doc_ready);
        for effect in effects {
            match effect {
                Effect::Send(bytes) => {
                    if let Some(socket) = self.socket.borrow().as_ref() {
                        socket.send(&bytes);
                    }
                }
                Effect::Ready(_) => self.backoff.borrow_mut().reset(),
                Effect::Unavailable(id) => {
                    self.warn(format!("sync: the relay does not offer document {id}"));
                }
                Effect::RelayError(message) => self.warn(format!("sync: relay error: {message}")),
                Effect::DocChanged(_) | Effect::SyncStateChanged(_) => {}
            }
        }
        // "Unsaved" goes to the page before what it shows of the change: the badge never says
        // 已同步 over a message or a decision still waiting to be saved on the device.
        if absorbed.persist {
            self.schedule_persist();
        }
        if absorbed.read_only_changed {
            self.publish_read_only();
        }
        self.refresh();
        // The first copy of the document came from the relay: what waited in the inbox can go.
        if !was_ready && self.device.borrow().ready() {
            self.take_inbox();
        }
    }

    /// Publishes what the read-only documents hold: decisions on reports, points, notices and
    /// stations.
    fn publish_read_only(&self) {
        let device = self.device.borrow();
        let client = device.client();
        if let Some(doc) = self.office_id.as_deref().and_then(|id| client.doc(id))
            && !doc.get_heads().is_empty()
        {
            (self.post)(&Update::Office {
                reviews: model::office_doc::reviews(doc).unwrap_or_default(),
                points: model::office_doc::points(doc),
                notices: model::office_doc::notices(doc),
                outcomes: model::office_doc::outcomes(doc),
            });
        }
        if let Some(doc) = self.stations_id.as_deref().and_then(|id| client.doc(id))
            && !doc.get_heads().is_empty()
        {
            (self.post)(&Update::Stations {
                stations: model::stations_doc::stations(doc).unwrap_or_default(),
                rewards: model::stations_doc::rewards(doc),
                awards: model::stations_doc::awards(doc),
                alerts: model::stations_doc::alerts(doc),
                districts: model::stations_doc::districts(doc),
                wall: model::stations_doc::wall(doc),
            });
        }
    }

    /// Tells the page what moved of the outbox, the requests and the connection.
    fn refresh(&self) {
        let device = self.device.borrow();
        let rows = device.rows();
        let requests = device.requests();
        let wishes = device.wishes();
        drop(device);
        let mut told = self.told.borrow_mut();
        if told.wishes.as_ref() != Some(&wishes) {
            (self.post)(&Update::Wishes(wishes.clone()));
            told.wishes = Some(wishes);
        }
        if told.rows.as_ref() != Some(&rows) {
            (self.post)(&Update::Rows(rows.clone()));
            told.rows = Some(rows);
        }
        if told.requests.as_ref() != Some(&requests) {
            (self.post)(&Update::Requests(requests.clone()));
            told.requests = Some(requests);
        }
        drop(told);
        self.tell_status();
    }

    /// Tells the page where syncing stands, when that moved. Cheap: writes starting and
    /// committing call it, without rebuilding the rows.
    fn tell_status(&self) {
        let device = self.device.borrow();
        let status = Status {
            connected: device.client().is_ready(),
            doc_ready: device.ready(),
            unsaved: !self.settled(),
            can_redeem: device.can_redeem(),
        };
        drop(device);
        let mut told = self.told.borrow_mut();
        if told.status != Some(status) {
            (self.post)(&Update::Status(status));
            told.status = Some(status);
        }
    }

    /// Writes a batch; the page shows "unsaved" until it is committed.
    async fn write(&self, batch: Batch) -> Result<(), AppError> {
        self.writes_in_flight.set(self.writes_in_flight.get() + 1);
        self.tell_status();
        let result = self.store.write(batch).await;
        if result.is_err() {
            // What this batch held may be missing from the device: rewrite it all next time.
            self.device.borrow_mut().write_failed();
        }
        self.writes_in_flight.set(self.writes_in_flight.get() - 1);
        self.tell_status();
        result
    }

    fn schedule_persist(&self) {
        if self.persist_pending.replace(true) {
            return;
        }
        let weak = self.me_weak.borrow().clone();
        wasm_bindgen_futures::spawn_local(async move {
            TimeoutFuture::new(PERSIST_DELAY_MS).await;
            if let Some(engine) = weak.upgrade()
                && engine.persist_pending.replace(false)
            {
                engine.persist_now();
            }
        });
        self.tell_status();
    }

    fn persist_now(&self) {
        let Some(engine) = self.me_weak.borrow().upgrade() else {
            return;
        };
        let batch = Batch::from(engine.device.borrow_mut().write());
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = engine.write(batch).await {
                engine.warn(format!("sync: cannot save the document: {e}"));
            }
        });
    }
}
