//! Who may sync which document: the share policy's table.
//!
//! A peer id is `u<user id>.<device suffix>`; the WebSocket upgrade authenticates the user and
//! binds the connection to exactly that peer id, so the user id read back here is trustworthy.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use samod::ShareConfig;

/// What a document is and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocAccess {
    /// A rider document: read-write for its owner only.
    Rider { owner: i64 },
}

/// The table of documents the relay shares, by document id.
#[derive(Clone, Debug, Default)]
pub struct Acl {
    docs: Arc<RwLock<HashMap<String, DocAccess>>>,
}

/// The user id in a peer id of the form `u<id>.<suffix>`.
pub fn peer_user_id(peer: &str) -> Option<i64> {
    let rest = peer.strip_prefix('u')?;
    let (id, suffix) = rest.split_once('.')?;
    if suffix.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

impl Acl {
    /// Registers a document.
    pub fn insert(&self, doc_id: &str, access: DocAccess) {
        if let Ok(mut m) = self.docs.write() {
            m.insert(doc_id.to_owned(), access);
        }
    }

    /// The share decision for one (document, peer) pair. Anything not explicitly granted is
    /// denied, and a denied peer cannot even learn that the document exists.
    pub fn decide(&self, doc_id: &str, peer: &str) -> ShareConfig {
        let Some(user) = peer_user_id(peer) else {
            return ShareConfig::none();
        };
        let access = self.docs.read().ok().and_then(|m| m.get(doc_id).cloned());
        match access {
            Some(DocAccess::Rider { owner }) if owner == user => ShareConfig::read_write(),
            _ => ShareConfig::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_gets_the_rider_doc() {
        let acl = Acl::default();
        acl.insert("d1", DocAccess::Rider { owner: 7 });
        assert_eq!(acl.decide("d1", "u7.phone"), ShareConfig::read_write());
        assert_eq!(acl.decide("d1", "u8.phone"), ShareConfig::none());
        assert_eq!(acl.decide("d2", "u7.phone"), ShareConfig::none());
        assert_eq!(acl.decide("d1", "u7"), ShareConfig::none());
        assert_eq!(acl.decide("d1", "relay-x"), ShareConfig::none());
        assert_eq!(peer_user_id("u12.abc"), Some(12));
        assert_eq!(peer_user_id("u1x.abc"), None);
    }
}
