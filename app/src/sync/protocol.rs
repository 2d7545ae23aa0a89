//! The messages between the rider app and its sync engine, which runs in a dedicated worker
//! (`bin/engine.rs`): [`Command`]s from the page, [`Update`]s from the engine, each one JSON
//! text per `postMessage`.
//!
//! The engine owns the documents and the relay socket; the page owns the interface, the
//! photo queue and the inbox (reports filed and not yet taken into the rider document).

use model::{
    device::{OutboxRow, RequestRow, WishRow},
    office_doc::{Notice, Outcome, Points, Review},
    rider_doc::Ask,
    stations_doc::{Alert, District, Reward, Station, WallWish},
};
use serde::{Deserialize, Serialize};

/// What the page asks of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Sync the rider document `doc_id` (with the read-only `office` and `stations`
    /// documents) of user `user_id`, through the relay at `socket_url` (without `?peer=`).
    Start {
        user_id: i64,
        doc_id: String,
        office: Option<String>,
        stations: Option<String>,
        socket_url: String,
    },
    /// Reports were put in the inbox: take them into the rider document.
    Inbox,
    /// Ask for a reward, check in at a station or post a wish; the answer is
    /// [`Update::Done`] with the same `seq`. A check-in at a station checked in at within the
    /// hour is kept once.
    Ask { seq: u32, ask: Ask },
    /// Try to connect now (the page became visible, a new login), even when held.
    Reconnect,
    /// The page's `online` event: try now, unless held.
    Online,
    /// The page's `offline` event: the socket is dead, close it.
    Offline,
    /// The server refused the session: stop trying until [`Command::Reconnect`].
    Hold,
    /// Stop syncing and close the worker once every write has committed.
    Stop,
}

/// What the engine tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Update {
    /// The engine's code is running: commands are heard from now on.
    Loaded,
    /// The rider's reports, newest first, with their delivery state.
    Rows(Vec<OutboxRow>),
    /// The rider's redemption requests.
    Requests(Vec<RequestRow>),
    /// The rider's wishes.
    Wishes(Vec<WishRow>),
    /// Where syncing stands.
    Status(Status),
    /// What the office document holds for the rider.
    Office {
        reviews: Vec<(String, Review)>,
        points: Option<Points>,
        notices: Vec<(String, Notice)>,
        outcomes: Vec<(String, Outcome)>,
    },
    /// What the county's stations document holds.
    Stations {
        stations: Vec<(String, Station)>,
        rewards: Vec<(String, Reward)>,
        awards: Vec<(String, i64)>,
        alerts: Vec<(String, Alert)>,
        districts: Vec<(String, District)>,
        wall: Vec<(String, WallWish)>,
    },
    /// The relay refused the socket before it opened: the page checks whether the session
    /// has ended (and then sends [`Command::Hold`]).
    Refused,
    /// A [`Command::Ask`] is done: `None` when kept on the phone, else why not.
    Done { seq: u32, error: Option<String> },
    /// Something the page should log.
    Warn(String),
}

/// Where syncing stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The relay handshake is done on an open socket.
    pub connected: bool,
    /// The rider document is on the device with its schema header.
    pub doc_ready: bool,
    /// Changes are not yet written to the device.
    pub unsaved: bool,
    /// Redemption requests, check-ins and wishes can be made.
    pub can_redeem: bool,
}

impl Command {
    /// The message text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a message text.
    pub fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

impl Update {
    /// The message text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a message text.
    pub fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}
