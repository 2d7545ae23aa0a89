//! Keeps the SQL report index in step with rider documents.
//!
//! The relay tells the indexer of every rider document whose changes it stored, and keeps it in
//! memory until it is read; at start, the indexer also reads those that hold changes it has not
//! read (`docs_unindexed`, marked by the relay in the same transaction as the change). On every
//! change it reads only the entries that changed since its last read
//! (`rider_doc::reports_since`), so indexing a report costs the same in a document of five
//! thousand reports as in an empty one. The documents that changed meanwhile are indexed
//! together, in one transaction of a few statements whatever their number.
//! Each report is validated on its own: a valid one is upserted (and announced on the live feed
//! if it is new or changed), an invalid one is flagged and never indexed.
//!
//! The same read picks up the rider's redemption requests not decided yet, and the check-ins
//! and wishes not kept yet; once the batch is committed, each request is decided once
//! ([`crate::rewards::settle`]) and each check-in and wish kept once (a check-in of a station
//! id that cannot be one, or a wish that breaks its rules, is left out). A document made before
//! one of those maps existed gets it here, from the server, so devices never race to make it.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use model::{
    Report, rider_doc,
    rider_doc::{CheckIn, Redemption, Wish},
    validate,
};
use tokio::sync::mpsc;

use crate::{
    db::{IndexBatch, Stored, Upsert, UpsertOutcome, User, cst_day, now_ms},
    relay::{DocAccess, Pinned},
    state::AppState,
};

/// How many days' report counts are kept per rider before they are read afresh.
const DAYS_KEPT: usize = 8;

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
    mut changed: mpsc::UnboundedReceiver<Pinned>,
    unindexed: Vec<String>,
) {
    tokio::spawn(async move {
        let mut known: HashMap<String, Indexed> = HashMap::new();
        // Each document waiting, first come first served, kept in memory until it is indexed.
        let mut pending = Pending::default();
        for id in &unindexed {
            pending.push(state.relay.pin(id));
        }
        loop {
            if pending.is_empty() {
                match changed.recv().await {
                    Some(pin) => pending.push(pin),
                    None => return,
                }
            }
            while let Ok(pin) = changed.try_recv() {
                pending.push(pin);
            }
            let batch = pending.take(BATCH_DOCS);
            if let Err(e) = index_docs(&state, &mut known, &batch).await {
                // The marks stay, and the documents are read again a moment later (and at the
                // next start), from scratch: what was kept of them may be out of step.
                tracing::error!(error = %e, docs = batch.len(), "indexing failed");
                let ids: Vec<String> = batch.iter().map(|p| p.id().to_owned()).collect();
                for id in &ids {
                    known.remove(id);
                }
                let relay = state.relay.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(RETRY).await;
                    for id in ids {
                        relay.mark_changed(&id);
                    }
                });
            }
        }
    });
}

/// The documents waiting to be indexed, in the order they first changed: under a steady stream
/// of changes none waits longer than the others.
#[derive(Default)]
struct Pending {
    order: VecDeque<Pinned>,
    queued: HashSet<String>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Queues a document, unless it waits already (its place stands; the pin is let go).
    fn push(&mut self, pin: Pinned) {
        if self.queued.insert(pin.id().to_owned()) {
            self.order.push_back(pin);
        }
    }

    /// The `n` documents that have waited longest.
    fn take(&mut self, n: usize) -> Vec<Pinned> {
        let n = n.min(self.order.len());
        let batch: Vec<Pinned> = self.order.drain(..n).collect();
        for pin in &batch {
            self.queued.remove(pin.id());
        }
        batch
    }
}

/// What was read from one document, and the mark it was read with.
struct Read {
    doc_id: String,
    heads: Vec<automerge::ChangeHash>,
    entries: Result<Vec<rider_doc::Entry>, model::ModelError>,
    seq: i64,
    /// Redemption requests not decided yet.
    requests: Vec<(String, Redemption)>,
    /// Check-ins and wishes not kept yet.
    checkins: Vec<(String, CheckIn)>,
    wishes: Vec<(String, Wish)>,
    /// The document has every map of `rider_doc::ENTRY_MAPS`.
    has_maps: bool,
}

