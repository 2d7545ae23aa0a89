//! The supervisors' live feed (`/api/reports/feed`, server-sent events).
//!
//! `EventSource` reconnects by itself; the console only needs to know when the stream is live,
//! each `report` row, and when to reload the whole list (`resync`, or after a reconnect, since
//! rows sent while it was away are not replayed).

use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{Event, EventSource, MessageEvent};

use crate::{error::AppError, net::row::ReportRow};

/// What the feed reports.
#[derive(Debug)]
pub enum FeedEvent {
    /// The stream is (again) connected.
    Open,
    /// A new or changed report.
    Row(ReportRow),
    /// Rows may have been missed: reload the list.
    Resync,
    /// The stream broke; the browser is retrying.
    Down,
}

type Callback<E> = Closure<dyn FnMut(E)>;

/// An open feed; dropping it closes the stream.
pub struct Feed {
    source: EventSource,
    _callbacks: (
        Callback<Event>,
        Callback<MessageEvent>,
        Callback<MessageEvent>,
        Callback<Event>,
    ),
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("ready_state", &self.source.ready_state())
            .finish()
    }
}

impl Feed {
    /// Subscribes; `handler` gets each event as it comes.
    pub fn open(handler: impl Fn(FeedEvent) + 'static) -> Result<Self, AppError> {
        let source = EventSource::new("/api/reports/feed").map_err(|e| AppError::network(&e))?;
        let handler = std::rc::Rc::new(handler);
        let h = handler.clone();
        let on_open: Callback<Event> = Closure::new(move |_: Event| h(FeedEvent::Open));
        let h = handler.clone();
        let on_report: Callback<MessageEvent> = Closure::new(move |e: MessageEvent| {
            if let Some(row) = e.data().as_string().and_then(|t| ReportRow::parse(&t).ok()) {
                h(FeedEvent::Row(row));
            }
        });
        let h = handler.clone();
        let on_resync: Callback<MessageEvent> =
            Closure::new(move |_: MessageEvent| h(FeedEvent::Resync));
        let h = handler;
        let on_error: Callback<Event> = Closure::new(move |_: Event| h(FeedEvent::Down));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let _ =
            source.add_event_listener_with_callback("report", on_report.as_ref().unchecked_ref());
        let _ =
            source.add_event_listener_with_callback("resync", on_resync.as_ref().unchecked_ref());
        Ok(Self {
            source,
            _callbacks: (on_open, on_report, on_resync, on_error),
        })
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.source.close();
    }
}
