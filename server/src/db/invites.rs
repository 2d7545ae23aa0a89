//! Invite codes.

use serde::Serialize;

use super::{Db, now_ms, on};

/// An invite code as the CLI lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Invite {
    pub code: String,
    pub county: String,
    pub uses_left: i64,
    pub expires_at: i64,
    pub revoked: bool,
    pub note: String,
}

impl Db {
    /// Stores a new invite code.
    pub async fn invite_insert(
        &self,
        code: &str,
        county: &str,
        uses: i64,
        expires_at: i64,
        note: &str,
    ) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query(
            "INSERT INTO invites (code, county, uses_left, expires_at, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(code)
        .bind(county)
        .bind(uses)
        .bind(expires_at)
        .bind(note)
        .bind(now_ms())
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every invite code, newest first.
    pub async fn invites(&self) -> sqlx::Result<Vec<Invite>> {
        let rows: Vec<(String, String, i64, i64, bool, String)> = on!(self.pool, p => sqlx::query_as(
            "SELECT code, county, uses_left, expires_at, revoked, note FROM invites
             ORDER BY created_at DESC, code",
        )
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| Invite {
                code: r.0,
                county: r.1,
                uses_left: r.2,
                expires_at: r.3,
                revoked: r.4,
                note: r.5,
            })
            .collect())
    }

    /// Revokes a code; false if there is no such code.
    pub async fn invite_revoke(&self, code: &str) -> sqlx::Result<bool> {
        let done = on!(self.writer, p => sqlx::query("UPDATE invites SET revoked = TRUE WHERE code = $1")
            .bind(code)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Uses one registration of a live code and returns its county; `None` when the code is
    /// unknown, used up, expired or revoked. Atomic: two riders cannot share the last use.
    pub async fn invite_take(&self, code: &str) -> sqlx::Result<Option<String>> {
        on!(self.writer, p => sqlx::query_scalar(
            "UPDATE invites SET uses_left = uses_left - 1
             WHERE code = $1 AND uses_left > 0 AND NOT revoked AND expires_at > $2
             RETURNING county",
        )
        .bind(code)
        .bind(now_ms())
        .fetch_optional(p)
        .await)
    }

    /// Gives back a use taken by a registration that then failed.
    pub async fn invite_give_back(&self, code: &str) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query("UPDATE invites SET uses_left = uses_left + 1 WHERE code = $1")
            .bind(code)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
