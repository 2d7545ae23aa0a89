//! The rider's points in the office document: a copy of the SQL ledger, which is the truth.
//!
//! After every booking the copy is rewritten from the ledger ([`write_office`]). A server that
//! stopped between the ledger's commit and that write leaves the copy behind; at start every
//! rider with ledger entries has the copy checked and rewritten where it differs ([`reconcile`]).

use model::office_doc::{Points, PointsEntry, Review};

use crate::state::AppState;

/// The rider's points as the ledger has them.
pub async fn from_ledger(state: &AppState, rider_id: i64) -> sqlx::Result<Points> {
    let ledger = state.db.ledger(rider_id).await?;
    Ok(Points {
        balance: ledger.iter().map(|e| e.amount).sum(),
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

/// Writes the rider's points from the ledger, and a decision if there is one, into the rider's
/// office document. False when the rider has no office document.
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
    let points = from_ledger(state, rider_id).await?;
    let written = state
        .relay
        .change(&office, |d| {
            if let Some((report_id, review)) = review {
                model::office_doc::put_review(d, report_id, review)?;
            }
            model::office_doc::put_points(d, &points)
        })
        .await?;
    Ok(written.is_some())
}

/// Rewrites the points of every rider whose office document does not match the ledger.
/// Returns how many were rewritten.
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
        let ledger = from_ledger(state, rider_id).await?;
        let copy = state
            .relay
            .read(&office, model::office_doc::points)
            .await?
            .and_then(|r| r.value);
        if copy.as_ref() != Some(&ledger) && write_office(state, rider_id, None).await? {
            rewritten += 1;
        }
    }
    Ok(rewritten)
}
