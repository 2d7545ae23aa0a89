//! Keeps the SQL report index in step with rider documents.
//!
//! The relay tells the indexer of every rider document whose changes it stored; at start, the
//! indexer also reads those that hold changes it has not read (`docs_unindexed`, marked by the
//! relay in the same transaction as the change). On every change it reads only the entries that changed since its last read (`rider_doc::reports_since`), so indexing a report
//! costs the same in a document of five thousand reports as in an empty one.
//! Each report is validated on its own: a valid one is upserted (and announced on the live feed
//! if it is new or changed), an invalid one is flagged and never indexed.

use std::collections::{BTreeSet, HashMap};

use model::{rider_doc, validate};
use tokio::sync::mpsc;

use crate::{
    db::{UpsertOutcome, User, now_ms},
    relay::DocAccess,
    state::AppState,
};

/// How soon a document whose indexing failed is tried again.
const RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// Indexes every rider document the relay reports as changed (and at start those the store
/// marked in `docs_unindexed`), one at a time, for as long as the relay runs.
pub fn spawn(
    state: AppState,
    mut changed: mpsc::UnboundedReceiver<String>,
    unindexed: Vec<String>,
) {
    tokio::spawn(async move {
        let mut known: HashMap<String, Indexed> = HashMap::new();
        let mut pending: BTreeSet<String> = unindexed.into_iter().collect();
        loop {
            if pending.is_empty() {
                match changed.recv().await {
                    Some(id) => {
                        pending.insert(id);
                    }
                    None => return,
                }
            }
            while let Ok(id) = changed.try_recv() {
                pending.insert(id);
            }
            for id in std::mem::take(&mut pending) {
                if let Err(e) = index_doc(&state, &mut known, &id).await {
                    // The mark stays, and the document is read again a moment later (and at the
                    // next start).
                    tracing::error!(error = %e, doc_id = id, "indexing failed");
                    let relay = state.relay.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(RETRY).await;
                        relay.mark_changed(&id);
                    });
                }
            }
        }
    });
}

/// Reads what changed in one rider document since the last read, indexes it, and clears the
/// document's mark when the index then holds everything stored.
async fn index_doc(
    state: &AppState,
    known: &mut HashMap<String, Indexed>,
    doc_id: &str,
) -> anyhow::Result<()> {
    if !known.contains_key(doc_id) {
        let Some(DocAccess::Rider { owner }) = state.acl.access(doc_id) else {
            return Ok(());
        };
        let Some(rider) = state.db.user_by_id(owner).await? else {
            return Ok(());
        };
        // The indexer is the only writer of flags: read once, they are kept here.
        let flagged = state.db.flagged_keys(doc_id).await?.into_iter().collect();
        known.insert(
            doc_id.to_owned(),
            Indexed {
                rider,
                flagged,
                read_at: Vec::new(),
                again: BTreeSet::new(),
            },
        );
    }
    let Some(indexed) = known.get_mut(doc_id) else {
        return Ok(());
    };
    // Only the entries changed since the last read are read, inside the document's lock and
    // without copying the document, so a new report costs the same in a full document.
    let read_at = indexed.read_at.clone();
    let again = indexed.again.clone();
    let Some(read) = state
        .relay
        .read(doc_id, |d| {
            let entries = rider_doc::header(d).and_then(|_| {
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
            (d.get_heads(), entries)
        })
        .await?
    else {
        tracing::error!(doc_id, "rider document is missing from the store");
        return Ok(());
    };
    let (heads, entries) = read.value;
    // A document that does not read as a rider document is read in full once it does.
    let readable = entries.is_ok();
    indexed.again = index(state, doc_id, entries, indexed).await?;
    if readable {
        indexed.read_at = heads;
    }
    // Everything stored up to the mark read with the document is now indexed.
    if read.seq > 0 {
        state.db.doc_indexed(doc_id, read.seq).await?;
    }
    Ok(())
}

/// What the indexer knows of one document's place in the index.
#[derive(Debug)]
struct Indexed {
    /// The document's owner.
    rider: User,
    /// The keys flagged in `flagged_entries` (`""` for the document itself).
    flagged: BTreeSet<String>,
    /// The heads the document was last read at.
    read_at: Vec<automerge::ChangeHash>,
    /// Keys to read again whatever changes (entries over the daily limit).
    again: BTreeSet<String>,
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
/// rider document). Returns the keys over the daily limit, to be
/// looked at again on the next change.
async fn index(
    state: &AppState,
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
            Ok(r) => r,
            Err(e) => {
                flag(state, doc_id, &key, &e, indexed).await?;
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
            continue;
        }
        let max = state.config.max_reports_per_day;
        let rider_id = indexed.rider.id;
        match state
            .db
            .report_upsert(&indexed.rider, doc_id, &report, max)
            .await?
        {
            UpsertOutcome::Unchanged => unflag(state, doc_id, &key, indexed).await?,
            UpsertOutcome::Inserted | UpsertOutcome::Updated => {
                unflag(state, doc_id, &key, indexed).await?;
                if let Some(row) = state.db.report_get(rider_id, &report.id).await? {
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
    }
    Ok(over_limit)
}
