//! The rider's points, notices and redemption outcomes in the office document: a copy of the
//! SQL ledger, notices and redemptions, which are the truth.
//!
//! After every decision the copy is rewritten from SQL ([`write_office`]). A server that stopped
//! between the commit and that write leaves the copy behind; at start every rider with ledger
//! entries or notices has the copy checked and rewritten where it differs ([`reconcile`]).

use model::office_doc::{Notice, Outcome, Points, PointsEntry, Review};

use crate::state::AppState;

/// Office-document writes are serialised per rider through these (a rider's id picks one).
static WRITERS: [tokio::sync::Mutex<()>; 64] = [const { tokio::sync::Mutex::const_new(()) }; 64];

/// How many of the latest ledger entries the office document carries (the balance is always
/// the whole ledger's): the document stays small however long the rider's history.
pub const RECENT_ENTRIES: i64 = 100;
/// How many of the latest notices the office document carries.
pub const RECENT_NOTICES: i64 = 50;

/// The rider's points as the ledger has them: the balance, and the latest entries.
pub async fn from_ledger(state: &AppState, rider_id: i64) -> sqlx::Result<Points> {
    let (ledger, balance) = tokio::try_join!(
        state.db.ledger_recent(rider_id, RECENT_ENTRIES),
        state.db.balance(rider_id)
    )?;
    Ok(Points {
        balance,
        entries: ledger
            .into_iter()
            .map(|e| {
                let entry = PointsEntry {
                    kind: e.kind,
                    amount: e.amount,
                    report: e.report_id.unwrap_or_default(),
                    reason: e.reason,
                    at: e.created_at,
                };
                (e.id.to_string(), entry)
            })
            .collect(),
    })
}

/// The rider's latest notices as the database has them, oldest first.
pub async fn notices(state: &AppState, rider_id: i64) -> sqlx::Result<Vec<(String, Notice)>> {
    Ok(state
        .db
        .notices(rider_id, RECENT_NOTICES)
        .await?
        .into_iter()
        .map(|n| {
            let notice = Notice {
                kind: n.kind,
                report: n.report_id.unwrap_or_default(),
                redemption: n.redemption_id.unwrap_or_default(),
                wish: n.wish_id.unwrap_or_default(),
                status: n.status,
                points: n.points,
                note: n.note,
                at: n.created_at,
            };
            (n.id.to_string(), notice)
        })
        .collect())
}

/// The outcomes of the rider's redemption requests as the database has them.
pub async fn outcomes(state: &AppState, rider_id: i64) -> sqlx::Result<Vec<(String, Outcome)>> {
    Ok(state
        .db
        .redemptions(rider_id)
        .await?
        .into_iter()
        .map(|r| {
            let outcome = Outcome {
                reward: r.reward_id.map(|id| id.to_string()).unwrap_or_default(),
                name: r.name,
                price: r.price,
                status: r.status,
                reason: r.reason,
                code: r.code.unwrap_or_default(),
                expires_at: r.expires_at.unwrap_or(0),
                picked_up_at: r.picked_up_at.unwrap_or(0),
                at: r.decided_at,
            };
            (r.id, outcome)
        })
        .collect())
}

/// What the office document should hold of the rider's account: points, notices, outcomes.
type Account = (
    Option<Points>,
    Vec<(String, Notice)>,
    Vec<(String, Outcome)>,
);

/// Read together: each query has its own connection of the read pool.
async fn truth(state: &AppState, rider_id: i64) -> sqlx::Result<Account> {
    let (points, notices, outcomes) = tokio::try_join!(
        from_ledger(state, rider_id),
        notices(state, rider_id),
        outcomes(state, rider_id)
    )?;
    Ok((Some(points), notices, outcomes))
}

/// Loads the rider's office document and keeps it in memory while the answer is held, so a
/// [`write_office`] after a ledger transaction need not load it: started alongside the
/// transaction, the load runs while SQL works. `None` when the rider has no office document.
pub async fn preload_office(
    state: &AppState,
    rider_id: i64,
) -> anyhow::Result<Option<crate::relay::Pinned>> {
    let office = state
        .db
        .user_by_id(rider_id)
        .await?
        .and_then(|u| u.office_doc);
    match office {
        Some(id) => Ok(Some(state.relay.preload(&id).await?)),
        None => Ok(None),
    }
}

/// Writes the rider's points, notices and redemption outcomes from the database, and a
/// decision if there is one, into the rider's office document. False when the rider has no
/// office document.
pub async fn write_office(
    state: &AppState,
    rider_id: i64,
    review: Option<(&str, &Review)>,
) -> anyhow::Result<bool> {
    let office = state
        .db
        .user_by_id(rider_id)
        .await?
        .and_then(|u| u.office_doc);
    let Some(office) = office else {
        return Ok(false);
    };
    write_office_doc(state, &office, rider_id, review).await
}

/// [`write_office`] into `office`, the rider's office document (as [`preload_office`] found
/// it).
pub async fn write_office_doc(
    state: &AppState,
    office: &str,
    rider_id: i64,
    review: Option<(&str, &Review)>,
) -> anyhow::Result<bool> {
    // One write at a time per rider, reading SQL under the lock: two writes at once (a
    // decision and a redemption) could otherwise apply an older reading after a newer one.
    let _local = WRITERS[rider_id.unsigned_abs() as usize % WRITERS.len()]
        .lock()
        .await;
    // And one at a time across nodes (PostgreSQL), each after the last one another node
    // stored: concurrent changes to one field would be settled by Automerge's order of their
    // ids, not by which reading is newer.
    let turn = state.db.write_turn(office).await?;
    // (One process on SQLite: nothing to merge, no key read.)
    if turn.shared()
        && let Err(e) = state.relay.merge_stored(office).await
    {
        // Written anyway: the newest reading of SQL is never worse than none.
        tracing::warn!(office, error = %e, "cannot merge another node's office writes first");
    }
    let (points, notices, outcomes) = truth(state, rider_id).await?;
    let written = state
        .relay
        .change(office, |d| {
            let update = model::office_doc::Update {
                review,
                points: points.as_ref(),
                notices: Some(&notices),
                outcomes: Some(&outcomes),
            };
            model::office_doc::write(d, &update)
        })
        .await?;
    // Stored (and announced) before the turn passes on.
    turn.end().await;
    Ok(written.is_some())
}

/// Rewrites the points and notices of every rider whose office document does not match the
/// database. Returns how many were rewritten.
pub async fn reconcile(state: &AppState) -> anyhow::Result<usize> {
    let mut rewritten = 0;
    for rider_id in state.db.ledger_users().await? {
        let Some(office) = state
            .db
            .user_by_id(rider_id)
            .await?
            .and_then(|u| u.office_doc)
        else {
            continue;
        };
        let truth = truth(state, rider_id).await?;
        let copy = state
            .relay
            .read(&office, |d| {
                (
                    model::office_doc::points(d),
                    model::office_doc::notices(d),
                    model::office_doc::outcomes(d),
                )
            })
            .await?
            .map(|r| r.value);
        if copy.as_ref() != Some(&truth) && write_office(state, rider_id, None).await? {
            rewritten += 1;
        }
    }
    Ok(rewritten)
}
