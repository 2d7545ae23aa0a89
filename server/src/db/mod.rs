//! The server's SQL storage, behind one type whose methods are the whole interface.
//!
//! Callers only see [`Db`] and plain row structs, never a pool or a dialect, so a PostgreSQL
//! backend can be added inside this module without touching them. Queries use `$n` placeholders,
//! which both SQLite and PostgreSQL accept.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

mod chunks;
mod invites;
mod ledger;
mod photos;
mod reports;
mod rewards;
mod sessions;
mod settings;
pub mod stats;
mod users;
mod wishes;

pub use invites::Invite;
pub use ledger::{Award, Decision, LedgerEntry, NoticeRow, Refused};
pub use model::api::ReportRow;
pub use photos::PhotoRow;
pub use reports::{IndexBatch, ReportFilter, Stored, Upsert, UpsertOutcome, cst_day};
pub use rewards::{PickupRefused, Redeem, RedemptionRow, RewardRow};
pub use sessions::Revocation;
pub use users::{Bounds, County, Names, NewUser, Role, User};

/// A handle to the database; cheap to clone.
///
/// Reads use a pool of connections; every statement that writes goes through one writer
/// connection, so writers queue here, in order, instead of contending for SQLite's file lock
/// (whose busy handler sleeps for milliseconds at a time).
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
    writer: SqlitePool,
    /// The queue of document chunks to write (see [`Db::chunk_put`]).
    puts: tokio::sync::mpsc::UnboundedSender<chunks::ChunkPut>,
}

impl Db {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if let Some(path) = url.strip_prefix("sqlite://")
            && let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(5))
            .foreign_keys(true);
        // The writer's batched statements come in one form per batch size: room for them all.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone().statement_cache_capacity(1024))
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        let (puts, queue) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(chunks::write_chunks(writer.clone(), queue));
        Ok(Db { pool, writer, puts })
    }

    /// Closes every connection (used before reopening the same file).
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
