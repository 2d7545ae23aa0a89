//! Keeps the SQL report index in step with rider documents.
//!
//! The indexer watches the rider documents of riders who connected since the server started,
//! and at start those that hold changes it has not read (`docs_unindexed`, marked by the
//! document store in the same transaction as the change). On every change it reads only the
//! entries that changed since its last read (`rider_doc::reports_since`), so indexing a report
//! costs the same in a document of five thousand reports as in an empty one.
//! Each report is validated on its own: a valid one is upserted (and announced on the live feed
//! if it is new or changed), an invalid one is flagged and never indexed.

use std::collections::{BTreeSet, HashMap};

use futures::StreamExt;
use model::{Report, rider_doc, validate};

use crate::{
    db::{UpsertOutcome, User, now_ms},
    state::AppState,
};

/// Watches one rider's document for as long as the relay runs; a rider already watched is left
/// as it is.
pub fn watch(state: AppState, rider: User) {
    let Some(doc_id) = rider.rider_doc.clone() else {
        return;
    };
    let fresh = state
        .watched
        .lock()
        .map(|mut w| w.insert(rider.id))
        .unwrap_or(false);
    if !fresh {
        return;
    }
    tokio::spawn(async move {
        watch_doc(&state, &rider, &doc_id).await;
        if let Ok(mut w) = state.watched.lock() {
            w.remove(&rider.id);
        }
    });
}

async fn watch_doc(state: &AppState, rider: &User, doc_id: &str) {
    let Ok(id) = doc_id.parse::<samod::DocumentId>() else {
        tracing::error!(doc_id, "stored rider document id does not parse");
        return;
    };
    let handle = match state.relay.repo(rider.id).find(id).await {
        Ok(Some(h)) => h,
        Ok(None) => {
            tracing::error!(doc_id, "rider document is missing from the store");
            return;
        }
        Err(_) => return,
    };
    let mut changes = handle.changes();
    let mut indexed = Indexed::default();
    // The indexer is the only writer of flags: read once, they are kept here.
    match state.db.flagged_keys(doc_id).await {
        Ok(keys) => indexed.flagged = keys.into_iter().collect(),
        Err(e) => {
            tracing::error!(error = %e, doc_id, "reading the flagged entries");
            return;
        }
    }
    // What was read so far: the heads it was read at, and the keys to read again whatever
    // changes (entries over the daily limit).
    let mut read_at: Vec<automerge::ChangeHash> = Vec::new();
    let mut again: BTreeSet<String> = BTreeSet::new();
    loop {
        // Only the entries changed since the last read are read, inside the document's lock and
        // without copying the document, so a new report costs the same in a full document.
        let (heads, entries) = handle.with_document(|d| {
            let read = rider_doc::header(d).and_then(|_| {
                let mut entries = rider_doc::reports_since(d, &read_at)?;
                let fresh: BTreeSet<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
                let retry: Vec<String> = again
                    .iter()
                    .filter(|k| !fresh.contains(k.as_str()))
                    .cloned()
                    .collect();
                entries.extend(rider_doc::entries(d, retry)?);
                Ok(entries)
            });
            (d.get_heads(), read)
        });
        // A document that does not read as a rider document is read in full once it does.
        let readable = entries.is_ok();
        let mut marked = match index(state, rider, doc_id, entries, &mut indexed).await {
            Ok(over_limit) => {
                if readable {
                    read_at = heads.clone();
                }
                again = over_limit;
                true
            }
            Err(e) => {
                // The mark stays, and the same entries are read again on the next change (and
                // at the next start).
                tracing::error!(error = %e, doc_id, "indexing failed");
                false
            }
        };
        // Until the next change: clear the document's mark once the store has written what was
        // just indexed. The store writes after the change is applied, so this is checked again
        // a moment later until it holds.
        loop {
            if marked {
                marked = !clear_mark(state, &handle, doc_id, &heads).await;
            }
            tokio::select! {
                next = changes.next() => {
                    if next.is_none() {
                        return;
                    }
                    break;
                }
                () = tokio::time::sleep(MARK_RECHECK), if marked => {}
            }
        }
    }
}

/// How soon the indexer looks again at a mark it could not clear yet.
const MARK_RECHECK: std::time::Duration = std::time::Duration::from_millis(300);

