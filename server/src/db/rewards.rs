//! The counties' reward catalogues, and riders' redemptions: each decided once, in one
//! transaction that checks the balance and the stock, and handed over once by its pickup code.

use model::api::{PICKUP_VALID_MS, RewardForm};
use rand::Rng;

use super::{Db, lock_account, on};

/// A reward of a county's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RewardRow {
    pub id: i64,
    pub county: String,
    pub name: String,
    pub price: i64,
    pub stock: i64,
    pub active: bool,
    /// The picture's SHA-256, if it has one.
    pub photo: Option<String>,
}

/// A decided redemption request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RedemptionRow {
    pub rider_id: i64,
    pub id: String,
    pub reward_id: Option<i64>,
    pub name: String,
    pub price: i64,
    /// `done`, `failed` or `refunded` (done, not picked up in time, the price given back).
    pub status: String,
    /// Why it failed: `balance`, `stock` or `unavailable`.
    pub reason: String,
    pub code: Option<String>,
    pub expires_at: Option<i64>,
    pub picked_up_at: Option<i64>,
    pub decided_at: i64,
}

/// A rider's request for a reward, as read from their rider document.
#[derive(Debug, Clone)]
pub struct Redeem<'a> {
    pub rider_id: i64,
    /// The rider's county: only its catalogue can be redeemed from.
    pub county: &'a str,
    /// The request's id in the rider document.
    pub id: &'a str,
    /// The reward's id as the rider document names it.
    pub reward: &'a str,
    pub requested_at: i64,
    pub at: i64,
}

