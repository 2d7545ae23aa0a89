//! Several server processes on one PostgreSQL database, behind one address.
//!
//! Nothing a node must know lives only in another node's memory: accounts, sessions and
//! revocations are rows every node reads, and the two things a node learns by the moment are
//! PostgreSQL notifications, sent by the transaction that made them:
//! - `nuanxin_docs` (`<node> <document id>`; the channels of a schema other than `public` are
//!   named after it, since notifications reach the whole database): a node stored chunks of a document. Every other
//!   node holding that document in memory merges the chunks it lacks and sends the changes to
//!   its connections (a rider's phone on one node, the browser on another), then indexes it.
//! - `nuanxin_feed` (`<node> <rider id> <report id>`): a report is new or changed in the index.
//!   Every other node reads the row and puts it on its own live feed: one task per node reads
//!   whatever has come meanwhile in one query, so a burst costs a few reads, not one each.
//!
//! A notification lost while a node's listening connection was down is made good when it is
//! back: every document in memory is merged again. On SQLite there is one process and none of
//! this runs.

use std::collections::HashMap;

use model::api::ReportRow;
use tokio::sync::mpsc;

use crate::state::AppState;

/// Puts reports on this node's live feed and tells the other nodes to put them on theirs.
pub async fn announce(state: &AppState, rows: Vec<ReportRow>) {
    let keys: Vec<(i64, &str)> = rows.iter().map(|r| (r.rider_id, r.id.as_str())).collect();
    if let Err(e) = state.db.notify_reports(&keys).await {
        tracing::warn!(error = %e, "cannot tell the other nodes of new reports");
    }
    for row in rows {
        // Nobody listening is fine.
        let _ = state.feed.send(row);
    }
}

/// At most this many reports of other nodes are read in one query.
const FEED_BATCH: usize = 512;

/// Reads the reports other nodes announced, as many at a time as have come, and puts them on
/// this node's live feed in the order they were announced.
async fn relay_feed(state: AppState, mut queue: mpsc::UnboundedReceiver<(i64, String)>) {
    let mut keys = Vec::with_capacity(FEED_BATCH);
    while queue.recv_many(&mut keys, FEED_BATCH).await > 0 {
        let mut read = state.db.reports_get(&keys).await;
        // A moment of contention (a starved pool) is no reason to leave rows off the feed.
        for wait in [50, 200, 1000] {
            if read.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            read = state.db.reports_get(&keys).await;
        }
        match read {
            Ok(rows) => {
                let mut rows: HashMap<(i64, String), ReportRow> = rows
                    .into_iter()
                    .map(|r| ((r.rider_id, r.id.clone()), r))
                    .collect();
                for key in &keys {
                    if let Some(row) = rows.remove(key) {
                        // Nobody listening is fine.
                        let _ = state.feed.send(row);
                    }
                }
            }
            Err(e) => tracing::warn!(
                error = %e,
                reports = keys.len(),
                "cannot read other nodes' reports: left off this node's feed"
            ),
        }
        keys.clear();
    }
}

/// Starts listening to the other nodes (PostgreSQL only).
pub fn spawn(state: AppState) {
    let (feed, queue) = mpsc::unbounded_channel();
    tokio::spawn(relay_feed(state.clone(), queue));
    tokio::spawn(async move {
        let mut first = true;
        loop {
            let mut listener = match state.db.listen().await {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen to the other nodes; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            };
            if !first {
                state.relay.merge_all_stored().await;
            }
            first = false;
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => heard(&state, &feed, n.channel(), n.payload()),
                    // The connection dropped; the next call connects again. What was sent
                    // meanwhile is read from the store.
                    Ok(None) => {
                        tracing::warn!("lost the other nodes' notifications; catching up");
                        let relay = state.relay.clone();
                        tokio::spawn(async move { relay.merge_all_stored().await });
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the other nodes' notifications stopped");
                        break;
                    }
                }
            }
        }
    });
}

/// Acts on one notification (a document's in a task of its own: one slow document holds up no
/// other; a report's through the feed's queue).
fn heard(
    state: &AppState,
    feed: &mpsc::UnboundedSender<(i64, String)>,
    channel: &str,
    payload: &str,
) {
    let mut words = payload.split(' ');
    let Some(node) = words.next() else {
        return;
    };
    if node == state.db.node() {
        return;
    }
    let state = state.clone();
    let channels = state.db.channels();
    match channel {
        c if c == channels.docs => {
            let Some(doc) = words.next().map(str::to_owned) else {
                return;
            };
            tokio::spawn(async move {
                if let Err(e) = state.relay.merge_stored(&doc).await {
                    tracing::warn!(doc, error = %e, "cannot merge another node's changes");
                }
            });
        }
        c if c == channels.feed => {
            let (Some(rider), Some(id)) = (words.next().and_then(|r| r.parse().ok()), words.next())
            else {
                return;
            };
            let _ = feed.send((rider, id.to_owned()));
        }
        _ => {}
    }
}
