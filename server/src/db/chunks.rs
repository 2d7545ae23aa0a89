//! The relay's document chunks: a key/value table (`<doc id>/snapshot|incremental/<hash>`)
//! with prefix range reads, and the marks of documents the indexer has not read.

use std::collections::HashMap;

use super::{Channels, Db, Pool, notify_docs, on};

/// The chunks under a prefix (`$1`), given `$2` = `prefix/` and `$3` = `prefix0`: keys under
/// `p/` sort between `p/` and `p0` ('0' follows '/').
macro_rules! under_prefix {
    () => {
        " WHERE key = $1 OR (key >= $2 AND key < $3)"
    };
}

impl Db {
    /// Every chunk whose key equals `prefix` or lies under `prefix/`.
    pub async fn chunk_range(&self, prefix: &str) -> sqlx::Result<HashMap<String, Vec<u8>>> {
        let rows: Vec<(String, Vec<u8>)> = if prefix.is_empty() {
            on!(self.pool, p => sqlx::query_as("SELECT key, data FROM doc_chunks")
                .fetch_all(p)
                .await)?
        } else {
            on!(self.pool, p => sqlx::query_as(
                concat!("SELECT key, data FROM doc_chunks", under_prefix!()),
            )
            .bind(prefix)
            .bind(format!("{prefix}/"))
            .bind(format!("{prefix}0"))
            .fetch_all(p)
            .await)?
        };
        Ok(rows.into_iter().collect())
    }

    /// The keys of the chunks [`Db::chunk_range`] would return for a non-empty `prefix`,
    /// without their data.
    pub async fn chunk_keys(&self, prefix: &str) -> sqlx::Result<Vec<String>> {
        on!(self.pool, p => sqlx::query_scalar(
            concat!("SELECT key FROM doc_chunks", under_prefix!()),
        )
        .bind(prefix)
        .bind(format!("{prefix}/"))
        .bind(format!("{prefix}0"))
        .fetch_all(p)
        .await)
    }

