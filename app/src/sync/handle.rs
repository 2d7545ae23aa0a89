//! The page's side of the sync engine: starts the worker, tells it what the page sees (the
//! network, visibility, a new login), files reports through the inbox, and turns its
//! [`Update`]s into [`SyncView`] signals.
//!
//! Filing does not wait for the engine: the report and its photos go into the inbox in one
//! transaction, and the outbox shows it as saved on the phone at once. The engine takes it
//! into the rider document once it has loaded (on a cold start offline, a moment later).

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    rc::Rc,
};

use futures::channel::oneshot;
use gloo_events::EventListener;
use leptos::prelude::*;
use model::{
    Report,
    device::{Delivery, OutboxRow},
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};

use super::{
    photos::Uploader,
    protocol::{Command, Update},
};
use crate::{
    error::AppError,
    i18n::t,
    net::{api, me::Me, socket::Socket},
    state::{Session, SyncView},
    store::{PhotoEntry, Store},
};

/// Where the engine's worker script is when the page does not name it (`trunk serve`).
const DEFAULT_ENGINE_URL: &str = "/engine_loader.js";

/// The page's handle on the running engine of one rider document.
pub struct EngineHandle {
    doc_id: String,
    worker: Worker,
    store: Store,
    view: SyncView,
    session: Session,
    /// The engine runs its code: commands are heard.
    loaded: Cell<bool>,
    /// The worker could not load its code (offline with no cached copy, say): commands that
    /// wait for an answer fail at once. Reports still go into the inbox.
    failed: Cell<bool>,
    /// Commands sent before that.
    queued: RefCell<Vec<Command>>,
    /// Redemption requests waiting for their answer, by sequence number.
    replies: RefCell<HashMap<u32, oneshot::Sender<Option<String>>>>,
    seq: Cell<u32>,
    /// Reports in the inbox that the engine has not shown among its rows yet.
    inbox: RefCell<Vec<Report>>,
    /// The engine's rows, as last told.
    rows: RefCell<Vec<OutboxRow>>,
    uploader: Rc<Uploader>,
    listeners: RefCell<Vec<EventListener>>,
}

impl std::fmt::Debug for EngineHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineHandle")
            .field("doc_id", &self.doc_id)
            .finish_non_exhaustive()
    }
}

/// Asks the service worker to keep the engine's files (named by `<meta name="nx-engine…">`)
/// for offline starts: it caches them when first fetched through it, but a rider who logged in
/// before it took control fetched them past it. Now, or once it takes control.
fn keep_engine_offline() {
    let container = window().navigator().service_worker();
    let urls = js_sys::Array::new();
    for name in ["nx-engine", "nx-engine-js", "nx-engine-wasm"] {
        if let Some(url) = document()
            .query_selector(&format!("meta[name={name}]"))
            .ok()
            .flatten()
            .and_then(|m| m.get_attribute("content"))
        {
            urls.push(&JsValue::from_str(&url));
        }
    }
    if urls.length() == 0 {
        return;
    }
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"cache".into(), &urls);
    match container.controller() {
        Some(sw) => {
            let _ = sw.post_message(&message);
        }
        None => {
            let target = container.clone();
            EventListener::once(&target, "controllerchange", move |_| {
                if let Some(sw) = container.controller() {
                    let _ = sw.post_message(&message);
                }
            })
            .forget();
        }
    }
}

/// The engine worker's script, as the page names it (`<meta name="nx-engine">`, written by
/// the build with the script's hashed name).
fn engine_url() -> String {
    document()
        .query_selector("meta[name=nx-engine]")
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_else(|| DEFAULT_ENGINE_URL.to_owned())
}

impl EngineHandle {
    /// Starts the engine of `me`'s document `doc_id` and the photo queue; returns at once.
    pub fn start(
        me: &Me,
        doc_id: String,
        store: Store,
        view: SyncView,
        session: Session,
    ) -> Result<Rc<Self>, AppError> {
        let socket_url = Socket::relay_url()?;
        let worker = Worker::new(&engine_url()).map_err(|e| AppError::network(&e))?;
        let handle = Rc::new(EngineHandle {
            doc_id: doc_id.clone(),
            worker,
            uploader: Uploader::start(store.clone(), view, session),
            store,
            view,
            session,
            loaded: Cell::new(false),
            failed: Cell::new(false),
            queued: RefCell::new(Vec::new()),
            replies: RefCell::new(HashMap::new()),
            seq: Cell::new(0),
            inbox: RefCell::new(Vec::new()),
            rows: RefCell::new(Vec::new()),
            listeners: RefCell::new(Vec::new()),
        });
        handle.listen();
        handle.send(Command::Start {
            user_id: me.user.id,
            doc_id,
            office: me.docs.office.clone(),
            stations: me.docs.stations.clone(),
            socket_url,
        });
        view.can_file.set(true);
        keep_engine_offline();
        // An ended session stops the engine's attempts until the next login (which sends
        // `Reconnect`), wherever it was noticed: the API, the photo queue, a refused socket.
        let weak = Rc::downgrade(&handle);
        Effect::new(move |_| {
            if session.need_login.get()
                && let Some(handle) = weak.upgrade()
            {
                handle.send(Command::Hold);
            }
        });
        // What was filed and not yet taken (the engine may not have run since): shown at once.
        let weak = Rc::downgrade(&handle);
        leptos::task::spawn_local(async move {
            let Some(handle) = weak.upgrade() else { return };
            if let Ok(waiting) = handle.store.inbox(&handle.doc_id).await {
                let mut inbox = handle.inbox.borrow_mut();
                for report in waiting {
                    if !inbox.iter().any(|r| r.id == report.id) {
                        inbox.push(report);
                    }
                }
            }
            handle.publish_rows();
        });
        Ok(handle)
    }

