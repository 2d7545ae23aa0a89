//! The state every handler shares.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::{
    config::Config,
    db::Db,
    db::ReportRow,
    relay::{Acl, Relay},
    throttle::LoginThrottle,
};

/// Shared by all handlers; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub relay: Relay,
    pub acl: Acl,
    /// New and changed reports, for the supervisors' live feed.
    pub feed: broadcast::Sender<ReportRow>,
    /// Where photo bytes live.
    pub photos: crate::photos::PhotoStore,
    /// Failed-login counters.
    pub throttle: Arc<LoginThrottle>,
    /// Wrong invite codes, per address.
    pub invites: Arc<LoginThrottle>,
    /// Open connections, under their caps.
    pub conns: Arc<crate::listen::Caps>,
    /// Ended sessions, for the connections and feeds they opened.
    pub revocations: crate::revoke::Revocations,
    /// What the relay has written to the document store.
    pub store_stats: crate::relay::StoreStats,
}