    /// The chunks under `keys` (those still there).
    pub async fn chunks_get(&self, keys: &[String]) -> sqlx::Result<Vec<(String, Vec<u8>)>> {
        let mut out = Vec::with_capacity(keys.len());
        for part in keys.chunks(256) {
            let rows: Vec<(String, Vec<u8>)> = on!(self.pool, p => {
                let mut q =
                    sqlx::QueryBuilder::new("SELECT key, data FROM doc_chunks WHERE key IN (");
                let mut list = q.separated(", ");
                for key in part {
                    list.push_bind(key.as_str());
                }
                q.push(")");
                q.build_query_as().fetch_all(p).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Writes a chunk of a document's changes, replacing any previous value, and marks the
    /// document as holding changes the indexer has not read, in the same transaction. Returns
    /// the document's mark after the write.
    ///
    /// Writes that arrive while one commits are committed together in the next transaction
    /// (group commit): one disk sync for a burst of changes from many riders.
    pub async fn chunk_put(&self, doc_id: &str, key: &str, data: &[u8]) -> sqlx::Result<i64> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let put = ChunkPut {
            doc_id: doc_id.to_owned(),
            key: key.to_owned(),
            data: data.to_vec(),
            reply,
        };
        let gone = || sqlx::Error::Protocol("the chunk writer has stopped".into());
        self.puts.send(put).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Writes a chunk that holds nothing new (a new document, or a compaction), without
    /// marking the document; the chunks in `replaces` are deleted in the same transaction.
    pub async fn chunk_replace(
        &self,
        key: &str,
        data: &[u8],
        replaces: &[String],
    ) -> sqlx::Result<()> {
        on!(self.writer, p => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO doc_chunks (key, data) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET data = excluded.data",
            )
            .bind(key)
            .bind(data)
            .execute(&mut *tx)
            .await?;
            for old in replaces.iter().filter(|k| *k != key) {
                sqlx::query("DELETE FROM doc_chunks WHERE key = $1")
                    .bind(old)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
    }

    /// The documents holding changes the indexer has not read.
    pub async fn docs_unindexed(&self) -> sqlx::Result<Vec<String>> {
        on!(self.pool, p => sqlx::query_scalar("SELECT doc_id FROM docs_unindexed ORDER BY doc_id")
            .fetch_all(p)
            .await)
    }

    /// Forgets the marks of documents that are no rider's (office and stations documents,
    /// which the indexer never reads).
    pub async fn docs_unindexed_prune(&self) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query(
            "DELETE FROM docs_unindexed WHERE doc_id NOT IN
                 (SELECT rider_doc FROM users WHERE rider_doc IS NOT NULL)",
        )
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// How many documents hold changes the indexer has not read.
    pub async fn docs_unindexed_count(&self) -> sqlx::Result<i64> {
        on!(self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM docs_unindexed")
            .fetch_one(p)
            .await)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> sqlx::Result<()> {
        let one: i64 = on!(self.pool, p => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)")
            .fetch_one(p)
            .await)?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    /// The mark of a document (0 when unmarked), read before the indexer reads the document.
    pub async fn doc_unindexed_seq(&self, doc_id: &str) -> sqlx::Result<i64> {
        let seq: Option<i64> = on!(self.pool, p => sqlx::query_scalar("SELECT seq FROM docs_unindexed WHERE doc_id = $1")
                .bind(doc_id)
                .fetch_optional(p)
                .await)?;
        Ok(seq.unwrap_or(0))
    }
}

/// One chunk to write, and where to say how it went.
pub(super) struct ChunkPut {
    doc_id: String,
    key: String,
    data: Vec<u8>,
    reply: tokio::sync::oneshot::Sender<sqlx::Result<i64>>,
}

/// At most this many chunks go into one transaction.
const GROUP_MAX: usize = 256;

/// Writes queued chunks, each group in one transaction, until every sender is gone.
pub(super) async fn write_chunks(
    writer: Pool,
    mut queue: tokio::sync::mpsc::UnboundedReceiver<ChunkPut>,
    node: std::sync::Arc<str>,
    channels: std::sync::Arc<Channels>,
) {
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match queue.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        match write_group(&writer, &group, &node, &channels.docs).await {
            Ok(seqs) => {
                for (p, seq) in group.into_iter().zip(seqs) {
                    let _ = p.reply.send(Ok(seq));
                }
            }
            Err(e) => {
                let why = e.to_string();
                for p in group {
                    let _ = p.reply.send(Err(sqlx::Error::Protocol(why.clone())));
                }
            }
        }
    }
}

/// Writes a group of chunks and marks their documents, in one transaction of two statements
/// per 128 chunks. Returns each chunk's document mark after the write.
async fn write_group(
    writer: &Pool,
    group: &[ChunkPut],
    node: &str,
    channel: &str,
) -> sqlx::Result<Vec<i64>> {
    // A document's chunks in one group raise its mark once each.
    let mut added: HashMap<&str, i64> = HashMap::new();
    for p in group {
        *added.entry(&p.doc_id).or_default() += 1;
    }
    let mut added: Vec<(&str, i64)> = added.into_iter().collect();
    // In one order in every process, so that two groups marking the same documents on
    // PostgreSQL wait for each other rather than deadlock.
    added.sort_unstable();
    // Each key once (the last value written), by key: PostgreSQL refuses a statement that
    // upserts one row twice.
    let chunks: Vec<&ChunkPut> = group
        .iter()
        .map(|p| (p.key.as_str(), p))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect();
    let mut marks: HashMap<String, i64> = HashMap::new();
    on!(*writer, w => {
    let mut tx = w.begin().await?;
    for part in chunks.chunks(128) {
        let mut q = sqlx::QueryBuilder::new("INSERT INTO doc_chunks (key, data) ");
        q.push_values(part, |mut b, p| {
            b.push_bind(p.key.as_str()).push_bind(p.data.as_slice());
        });
        q.push(" ON CONFLICT (key) DO UPDATE SET data = excluded.data");
        q.build().execute(&mut *tx).await?;
    }
    for part in added.chunks(128) {
        let mut q = sqlx::QueryBuilder::new("INSERT INTO docs_unindexed (doc_id, seq) ");
        q.push_values(part, |mut b, (doc_id, n)| {
            b.push_bind(*doc_id).push_bind(*n);
        });
        q.push(
            " ON CONFLICT (doc_id) DO UPDATE SET seq = docs_unindexed.seq + excluded.seq
             RETURNING doc_id, seq",
        );
        let rows: Vec<(String, i64)> = q.build_query_as().fetch_all(&mut *tx).await?;
        marks.extend(rows);
    }
    // Other nodes holding these documents merge the chunks (PostgreSQL).
    let docs: Vec<&str> = added.iter().map(|(doc, _)| *doc).collect();
    notify_docs!(tx, matches!(writer, Pool::Pg(_)), channel, node, docs);
    tx.commit().await?;
    });
    group
        .iter()
        .map(|p| {
            marks
                .get(p.doc_id.as_str())
                .copied()
                .ok_or_else(|| sqlx::Error::Protocol(format!("no mark for {}", p.doc_id)))
        })
        .collect()
}
