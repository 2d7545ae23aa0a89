//! How the relay's documents sit in the SQL store: chunk keys, new document ids, retries, and
//! counts of what was written.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use sha2::{Digest, Sha256};

/// What the relay has written to the document store since it started: chunks and bytes.
#[derive(Clone, Debug, Default)]
pub struct StoreStats {
    puts: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
}

impl StoreStats {
    pub(super) fn count(&self, bytes: usize) {
        self.puts.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
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

/// A chunk's key: `<doc id>/<kind>/<SHA-256 of the data, hex>`, so a write that is retried
/// lands on the same row.
pub(super) fn chunk_key(doc_id: &str, kind: &str, data: &[u8]) -> String {
    format!("{doc_id}/{kind}/{}", hex::encode(Sha256::digest(data)))
}

/// A new automerge-repo document id: 16 random bytes in base58check.
pub(super) fn new_doc_id() -> String {
    bs58::encode(uuid::Uuid::new_v4().as_bytes())
        .with_check()
        .into_string()
}

/// The document store's id, made on first use and kept in the store.
pub(super) async fn storage_id(db: &crate::db::Db) -> anyhow::Result<String> {
    const KEY: &str = "storage-adapter-id";
    if let Some(id) = db.chunk_range(KEY).await?.remove(KEY) {
        return Ok(String::from_utf8_lossy(&id).into_owned());
    }
    let id = uuid::Uuid::new_v4().to_string();
    db.chunk_replace(KEY, id.as_bytes(), &[]).await?;
    Ok(id)
}

/// Retries a database call a few times, so that a moment of contention (a starved pool, a
/// busy file) does not fail a rider's sync. `None` once it has failed for good.
pub(super) async fn with_retry<T, F, Fut>(what: &str, f: F) -> Option<T>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_are_base58check_of_16_bytes() {
        let id = new_doc_id();
        let bytes = bs58::decode(&id).with_check(None).into_vec().unwrap();
        assert_eq!(bytes.len(), 16);
        assert_ne!(new_doc_id(), id);
    }
}
