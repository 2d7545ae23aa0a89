//! The server's SQL storage, behind one type whose methods are the whole interface.
//!
//! Callers only see [`Db`] and plain row structs, never a pool or a dialect. Two backends sit
//! behind it: SQLite (a file, the embedded default) and PostgreSQL (`postgres://…`, for several
//! server processes on one database). Each query is written once, in the SQL both accept
//! (`$n` placeholders, `CAST(SUM(…) AS BIGINT)`, `TRUE`/`FALSE`, no `rowid`), and run on either
//! pool through [`on!`]; the few places where the dialects differ ask [`Db::is_pg`].

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
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

/// The connections of one backend.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Lite(SqlitePool),
    Pg(PgPool),
}

/// Runs `$body` with `$p` bound to the pool of whichever backend `$pool` is (the body is
/// compiled once for each, so every query and row type is checked against both drivers).
macro_rules! on {
    ($pool:expr, $p:ident => $body:expr) => {
        match &$pool {
            $crate::db::Pool::Lite($p) => $body,
            $crate::db::Pool::Pg($p) => $body,
        }
    };
}
pub(crate) use on;

/// A transaction of either backend, held across calls (see [`IndexBatch`]).
pub(crate) enum Tx {
    Lite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$t` bound to the open transaction `$tx` of either backend.
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match &mut $tx {
            $crate::db::Tx::Lite($t) => $body,
            $crate::db::Tx::Pg($t) => $body,
        }
    };
}
pub(crate) use on_tx;

/// A handle to the database; cheap to clone.
///
/// On SQLite, reads use a pool of connections and every statement that writes goes through one
/// writer connection, so writers queue here, in order, instead of contending for the file lock
/// (whose busy handler sleeps for milliseconds at a time). On PostgreSQL both are one pool:
/// writers of several processes meet in the database, so a transaction that reads before it
/// writes locks the account it is about first (`lock_account!`).
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    writer: Pool,
    /// The queue of document chunks to write (see [`Db::chunk_put`]).
    puts: tokio::sync::mpsc::UnboundedSender<chunks::ChunkPut>,
    /// This process's name in the notifications it sends (PostgreSQL), so that it can tell
    /// its own from other nodes'.
    node: std::sync::Arc<str>,
    /// The notification channels of its schema (see [`Channels`]).
    channels: std::sync::Arc<Channels>,
    /// A few connections of their own for [`Db::write_turn`] (PostgreSQL): a turn is held
    /// while its writer waits for the chunk writer, which must not wait behind it for the pool.
    turns: Option<PgPool>,
}

/// The turn to write a document, held across nodes until dropped or ended (see
/// [`Db::write_turn`]).
pub struct WriteTurn(Option<sqlx::Transaction<'static, sqlx::Postgres>>);

impl WriteTurn {
    /// Whether other nodes take turns too (PostgreSQL).
    pub fn shared(&self) -> bool {
        self.0.is_some()
    }

    /// Gives the turn up now (dropping it does too, a moment later).
    pub async fn end(mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.rollback().await;
        }
    }
}

/// The names of the notification channels of one database schema: notifications reach every
/// listener of a database, so the nodes of each schema (each deployment) have their own.
#[derive(Debug)]
pub struct Channels {
    /// Stored document chunks: `<node> <document id>`.
    pub docs: String,
    /// The live feed: `<node> <rider id> <report id>`.
    pub feed: String,
}

impl Channels {
    fn of(schema: &str) -> Channels {
        // A channel's name is an identifier (at most 63 bytes): a long schema name by its hash.
        let tag = if schema == "public" {
            String::new()
        } else if schema.len() <= 40
            && schema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            format!("_{schema}")
        } else {
            use sha2::Digest;
            format!(
                "_{}",
                &hex::encode(sha2::Sha256::digest(schema.as_bytes()))[..16]
            )
        };
        Channels {
            docs: format!("nuanxin_docs{tag}"),
            feed: format!("nuanxin_feed{tag}"),
        }
    }
}

impl Db {
    /// Opens (creating if needed) the database at `url` (`sqlite://…` or `postgres://…`) and
    /// brings its schema up to date.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Self::connect_pg(url).await;
        }
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
        Ok(Self::with(
            Pool::Lite(pool),
            Pool::Lite(writer),
            Channels::of("public"),
        ))
    }

    /// Opens a PostgreSQL database and brings its schema up to date. Every process migrates
    /// under the migrator's own advisory lock, so nodes started together agree.
    async fn connect_pg(url: &str) -> anyhow::Result<Db> {
        let opts = PgConnectOptions::from_str(url)?.statement_cache_capacity(1024);
        let connections = std::env::var("NUANXIN_PG_CONNECTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(16);
        // Connections opened for a burst are closed a minute after it: several nodes share the
        // server's connection limit.
        let pool = PgPoolOptions::new()
            .max_connections(connections)
            .idle_timeout(std::time::Duration::from_secs(60))
            .acquire_timeout(std::time::Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        // A URL may name a schema of its own (`?options=-c search_path=…`): made if missing.
        let path: String = sqlx::query_scalar("SELECT current_setting('search_path')")
            .fetch_one(&pool)
            .await?;
        if let Some(schema) = own_schema(&path) {
            let made = sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS \"{}\"",
                schema.replace('"', "\"\"")
            )))
            .execute(&pool)
            .await;
            // Two processes making it at once: one of them is refused, and finds it made.
            if made.is_err() {
                let there: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                )
                .bind(&schema)
                .fetch_one(&pool)
                .await?;
                if !there {
                    made?;
                }
            }
        }
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await?;
        let turns = PgPoolOptions::new()
            .max_connections(4)
            .idle_timeout(std::time::Duration::from_secs(60))
            .acquire_timeout(std::time::Duration::from_secs(30))
            .connect_lazy_with((*pool.connect_options()).clone());
        let mut db = Self::with(
            Pool::Pg(pool.clone()),
            Pool::Pg(pool),
            Channels::of(&schema),
        );
        db.turns = Some(turns);
        Ok(db)
    }

    fn with(pool: Pool, writer: Pool, channels: Channels) -> Db {
        let node: std::sync::Arc<str> = uuid::Uuid::new_v4().simple().to_string().into();
        let channels = std::sync::Arc::new(channels);
        let (puts, queue) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(chunks::write_chunks(
            writer.clone(),
            queue,
            node.clone(),
            channels.clone(),
        ));
        Db {
            pool,
            writer,
            puts,
            node,
            channels,
            turns: None,
        }
    }

    /// Waits for the turn to write document `doc_id`, which one writer of all nodes holds at a
    /// time (a PostgreSQL advisory lock, held by a transaction of a connection of its own);
    /// on SQLite, one process, at once.
    pub async fn write_turn(&self, doc_id: &str) -> sqlx::Result<WriteTurn> {
        let Some(turns) = &self.turns else {
            return Ok(WriteTurn(None));
        };
        let mut tx = turns.begin().await?;
        // Not the indexer's lock of the same document (`IndexBatch::lock_docs`): its own key.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 1))")
            .bind(doc_id)
            .execute(&mut *tx)
            .await?;
        Ok(WriteTurn(Some(tx)))
    }

    /// The notification channels of this database's schema.
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// This process's name in the notifications it sends.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// A listener on the channels other nodes notify (see `crate::cluster`); `None` on SQLite,
    /// which has one server process.
    pub async fn listen(&self) -> sqlx::Result<Option<sqlx::postgres::PgListener>> {
        let Pool::Pg(pool) = &self.pool else {
            return Ok(None);
        };
        // A connection of its own, outside the pool the queries share (the listener keeps it).
        let own = PgPoolOptions::new()
            .max_connections(1)
            .connect_with((*pool.connect_options()).clone())
            .await?;
        let mut listener = sqlx::postgres::PgListener::connect_with(&own).await?;
        listener
            .listen_all([self.channels.docs.as_str(), self.channels.feed.as_str()])
            .await?;
        Ok(Some(listener))
    }

    /// Tells the other nodes (PostgreSQL) that these reports are new or changed in the index,
    /// for their live feeds; nothing on SQLite.
    pub async fn notify_reports(&self, keys: &[(i64, &str)]) -> sqlx::Result<()> {
        let Pool::Pg(pool) = &self.pool else {
            return Ok(());
        };
        for part in keys.chunks(512) {
            let mut q = sqlx::QueryBuilder::new("SELECT pg_notify(");
            q.push_bind(self.channels.feed.as_str()).push(", v) FROM (");
            q.push_values(part, |mut b, (rider_id, id)| {
                b.push_bind(format!("{} {rider_id} {id}", self.node));
            });
            q.push(") AS t (v)");
            q.build().persistent(false).execute(pool).await?;
        }
        Ok(())
    }
}

