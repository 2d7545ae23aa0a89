//! Login sessions and single-use sync tickets. Only SHA-256 hashes of the tokens are stored, so
//! a copy of the database lets nobody log in.

use super::{Db, User, now_ms};

impl Db {
    /// Stores a session for `user_id`.
    pub async fn session_insert(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now_ms())
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The live session's user and its expiry, if the session exists, has not expired, and its
    /// user is not disabled.
    pub async fn session_user(&self, token_hash: &str) -> sqlx::Result<Option<(User, i64)>> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT s.user_id, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        let Some((user_id, expires_at)) = row else {
            return Ok(None);
        };
        Ok(self.user_by_id(user_id).await?.map(|u| (u, expires_at)))
    }

    /// Moves a session's expiry (sliding renewal).
    pub async fn session_extend(&self, token_hash: &str, expires_at: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
            .bind(expires_at)
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn session_delete(&self, token_hash: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Expires every session of a user at once (tests use it to simulate an expired login).
    pub async fn sessions_expire_user(&self, user_id: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE sessions SET expires_at = 0 WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Stores a sync ticket.
    pub async fn ticket_insert(
        &self,
        ticket_hash: &str,
        user_id: i64,
        peer_id: &str,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO sync_tickets (ticket_hash, user_id, peer_id, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(ticket_hash)
        .bind(user_id)
        .bind(peer_id)
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Uses up a ticket: returns its user and peer id once, and never again.
    pub async fn ticket_consume(&self, ticket_hash: &str) -> sqlx::Result<Option<(User, String)>> {
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "DELETE FROM sync_tickets WHERE ticket_hash = $1 RETURNING user_id, peer_id, expires_at",
        )
        .bind(ticket_hash)
        .fetch_optional(&self.writer)
        .await?;
        let Some((user_id, peer_id, expires_at)) = row else {
            return Ok(None);
        };
        if expires_at <= now_ms() {
            return Ok(None);
        }
        Ok(self
            .user_by_id(user_id)
            .await?
            .filter(|u| !u.disabled)
            .map(|u| (u, peer_id)))
    }
}
