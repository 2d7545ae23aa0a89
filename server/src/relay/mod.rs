//! The automerge-repo relay: a samod repo over the SQL store, its share policy, and the
//! WebSocket pump that checks every frame before samod sees it.

mod acl;
mod pump;
mod storage;

pub use acl::{Acl, DocAccess, peer_user_id};
pub use pump::{DocSizes, Limits, serve_socket};
pub use storage::{SqlStorage, StoreStats};

use std::sync::Arc;

use samod::{AcceptorHandle, PeerId, Repo, ShareConfig};

use crate::db::Db;

/// The relay: several samod repos over one document store, each account's connections and
/// documents in the repo of its shard (the account id modulo the number of shards).
///
/// A samod repo does work for every connection times every document it holds on each event, so
/// one repo for a whole county grows with the square of the riders online. A rider's documents
/// are only ever synced by that rider, so splitting accounts over shards divides that work by
/// the number of shards, and the shards run on all cores. A county's stations document, which
/// every account of the county reads, is loaded by each shard that serves one of them, from
/// the shared store.
#[derive(Clone)]
pub struct Relay {
    shards: Arc<[Shard]>,
    acl: Acl,
}

#[derive(Clone)]
struct Shard {
    repo: Repo,
    acceptor: AcceptorHandle,
}

impl Relay {
    /// Starts `shards` repos (at least one) over `db`, enforcing `acl` and counting their
    /// writes in `stats`.
    pub async fn start(db: Db, acl: Acl, stats: StoreStats, shards: usize) -> anyhow::Result<Self> {
        let node = uuid::Uuid::new_v4().simple().to_string();
        let mut all = Vec::new();
        for k in 0..shards.max(1) {
            let acl = acl.clone();
            let policy = move |doc_id: samod::DocumentId, peer: PeerId| {
                let decision = acl.decide(&doc_id.to_string(), peer.as_str());
                futures::stream::iter([decision])
            };
            let repo = Repo::build_tokio()
                .with_peer_id(PeerId::from(format!("relay-{}-{k}", &node[..12])))
                .with_storage(SqlStorage::new(db.clone(), stats.clone()))
                .with_share_policy(policy)
                .load()
                .await;
            let acceptor = repo
                .make_acceptor(samod::Url::parse("ws://relay/sync")?)
                .map_err(|_| anyhow::anyhow!("relay stopped"))?;
            all.push(Shard { repo, acceptor });
        }
        Ok(Self {
            shards: all.into(),
            acl,
        })
    }

    fn shard(&self, user_id: i64) -> &Shard {
        let n = self.shards.len() as i64;
        &self.shards[user_id.rem_euclid(n) as usize]
    }

    /// The repo that holds the documents of account `user_id` and serves its connections.
    pub fn repo(&self, user_id: i64) -> &Repo {
        &self.shard(user_id).repo
    }

    /// Where the connections of account `user_id` are handed over.
    pub fn acceptor(&self, user_id: i64) -> AcceptorHandle {
        self.shard(user_id).acceptor.clone()
    }

    /// The repo that makes documents shared by several accounts (a county's stations).
    pub fn shared(&self) -> &Repo {
        &self.shards[0].repo
    }

    /// The repo that serves a document the relay shares: its owner's, or for a county's
    /// stations the shard that made it.
    pub fn repo_of_doc(&self, doc_id: &str) -> Option<&Repo> {
        match self.acl.access(doc_id)? {
            DocAccess::Rider { owner } | DocAccess::Office { owner } => Some(self.repo(owner)),
            DocAccess::Stations { .. } => Some(self.shared()),
        }
    }

    /// How many shards there are.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Stops every shard, once its pending writes are done.
    pub async fn stop(&self) {
        for s in self.shards.iter() {
            s.repo.stop().await;
        }
    }
}

/// The access a decision grants, for logs and tests.
pub fn describe(c: &ShareConfig) -> String {
    format!("{c:?}")
}
