//! Photo records: what is stored, and who uploaded it.

use super::{Db, now_ms, on};

/// A stored photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRow {
    pub sha256: String,
    pub mime: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
}

impl Db {
    /// A stored photo's record.
    pub async fn photo_get(&self, sha256: &str) -> sqlx::Result<Option<PhotoRow>> {
        let row: Option<(String, String, i64, i64, i64)> = on!(self.pool, p => sqlx::query_as(
            "SELECT sha256, mime, bytes, width, height FROM photos WHERE sha256 = $1",
        )
        .bind(sha256)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|r| PhotoRow {
            sha256: r.0,
            mime: r.1,
            bytes: r.2,
            width: r.3,
            height: r.4,
        }))
    }

    /// Records a photo (after its bytes are stored) and its uploader.
    pub async fn photo_insert(&self, p: &PhotoRow, uploader: i64) -> sqlx::Result<()> {
        on!(self.writer, db => {
        let mut tx = db.begin().await?;
        sqlx::query(
            "INSERT INTO photos (sha256, mime, bytes, width, height, stored_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&p.sha256)
        .bind(&p.mime)
        .bind(p.bytes)
        .bind(p.width)
        .bind(p.height)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO photo_owners (sha256, user_id) VALUES ($1, $2)
             ON CONFLICT (sha256, user_id) DO NOTHING",
        )
        .bind(&p.sha256)
        .bind(uploader)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
        })
    }

    /// Whether `user` uploaded the photo.
    pub async fn photo_owned_by(&self, sha256: &str, user_id: i64) -> sqlx::Result<bool> {
        let n: i64 = on!(self.pool, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM photo_owners WHERE sha256 = $1 AND user_id = $2",
        )
        .bind(sha256)
        .bind(user_id)
        .fetch_one(p)
        .await)?;
        Ok(n > 0)
    }

    /// Who uploaded the photo, each as (account id, county); whether one of them lets a user
    /// read it is decided in `auth::may_read_photo`.
    pub async fn photo_uploaders(&self, sha256: &str) -> sqlx::Result<Vec<(i64, String)>> {
        on!(self.pool, p => sqlx::query_as(
            "SELECT u.id, u.county FROM photo_owners o JOIN users u ON u.id = o.user_id
             WHERE o.sha256 = $1",
        )
        .bind(sha256)
        .fetch_all(p)
        .await)
    }

    /// The photos stored at or after `since` (ms since the epoch).
    pub async fn photos_stored_since(
        &self,
        since: i64,
    ) -> sqlx::Result<std::collections::HashSet<String>> {
        let rows: Vec<String> = on!(self.pool, p => sqlx::query_scalar("SELECT sha256 FROM photos WHERE stored_at >= $1")
                .bind(since)
                .fetch_all(p)
                .await)?;
        Ok(rows.into_iter().collect())
    }

    /// Every photo hash some indexed report lists, and every reward's picture. A list that does not read is an error, not
    /// an empty list: the answer decides which photos are orphans and may be deleted.
    pub async fn photo_hashes_in_reports(&self) -> sqlx::Result<std::collections::HashSet<String>> {
        let lists: Vec<String> = on!(self.pool, p => sqlx::query_scalar("SELECT photos FROM reports")
            .fetch_all(p)
            .await)?;
        // Rewards' pictures are kept too.
        let pictures: Vec<String> = on!(self.pool, p => sqlx::query_scalar("SELECT photo FROM rewards WHERE photo IS NOT NULL")
                .fetch_all(p)
                .await)?;
        let mut hashes = std::collections::HashSet::new();
        for list in &lists {
            let listed: Vec<String> = serde_json::from_str(list)
                .map_err(|e| sqlx::Error::Decode(format!("reports.photos {list:?}: {e}").into()))?;
            hashes.extend(listed);
        }
        hashes.extend(pictures);
        Ok(hashes)
    }

    /// Forgets a photo (its bytes are deleted separately).
    pub async fn photo_forget(&self, sha256: &str) -> sqlx::Result<()> {
        on!(self.writer, db => {
        let mut tx = db.begin().await?;
        sqlx::query("DELETE FROM photo_owners WHERE sha256 = $1")
            .bind(sha256)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM photos WHERE sha256 = $1")
            .bind(sha256)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
        })
    }
}