    /// The rider document's id.
    pub fn doc_id(&self) -> &str {
        &self.doc_id
    }

    fn send(&self, command: Command) {
        if !self.loaded.get() {
            self.queued.borrow_mut().push(command);
            return;
        }
        if let Err(e) = self
            .worker
            .post_message(&JsValue::from_str(&command.to_text()))
        {
            leptos::logging::warn!(
                "sync: cannot reach the engine: {}",
                crate::error::describe(&e)
            );
        }
    }

    /// Files a report: it and its photos go into the inbox in one committed transaction, and
    /// the engine is told. Returns once the phone has it, with when the transaction committed,
    /// on the page's monotonic clock ([`crate::time::perf_now`]); the relay gets it once the
    /// engine has taken it, now if connected, else on the next connection. The photo queue
    /// uploads the photos once the relay holds the report.
    pub async fn file(&self, report: Report, photos: Vec<PhotoEntry>) -> Result<f64, AppError> {
        self.store
            .put_in_inbox(&self.doc_id, &report, &photos)
            .await?;
        let committed_at = crate::time::perf_now();
        let mut inbox = self.inbox.borrow_mut();
        if !inbox.iter().any(|r| r.id == report.id) {
            inbox.push(report);
        }
        drop(inbox);
        self.publish_rows();
        self.send(Command::Inbox);
        Ok(committed_at)
    }

    /// Asks for reward `reward`; returns once the request is kept on the phone.
    pub async fn redeem(&self, reward: &str) -> Result<(), AppError> {
        let request = model::rider_doc::Redemption {
            reward: reward.to_owned(),
            at: js_sys::Date::now() as i64,
        };
        self.ask(model::rider_doc::Ask::Redemption(request)).await
    }

    /// Asks for a reward, checks in or posts a wish; returns once it is kept on the phone.
    pub async fn ask(&self, ask: model::rider_doc::Ask) -> Result<(), AppError> {
        if self.failed.get() {
            return Err(AppError::Sync(t().sync_engine_failed.to_owned()));
        }
        let seq = self.seq.get().wrapping_add(1);
        self.seq.set(seq);
        let (tx, rx) = oneshot::channel();
        self.replies.borrow_mut().insert(seq, tx);
        self.send(Command::Ask { seq, ask });
        match rx.await {
            Ok(None) => Ok(()),
            Ok(Some(error)) => Err(AppError::Sync(error)),
            Err(_) => Err(AppError::Sync(t().sync_engine_failed.to_owned())),
        }
    }

    /// Tries to connect now: after a new login.
    pub fn reconnect_soon(&self) {
        self.send(Command::Reconnect);
    }

    /// Stops syncing: the engine commits what it has and its worker closes.
    pub fn stop(&self) {
        self.listeners.borrow_mut().clear();
        self.uploader.stop();
        self.view.can_file.set(false);
        self.view.connected.set(false);
        self.view.unsaved.set(false);
        self.view.can_redeem.set(false);
        if self.loaded.get() {
            self.send(Command::Stop);
        } else {
            // Its code has not run yet: nothing to commit, and no one would hear `Stop`.
            self.worker.terminate();
        }
        self.replies.borrow_mut().clear();
    }

    /// The worker failed to load: what waits for an answer gets one.
    fn fail(&self) {
        if self.loaded.get() {
            return;
        }
        self.failed.set(true);
        self.queued.borrow_mut().clear();
        for (_, reply) in self.replies.borrow_mut().drain() {
            let _ = reply.send(Some(t().sync_engine_failed.to_owned()));
        }
    }

