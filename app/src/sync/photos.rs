//! The photo queue: uploads each pending photo once the relay holds its report, one at a time
//! in filing order, with progress; retries with backoff; keeps only the thumbnail once the
//! server holds a photo.
//!
//! A photo is `pending` in IndexedDB until the server has answered that it holds it, so a tab
//! closed mid-upload simply uploads it again: the server's PUT is idempotent and the name is
//! the content's hash, so it arrives once.

use std::{
    cell::{Cell, RefCell},
    collections::HashSet,
    rc::Rc,
};

use futures::{channel::oneshot, future::select};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use crate::{
    net::upload::{Outcome, put_photo},
    state::{Delivery, PhotoStatus, PhotoView, Session, SyncView},
    store::{PhotoEntry, PhotoState, Store},
    sync::backoff::Backoff,
};

/// How long the queue sleeps with nothing to do before it looks again anyway.
const IDLE_MS: u32 = 30_000;

/// The running photo queue of one rider.
pub struct Uploader {
    store: Store,
    view: SyncView,
    session: Session,
    /// Set by [`Uploader::kick`]; cleared when the queue looks again.
    kicked: Cell<bool>,
    /// Ends the queue's current wait early.
    wake: RefCell<Option<oneshot::Sender<()>>>,
    stopped: Cell<bool>,
}

impl std::fmt::Debug for Uploader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uploader").finish_non_exhaustive()
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

impl Uploader {
    /// Starts the queue.
    pub fn start(store: Store, view: SyncView, session: Session) -> Rc<Self> {
        let me = Rc::new(Self {
            store,
            view,
            session,
            kicked: Cell::new(false),
            wake: RefCell::new(None),
            stopped: Cell::new(false),
        });
        let run = me.clone();
        leptos::task::spawn_local(async move { run.run().await });
        me
    }

    /// Something changed (a report was filed or received, the network came back): look again.
    pub fn kick(&self) {
        self.kicked.set(true);
        if let Some(wake) = self.wake.borrow_mut().take() {
            let _ = wake.send(());
        }
    }

    /// Stops after the current upload.
    pub fn stop(&self) {
        self.stopped.set(true);
        self.kick();
    }

    fn publish(&self, entries: &[PhotoEntry], uploading: Option<&str>) {
        let views = entries
            .iter()
            .map(|p| PhotoView {
                sha256: p.sha256.clone(),
                report_id: p.report_id.clone(),
                thumb: p.thumb.as_slice().into(),
                bytes: p.bytes,
                status: match &p.state {
                    PhotoState::Pending if uploading == Some(p.sha256.as_str()) => {
                        PhotoStatus::Uploading(0.0)
                    }
                    PhotoState::Pending => PhotoStatus::Pending,
                    PhotoState::Stored => PhotoStatus::Stored,
                    PhotoState::Refused(m) => PhotoStatus::Refused(m.clone()),
                },
            })
            .collect();
        self.view.photos.set(views);
    }

    /// Waits `ms`, or less if kicked meanwhile (or since the last look).
    async fn wait(&self, ms: u32) {
        if !self.kicked.replace(false) {
            let (wake, woken) = oneshot::channel();
            *self.wake.borrow_mut() = Some(wake);
            select(TimeoutFuture::new(ms), woken).await;
            self.wake.borrow_mut().take();
        }
        self.kicked.set(false);
    }

    async fn run(self: Rc<Self>) {
        let mut backoff = Backoff::new();
        while !self.stopped.get() {
            let entries = self.store.photos().await.unwrap_or_default();
            self.publish(&entries, None);
            let received: HashSet<String> = self.view.rows.with_untracked(|rows| {
                rows.iter()
                    .filter(|r| r.delivery == Delivery::Received)
                    .map(|r| r.report.id.clone())
                    .collect()
            });
            let next = entries.iter().find(|p| {
                p.state == PhotoState::Pending
                    && p.jpeg.is_some()
                    && received.contains(&p.report_id)
            });
            let (Some(p), false) = (next.cloned(), self.session.need_login.get_untracked()) else {
                self.wait(IDLE_MS).await;
                continue;
            };
            self.publish(&entries, Some(&p.sha256));
            let view = self.view;
            let sha = p.sha256.clone();
            let progress = move |f: f64| {
                view.photos.update(|ps| {
                    for v in ps.iter_mut().filter(|v| v.sha256 == sha) {
                        v.status = PhotoStatus::Uploading(f);
                    }
                })
            };
            let jpeg = p.jpeg.clone().unwrap_or_default();
            let outcome = put_photo(&p.sha256, &jpeg, progress).await;
            let mut done = p.clone();
            match outcome {
                Ok(Outcome::Stored) => {
                    backoff.reset();
                    done.jpeg = None;
                    done.state = PhotoState::Stored;
                }
                Ok(Outcome::Refused(message)) => done.state = PhotoState::Refused(message),
                Ok(Outcome::Unauthorized) => {
                    self.session.need_login.set(true);
                    continue;
                }
                Ok(Outcome::Retry(_)) | Err(_) => {
                    let entries = self.store.photos().await.unwrap_or_default();
                    self.publish(&entries, None);
                    // The full delay, kicks or not: a failing link is not hammered.
                    sleep(backoff.next_delay()).await;
                    continue;
                }
            }
            if let Err(e) = self.store.put_photo(&done).await {
                leptos::logging::warn!("photos: could not record an upload: {e}");
                sleep(backoff.next_delay()).await;
            }
        }
    }
}
