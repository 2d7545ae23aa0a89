//! The office document (schema v1): one per rider, written by the server only, read-only for the
//! rider. It carries what supervisors decided about the rider's reports.
//!
//! ```text
//! { schema: 1, kind: "office", owner: "<user id>", reviews: { "<report uuid>": Review, ... },
//!   points: Points, notices: { "<notice id>": Notice, ... },
//!   redemptions: { "<request uuid>": Outcome, ... } }
//! ```
//! `points` is a copy of the rider's part of the server's points ledger (SQL, append-only),
//! written after each ledger transaction commits; clients never compute points.
//! The relay shares it read-only with its owner: a rider's change to it is never applied, and
//! every sync message the relay sends for it carries automerge's read-only flag.

use automerge::{
    Automerge, ObjType, ROOT, ReadDoc,
    transaction::{Transactable, Transaction},
};
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};

use crate::{ModelError, SCHEMA_VERSION, lenient};

/// The `kind` of an office document.
pub const KIND: &str = "office";

/// A supervisor's decision on one report.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct Review {
    /// `valid` (a valid lead), `invalid`, `duplicate`, `forwarded` or `resolved`.
    #[autosurgeon(hydrate = "lenient::string")]
    pub status: String,
    /// The supervisor's note to the rider; may be empty.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub note: String,
    /// When it was decided, in milliseconds since the Unix epoch (server clock).
    #[autosurgeon(hydrate = "lenient::i64")]
    pub at: i64,
}

/// A freshly made office document for `owner`.
pub fn new_doc(owner: &str) -> Result<Automerge, ModelError> {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "schema", SCHEMA_VERSION)?;
        tx.put(ROOT, "kind", KIND)?;
        tx.put(ROOT, "owner", owner)?;
        tx.put_object(ROOT, "reviews", ObjType::Map)?;
        Ok(())
    })
    .map_err(|f| f.error)?;
    Ok(doc)
}

fn reviews_obj<D: ReadDoc>(doc: &D) -> Result<automerge::ObjId, ModelError> {
    match doc.get(ROOT, "reviews")? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(ModelError::Hydrate(
            "office document has no reviews map".into(),
        )),
    }
}

/// What the server writes into an office document once its SQL has committed: a decision,
/// the points, the latest notices and the redemption outcomes, each where given. [`write`]
/// makes it one change, so the document's history grows by one change per write.
#[derive(Debug, Default, Clone, Copy)]
pub struct Update<'a> {
    /// A decision on one report: `(report id, review)`.
    pub review: Option<(&'a str, &'a Review)>,
    pub points: Option<&'a Points>,
    pub notices: Option<&'a [(String, Notice)]>,
    pub outcomes: Option<&'a [(String, Outcome)]>,
}

/// Applies `update` as one transaction: all of it, or (on an error) nothing.
pub fn write(doc: &mut Automerge, update: &Update<'_>) -> Result<(), ModelError> {
    let mut tx = doc.transaction();
    if let Some((report_id, review)) = update.review {
        put_review(&mut tx, report_id, review)?;
    }
    if let Some(points) = update.points {
        put_points(&mut tx, points)?;
    }
    if let Some(notices) = update.notices {
        put_notices(&mut tx, notices)?;
    }
    if let Some(outcomes) = update.outcomes {
        put_outcomes(&mut tx, outcomes)?;
    }
    tx.commit();
    Ok(())
}

/// Records (or replaces) the review of `report_id`.
fn put_review(
    tx: &mut Transaction<'_>,
    report_id: &str,
    review: &Review,
) -> Result<(), ModelError> {
    let reviews = reviews_obj(tx)?;
    reconcile_prop(tx, &reviews, report_id, review)?;
    Ok(())
}

/// The review of `report_id`, if there is one.
pub fn review(doc: &Automerge, report_id: &str) -> Result<Option<Review>, ModelError> {
    let reviews = reviews_obj(doc)?;
    if doc.get(&reviews, report_id)?.is_none() {
        return Ok(None);
    }
    Ok(Some(hydrate_prop(doc, &reviews, report_id)?))
}

/// Every review that reads, by report id.
pub fn reviews(doc: &Automerge) -> Result<Vec<(String, Review)>, ModelError> {
    let obj = reviews_obj(doc)?;
    Ok(doc
        .keys(&obj)
        .filter_map(|key| {
            let r = hydrate_prop::<_, Review, _, _>(doc, &obj, key.as_str()).ok()?;
            Some((key, r))
        })
        .collect())
}

/// One entry of the points ledger, as the rider sees it.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct PointsEntry {
    /// `award` (a valid report), `adjustment` (a decision changed), `redemption` (a reward
    /// redeemed) or `refund` (a reward not picked up in time: its price given back).
    #[autosurgeon(hydrate = "lenient::string")]
    pub kind: String,
    /// Points added (negative: taken back or spent).
    #[autosurgeon(hydrate = "lenient::i64")]
    pub amount: i64,
    /// The report it is about; empty when none.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub report: String,
    /// The supervisor's note; may be empty.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub reason: String,
    /// When it was booked, in milliseconds since the Unix epoch (server clock).
    #[autosurgeon(hydrate = "lenient::i64")]
    pub at: i64,
}

