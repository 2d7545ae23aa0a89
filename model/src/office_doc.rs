//! The office document (schema v1): one per rider, written by the server only, read-only for the
//! rider. It carries what supervisors decided about the rider's reports.
//!
//! ```text
//! { schema: 1, kind: "office", owner: "<user id>", reviews: { "<report uuid>": Review, ... } }
//! ```
//! The relay shares it read-only with its owner: a rider's change to it is never applied, and
//! every sync message the relay sends for it carries automerge's read-only flag.

use automerge::{Automerge, ObjType, ROOT, ReadDoc, transaction::Transactable};
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};

use crate::{ModelError, SCHEMA_VERSION, lenient};

/// The `kind` of an office document.
pub const KIND: &str = "office";

/// A supervisor's decision on one report.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
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

/// Records (or replaces) the review of `report_id`.
pub fn put_review(doc: &mut Automerge, report_id: &str, review: &Review) -> Result<(), ModelError> {
    let reviews = reviews_obj(doc)?;
    let mut tx = doc.transaction();
    reconcile_prop(&mut tx, &reviews, report_id, review)?;
    tx.commit();
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
        put_review(&mut doc, "r1", &r).expect("put");
        assert_eq!(review(&doc, "r1").expect("read"), Some(r));
    }
}
