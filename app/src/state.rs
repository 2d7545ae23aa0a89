//! The app's shared state, passed through context as small `Copy` structs of signals, each
//! giving a component only the capability it needs.

use std::rc::Rc;

use leptos::prelude::*;

use crate::{net::me::Me, store::Store, sync::handle::EngineHandle};

/// Who is logged in, as far as this device knows.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// The user, from the server or, offline, from the device; `None` until someone logs in.
    pub me: RwSignal<Option<Me>>,
    /// The device has finished reading its storage (until then nothing is known about `me`).
    pub booted: RwSignal<bool>,
    /// The server refused the stored session: ask to log in again, keep all local data.
    pub need_login: RwSignal<bool>,
}

impl Session {
    pub fn new() -> Self {
        Self {
            me: RwSignal::new(None),
            booted: RwSignal::new(false),
            need_login: RwSignal::new(false),
        }
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

pub use model::device::{Delivery, OutboxRow, RequestRow};

/// Where one photo of a report filed here stands.
#[derive(Debug, Clone, PartialEq)]
pub enum PhotoStatus {
    /// On the phone, waiting for its report to reach the relay or for a connection.
    Pending,
    /// Being uploaded; the fraction sent.
    Uploading(f64),
    /// The server holds it.
    Stored,
    /// The server refused it; why.
    Refused(String),
}

impl PhotoStatus {
    /// The `data-state` value end-to-end tests read.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoStatus::Pending => "pending",
            PhotoStatus::Uploading(_) => "uploading",
            PhotoStatus::Stored => "stored",
            PhotoStatus::Refused(_) => "refused",
        }
    }
}

/// A photo of a report filed here, as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoView {
    pub sha256: String,
    pub report_id: String,
    /// The thumbnail's JPEG bytes; the view that shows it makes its object URL.
    pub thumb: std::sync::Arc<[u8]>,
    pub bytes: u32,
    pub status: PhotoStatus,
}

/// What the interface shows about synchronisation.
#[derive(Debug, Clone, Copy)]
pub struct SyncView {
    /// The relay handshake is done on an open socket.
    pub connected: RwSignal<bool>,
    /// The rider document is on the device with its schema header (the engine has loaded it,
    /// or received it from the relay).
    pub doc_ready: RwSignal<bool>,
    /// Reports can be filed: a rider's engine is started, so the inbox is open.
    pub can_file: RwSignal<bool>,
    /// The rider's reports, newest first, with their delivery state.
    pub rows: RwSignal<Vec<OutboxRow>>,
    /// Changes from the relay are not yet written to the device.
    pub unsaved: RwSignal<bool>,
    /// Photos of reports filed here, oldest first.
    pub photos: RwSignal<Vec<PhotoView>>,
    /// Supervisors' decisions on the rider's reports, by report id (from the office document).
    pub reviews: RwSignal<std::collections::HashMap<String, model::office_doc::Review>>,
    /// The county's stations, by id (from the stations document); `None` until it arrives.
    pub stations: RwSignal<Option<Vec<(String, model::stations_doc::Station)>>>,
    /// The rider's points as the office document carries them (`None` before any booking).
    pub points: RwSignal<Option<model::office_doc::Points>>,
    /// The rider's notices, oldest first (from the office document).
    pub notices: RwSignal<Vec<(String, model::office_doc::Notice)>>,
    /// The highest notice id read on this device: the ones above it are unread.
    pub notices_seen: RwSignal<u64>,
    /// The county's catalogue of rewards (from the stations document).
    pub rewards: RwSignal<Vec<(String, model::stations_doc::Reward)>>,
    /// The county's award of a first valid report per category (category code, points; from
    /// the stations document; empty until the county sets its own).
    pub awards: RwSignal<Vec<(String, i64)>>,
    /// The county's heat and cold alerts (from the stations document), in force or not.
    pub alerts: RwSignal<Vec<(String, model::stations_doc::Alert)>>,
    /// The county's towns and subdistricts, by name (from the stations document).
    pub districts: RwSignal<Vec<(String, model::stations_doc::District)>>,
    /// The rider's redemption requests, from every device, with their delivery state.
    pub requests: RwSignal<Vec<RequestRow>>,
    /// The server's outcomes of those requests, by request id (from the office document).
    pub outcomes: RwSignal<Vec<(String, model::office_doc::Outcome)>>,
    /// Requests, check-ins and wishes can be made: the rider document has their maps.
    pub can_redeem: RwSignal<bool>,
    /// The rider's wishes, from every device, with their delivery state.
    pub wishes: RwSignal<Vec<model::device::WishRow>>,
    /// The county's wish wall (from the stations document), newest first.
    pub wall: RwSignal<Vec<(String, model::stations_doc::WallWish)>>,
}