/// The rider's points: the balance and every entry, by ledger id (decimal).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Points {
    pub balance: i64,
    pub entries: Vec<(String, PointsEntry)>,
}

/// Replaces the document's copy of the rider's points with `points` (the ledger's balance and
/// latest entries): new entries are added, entries no longer among the latest removed.
fn put_points(tx: &mut Transaction<'_>, points: &Points) -> Result<(), ModelError> {
    let obj = match tx.get(ROOT, "points")? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => tx.put_object(ROOT, "points", ObjType::Map)?,
    };
    tx.put(&obj, "balance", points.balance)?;
    let entries = map_keeping(tx, &obj, "entries", &points.entries)?;
    for (id, entry) in &points.entries {
        if tx.get(&entries, id.as_str())?.is_none() {
            reconcile_prop(tx, &entries, id.as_str(), entry)?;
        }
    }
    Ok(())
}

/// The rider's points, if the document carries them; entries in ledger order.
pub fn points(doc: &Automerge) -> Option<Points> {
    let Ok(Some((automerge::Value::Object(ObjType::Map), obj))) = doc.get(ROOT, "points") else {
        return None;
    };
    let balance = match doc.get(&obj, "balance") {
        Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
            automerge::ScalarValue::Int(n) => *n,
            automerge::ScalarValue::Uint(n) => i64::try_from(*n).ok()?,
            _ => return None,
        },
        _ => return None,
    };
    let mut entries = Vec::new();
    if let Ok(Some((automerge::Value::Object(ObjType::Map), list))) = doc.get(&obj, "entries") {
        for key in doc.keys(&list) {
            if let Ok(e) = hydrate_prop::<_, PointsEntry, _, _>(doc, &list, key.as_str()) {
                entries.push((key, e));
            }
        }
    }
    // Ledger ids are decimal: order by number, not by text.
    entries.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(u64::MAX));
    Some(Points { balance, entries })
}

/// A message to the rider: the outcome of a decision on one of their reports (later also of a
/// redemption, or a county announcement). Codes only; the app words them.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    /// `review` (a supervisor decided on a report), `redemption` (the server decided a request
    /// for a reward), `wish` (a supervisor moved one of the rider's wishes on) or `notice`.
    #[autosurgeon(hydrate = "lenient::string")]
    pub kind: String,
    /// The report it is about; empty when none.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub report: String,
    /// The redemption request it is about (its id in `redemptions`); empty when none.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub redemption: String,
    /// The wish it is about (its id in the rider document's `wishes`); empty when none.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub wish: String,
    /// For a review: the decision's status code (`valid`, `invalid`, …); for a redemption,
    /// `done`, `failed` or `refunded`; for a wish, `approved`, `rejected`, `claimed` or
    /// `fulfilled`.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub status: String,
    /// The points the report has brought after this decision (0 when none); for a redemption,
    /// the price.
    #[autosurgeon(hydrate = "lenient::i64")]
    pub points: i64,
    /// The supervisor's note or reason; for a failed redemption, why (`balance`, `stock`,
    /// `unavailable`). May be empty.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub note: String,
    /// When it was sent, in milliseconds since the Unix epoch (server clock).
    #[autosurgeon(hydrate = "lenient::i64")]
    pub at: i64,
}

/// The server's decision on one of the rider's redemption requests (keyed by the request's id).
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The reward asked for (its catalogue id) and its name and price when decided.
    #[autosurgeon(hydrate = "lenient::string")]
    pub reward: String,
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub name: String,
    #[autosurgeon(hydrate = "lenient::i64")]
    pub price: i64,
    /// `done` (redeemed: the points are spent and the code is valid), `failed`, or `refunded`
    /// (not picked up within 30 days: the price is back on the balance, the code void).
    #[autosurgeon(hydrate = "lenient::string")]
    pub status: String,
    /// Why it failed: `balance`, `stock` or `unavailable`; empty when done.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub reason: String,
    /// The 6-digit pickup code, when done.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub code: String,
    /// Until when the code can be used (ms since the epoch); 0 when failed.
    #[autosurgeon(hydrate = "lenient::i64")]
    pub expires_at: i64,
    /// When the reward was handed over (ms since the epoch); 0 until then.
    #[autosurgeon(hydrate = "lenient::i64")]
    pub picked_up_at: i64,
    /// When the server decided (ms since the epoch).
    #[autosurgeon(hydrate = "lenient::i64")]
    pub at: i64,
}

