//! samod's document chunks: a key/value table with prefix range reads.

use std::collections::HashMap;

use super::Db;

impl Db {
    /// One chunk, if present.
    pub async fn chunk_load(&self, key: &str) -> sqlx::Result<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT data FROM doc_chunks WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
    }

    /// Every chunk whose key equals `prefix` or lies under `prefix/`.
    pub async fn chunk_range(&self, prefix: &str) -> sqlx::Result<HashMap<String, Vec<u8>>> {
        let rows: Vec<(String, Vec<u8>)> = if prefix.is_empty() {
            sqlx::query_as("SELECT key, data FROM doc_chunks")
                .fetch_all(&self.pool)
                .await?
        } else {
            // Keys under `p/` sort between `p/` and `p0` ('0' follows '/').
            sqlx::query_as(
                "SELECT key, data FROM doc_chunks WHERE key = $1 OR (key >= $2 AND key < $3)",
            )
            .bind(prefix)
            .bind(format!("{prefix}/"))
            .bind(format!("{prefix}0"))
            .fetch_all(&self.pool)
            .await?
        };
        Ok(rows.into_iter().collect())
    }

    /// Writes a chunk, replacing any previous value.
    pub async fn chunk_put(&self, key: &str, data: &[u8]) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO doc_chunks (key, data) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET data = excluded.data",
        )
        .bind(key)
        .bind(data)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes a chunk.
    pub async fn chunk_delete(&self, key: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM doc_chunks WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
