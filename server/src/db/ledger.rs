//! The points ledger (append-only), the decisions that book into it, and the notices that tell
//! riders about them.

use model::api::{DECISION_CHANGE_MS, ReviewStatus};

use super::{Db, lock_account, on};

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LedgerEntry {
    pub id: i64,
    /// `award` (the first booking for a report) or `adjustment` (a changed decision).
    pub kind: String,
    pub amount: i64,
    pub report_id: Option<String>,
    pub reason: String,
    pub created_at: i64,
}

/// A message to a rider (`notices` table; append-only).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: i64,
    /// `review` (a decision on one of the rider's reports) or `redemption`.
    pub kind: String,
    pub report_id: Option<String>,
    pub redemption_id: Option<String>,
    /// The wish a `wish` notice is about.
    pub wish_id: Option<String>,
    /// The decision's status code.
    pub status: String,
    /// What the report has brought after the decision.
    pub points: i64,
    pub note: String,
    pub created_at: i64,
}

/// A supervisor's decision on a report, with what it awards.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub rider_id: i64,
    pub report_id: &'a str,
    pub status: ReviewStatus,
    pub note: &'a str,
    /// The supervisor.
    pub by: i64,
    pub at: i64,
    /// The points the report should have brought in all after this decision.
    pub award: Award<'a>,
}

/// What a decision awards.
#[derive(Debug, Clone, Copy)]
pub enum Award<'a> {
    /// So many points (0 for a decision that awards nothing).
    Points(i64),
    /// A share, in percent, of what another report (the one this one confirms) was awarded.
    ShareOf {
        rider_id: i64,
        report_id: &'a str,
        percent: i64,
    },
}