/// Writes the outcomes of the rider's redemption requests (new ones added, changed ones, such
/// as a pickup, updated).
fn put_outcomes(
    tx: &mut Transaction<'_>,
    outcomes: &[(String, Outcome)],
) -> Result<(), ModelError> {
    let obj = match tx.get(ROOT, "redemptions")? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => tx.put_object(ROOT, "redemptions", ObjType::Map)?,
    };
    for (id, outcome) in outcomes {
        reconcile_prop(tx, &obj, id.as_str(), outcome)?;
    }
    Ok(())
}

/// The outcomes of the rider's redemption requests, by request id (sorted).
pub fn outcomes(doc: &Automerge) -> Vec<(String, Outcome)> {
    crate::lenient::map_entries(doc, "redemptions", |_| true)
}

/// Adds the notices the document does not hold yet (notices never change once written), and
/// removes those no longer among the latest `notices`.
fn put_notices(tx: &mut Transaction<'_>, notices: &[(String, Notice)]) -> Result<(), ModelError> {
    let obj = map_keeping(tx, &ROOT, "notices", notices)?;
    for (id, notice) in notices {
        if tx.get(&obj, id.as_str())?.is_none() {
            reconcile_prop(tx, &obj, id.as_str(), notice)?;
        }
    }
    Ok(())
}

/// Every notice that reads, oldest first (ids are decimal and grow).
pub fn notices(doc: &Automerge) -> Vec<(String, Notice)> {
    let mut all: Vec<(String, Notice)> = crate::lenient::map_entries(doc, "notices", |_| true);
    all.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(u64::MAX));
    all
}

/// The map at `parent[key]`, made if missing, holding only the keys `ids` names: the others
/// are deleted. For the server's copies that follow SQL (entries, notices, the catalogue).
pub(crate) fn map_keeping<I: AsRef<str>>(
    tx: &mut automerge::transaction::Transaction<'_>,
    parent: &automerge::ObjId,
    key: &str,
    ids: &[(I, impl Sized)],
) -> Result<automerge::ObjId, ModelError> {
    let obj = match tx.get(parent, key)? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => tx.put_object(parent, key, ObjType::Map)?,
    };
    let gone: Vec<String> = tx
        .keys(&obj)
        .filter(|k| !ids.iter().any(|(id, _)| id.as_ref() == k))
        .collect();
    for k in gone {
        tx.delete(&obj, k.as_str())?;
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_round_trips() {
        let mut doc = new_doc("7").expect("new");
        assert_eq!(review(&doc, "r1").expect("read"), None);
        let r = Review {
            status: "valid".into(),
            note: "已派人处理".into(),
            at: 1_700_000_000_000,
        };
        write(
            &mut doc,
            &Update {
                review: Some(("r1", &r)),
                ..Update::default()
            },
        )
        .expect("put");
        assert_eq!(review(&doc, "r1").expect("read"), Some(r));
    }

    #[test]
    fn points_round_trip_and_keep_ledger_order() {
        let mut doc = new_doc("7").expect("new");
        assert_eq!(points(&doc), None);
        let entry = |amount, at| PointsEntry {
            kind: "award".into(),
            amount,
            report: "r1".into(),
            reason: String::new(),
            at,
        };
        let mut p = Points {
            balance: 20,
            entries: vec![("9".into(), entry(20, 1))],
        };
        let put = |doc: &mut Automerge, p: &Points| {
            let update = Update {
                points: Some(p),
                ..Update::default()
            };
            write(doc, &update)
        };
        put(&mut doc, &p).expect("put");
        assert_eq!(points(&doc), Some(p.clone()));
        p.balance = 0;
        p.entries.push((
            "10".into(),
            PointsEntry {
                kind: "adjustment".into(),
                ..entry(-20, 2)
            },
        ));
        put(&mut doc, &p).expect("put again");
        assert_eq!(points(&doc), Some(p));
    }

    #[test]
    fn notices_are_added_once_and_read_in_id_order() {
        let mut doc = new_doc("7").expect("new");
        assert!(notices(&doc).is_empty());
        let notice = |status: &str, points, at| Notice {
            kind: "review".into(),
            report: "r1".into(),
            redemption: String::new(),
            wish: String::new(),
            status: status.into(),
            points,
            note: String::new(),
            at,
        };
        let first = vec![("9".to_owned(), notice("valid", 20, 1))];
        let put = |doc: &mut Automerge, n: &[(String, Notice)]| {
            let update = Update {
                notices: Some(n),
                ..Update::default()
            };
            write(doc, &update)
        };
        put(&mut doc, &first).expect("put");
        let mut both = first.clone();
        both.push(("10".into(), notice("invalid", 0, 2)));
        // The first is not written again, even if the copy offered differs.
        let mut offered = both.clone();
        offered[0].1.points = 99;
        put(&mut doc, &offered).expect("put again");
        assert_eq!(notices(&doc), both);
    }
}