/// Sends, in transaction `$tx` (so that it is delivered once the transaction commits), one
/// notification on channel `$channel` (`Channels::docs`) per document of `$docs` (`&str`s)
/// from node `$node`, on PostgreSQL (`$pg`).
macro_rules! notify_docs {
    ($tx:expr, $pg:expr, $channel:expr, $node:expr, $docs:expr) => {
        if $pg {
            for part in $docs.chunks(512) {
                let mut q = sqlx::QueryBuilder::new("SELECT pg_notify(");
                q.push_bind($channel).push(", v) FROM (");
                q.push_values(part, |mut b, doc| {
                    b.push_bind(format!("{} {doc}", $node));
                });
                q.push(") AS t (v)");
                q.build().persistent(false).execute(&mut *$tx).await?;
            }
        }
    };
}
pub(crate) use notify_docs;

impl Db {
    /// Whether this is PostgreSQL (for the few statements whose dialects differ).
    pub fn is_pg(&self) -> bool {
        matches!(self.pool, Pool::Pg(_))
    }

    /// Closes every connection (used before reopening the same database).
    pub async fn close(&self) {
        on!(self.pool, p => p.close().await);
        on!(self.writer, p => p.close().await);
        if let Some(turns) = &self.turns {
            turns.close().await;
        }
    }
}

/// Locks account `$id` until the transaction `$tx` ends, on PostgreSQL (`$pg`): every
/// transaction that checks a balance or a report's decision before it books points takes this
/// lock first, so two of them for one rider (from one process or several) run one after the
/// other. SQLite needs none: its one writer connection runs one transaction at a time.
macro_rules! lock_account {
    ($tx:expr, $pg:expr, $id:expr) => {
        if $pg {
            // NO KEY: rows that refer to the account (a report, a ledger entry) may still be
            // written meanwhile; only another such transaction waits.
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
                .bind($id)
                .execute(&mut *$tx)
                .await?;
        }
    };
}
pub(crate) use lock_account;

/// The schema a search path puts first, unless it is PostgreSQL's default (`"$user", public`).
fn own_schema(search_path: &str) -> Option<String> {
    let first = search_path.split(',').next()?.trim();
    let name = first
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .map_or_else(|| first.to_owned(), |n| n.replace("\"\"", "\""));
    (!name.is_empty() && name != "$user" && name != "public").then_some(name)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
