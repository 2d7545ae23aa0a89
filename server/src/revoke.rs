//! Revocation that reaches open connections: a sync connection or live feed is tied to the
//! session that opened it, and ends within about a second of that session ending.
//!
//! Whatever ends a session writes a row in `revocations` (see [`crate::db::Db::session_delete`]
//! and its neighbours). One task per process reads the new rows: at once when this process
//! wrote them ([`Revocations::nudge`]), and every [`POLL_EVERY`] for those of the command line
//! or of another process. It broadcasts each row to every [`Watch`], which ends when a row
//! names its session or its user. A watch also checks its session in the database when it
//! starts, when it missed rows, and every `recheck` (the configured `account_check_every`), so
//! a session that simply expires ends too.

use std::{sync::Arc, time::Duration};

use tokio::{
    sync::{Notify, broadcast},
    time::Instant,
};

use crate::db::{Db, Revocation, now_ms};

/// How often the table is read for revocations written by other processes.
pub const POLL_EVERY: Duration = Duration::from_secs(1);
/// How long revocation rows are kept: every process has read them long before.
const KEEP_MS: i64 = 3600 * 1000;
/// How many of the last revocation ids are read again each time: more than the transactions
/// that may be writing one at once.
const REREAD: i64 = 256;

/// The revocations of this process; cheap to clone.
#[derive(Clone)]
pub struct Revocations {
    tx: broadcast::Sender<Revocation>,
    nudge: Arc<Notify>,
    db: Db,
    recheck: Duration,
}

impl Revocations {
    /// Starts reading the table; watches check their session every `recheck` besides.
    pub async fn start(db: Db, recheck: Duration) -> sqlx::Result<Revocations> {
        let (tx, _) = broadcast::channel(1024);
        let me = Revocations {
            tx,
            nudge: Arc::new(Notify::new()),
            db,
            recheck,
        };
        let last = me.db.revocations_last().await?;
        tokio::spawn(me.clone().run(last));
        Ok(me)
    }

    /// Reads the table now: this process has just written to it.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// A watch on one session of `user_id` (`session` is the token's hash).
    pub fn watch(&self, user_id: i64, session: String) -> Watch {
        Watch {
            rx: self.tx.subscribe(),
            db: self.db.clone(),
            user_id,
            session,
            recheck: self.recheck,
            // Checked once at once: a row read before this watch subscribed is not missed.
            next_check: Instant::now(),
            closed: false,
        }
    }

    async fn run(self, mut last: i64) {
        let mut pruned = Instant::now();
        // What was there before this process started is not news.
        let mut seen: std::collections::BTreeSet<i64> = self
            .db
            .revocations_after(last - REREAD)
            .await
            .map(|rows| rows.into_iter().map(|r| r.id).collect())
            .unwrap_or_default();
        loop {
            tokio::select! {
                _ = self.nudge.notified() => {}
                _ = tokio::time::sleep(POLL_EVERY) => {}
            }
            // Ids are handed out as rows are written and become visible as their transactions
            // commit, not always in order (several writers on PostgreSQL): the last ids are
            // read again, and a row is announced once.
            match self.db.revocations_after(last - REREAD).await {
                Ok(rows) => {
                    for row in rows {
                        if !seen.insert(row.id) {
                            continue;
                        }
                        last = last.max(row.id);
                        let _ = self.tx.send(row);
                    }
                    seen = seen.split_off(&(last - REREAD));
                }
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => tracing::warn!(error = %e, "reading revocations"),
            }
            if pruned.elapsed() > Duration::from_secs(600) {
                pruned = Instant::now();
                if let Err(e) = self.db.revocations_prune(now_ms() - KEEP_MS).await {
                    tracing::warn!(error = %e, "pruning revocations");
                }
            }
        }
    }
}

/// One session's watch, held by the connection or feed it opened.
pub struct Watch {
    rx: broadcast::Receiver<Revocation>,
    db: Db,
    user_id: i64,
    session: String,
    recheck: Duration,
    next_check: Instant,
    closed: bool,
}

impl Watch {
    /// Watches in a task of its own; the returned future resolves when the session has ended,
    /// with the reason to give the client, and dropping it stops the watch.
    ///
    /// The check reads the database. In its own task it is always polled: a future of a
    /// `select!` loop is not polled while the loop is busy in another branch, and a pool
    /// connection handed to it there would wait, unused, for that branch to finish; a sync
    /// connection's branch itself waits for the pool, so enough connections doing so at once
    /// (riders coming back together after a restart) held every pool connection.
    pub fn spawn(mut self) -> Ended {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let _ = tx.send(self.ended().await);
        });
        Ended {
            rx: Some(rx),
            task: task.abort_handle(),
        }
    }

    /// Resolves when the session has ended, with the reason to give the client.
    async fn ended(&mut self) -> &'static str {
        loop {
            tokio::select! {
                got = self.rx.recv(), if !self.closed => match got {
                    Ok(r) if r.user_id == self.user_id
                        && r.token_hash.as_deref().is_none_or(|h| h == self.session) =>
                    {
                        return self.reason().await;
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => self.next_check = Instant::now(),
                    // The process is stopping; the periodic check still runs.
                    Err(broadcast::error::RecvError::Closed) => self.closed = true,
                },
                _ = tokio::time::sleep_until(self.next_check) => {
                    match self.db.session_live(&self.session).await {
                        Ok(true) => {}
                        Ok(false) => return self.reason().await,
                        // A database hiccup is no reason to drop a rider.
                        Err(e) => tracing::warn!(error = %e, "checking a session"),
                    }
                    self.next_check = Instant::now() + self.recheck;
                }
            }
        }
    }

    async fn reason(&self) -> &'static str {
        match self.db.user_by_id(self.user_id).await {
            Ok(Some(u)) if u.disabled => "account disabled",
            _ => "session ended",
        }
    }
}

/// The end of a session, watched by a task of its own (see [`Watch::spawn`]).
pub struct Ended {
    /// `None` once the task is gone without an answer.
    rx: Option<tokio::sync::oneshot::Receiver<&'static str>>,
    task: tokio::task::AbortHandle,
}

impl Future for Ended {
    type Output = &'static str;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<&'static str> {
        let Some(rx) = self.rx.as_mut() else {
            return std::task::Poll::Pending;
        };
        match std::pin::Pin::new(rx).poll(cx) {
            std::task::Poll::Ready(Ok(reason)) => std::task::Poll::Ready(reason),
            // The watch's task is gone without an answer (it can only have panicked): the
            // session is not known to have ended.
            std::task::Poll::Ready(Err(_)) => {
                tracing::error!("a session watch stopped");
                self.rx = None;
                std::task::Poll::Pending
            }
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

impl Drop for Ended {
    fn drop(&mut self) {
        self.task.abort();
    }
}
