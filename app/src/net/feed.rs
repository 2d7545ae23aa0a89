//! The supervisors' live feed (`/api/reports/feed`, server-sent events).
//!
//! `EventSource` reconnects by itself after a network error, but gives up for good on an HTTP
//! error (a 502 while the server restarts, say); then the feed opens a new one after a pause.
//! The console only needs to know when the stream is live, each `report` row, and when to
//! reload the whole list (`resync`, or after a reconnect, since rows sent while it was away are
//! not replayed).

use std::{
    cell::{Cell, RefCell},
    rc::{Rc, Weak},
    time::Duration,
};

use gloo_events::EventListener;
use leptos::prelude::set_timeout;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

use crate::net::row::ReportRow;

const URL: &str = "/api/reports/feed";
/// Pause before replacing an `EventSource` that gave up.
const REOPEN_AFTER: Duration = Duration::from_secs(5);

/// What the feed reports.
#[derive(Debug)]
pub enum FeedEvent {
    /// The stream is (again) connected.
    Open,
    /// A new or changed report.
    Row(ReportRow),
    /// Rows may have been missed: reload the list.
    Resync,
    /// The stream broke; it is being retried.
    Down,
}

/// One `EventSource` and its listeners (removed when dropped).
struct Source {
    source: EventSource,
    _listeners: [EventListener; 4],
}

struct Inner {
    handler: Box<dyn Fn(FeedEvent)>,
    current: RefCell<Option<Source>>,
    dropped: Cell<bool>,
}

/// An open feed; dropping it closes the stream for good.
pub struct Feed {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("open", &self.inner.current.borrow().is_some())
            .finish()
    }
}

impl Feed {
    /// Subscribes; `handler` gets each event as it comes.
    pub fn open(handler: impl Fn(FeedEvent) + 'static) -> Self {
        let inner = Rc::new(Inner {
            handler: Box::new(handler),
            current: RefCell::new(None),
            dropped: Cell::new(false),
        });
        connect(&inner);
        Feed { inner }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.inner.dropped.set(true);
        if let Some(s) = self.inner.current.borrow_mut().take() {
            s.source.close();
        }
    }
}

fn connect(inner: &Rc<Inner>) {
    let source = match EventSource::new(URL) {
        Ok(s) => s,
        Err(_) => {
            (inner.handler)(FeedEvent::Down);
            reopen_later(Rc::downgrade(inner));
            return;
        }
    };
    let weak = Rc::downgrade(inner);
    let emit = move |event: FeedEvent| {
        if let Some(inner) = weak.upgrade() {
            (inner.handler)(event);
        }
    };
    let e = emit.clone();
    let on_open = EventListener::new(&source, "open", move |_| e(FeedEvent::Open));
    let e = emit.clone();
    let on_report = EventListener::new(&source, "report", move |m| {
        if let Some(row) = m
            .unchecked_ref::<MessageEvent>()
            .data()
            .as_string()
            .and_then(|t| serde_json::from_str::<ReportRow>(&t).ok())
        {
            e(FeedEvent::Row(row));
        }
    });
    let e = emit.clone();
    let on_resync = EventListener::new(&source, "resync", move |_| e(FeedEvent::Resync));
    let weak = Rc::downgrade(inner);
    let on_error = EventListener::new(&source, "error", move |ev| {
        emit(FeedEvent::Down);
        let closed = ev
            .target()
            .and_then(|t| t.dyn_into::<EventSource>().ok())
            .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
        if closed {
            reopen_later(weak.clone());
        }
    });
    let old = inner.current.replace(Some(Source {
        source,
        _listeners: [on_open, on_report, on_resync, on_error],
    }));
    if let Some(old) = old {
        old.source.close();
    }
}

/// Opens a new stream after a pause, unless the feed was dropped meanwhile. Runs from a timer,
/// so the old source and its callbacks are never freed while one of them runs.
fn reopen_later(weak: Weak<Inner>) {
    set_timeout(
        move || {
            if let Some(inner) = weak.upgrade()
                && !inner.dropped.get()
            {
                connect(&inner);
            }
        },
        REOPEN_AFTER,
    );
}