/// Why a decision was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("no such report")]
    NotFound,
    /// The report was decided over 24 hours ago: that decision stands.
    #[error("the decision is final")]
    Final,
    /// The change would take the rider's balance below zero.
    #[error("the points are spent")]
    Spent,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl Db {
    /// Records a decision and books the difference between what the report has brought so far
    /// and `award`, in one transaction: a replay books nothing, a change books a compensating
    /// entry, and no booking takes the balance below zero. The rider gets a notice of it in the
    /// same transaction. Returns the entry booked, if any.
    pub async fn decide(&self, d: &Decision<'_>) -> Result<Option<LedgerEntry>, Refused> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        lock_account!(tx, self.is_pg(), d.rider_id);
        let current: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT status, reviewed_at, review_note FROM reports WHERE rider_id = $1 AND id = $2",
        )
        .bind(d.rider_id)
        .bind(d.report_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((status, reviewed_at, note)) = current else {
            return Err(Refused::NotFound);
        };
        if status != ReviewStatus::New.code()
            && reviewed_at.is_some_and(|t| d.at - t > DECISION_CHANGE_MS)
        {
            return Err(Refused::Final);
        }
        let (booked, count): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT), COUNT(*) FROM ledger
             WHERE user_id = $1 AND report_id = $2",
        )
        .bind(d.rider_id)
        .bind(d.report_id)
        .fetch_one(&mut *tx)
        .await?;
        let award = match d.award {
            Award::Points(n) => n,
            Award::ShareOf {
                rider_id,
                report_id,
                percent,
            } => {
                let first: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger
                     WHERE user_id = $1 AND report_id = $2",
                )
                .bind(rider_id)
                .bind(report_id)
                .fetch_one(&mut *tx)
                .await?;
                first.max(0) * percent / 100
            }
        };
        let delta = award - booked;
        // The same decision sent again (a retry): nothing to book and nothing to tell.
        let replay = status == d.status.code() && note.as_deref() == Some(d.note) && delta == 0;
        let mut entry = None;
        if delta != 0 {
            let balance: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger WHERE user_id = $1",
            )
            .bind(d.rider_id)
            .fetch_one(&mut *tx)
            .await?;
            if balance + delta < 0 {
                return Err(Refused::Spent);
            }
            let kind = if count == 0 { "award" } else { "adjustment" };
            entry = Some(
                sqlx::query_as(
                    "INSERT INTO ledger (user_id, ref, kind, amount, report_id, actor, reason,
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     RETURNING id, kind, amount, report_id, reason, created_at",
                )
                .bind(d.rider_id)
                .bind(format!("report:{}:{}:{count}", d.rider_id, d.report_id))
                .bind(kind)
                .bind(delta)
                .bind(d.report_id)
                .bind(d.by)
                .bind(d.note)
                .bind(d.at)
                .fetch_one(&mut *tx)
                .await?,
            );
        }
        sqlx::query(
            "UPDATE reports SET status = $1, review_note = $2, reviewed_by = $3, reviewed_at = $4
             WHERE rider_id = $5 AND id = $6",
        )
        .bind(d.status.code())
        .bind(d.note)
        .bind(d.by)
        .bind(d.at)
        .bind(d.rider_id)
        .bind(d.report_id)
        .execute(&mut *tx)
        .await?;
        if !replay {
            sqlx::query(
                "INSERT INTO notices (user_id, kind, report_id, status, points, note, created_at)
             VALUES ($1, 'review', $2, $3, $4, $5, $6)",
            )
            .bind(d.rider_id)
            .bind(d.report_id)
            .bind(d.status.code())
            .bind(award)
            .bind(d.note)
            .bind(d.at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(entry)
        })
    }

    /// Sends `text` as a notice (`kind` `notice`) to every rider of `county` not disabled, in
    /// one statement; returns the riders it went to.
    pub async fn notice_county(&self, county: &str, text: &str, at: i64) -> sqlx::Result<Vec<i64>> {
        on!(self.writer, p => sqlx::query_scalar(
            "INSERT INTO notices (user_id, kind, report_id, status, points, note, created_at)
             SELECT id, 'notice', NULL, '', 0, $1, $2 FROM users
             WHERE county = $3 AND role = 'rider' AND NOT disabled
             RETURNING user_id",
        )
        .bind(text)
        .bind(at)
        .bind(county)
        .fetch_all(p)
        .await)
    }

    /// Every user with ledger entries or notices.
    pub async fn ledger_users(&self) -> sqlx::Result<Vec<i64>> {
        on!(self.pool, p => sqlx::query_scalar(
            "SELECT user_id FROM ledger UNION SELECT user_id FROM notices
             UNION SELECT rider_id FROM redemptions ORDER BY 1",
        )
        .fetch_all(p)
        .await)
    }

    /// A rider's ledger entries, oldest first.
    pub async fn ledger(&self, user_id: i64) -> sqlx::Result<Vec<LedgerEntry>> {
        on!(self.pool, p => sqlx::query_as(
            "SELECT id, kind, amount, report_id, reason, created_at FROM ledger
             WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(p)
        .await)
    }

    /// A rider's `n` latest notices, oldest first.
    pub async fn notices(&self, user_id: i64, n: i64) -> sqlx::Result<Vec<NoticeRow>> {
        let mut rows: Vec<NoticeRow> = on!(self.pool, p => sqlx::query_as(
            "SELECT id, kind, report_id, redemption_id, wish_id, status, points, note, created_at
             FROM notices WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(n)
        .fetch_all(p)
        .await)?;
        rows.reverse();
        Ok(rows)
    }

    /// A rider's `n` latest ledger entries, oldest first.
    pub async fn ledger_recent(&self, user_id: i64, n: i64) -> sqlx::Result<Vec<LedgerEntry>> {
        let mut rows: Vec<LedgerEntry> = on!(self.pool, p => sqlx::query_as(
            "SELECT id, kind, amount, report_id, reason, created_at FROM ledger
             WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(n)
        .fetch_all(p)
        .await)?;
        rows.reverse();
        Ok(rows)
    }

    /// A rider's balance: the sum of their ledger.
    pub async fn balance(&self, user_id: i64) -> sqlx::Result<i64> {
        on!(self.pool, p => sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(p)
            .await)
    }
}