/// Why a pickup code was refused.
#[derive(Debug, thiserror::Error)]
pub enum PickupRefused {
    #[error("no reward waits under this code")]
    Unknown,
    #[error("handed over already")]
    PickedUp,
    #[error("the code has expired")]
    Expired,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The columns of a [`RedemptionRow`], for `concat!`.
macro_rules! redemption_columns {
    () => {
        "rider_id, id, reward_id, name, price, status, reason, code, expires_at, picked_up_at, \
         decided_at"
    };
}

impl Db {
    /// Adds a reward to `county`'s catalogue (its stock is `form.stock_change`); returns it.
    pub async fn reward_add(&self, county: &str, form: &RewardForm) -> sqlx::Result<RewardRow> {
        on!(self.writer, p => sqlx::query_as(
            "INSERT INTO rewards (county, name, price, stock, active, photo)
             VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''))
             RETURNING id, county, name, price, stock, active, photo",
        )
        .bind(county)
        .bind(&form.name)
        .bind(form.price)
        .bind(form.stock_change)
        .bind(form.active)
        .bind(&form.photo)
        .fetch_one(p)
        .await)
    }

    /// Changes a reward of `county`'s catalogue: its name, price and whether it is offered as
    /// `form` has them, and its stock by `form.stock_change`, unless the stock would leave `0..=max_stock`. `None`
    /// when the county has no such reward or the stock would leave its range.
    pub async fn reward_update(
        &self,
        county: &str,
        id: i64,
        form: &RewardForm,
        max_stock: i64,
    ) -> sqlx::Result<Option<RewardRow>> {
        on!(self.writer, p => sqlx::query_as(
            "UPDATE rewards SET name = $1, price = $2, active = $3, stock = stock + $4,
             photo = NULLIF($8, '')
             WHERE id = $5 AND county = $6 AND stock + $4 BETWEEN 0 AND $7
             RETURNING id, county, name, price, stock, active, photo",
        )
        .bind(&form.name)
        .bind(form.price)
        .bind(form.active)
        .bind(form.stock_change)
        .bind(id)
        .bind(county)
        .bind(max_stock)
        .bind(&form.photo)
        .fetch_optional(p)
        .await)
    }

    /// A reward of `county`'s catalogue.
    pub async fn reward(&self, county: &str, id: i64) -> sqlx::Result<Option<RewardRow>> {
        on!(self.pool, p => sqlx::query_as(
            "SELECT id, county, name, price, stock, active, photo FROM rewards
             WHERE id = $1 AND county = $2",
        )
        .bind(id)
        .bind(county)
        .fetch_optional(p)
        .await)
    }

    /// Whether `sha256` is the picture of a reward of `county`.
    pub async fn reward_photo_in(&self, county: &str, sha256: &str) -> sqlx::Result<bool> {
        let found: Option<i64> = on!(self.pool, p => sqlx::query_scalar("SELECT id FROM rewards WHERE county = $1 AND photo = $2 LIMIT 1")
                .bind(county)
                .bind(sha256)
                .fetch_optional(p)
                .await)?;
        Ok(found.is_some())
    }

    /// `county`'s catalogue, by id.
    pub async fn rewards(&self, county: &str) -> sqlx::Result<Vec<RewardRow>> {
        on!(self.pool, p => sqlx::query_as(
            "SELECT id, county, name, price, stock, active, photo FROM rewards WHERE county = $1
             ORDER BY id",
        )
        .bind(county)
        .fetch_all(p)
        .await)
    }

    /// The ids of the rider's requests decided already.
    pub async fn redemption_ids(&self, rider_id: i64) -> sqlx::Result<Vec<String>> {
        on!(self.pool, p => sqlx::query_scalar("SELECT id FROM redemptions WHERE rider_id = $1")
            .bind(rider_id)
            .fetch_all(p)
            .await)
    }

    /// The decided requests of each of `riders`, as (rider id, request id).
    pub async fn redemption_ids_of(&self, riders: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
        let mut out = Vec::new();
        for part in riders.chunks(512) {
            out.extend(on!(self.pool, p => {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT rider_id, id FROM redemptions WHERE rider_id IN (",
                );
                let mut list = q.separated(", ");
                for id in part {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                q.build_query_as::<(i64, String)>()
                    .persistent(false)
                    .fetch_all(p)
                    .await
            })?);
        }
        Ok(out)
    }

    /// The rider's decided requests.
    pub async fn redemptions(&self, rider_id: i64) -> sqlx::Result<Vec<RedemptionRow>> {
        on!(self.pool, p => sqlx::query_as(concat!(
            "SELECT ",
            redemption_columns!(),
            " FROM redemptions WHERE rider_id = $1 ORDER BY id"
        ))
        .bind(rider_id)
        .fetch_all(p)
        .await)
    }

    /// Decides a request, once: in one transaction it checks the reward (of the rider's county,
    /// offered, in stock) and the balance, and either spends the price (a `redemption` ledger
    /// entry), takes one from the stock and gives a pickup code, or records why not. The rider
    /// gets a notice either way. `None` when the request was decided before.
    pub async fn redeem(&self, r: &Redeem<'_>) -> sqlx::Result<Option<RedemptionRow>> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        lock_account!(tx, self.is_pg(), r.rider_id);
        let decided: Option<i64> =
            sqlx::query_scalar("SELECT rider_id FROM redemptions WHERE rider_id = $1 AND id = $2")
                .bind(r.rider_id)
                .bind(r.id)
                .fetch_optional(&mut *tx)
                .await?;
        if decided.is_some() {
            return Ok(None);
        }
        let reward: Option<RewardRow> = match r.reward.parse::<i64>() {
            Ok(id) => {
                sqlx::query_as(
                    "SELECT id, county, name, price, stock, active, photo FROM rewards
                     WHERE id = $1 AND county = $2",
                )
                .bind(id)
                .bind(r.county)
                .fetch_optional(&mut *tx)
                .await?
            }
            Err(_) => None,
        };
        let balance: i64 =
            sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger WHERE user_id = $1")
                .bind(r.rider_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut refusal = match &reward {
            None => Some("unavailable"),
            Some(w) if !w.active => Some("unavailable"),
            Some(w) if w.stock <= 0 => Some("stock"),
            Some(w) if balance < w.price => Some("balance"),
            Some(_) => None,
        };
        let (name, price, reward_id) = reward.as_ref().map_or((String::new(), 0, None), |w| {
            (w.name.clone(), w.price, Some(w.id))
        });
        // The stock is taken first, by a statement that waits for any other redemption of the
        // same reward (on PostgreSQL, from another rider or node): the last one is taken once.
        let taken = match refusal {
            Some(_) => 0,
            None => {
                sqlx::query("UPDATE rewards SET stock = stock - 1 WHERE id = $1 AND stock > 0")
                    .bind(reward_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
        };
        if refusal.is_none() && taken == 0 {
            refusal = Some("stock");
        }
        let (status, code, expires_at) = match refusal {
            Some(_) => ("failed", None, None),
            None => {
                sqlx::query(
                    "INSERT INTO ledger (user_id, ref, kind, amount, report_id, actor, reason,
                     created_at) VALUES ($1, $2, 'redemption', $3, NULL, NULL, $4, $5)",
                )
                .bind(r.rider_id)
                .bind(format!("redeem:{}:{}", r.rider_id, r.id))
                .bind(-price)
                .bind(&name)
                .bind(r.at)
                .execute(&mut *tx)
                .await?;
                let code = loop {
                    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
                    let taken: Option<i64> = sqlx::query_scalar(
                        "SELECT rider_id FROM redemptions
                         WHERE code = $1 AND status = 'done' AND picked_up_at IS NULL",
                    )
                    .bind(&code)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if taken.is_none() {
                        break code;
                    }
                };
                ("done", Some(code), Some(r.at + PICKUP_VALID_MS))
            }
        };
        let reason = refusal.unwrap_or("");
        // A code is free again once its reward is picked up or refunded.
        let row: RedemptionRow = sqlx::query_as(concat!(
            "INSERT INTO redemptions (rider_id, id, reward_id, name, price, status, reason, code,
             expires_at, requested_at, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ",
            redemption_columns!()
        ))
        .bind(r.rider_id)
        .bind(r.id)
        .bind(reward_id)
        .bind(&name)
        .bind(price)
        .bind(status)
        .bind(reason)
        .bind(&code)
        .bind(expires_at)
        .bind(r.requested_at)
        .bind(r.at)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO notices (user_id, kind, report_id, redemption_id, status, points, note,
             created_at) VALUES ($1, 'redemption', NULL, $2, $3, $4, $5, $6)",
        )
        .bind(r.rider_id)
        .bind(r.id)
        .bind(status)
        .bind(price)
        .bind(reason)
        .bind(r.at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(row))
        })
    }

    /// Hands over the reward waiting under `code` in `county`, once. Returns the redemption.
    pub async fn pick_up(
        &self,
        county: &str,
        code: &str,
        by: i64,
        at: i64,
    ) -> Result<RedemptionRow, PickupRefused> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        // The reward waiting under the code, else the latest one handed over or refunded
        // under it.
        let found: Option<RedemptionRow> = sqlx::query_as(concat!(
            "SELECT ",
            redemption_columns!(),
            " FROM redemptions WHERE code = $1 AND status IN ('done', 'refunded')
             AND rider_id IN (SELECT id FROM users WHERE county = $2)
             ORDER BY status = 'done' AND picked_up_at IS NULL DESC, decided_at DESC LIMIT 1"
        ))
        .bind(code)
        .bind(county)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(found) = found else {
            return Err(PickupRefused::Unknown);
        };
        if found.picked_up_at.is_some() {
            return Err(PickupRefused::PickedUp);
        }
        if found.status == "refunded" || found.expires_at.is_some_and(|t| t < at) {
            return Err(PickupRefused::Expired);
        }
        let row: RedemptionRow = sqlx::query_as(concat!(
            "UPDATE redemptions SET picked_up_at = $1, picked_up_by = $2
             WHERE rider_id = $3 AND id = $4 AND status = 'done' AND picked_up_at IS NULL
             RETURNING ",
            redemption_columns!()
        ))
        .bind(at)
        .bind(by)
        .bind(found.rider_id)
        .bind(&found.id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(PickupRefused::PickedUp)?;
        tx.commit().await?;
        Ok(row)
        })
    }

    /// Refunds up to `limit` rewards whose code expired before `now` unused, each in its own
    /// transaction: the price goes back to the rider (a `refund` ledger entry, booked once by its
    /// key), one goes back to the stock, the request becomes `refunded` and the rider gets a
    /// notice. A reward handed over meanwhile is left alone. Returns the refunded requests.
    pub async fn refund_expired(&self, now: i64, limit: i64) -> sqlx::Result<Vec<RedemptionRow>> {
        let due: Vec<(i64, String)> = on!(self.pool, p => sqlx::query_as(
            "SELECT rider_id, id FROM redemptions
             WHERE status = 'done' AND picked_up_at IS NULL AND expires_at < $1
             ORDER BY expires_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await)?;
        let mut refunded = Vec::new();
        for (rider_id, id) in due {
            on!(self.writer, p => {
                let mut tx = p.begin().await?;
                let row: Option<RedemptionRow> = sqlx::query_as(concat!(
                    "UPDATE redemptions SET status = 'refunded', refunded_at = $1
                     WHERE rider_id = $2 AND id = $3 AND status = 'done' AND picked_up_at IS NULL
                     AND expires_at < $1 RETURNING ",
                    redemption_columns!()
                ))
                .bind(now)
                .bind(rider_id)
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    continue;
                };
                sqlx::query(
                    "INSERT INTO ledger (user_id, ref, kind, amount, report_id, actor, reason,
                     created_at) VALUES ($1, $2, 'refund', $3, NULL, NULL, $4, $5)",
                )
                .bind(rider_id)
                .bind(format!("refund:{rider_id}:{id}"))
                .bind(row.price)
                .bind(&row.name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE rewards SET stock = stock + 1 WHERE id = $1")
                    .bind(row.reward_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO notices (user_id, kind, report_id, redemption_id, status, points,
                     note, created_at) VALUES ($1, 'redemption', NULL, $2, 'refunded', $3, '', $4)",
                )
                .bind(rider_id)
                .bind(&id)
                .bind(row.price)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                refunded.push(row);
            });
        }
        Ok(refunded)
    }
}
