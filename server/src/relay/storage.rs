//! samod's storage trait over the server's SQL database.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use samod::storage::{Storage, StorageKey};

use crate::db::Db;

/// What the relay has written to the document store since it started: chunks and bytes.
#[derive(Clone, Debug, Default)]
pub struct StoreStats {
    puts: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
    /// One lock per document, held shared by every write of that document while it runs;
    /// see [`StoreStats::written`].
    writing: Arc<std::sync::Mutex<HashMap<String, DocWrites>>>,
}

type DocWrites = Arc<tokio::sync::RwLock<()>>;

impl StoreStats {
    /// Waits until every write of `doc_id` that has started is finished. The relay answers a
    /// change before its write is done; the socket pump waits here before it passes an answer
    /// on, so a client is never told the relay holds a change that a crash could still lose.
    /// Writes of other documents do not hold it up.
    pub async fn written(&self, doc_id: &str) {
        let lock = self
            .writing
            .lock()
            .ok()
            .and_then(|w| w.get(doc_id).cloned());
        if let Some(lock) = lock {
            drop(lock.write().await);
        }
    }

    /// The lock that writes of `doc_id` hold while they run.
    fn doc_lock(&self, doc_id: &str) -> Option<DocWrites> {
        let mut w = self.writing.lock().ok()?;
        Some(w.entry(doc_id.to_owned()).or_default().clone())
    }

    /// Chunks written.
    pub fn puts(&self) -> u64 {
        self.puts.load(Ordering::Relaxed)
    }

    /// Bytes written, in chunk data.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// Document chunks in the `doc_chunks` table, keyed by the `/`-joined storage key.
#[derive(Clone, Debug)]
pub struct SqlStorage {
    db: Db,
    stats: StoreStats,
}

impl SqlStorage {
    /// Storage over `db`, counting what it writes into `stats`.
    pub fn new(db: Db, stats: StoreStats) -> Self {
        Self { db, stats }
    }
}

fn key_string(key: &StorageKey) -> String {
    key.into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("/")
}

/// Retries a database call a few times: samod's storage interface has no way to report a
/// failure, so a dropped write would lose a rider's report, and a failed read would tell samod
/// that a stored document does not exist. `None` once it has failed for good.
async fn with_retry<T, F, Fut>(what: &str, f: F) -> Option<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = sqlx::Result<T>>,
{
    for attempt in 0..5u32 {
        match f().await {
            Ok(v) => return Some(v),
            Err(e) => {
                tracing::warn!(error = %e, attempt, "document store {what} failed");
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
        }
    }
    tracing::error!("document store {what} failed for good");
    None
}

impl Storage for SqlStorage {
    async fn load(&self, key: StorageKey) -> Option<Vec<u8>> {
        let k = key_string(&key);
        with_retry("load", || self.db.chunk_load(&k))
            .await
            .flatten()
    }

    async fn load_range(&self, prefix: StorageKey) -> HashMap<StorageKey, Vec<u8>> {
        let p = key_string(&prefix);
        with_retry("range load", || self.db.chunk_range(&p))
            .await
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| StorageKey::from_parts(k.split('/')).ok().map(|k| (k, v)))
            .collect()
    }

    async fn put(&self, key: StorageKey, data: Vec<u8>) {
        let k = key_string(&key);
        // The first part of a key is the document id.
        let lock = key
            .into_iter()
            .next()
            .and_then(|doc| self.stats.doc_lock(&doc));
        let _writing = match &lock {
            Some(l) => Some(l.read().await),
            None => None,
        };
        with_retry("put", || self.db.chunk_put(&k, &data)).await;
        self.stats.puts.fetch_add(1, Ordering::Relaxed);
        self.stats
            .bytes
            .fetch_add(data.len() as u64, Ordering::Relaxed);
    }

    async fn delete(&self, key: StorageKey) {
        let k = key_string(&key);
        with_retry("delete", || self.db.chunk_delete(&k)).await;
    }
}
