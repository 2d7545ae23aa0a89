//! Who may sync which document: the share policy's table, the one place that decides.
//!
//! A peer id is `u<user id>.<device suffix>`; the WebSocket upgrade authenticates the user and
//! binds the connection to exactly that peer id, so the user id read back here is trustworthy.
//!
//! | document | its owner / county | anyone else |
//! |---|---|---|
//! | rider doc | read-write for its owner | nothing |
//! | office doc | read-only for its owner | nothing |
//! | stations doc | read-only for every account of that county | nothing |

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use model::relay::Access;

/// What a document is and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocAccess {
    /// A rider document: read-write for its owner only.
    Rider { owner: i64 },
    /// An office document: read-only for its owner; only the server writes it.
    Office { owner: i64 },
    /// A county's stations document: read-only for the accounts of that county.
    Stations { county: String },
}

#[derive(Debug, Default)]
struct Tables {
    docs: HashMap<String, DocAccess>,
    /// The county of each account that may sync.
    users: HashMap<i64, String>,
}

/// The table of documents the relay shares, by document id, and of the accounts that may sync.
#[derive(Clone, Debug, Default)]
pub struct Acl {
    tables: Arc<RwLock<Tables>>,
}

impl Acl {
    /// Registers a document.
    pub fn insert(&self, doc_id: &str, access: DocAccess) {
        if let Ok(mut t) = self.tables.write() {
            t.docs.insert(doc_id.to_owned(), access);
        }
    }

    /// Registers an account that may sync, with its county; a disabled account is removed.
    pub fn set_user(&self, user_id: i64, county: &str, enabled: bool) {
        if let Ok(mut t) = self.tables.write() {
            if enabled {
                t.users.insert(user_id, county.to_owned());
            } else {
                t.users.remove(&user_id);
            }
        }
    }

    /// What a document is, if the relay shares it at all.
    pub fn access(&self, doc_id: &str) -> Option<DocAccess> {
        self.tables.read().ok()?.docs.get(doc_id).cloned()
    }

    /// The share decision for one (document, peer) pair: `None` for anything not explicitly
    /// granted, and a denied peer cannot even learn that the document exists.
    pub fn decide(&self, doc_id: &str, peer: &str) -> Option<Access> {
        let user = model::PeerId::parse(peer)?.user_id();
        let t = self.tables.read().ok()?;
        let county = t.users.get(&user)?;
        match t.docs.get(doc_id)? {
            DocAccess::Rider { owner } if *owner == user => Some(Access::ReadWrite),
            DocAccess::Office { owner } if *owner == user => Some(Access::ReadOnly),
            DocAccess::Stations { county: c } if c == county => Some(Access::ReadOnly),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_enforced() {
        let acl = Acl::default();
        acl.set_user(7, "youyang", true);
        acl.set_user(8, "youyang", true);
        acl.set_user(9, "hanyin", true);
        acl.insert("r7", DocAccess::Rider { owner: 7 });
        acl.insert("o7", DocAccess::Office { owner: 7 });
        acl.insert(
            "sy",
            DocAccess::Stations {
                county: "youyang".into(),
            },
        );
        assert_eq!(acl.decide("r7", "u7.phone"), Some(Access::ReadWrite));
        assert_eq!(acl.decide("o7", "u7.phone"), Some(Access::ReadOnly));
        assert_eq!(acl.decide("sy", "u8.phone"), Some(Access::ReadOnly));
        assert_eq!(acl.decide("r7", "u8.phone"), None);
        assert_eq!(acl.decide("o7", "u8.phone"), None);
        assert_eq!(acl.decide("sy", "u9.phone"), None);
        assert_eq!(acl.decide("d2", "u7.phone"), None);
        assert_eq!(acl.decide("r7", "u7"), None);
        assert_eq!(acl.decide("r7", "u7.a b"), None);
        assert_eq!(acl.decide("r7", "relay-x"), None);
        acl.set_user(7, "youyang", false);
        assert_eq!(acl.decide("r7", "u7.phone"), None);
    }
}