/// Clears the document's unindexed mark if the document still stands at `heads` (everything
/// stored is then indexed); true when there is no mark left.
async fn clear_mark(
    state: &AppState,
    handle: &samod::DocHandle,
    doc_id: &str,
    heads: &[automerge::ChangeHash],
) -> bool {
    let Ok(seq) = state.db.doc_unindexed_seq(doc_id).await else {
        return false;
    };
    if seq == 0 {
        return true;
    }
    // Read after the mark: a change stored later than `seq` is in these heads or newer.
    if handle.with_document(|d| d.get_heads()) != heads {
        return false;
    }
    if let Err(e) = state.db.doc_indexed(doc_id, seq).await {
        tracing::warn!(error = %e, doc_id, "clearing the unindexed mark");
    }
    false
}

/// What one watcher knows of its document's place in the index.
#[derive(Debug, Default)]
struct Indexed {
    /// The reports as last indexed, by key.
    reports: HashMap<String, Report>,
    /// The keys flagged in `flagged_entries` (`""` for the document itself).
    flagged: BTreeSet<String>,
}

async fn flag(
    state: &AppState,
    doc_id: &str,
    key: &str,
    problem: &str,
    indexed: &mut Indexed,
) -> anyhow::Result<()> {
    state.db.flag_entry(doc_id, key, problem).await?;
    indexed.flagged.insert(key.to_owned());
    Ok(())
}

/// Clears a flag, if there is one: most entries never had one, and cost no statement here.
async fn unflag(
    state: &AppState,
    doc_id: &str,
    key: &str,
    indexed: &mut Indexed,
) -> anyhow::Result<()> {
    if indexed.flagged.contains(key) {
        state.db.unflag_entry(doc_id, key).await?;
        indexed.flagged.remove(key);
    }
    Ok(())
}

/// Indexes the entries read from one document (or flags the document when it does not read as a
/// rider document), skipping those that did not change since this watcher last indexed them,
/// so a change to one report costs one upsert. Returns the keys over the daily limit, to be
/// looked at again on the next change.
async fn index(
    state: &AppState,
    rider: &User,
    doc_id: &str,
    entries: Result<Vec<rider_doc::Entry>, model::ModelError>,
    indexed: &mut Indexed,
) -> anyhow::Result<BTreeSet<String>> {
    let mut over_limit = BTreeSet::new();
    let entries = match entries {
        Ok(entries) => entries,
        Err(e) => {
            flag(state, doc_id, "", &e.to_string(), indexed).await?;
            return Ok(over_limit);
        }
    };
    unflag(state, doc_id, "", indexed).await?;
    let now = now_ms();
    for (key, entry) in entries {
        let report = match entry {
            Ok(r) if indexed.reports.get(&key) == Some(&r) => continue,
            Ok(r) => r,
            Err(e) => {
                flag(state, doc_id, &key, &e, indexed).await?;
                indexed.reports.remove(&key);
                continue;
            }
        };
        let problems = validate::check_report(&key, &report, now);
        if !problems.is_empty() {
            let text = problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            flag(state, doc_id, &key, &text, indexed).await?;
            indexed.reports.remove(&key);
            continue;
        }
        let max = state.config.max_reports_per_day;
        match state.db.report_upsert(rider, doc_id, &report, max).await? {
            UpsertOutcome::Unchanged => unflag(state, doc_id, &key, indexed).await?,
            UpsertOutcome::Inserted | UpsertOutcome::Updated => {
                unflag(state, doc_id, &key, indexed).await?;
                if let Some(row) = state.db.report_get(rider.id, &report.id).await? {
                    // Nobody listening is fine.
                    let _ = state.feed.send(row);
                }
            }
            UpsertOutcome::Reviewed => {
                let problem = "edited after review; the reviewed version stands";
                flag(state, doc_id, &key, problem, indexed).await?;
            }
            UpsertOutcome::OverDailyLimit => {
                let problem = format!("more than {max} reports on one day");
                flag(state, doc_id, &key, &problem, indexed).await?;
                // Not remembered as indexed: the entry is looked at again on the next change.
                over_limit.insert(key);
                continue;
            }
        }
        indexed.reports.insert(key, report);
    }
    Ok(over_limit)
}