    fn listen(self: &Rc<Self>) {
        let mut listeners = self.listeners.borrow_mut();
        let weak = Rc::downgrade(self);
        listeners.push(EventListener::new(&self.worker, "message", move |e| {
            let text = e.unchecked_ref::<MessageEvent>().data().as_string();
            let Some(handle) = weak.upgrade() else { return };
            match text.as_deref().and_then(Update::from_text) {
                Some(update) => handle.apply(update),
                None => leptos::logging::warn!("sync: an update that does not read: {text:?}"),
            }
        }));
        let weak = Rc::downgrade(self);
        listeners.push(EventListener::new(&self.worker, "error", move |e| {
            let message = js_sys::Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            leptos::logging::warn!("sync: the engine failed: {message}");
            if let Some(handle) = weak.upgrade() {
                handle.fail();
            }
        }));
        let weak = Rc::downgrade(self);
        listeners.push(EventListener::new(&window(), "online", move |_| {
            if let Some(handle) = weak.upgrade()
                && !handle.session.need_login.get_untracked()
            {
                handle.send(Command::Online);
                handle.uploader.kick();
            }
        }));
        let weak = Rc::downgrade(self);
        listeners.push(EventListener::new(&window(), "offline", move |_| {
            if let Some(handle) = weak.upgrade() {
                handle.send(Command::Offline);
            }
        }));
        let weak = Rc::downgrade(self);
        listeners.push(EventListener::new(
            &document(),
            "visibilitychange",
            move |_| {
                let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
                if let Some(handle) = weak.upgrade()
                    && visible
                    && !handle.session.need_login.get_untracked()
                {
                    handle.send(Command::Reconnect);
                }
            },
        ));
    }

    fn apply(self: Rc<Self>, update: Update) {
        let view = self.view;
        match update {
            Update::Loaded => {
                self.loaded.set(true);
                crate::time::mark_once("nx-engine-loaded");
                let queued = std::mem::take(&mut *self.queued.borrow_mut());
                for command in queued {
                    self.send(command);
                }
            }
            Update::Rows(rows) => {
                *self.rows.borrow_mut() = rows;
                self.publish_rows();
            }
            Update::Requests(requests) => {
                if view.requests.with_untracked(|old| *old != requests) {
                    view.requests.set(requests);
                }
            }
            Update::Wishes(wishes) => {
                if view.wishes.with_untracked(|old| *old != wishes) {
                    view.wishes.set(wishes);
                }
            }
            Update::Status(status) => {
                let reconnected = status.connected && !view.connected.get_untracked();
                if status.doc_ready {
                    crate::time::mark_once("nx-doc-loaded");
                }
                view.doc_ready.set(status.doc_ready);
                view.connected.set(status.connected);
                view.unsaved.set(status.unsaved);
                view.can_redeem.set(status.can_redeem);
                if reconnected {
                    self.uploader.kick();
                }
            }
            Update::Office {
                reviews,
                points,
                notices,
                outcomes,
            } => {
                view.reviews.set(reviews.into_iter().collect());
                view.points.set(points);
                if view.notices.with_untracked(|n| *n != notices) {
                    view.notices.set(notices);
                }
                if view.outcomes.with_untracked(|o| *o != outcomes) {
                    view.outcomes.set(outcomes);
                }
            }
            Update::Stations {
                stations,
                rewards,
                awards,
                alerts,
                districts,
                wall,
            } => {
                if view.wall.with_untracked(|w| *w != wall) {
                    view.wall.set(wall);
                }
                if view.alerts.with_untracked(|a| *a != alerts) {
                    view.alerts.set(alerts);
                }
                if view.districts.with_untracked(|d| *d != districts) {
                    view.districts.set(districts);
                }
                view.stations.set(Some(stations));
                if view.rewards.with_untracked(|r| *r != rewards) {
                    view.rewards.set(rewards);
                }
                if view.awards.with_untracked(|a| *a != awards) {
                    view.awards.set(awards);
                }
            }
            Update::Refused => {
                // Refused at the upgrade: an ended session, or no network. Ask the API.
                let weak = Rc::downgrade(&self);
                leptos::task::spawn_local(async move {
                    if let Err(AppError::Unauthorized) = api::me().await
                        && let Some(handle) = weak.upgrade()
                    {
                        handle.session.need_login.set(true);
                        handle.send(Command::Hold);
                    }
                });
            }
            Update::Done { seq, error } => {
                if let Some(reply) = self.replies.borrow_mut().remove(&seq) {
                    let _ = reply.send(error);
                }
            }
            Update::Warn(message) => leptos::logging::warn!("{message}"),
        }
    }

    /// Shows the engine's rows with the inbox's reports it has not taken yet (as saved on the
    /// phone) on top; wakes the photo queue when they changed.
    fn publish_rows(&self) {
        let engine_rows = self.rows.borrow();
        let mut inbox = self.inbox.borrow_mut();
        inbox.retain(|r| !engine_rows.iter().any(|row| row.report.id == r.id));
        let mut rows: Vec<OutboxRow> = inbox
            .iter()
            .rev()
            .map(|report| OutboxRow {
                report: report.clone(),
                delivery: Delivery::Local,
            })
            .collect();
        rows.extend(engine_rows.iter().cloned());
        drop((engine_rows, inbox));
        if self.view.rows.with_untracked(|old| *old != rows) {
            self.view.rows.set(rows);
            self.uploader.kick();
        }
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        // A handle dropped without `stop` (a test, a page going away) still ends its worker's
        // sync; what the engine has not committed is rebuilt from the relay next time.
        if !self.loaded.get() {
            self.worker.terminate();
        } else if !self.listeners.borrow().is_empty() {
            let _ = self
                .worker
                .post_message(&JsValue::from_str(&Command::Stop.to_text()));
        }
    }
}