/// Reads what changed in each document since its last read, indexes it all in one transaction,
/// clears each document's mark when the index then holds everything stored, and announces the
/// new and changed reports once that is committed.
///
/// A batch costs a handful of statements whatever its size: what the index holds of the
/// batch's reports is read in one query, new reports are counted against the daily limit in
/// memory, and all of them are written in one statement.
async fn index_docs(
    state: &AppState,
    known: &mut HashMap<String, Indexed>,
    docs: &[Pinned],
) -> anyhow::Result<()> {
    let doc_ids: Vec<&str> = docs.iter().map(Pinned::id).collect();
    learn(state, known, &doc_ids).await?;
    // Read at once: each read waits for its document's lock, which a rider's connection holds
    // while its change is being stored, so one at a time would wait for one commit after
    // another.
    let known_now: &HashMap<String, Indexed> = known;
    let reads = futures::future::join_all(
        docs.iter()
            .filter_map(|pin| Some((pin, known_now.get(pin.id())?)))
            .map(|(pin, indexed)| read_doc(state, indexed, pin)),
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
    let now = now_ms();
    let mut batch = state.db.index_batch().await?;
    let ids: Vec<&str> = reads.iter().map(|r| r.doc_id.as_str()).collect();
    batch.lock_docs(&ids).await?;
    // Other nodes index these documents too (PostgreSQL): what this node knows of their flags
    // and daily counts is read again, now that no other node's batch of them is under way.
    let reread = state.db.is_pg();
    if reread {
        let mut flagged: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (doc_id, key) in state.db.flagged_keys(&ids).await? {
            flagged.entry(doc_id).or_default().insert(key);
        }
        for id in &ids {
            if let Some(indexed) = known.get_mut(*id) {
                indexed.flagged = flagged.remove(*id).unwrap_or_default();
            }
        }
    }
    // What each document holds: a problem to flag, or a valid report.
    let mut checked: Vec<(String, Vec<Checked>)> = Vec::with_capacity(reads.len());
    let mut marks: Vec<(String, i64)> = Vec::new();
    // Per document: its requests to decide, check-ins and wishes to keep, and whether it lacks
    // a map.
    let mut redeem: Vec<ToRedeem> = Vec::new();
    for read in reads {
        // Only a document that reads as a rider document gets the maps it lacks.
        let lacks_map = !read.has_maps && read.entries.is_ok();
        let settle = !read.requests.is_empty()
            || lacks_map
            || !read.checkins.is_empty()
            || !read.wishes.is_empty();
        if settle {
            redeem.push(ToRedeem {
                doc_id: read.doc_id.clone(),
                requests: read.requests,
                checkins: read.checkins,
                wishes: read.wishes,
                lacks_map,
                seq: read.seq,
            });
        }
        let Some(indexed) = known.get_mut(&read.doc_id) else {
            continue;
        };
        // Everything stored up to the mark read with the document is indexed by this batch. A
        // document with requests to decide keeps its mark until they are decided, so that a
        // stop in between leaves it to be read again at the next start.
        if read.seq > 0 && !settle {
            marks.push((read.doc_id.clone(), read.seq));
        }
        match read.entries {
            Ok(entries) => {
                // A document that does not read as a rider document is read in full once it
                // does.
                indexed.read_at = read.heads;
                unflag(&mut batch, &read.doc_id, "", indexed).await?;
                checked.push((
                    read.doc_id,
                    entries.into_iter().map(|e| check(e, now)).collect(),
                ));
            }
            Err(e) => {
                indexed.again.clear();
                flag(&mut batch, &read.doc_id, "", &e.to_string(), indexed).await?;
            }
        }
    }
    let keys: Vec<(i64, &str)> = checked
        .iter()
        .filter_map(|(doc_id, entries)| Some((known.get(doc_id)?.rider.id, entries)))
        .flat_map(|(rider_id, entries)| {
            entries.iter().filter_map(move |c| match c {
                Checked::Valid(_, r) => Some((rider_id, r.id.as_str())),
                Checked::Flag(..) => None,
            })
        })
        .collect();
    let stored: HashMap<(i64, String), Stored> = batch
        .stored(&keys)
        .await?
        .into_iter()
        .map(|s| ((s.key().0, s.key().1.to_owned()), s))
        .collect();
    count_days(&mut batch, known, &checked, &stored, reread).await?;

    let max = state.config.max_reports_per_day;
    let mut upserts: Vec<(&str, &Report)> = Vec::new();
    let mut feed = Vec::new();
    for (doc_id, entries) in &checked {
        let Some(indexed) = known.get_mut(doc_id) else {
            continue;
        };
        indexed.again.clear();
        for entry in entries {
            let (key, report) = match entry {
                Checked::Flag(key, problem) => {
                    flag(&mut batch, doc_id, key, problem, indexed).await?;
                    continue;
                }
                Checked::Valid(key, report) => (key, report),
            };
            let old = stored.get(&(indexed.rider.id, report.id.clone()));
            let outcome = match old {
                Some(old) => old.outcome(report),
                None => {
                    let day = cst_day(report.created_at).0;
                    let count = indexed.days.entry(day).or_default();
                    if *count >= i64::from(max) {
                        UpsertOutcome::OverDailyLimit
                    } else {
                        *count += 1;
                        UpsertOutcome::Inserted
                    }
                }
            };
            if let (UpsertOutcome::Updated, Some(old)) = (outcome, old) {
                indexed.moved(old.created_at(), report.created_at);
            }
            match outcome {
                UpsertOutcome::Unchanged => unflag(&mut batch, doc_id, key, indexed).await?,
                UpsertOutcome::Inserted | UpsertOutcome::Updated => {
                    unflag(&mut batch, doc_id, key, indexed).await?;
                    upserts.push((doc_id, report));
                    feed.extend(IndexBatch::row(&indexed.rider, report, old, now));
                }
                UpsertOutcome::Reviewed => {
                    let problem = "edited after review; the reviewed version stands";
                    flag(&mut batch, doc_id, key, problem, indexed).await?;
                }
                UpsertOutcome::OverDailyLimit => {
                    let problem = format!("more than {max} reports on one day");
                    flag(&mut batch, doc_id, key, &problem, indexed).await?;
                    // Not remembered as indexed: the entry is looked at again on the next
                    // change.
                    indexed.again.insert(key.clone());
                }
            }
        }
    }
    let rows: Vec<Upsert> = upserts
        .iter()
        .filter_map(|(doc_id, report)| {
            Some(Upsert {
                rider: &known.get(*doc_id)?.rider,
                doc_id,
                report,
            })
        })
        .collect();
    let written: std::collections::HashSet<(i64, String)> =
        batch.upsert(&rows, now).await?.into_iter().collect();
    // A report decided since it was read is not changed, nor announced as it was.
    feed.retain(|r| written.contains(&(r.rider_id, r.id.clone())));
    let marks: Vec<(&str, i64)> = marks.iter().map(|(d, s)| (d.as_str(), *s)).collect();
    batch.docs_indexed(&marks).await?;
    batch.fill_photos_stored(&mut feed).await?;
    batch.commit().await?;
    crate::cluster::announce(state, feed).await;
    for todo in redeem {
        let ToRedeem {
            doc_id,
            requests,
            checkins,
            wishes,
            lacks_map,
            seq,
        } = todo;
        let Some(indexed) = known.get_mut(&doc_id) else {
            continue;
        };
        if lacks_map {
            state.relay.change(&doc_id, rider_doc::add_maps).await?;
        }
        let settled = keep_entries(state, indexed, &checkins, &wishes, now).await;
        let settled = match settled {
            Ok(()) => {
                crate::rewards::settle(state, &indexed.rider, &requests, &mut indexed.redeemed)
                    .await
            }
            Err(e) => Err(e),
        };
        let settled = match settled {
            Ok(()) if seq > 0 => state.db.doc_indexed(&doc_id, seq).await.map_err(Into::into),
            other => other,
        };
        if let Err(e) = settled {
            // Read again a moment later: the requests not decided are still in the document.
            tracing::error!(error = %e, doc_id, "deciding redemptions failed");
            let relay = state.relay.clone();
            tokio::spawn(async move {
                tokio::time::sleep(RETRY).await;
                relay.mark_changed(&doc_id);
            });
        }
    }
    Ok(())
}

/// What a document holds for the server to take after the batch: its redemption requests not
/// decided yet, its check-ins and wishes not kept yet, whether it lacks a map, and the mark it
/// was read with.
struct ToRedeem {
    doc_id: String,
    requests: Vec<(String, Redemption)>,
    checkins: Vec<(String, CheckIn)>,
    wishes: Vec<(String, Wish)>,
    lacks_map: bool,
    seq: i64,
}

/// Keeps the rider's new check-ins and wishes that hold (each once), and remembers every one
/// read, those left out too, so that none is read again.
async fn keep_entries(
    state: &AppState,
    indexed: &mut Indexed,
    checkins: &[(String, CheckIn)],
    wishes: &[(String, Wish)],
    now: i64,
) -> anyhow::Result<()> {
    if checkins.is_empty() && wishes.is_empty() {
        return Ok(());
    }
    let when =
        |at: i64| (validate::MIN_CREATED_AT_MS..=now + validate::MAX_CLOCK_SKEW_MS).contains(&at);
    let good_checkins: Vec<(String, CheckIn)> = checkins
        .iter()
        .filter(|(id, c)| {
            rider_doc::is_entry_id(id) && model::api::is_station_id(&c.station) && when(c.at)
        })
        .cloned()
        .collect();
    let good_wishes: Vec<(String, Wish)> = wishes
        .iter()
        .filter(|(id, w)| rider_doc::is_entry_id(id) && w.problem().is_none() && when(w.at))
        .cloned()
        .collect();
    state
        .db
        .entries_put(&indexed.rider, &good_checkins, &good_wishes, now)
        .await?;
    let ids = checkins
        .iter()
        .map(|(id, _)| id)
        .chain(wishes.iter().map(|(id, _)| id));
    indexed.entries.extend(ids.cloned());
    Ok(())
}

/// One entry of a rider document, checked.
enum Checked {
    /// A report that validates, under its key.
    Valid(String, Box<Report>),
    /// An entry to flag, with its problem.
    Flag(String, String),
}

fn check((key, entry): rider_doc::Entry, now: i64) -> Checked {
    let report = match entry {
        Ok(r) => r,
        Err(e) => return Checked::Flag(key, e),
    };
    let problems = validate::check_report(&key, &report, now);
    if problems.is_empty() {
        return Checked::Valid(key, Box::new(report));
    }
    let text = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    Checked::Flag(key, text)
}

/// Makes sure each rider's count of reports on the day of each of its new reports is known,
/// reading those not yet known (with `reread`, all of them) in one query.
async fn count_days(
    batch: &mut IndexBatch,
    known: &mut HashMap<String, Indexed>,
    checked: &[(String, Vec<Checked>)],
    stored: &HashMap<(i64, String), Stored>,
    reread: bool,
) -> anyhow::Result<()> {
    let mut wanted: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mut owners: HashMap<i64, &str> = HashMap::new();
    for (doc_id, entries) in checked {
        let Some(indexed) = known.get_mut(doc_id) else {
            continue;
        };
        // A rider reports on a few days at a time: older days are read again if needed.
        if reread || indexed.days.len() > DAYS_KEPT {
            indexed.days.clear();
        }
        let rider_id = indexed.rider.id;
        owners.insert(rider_id, doc_id);
        for entry in entries {
            if let Checked::Valid(_, r) = entry
                && !stored.contains_key(&(rider_id, r.id.clone()))
            {
                let day = cst_day(r.created_at).0;
                if !indexed.days.contains_key(&day) {
                    wanted.insert((rider_id, day));
                }
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let wanted: Vec<(i64, i64)> = wanted.into_iter().collect();
    for (rider_id, day, count) in batch.day_counts(&wanted).await? {
        if let Some(indexed) = owners.get(&rider_id).and_then(|d| known.get_mut(*d)) {
            indexed.days.insert(day, count);
        }
    }
    Ok(())
}

/// Gets to know the batch's rider documents not known yet: their owners and their flagged
/// entries, in one query each. A document that is no rider's is left unknown, and not indexed.
async fn learn(
    state: &AppState,
    known: &mut HashMap<String, Indexed>,
    doc_ids: &[&str],
) -> anyhow::Result<()> {
    let owners: HashMap<i64, &str> = doc_ids
        .iter()
        .filter(|id| !known.contains_key(**id))
        .filter_map(|id| match state.acl.access(id) {
            Some(DocAccess::Rider { owner }) => Some((owner, *id)),
            _ => None,
        })
        .collect();
    if owners.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = owners.keys().copied().collect();
    let docs: Vec<&str> = owners.values().copied().collect();
    // The indexer is the only writer of flags: read once, they are kept here (on PostgreSQL,
    // where other nodes' indexers write them too, read again in every batch).
    let mut flagged: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (doc_id, key) in state.db.flagged_keys(&docs).await? {
        flagged.entry(doc_id).or_default().insert(key);
    }
    let mut redeemed: HashMap<i64, HashSet<String>> = HashMap::new();
    for (rider_id, id) in state.db.redemption_ids_of(&ids).await? {
        redeemed.entry(rider_id).or_default().insert(id);
    }
    let mut kept: HashMap<i64, HashSet<String>> = HashMap::new();
    for (rider_id, id) in state.db.entry_ids_of(&ids).await? {
        kept.entry(rider_id).or_default().insert(id);
    }
    for rider in state.db.users_by_ids(&ids).await? {
        let Some(doc_id) = owners.get(&rider.id) else {
            continue;
        };
        let redeemed = redeemed.remove(&rider.id).unwrap_or_default();
        let entries = kept.remove(&rider.id).unwrap_or_default();
        known.insert(
            (*doc_id).to_owned(),
            Indexed {
                flagged: flagged.remove(*doc_id).unwrap_or_default(),
                rider,
                read_at: Vec::new(),
                again: BTreeSet::new(),
                days: HashMap::new(),
                redeemed,
                entries,
            },
        );
    }
    Ok(())
}
/// Reads the entries of one rider document changed since the indexer last read it, inside the
/// document's lock and without copying the document, so a new report costs the same in a full
/// document. `None` for a document that is missing.
async fn read_doc(
    state: &AppState,
    indexed: &Indexed,
    pin: &Pinned,
) -> anyhow::Result<Option<Read>> {
    let doc_id = pin.id();
    let (read_at, again, redeemed) = (&indexed.read_at, &indexed.again, &indexed.redeemed);
    let kept = &indexed.entries;
    let Some(read) = state
        .relay
        .read_pinned(pin, |d| {
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
            let requests = rider_doc::redemptions_except(d, redeemed);
            let checkins = rider_doc::checkins_except(d, kept);
            let wishes = rider_doc::wishes_except(d, kept);
            (
                d.get_heads(),
                entries,
                (requests, checkins, wishes),
                rider_doc::has_maps(d),
            )
        })
        .await?
    else {
        tracing::error!(doc_id, "rider document is missing from the store");
        return Ok(None);
    };
    let (heads, entries, (requests, checkins, wishes), has_maps) = read.value;
    Ok(Some(Read {
        doc_id: doc_id.to_owned(),
        heads,
        entries,
        seq: read.seq,
        requests,
        checkins,
        wishes,
        has_maps,
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
    /// How many reports the rider has in the index dated on each day (by the start of the
    /// China Standard Time day), for the days looked at lately. The indexer is the only writer
    /// of reports, so counts kept here stay true (on PostgreSQL, where other nodes' indexers
    /// write them too, they are read again in every batch).
    days: HashMap<i64, i64>,
    /// The ids of the rider's redemption requests decided already.
    redeemed: HashSet<String>,
    /// The ids of the rider's check-ins and wishes read already.
    entries: HashSet<String>,
}

impl Indexed {
    /// Keeps the day counts true when a report's date changes from `from` to `to`.
    fn moved(&mut self, from: i64, to: i64) {
        let (from, to) = (cst_day(from).0, cst_day(to).0);
        if from == to {
            return;
        }
        if let Some(n) = self.days.get_mut(&from) {
            *n -= 1;
        }
        if let Some(n) = self.days.get_mut(&to) {
            *n += 1;
        }
    }
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