impl SyncView {
    pub fn new() -> Self {
        Self {
            connected: RwSignal::new(false),
            doc_ready: RwSignal::new(false),
            can_file: RwSignal::new(false),
            rows: RwSignal::new(Vec::new()),
            unsaved: RwSignal::new(false),
            photos: RwSignal::new(Vec::new()),
            reviews: RwSignal::new(std::collections::HashMap::new()),
            stations: RwSignal::new(None),
            points: RwSignal::new(None),
            notices: RwSignal::new(Vec::new()),
            notices_seen: RwSignal::new(0),
            rewards: RwSignal::new(Vec::new()),
            awards: RwSignal::new(Vec::new()),
            alerts: RwSignal::new(Vec::new()),
            districts: RwSignal::new(Vec::new()),
            requests: RwSignal::new(Vec::new()),
            outcomes: RwSignal::new(Vec::new()),
            can_redeem: RwSignal::new(false),
            wishes: RwSignal::new(Vec::new()),
            wall: RwSignal::new(Vec::new()),
        }
    }

    /// How many notices are unread on this device.
    pub fn unread(&self) -> usize {
        let seen = self.notices_seen.get();
        self.notices.with(|all| {
            all.iter()
                .filter(|(id, _)| id.parse::<u64>().is_ok_and(|id| id > seen))
                .count()
        })
    }

    /// Marks every notice read, on this device, for `user_id`.
    pub fn read_all_notices(&self, user_id: i64) {
        let last = self.notices.with_untracked(|all| {
            all.iter()
                .filter_map(|(id, _)| id.parse::<u64>().ok())
                .max()
                .unwrap_or(0)
        });
        if last > self.notices_seen.get_untracked() {
            self.notices_seen.set(last);
            crate::session::keep_notices_seen(user_id, last);
        }
    }

    /// How many photos are not yet held by the server (waiting or being uploaded).
    pub fn photos_left(&self) -> usize {
        self.photos.with(|ps| {
            ps.iter()
                .filter(|p| matches!(p.status, PhotoStatus::Pending | PhotoStatus::Uploading(_)))
                .count()
        })
    }

    /// How many reports are not yet confirmed by the relay.
    pub fn pending(&self) -> usize {
        self.rows.with(|rows| {
            rows.iter()
                .filter(|r| r.delivery != Delivery::Received)
                .count()
        })
    }
}

impl Default for SyncView {
    fn default() -> Self {
        Self::new()
    }
}

/// The device-side services: storage and the sync engine. They are not `Send`, so they live in
/// local arena slots whose handles are `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct Services {
    store: StoredValue<Option<Store>, LocalStorage>,
    engine: StoredValue<Option<Rc<EngineHandle>>, LocalStorage>,
}

impl Services {
    pub fn new() -> Self {
        Self {
            store: StoredValue::new_local(None),
            engine: StoredValue::new_local(None),
        }
    }

    /// The open database, once booted (`None` if the browser refused IndexedDB).
    pub fn store(&self) -> Option<Store> {
        self.store.get_value()
    }

    pub fn set_store(&self, store: Store) {
        self.store.set_value(Some(store));
    }

    /// The running sync engine of a logged-in rider.
    pub fn engine(&self) -> Option<Rc<EngineHandle>> {
        self.engine.get_value()
    }

    /// Replaces the engine, stopping the previous one.
    pub fn set_engine(&self, engine: Option<Rc<EngineHandle>>) {
        if let Some(old) = self.engine.get_value() {
            old.stop();
        }
        self.engine.set_value(engine);
    }
}

impl Default for Services {
    fn default() -> Self {
        Self::new()
    }
}

/// What the report form needs of the app, and nothing more: whether reports can be filed,
/// the engine that files them, and the rider's county (for the outside-the-county warning).
/// The 随手拍 page provides it from [`Ctx`].
#[derive(Debug, Clone, Copy)]
pub struct Filing {
    /// Reports can be filed (into the inbox, whether or not the engine has loaded).
    pub ready: Signal<bool>,
    /// The county's area, when known, and its names.
    pub county: Signal<Option<(Option<model::api::Bounds>, model::api::Names)>>,
    services: Services,
}

impl Filing {
    /// The filing context of the app's context.
    pub fn of(ctx: Ctx) -> Self {
        Filing {
            ready: ctx.sync.can_file.into(),
            county: Signal::derive(move || {
                ctx.session.me.with(|m| {
                    m.as_ref()
                        .map(|m| (m.user.county_bounds, m.user.county_name.clone()))
                })
            }),
            services: ctx.services,
        }
    }

    /// The context provided by the 随手拍 page.
    pub fn get() -> Self {
        expect_context::<Filing>()
    }

    /// The engine to file with, once reports can be filed.
    pub fn engine(&self) -> Option<Rc<EngineHandle>> {
        self.services
            .engine()
            .filter(|_| self.ready.get_untracked())
    }
}

/// Everything the app provides through context, for code that needs several parts.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub session: Session,
    pub sync: SyncView,
    pub services: Services,
    pub router: crate::router::Router,
    /// The interface language; the whole view is rebuilt when it changes ([`crate::i18n`]).
    pub lang: RwSignal<model::api::Lang>,
}

impl Ctx {
    /// The context provided by [`crate::App`].
    pub fn get() -> Self {
        expect_context::<Ctx>()
    }
}
