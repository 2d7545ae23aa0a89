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
//!   Every other node reads the row and puts it on its own live feed.
//!
//! A notification lost while a node's listening connection was down is made good when it is
//! back: every document in memory is merged again. On SQLite there is one process and none of
//! this runs.

use model::api::ReportRow;

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

/// Starts listening to the other nodes (PostgreSQL only).
pub fn spawn(state: AppState) {
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
                    Ok(Some(n)) => heard(&state, n.channel(), n.payload()),
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

/// Acts on one notification (in a task of its own: one slow document holds up no other).
fn heard(state: &AppState, channel: &str, payload: &str) {
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
            let id = id.to_owned();
            tokio::spawn(async move {
                match state.db.report_get(rider, &id).await {
                    Ok(Some(row)) => {
                        let _ = state.feed.send(row);
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot read another node's report"),
                }
            });
        }
        _ => {}
    }
}
