//! The delivery state of each report, from the document, the outbox and the relay's sync state.

use std::collections::{BTreeMap, HashSet};

use automerge::{Automerge, ChangeHash};
use model::{client::SyncClient, rider_doc};

use crate::{
    state::{Delivery, OutboxRow},
    store::OutboxEntry,
};

/// Every report of document `doc_id`, newest first, with its state:
/// - no outbox entry: it came from the relay (another device of the rider), or it was confirmed
///   and its entry dropped, so the relay has it;
/// - an entry whose change the relay is known to hold: received;
/// - otherwise sending while the handshake is done, or saved locally when not connected.
pub fn rows(
    client: &SyncClient,
    doc_id: &str,
    pending: &BTreeMap<String, OutboxEntry>,
) -> Vec<OutboxRow> {
    let Some(doc) = client.doc(doc_id) else {
        return Vec::new();
    };
    let connected = client.is_ready();
    let unconfirmed = client.unconfirmed(doc_id);
    rider_doc::valid_shape_reports(doc)
        .into_iter()
        .map(|report| {
            let delivery = match pending.get(&report.id) {
                None => Delivery::Received,
                Some(e) if confirmed_in(doc, &unconfirmed, e) => Delivery::Received,
                Some(_) if connected => Delivery::Sending,
                Some(_) => Delivery::Local,
            };
            OutboxRow { report, delivery }
        })
        .collect()
}

/// Whether the relay holds the change of outbox entry `e`, given the changes it is not known
/// to hold ([`SyncClient::unconfirmed`]). An entry whose change is not in the document, or whose
/// hash does not parse, is never confirmed, so its entry is kept.
pub fn confirmed_in(doc: &Automerge, unconfirmed: &HashSet<ChangeHash>, e: &OutboxEntry) -> bool {
    e.hash
        .parse::<ChangeHash>()
        .is_ok_and(|h| !unconfirmed.contains(&h) && doc.get_change_meta_by_hash(&h).is_some())
}
