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
    db::{IndexBatch, ReportRow, UpsertOutcome, User, now_ms},
    relay::DocAccess,
    state::AppState,
};

/// How soon a document whose indexing failed is tried again.
const RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// At most this many documents are indexed in one transaction, so the relay's own writes never
/// wait long behind the indexer's.
const BATCH_DOCS: usize = 128;

/// Indexes every rider document the relay reports as changed (and at start those the store
/// marked in `docs_unindexed`), for as long as the relay runs. The documents that changed
/// meanwhile are indexed together, in one transaction: one disk sync for a burst of reports.
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
            let batch: Vec<String> = std::iter::from_fn(|| pending.pop_first())
                .take(BATCH_DOCS)
                .collect();
            if let Err(e) = index_docs(&state, &mut known, &batch).await {
                // The marks stay, and the documents are read again a moment later (and at the
                // next start), from scratch: what was kept of them may be out of step.
                tracing::error!(error = %e, docs = batch.len(), "indexing failed");
                for id in &batch {
                    known.remove(id);
                }
                let relay = state.relay.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(RETRY).await;
                    for id in batch {
                        relay.mark_changed(&id);
                    }
                });
            }
        }
    });
}

/// What was read from one document, and the mark it was read with.
struct Read {
    doc_id: String,
    heads: Vec<automerge::ChangeHash>,
    entries: Result<Vec<rider_doc::Entry>, model::ModelError>,
    seq: i64,
}

/// Reads what changed in each document since its last read, indexes it all in one transaction,
/// clears each document's mark when the index then holds everything stored, and announces the
/// new and changed reports once that is committed.
async fn index_docs(
    state: &AppState,
    known: &mut HashMap<String, Indexed>,
    doc_ids: &[String],
) -> anyhow::Result<()> {
    for doc_id in doc_ids {
        learn(state, known, doc_id).await?;
    }
    // Read at once: each read waits for its document's lock, which a rider's connection holds
    // while its change is being stored, so one at a time would wait for one commit after
    // another.
    let known_now: &HashMap<String, Indexed> = known;
    let reads = futures::future::join_all(
        doc_ids
            .iter()
            .filter_map(|id| Some((id, known_now.get(id)?)))
            .map(|(id, indexed)| read_doc(state, indexed, id)),
    )
    .await;
    let reads: Vec<Read> = reads
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    if reads.is_empty() {
        return Ok(());
    }
    let mut batch = state.db.index_batch().await?;
    let mut feed = Vec::new();
    for read in reads {
        let Some(indexed) = known.get_mut(&read.doc_id) else {
            continue;
        };
        // A document that does not read as a rider document is read in full once it does.
        let readable = read.entries.is_ok();
        indexed.again = index(
            state,
            &mut batch,
            &read.doc_id,
            read.entries,
            indexed,
            &mut feed,
        )
        .await?;
        if readable {
            indexed.read_at = read.heads;
        }
        // Everything stored up to the mark read with the document is now indexed.
        if read.seq > 0 {
            batch.doc_indexed(&read.doc_id, read.seq).await?;
        }
    }
    batch.commit().await?;
    for row in feed {
        // Nobody listening is fine.
        let _ = state.feed.send(row);
    }
    Ok(())
}

/// Gets to know a rider document: its owner and its flagged entries. A document that is no
/// rider's is left unknown, and not indexed.
async fn learn(
    state: &AppState,
    known: &mut HashMap<String, Indexed>,
    doc_id: &str,
) -> anyhow::Result<()> {
    if known.contains_key(doc_id) {
        return Ok(());
    }
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
    Ok(())
}

/// Reads the entries of one rider document changed since the indexer last read it, inside the
/// document's lock and without copying the document, so a new report costs the same in a full
/// document. `None` for a document that is missing.
async fn read_doc(
    state: &AppState,
    indexed: &Indexed,
    doc_id: &str,
) -> anyhow::Result<Option<Read>> {
    let (read_at, again) = (&indexed.read_at, &indexed.again);
    let Some(read) = state
        .relay
        .read(doc_id, |d| {
            let entries = rider_doc::header(d).and_then(|_| {
                let mut entries = rider_doc::reports_since(d, read_at)?;
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
        return Ok(None);
    };
    let (heads, entries) = read.value;
    Ok(Some(Read {
        doc_id: doc_id.to_owned(),
        heads,
        entries,
        seq: read.seq,
    }))
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
    batch: &mut IndexBatch,
    doc_id: &str,
    key: &str,
    problem: &str,
    indexed: &mut Indexed,
) -> anyhow::Result<()> {
    batch.flag_entry(doc_id, key, problem).await?;
    indexed.flagged.insert(key.to_owned());
    Ok(())
}

/// Clears a flag, if there is one: most entries never had one, and cost no statement here.
async fn unflag(
    batch: &mut IndexBatch,
    doc_id: &str,
    key: &str,
    indexed: &mut Indexed,
) -> anyhow::Result<()> {
    if indexed.flagged.contains(key) {
        batch.unflag_entry(doc_id, key).await?;
        indexed.flagged.remove(key);
    }
    Ok(())
}

/// Indexes the entries read from one document (or flags the document when it does not read as a
/// rider document). Returns the keys over the daily limit, to be
/// looked at again on the next change.
async fn index(
    state: &AppState,
    batch: &mut IndexBatch,
    doc_id: &str,
    entries: Result<Vec<rider_doc::Entry>, model::ModelError>,
    indexed: &mut Indexed,
    feed: &mut Vec<ReportRow>,
) -> anyhow::Result<BTreeSet<String>> {
    let mut over_limit = BTreeSet::new();
    let entries = match entries {
        Ok(entries) => entries,
        Err(e) => {
            flag(batch, doc_id, "", &e.to_string(), indexed).await?;
            return Ok(over_limit);
        }
    };
    unflag(batch, doc_id, "", indexed).await?;
    let now = now_ms();
    for (key, entry) in entries {
        let report = match entry {
            Ok(r) => r,
            Err(e) => {
                flag(batch, doc_id, &key, &e, indexed).await?;
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
            flag(batch, doc_id, &key, &text, indexed).await?;
            continue;
        }
        let max = state.config.max_reports_per_day;
        let rider_id = indexed.rider.id;
        match batch
            .report_upsert(&indexed.rider, doc_id, &report, max, now)
            .await?
        {
            UpsertOutcome::Unchanged => unflag(batch, doc_id, &key, indexed).await?,
            UpsertOutcome::Inserted => {
                unflag(batch, doc_id, &key, indexed).await?;
                feed.push(batch.inserted_row(&indexed.rider, &report, now).await?);
            }
            UpsertOutcome::Updated => {
                unflag(batch, doc_id, &key, indexed).await?;
                if let Some(row) = batch.report_get(rider_id, &report.id).await? {
                    feed.push(row);
                }
            }
            UpsertOutcome::Reviewed => {
                let problem = "edited after review; the reviewed version stands";
                flag(batch, doc_id, &key, problem, indexed).await?;
            }
            UpsertOutcome::OverDailyLimit => {
                let problem = format!("more than {max} reports on one day");
                flag(batch, doc_id, &key, &problem, indexed).await?;
                // Not remembered as indexed: the entry is looked at again on the next change.
                over_limit.insert(key);
                continue;
            }
        }
    }
    Ok(over_limit)
}
