//! Login sessions, single-use sync tickets, revocations and known login devices. Only SHA-256
//! hashes of the tokens are stored, so a copy of the database lets nobody log in.
//!
//! Whatever ends a session (logout, a password change, disabling the account, expiry forced
//! from the command line) also writes a revocation row in the same transaction, which
//! [`crate::revoke`] turns into closed connections and feeds in every server process.

use super::{Db, User, now_ms, on};

/// Forgets every login device of a user, inside the caller's transaction: after a password
/// change, a logout of every session or disabling, no device is trusted past the account's
/// slow-down until it logs in again.
macro_rules! forget_devices {
    ($tx:expr, $user_id:expr) => {
        sqlx::query("DELETE FROM login_devices WHERE user_id = $1")
            .bind($user_id)
            .execute(&mut *$tx)
            .await
    };
}

/// Writes one revocation inside the caller's transaction.
macro_rules! revoke {
    ($tx:expr, $user_id:expr, $token_hash:expr) => {
        sqlx::query("INSERT INTO revocations (user_id, token_hash, at) VALUES ($1, $2, $3)")
            .bind($user_id)
            .bind($token_hash)
            .bind(now_ms())
            .execute(&mut *$tx)
            .await
    };
}

/// One ended session, or every session of a user (`token_hash` `None`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Revocation {
    pub id: i64,
    pub user_id: i64,
    pub token_hash: Option<String>,
}

impl Db {
    /// Stores a session for `user_id`.
    pub async fn session_insert(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now_ms())
        .bind(expires_at)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The live session's user and its expiry, if the session exists, has not expired, and its
    /// user is not disabled.
    pub async fn session_user(&self, token_hash: &str) -> sqlx::Result<Option<(User, i64)>> {
        let row: Option<(i64, i64)> = on!(self.pool, p => sqlx::query_as(
            "SELECT s.user_id, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(p)
        .await)?;
        let Some((user_id, expires_at)) = row else {
            return Ok(None);
        };
        Ok(self.user_by_id(user_id).await?.map(|u| (u, expires_at)))
    }

    /// Whether a session still lets its user in (exists, not expired, user enabled).
    pub async fn session_live(&self, token_hash: &str) -> sqlx::Result<bool> {
        let row: Option<(i64,)> = on!(self.pool, p => sqlx::query_as(
            "SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(p)
        .await)?;
        Ok(row.is_some())
    }

    /// Moves a session's expiry (sliding renewal).
    pub async fn session_extend(&self, token_hash: &str, expires_at: i64) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
            .bind(expires_at)
            .bind(token_hash)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ends a session (logout).
    pub async fn session_delete(&self, token_hash: &str) -> sqlx::Result<()> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        let user: Option<(i64,)> =
            sqlx::query_as("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((user_id,)) = user {
            revoke!(tx, user_id, Some(token_hash))?;
        }
        tx.commit().await
        })
    }

    /// Expires every session of a user at once (`nuanxin user logout`).
    pub async fn sessions_expire_user(&self, user_id: i64) -> sqlx::Result<()> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        sqlx::query("UPDATE sessions SET expires_at = 0 WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        revoke!(tx, user_id, None::<&str>)?;
        forget_devices!(tx, user_id)?;
        tx.commit().await
        })
    }

    /// Sets a new password hash and ends every session of the user but `keep` (the one that
    /// changed it, if any).
    pub async fn user_set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep: Option<&str>,
    ) -> sqlx::Result<()> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let ended: Vec<(String,)> = sqlx::query_as(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2 RETURNING token_hash",
        )
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .fetch_all(&mut *tx)
        .await?;
        for (hash,) in ended {
            revoke!(tx, user_id, Some(&hash))?;
        }
        forget_devices!(tx, user_id)?;
        tx.commit().await
        })
    }

    /// Disables or enables an account; false if there is no such login. Disabling ends every
    /// session's connections.
    pub async fn user_set_disabled(&self, login: &str, disabled: bool) -> sqlx::Result<bool> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        let user: Option<(i64,)> =
            sqlx::query_as("UPDATE users SET disabled = $1 WHERE login = $2 RETURNING id")
                .bind(disabled)
                .bind(login)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((user_id,)) = user else {
            return Ok(false);
        };
        if disabled {
            revoke!(tx, user_id, None::<&str>)?;
            forget_devices!(tx, user_id)?;
        }
        tx.commit().await?;
        Ok(true)
        })
    }

    /// The revocations after `after`, oldest first.
    pub async fn revocations_after(&self, after: i64) -> sqlx::Result<Vec<Revocation>> {
        on!(self.pool, p => sqlx::query_as(
            "SELECT id, user_id, token_hash FROM revocations WHERE id > $1 ORDER BY id LIMIT 1000",
        )
        .bind(after)
        .fetch_all(p)
        .await)
    }

    /// The newest revocation's id (0 when there is none).
    pub async fn revocations_last(&self) -> sqlx::Result<i64> {
        let (id,): (Option<i64>,) = on!(self.pool, p => sqlx::query_as("SELECT MAX(id) FROM revocations")
            .fetch_one(p)
            .await)?;
        Ok(id.unwrap_or(0))
    }

    /// Forgets revocations written before `before` (ms): every process has read them.
    pub async fn revocations_prune(&self, before: i64) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query("DELETE FROM revocations WHERE at < $1")
            .bind(before)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Stores a sync ticket of a session.
    pub async fn ticket_insert(
        &self,
        ticket_hash: &str,
        session_hash: &str,
        user_id: i64,
        peer_id: &str,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query(
            "INSERT INTO sync_tickets (ticket_hash, session_hash, user_id, peer_id, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(ticket_hash)
        .bind(session_hash)
        .bind(user_id)
        .bind(peer_id)
        .bind(expires_at)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Uses up a ticket: returns its user, peer id and session once, and never again; nothing
    /// when it has expired or its session has ended.
    pub async fn ticket_consume(
        &self,
        ticket_hash: &str,
    ) -> sqlx::Result<Option<(User, String, String)>> {
        let row: Option<(i64, String, i64, Option<String>)> = on!(self.writer, p => sqlx::query_as(
            "DELETE FROM sync_tickets WHERE ticket_hash = $1
             RETURNING user_id, peer_id, expires_at, session_hash",
        )
        .bind(ticket_hash)
        .fetch_optional(p)
        .await)?;
        let Some((user_id, peer_id, expires_at, Some(session))) = row else {
            return Ok(None);
        };
        if expires_at <= now_ms() || !self.session_live(&session).await? {
            return Ok(None);
        }
        Ok(self
            .user_by_id(user_id)
            .await?
            .filter(|u| !u.disabled)
            .map(|u| (u, peer_id, session)))
    }

    /// Whether the device with this cookie hash has logged in to `user_id` before.
    pub async fn device_known(&self, token_hash: &str, user_id: i64) -> sqlx::Result<bool> {
        let row: Option<(i64,)> = on!(self.pool, p => sqlx::query_as("SELECT user_id FROM login_devices WHERE token_hash = $1 AND user_id = $2")
                .bind(token_hash)
                .bind(user_id)
                .fetch_optional(p)
                .await)?;
        Ok(row.is_some())
    }

    /// Remembers a device that has just logged in to `user_id`.
    pub async fn device_remember(&self, token_hash: &str, user_id: i64) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query(
            "INSERT INTO login_devices (token_hash, user_id, last_login) VALUES ($1, $2, $3)
             ON CONFLICT (token_hash, user_id) DO UPDATE SET last_login = $3",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now_ms())
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
