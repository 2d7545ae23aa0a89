//! The automerge-repo relay: a samod repo over the SQL store, its share policy, and the
//! WebSocket pump that checks every frame before samod sees it.

mod acl;
mod pump;
mod storage;

pub use acl::{Acl, DocAccess, peer_user_id};
pub use pump::{DocSizes, Limits, serve_socket};
pub use storage::{SqlStorage, StoreStats};

use samod::{PeerId, Repo, ShareConfig};

use crate::db::Db;

/// Starts the relay's repo over `db`, enforcing `acl` and counting its writes in `stats`.
pub async fn start(db: Db, acl: Acl, stats: StoreStats) -> Repo {
    let policy = move |doc_id: samod::DocumentId, peer: PeerId| {
        let decision = acl.decide(&doc_id.to_string(), peer.as_str());
        futures::stream::iter([decision])
    };
    let node = uuid::Uuid::new_v4().simple().to_string();
    Repo::build_tokio()
        .with_peer_id(PeerId::from(format!("relay-{}", &node[..12])))
        .with_storage(SqlStorage::new(db, stats))
        .with_share_policy(policy)
        .load()
        .await
}

/// The access a decision grants, for logs and tests.
pub fn describe(c: &ShareConfig) -> String {
    format!("{c:?}")
}
