//! Check-ins at stations and riders' micro-wishes, each read once from a rider document (by its
//! id), and the steps supervisors take on a wish, each with a notice to its rider.

use model::{
    api::WishItem,
    rider_doc::{CheckIn, Wish},
};

use super::{Db, User, on};

/// A wish's row, as the console lists it.
#[derive(sqlx::FromRow)]
struct WishRecord {
    id: String,
    rider_id: i64,
    rider_name: String,
    text: String,
    photo: String,
    status: String,
    reason: String,
    org: String,
    at: i64,
    updated_at: i64,
}

impl From<WishRecord> for WishItem {
    fn from(r: WishRecord) -> Self {
        WishItem {
            id: r.id,
            rider_id: r.rider_id,
            rider_name: r.rider_name,
            text: r.text,
            photo: r.photo,
            status: r.status,
            reason: r.reason,
            org: r.org,
            at: r.at,
            updated_at: r.updated_at,
        }
    }
}

/// The start of a query for [`WishRecord`]s, for `concat!`.
macro_rules! wish_select {
    () => {
        concat!("SELECT ", wish_columns!())
    };
}

/// The columns of a [`WishRecord`] and the join they come from, for `concat!`.
macro_rules! wish_columns {
    () => {
        "w.id, w.rider_id, u.name AS rider_name, w.text, w.photo, w.status, w.reason, \
         w.org, w.at, w.updated_at FROM wishes w JOIN users u ON u.id = w.rider_id"
    };
}

impl Db {
    /// Keeps the rider's new check-ins and wishes, in one transaction; one already kept (same
    /// rider, same id) is left as it is, and so is a check-in of the rider at the same station
    /// within an hour of one kept (a page opened twice counts once).
    pub async fn entries_put(
        &self,
        rider: &User,
        checkins: &[(String, CheckIn)],
        wishes: &[(String, Wish)],
        now: i64,
    ) -> sqlx::Result<()> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        for (id, c) in checkins {
            sqlx::query(
                "INSERT INTO checkins (rider_id, id, county, station, at, received_at)
                 SELECT $1, $2, $3, $4, $5, $6
                 WHERE NOT EXISTS (SELECT 1 FROM checkins WHERE rider_id = $1 AND station = $4
                                   AND at > $5 - 3600000 AND at < $5 + 3600000)
                 ON CONFLICT DO NOTHING",
            )
            .bind(rider.id)
            .bind(id)
            .bind(&rider.county)
            .bind(&c.station)
            .bind(c.at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for (id, w) in wishes {
            sqlx::query(
                "INSERT INTO wishes (rider_id, id, county, text, photo, at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(rider.id)
            .bind(id)
            .bind(&rider.county)
            .bind(w.text.trim())
            .bind(&w.photo)
            .bind(w.at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
        })
    }

    /// The ids of the check-ins and wishes kept for each of `riders`: (rider id, entry id).
    pub async fn entry_ids_of(&self, riders: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
        let mut out = Vec::new();
        for part in riders.chunks(256) {
            out.extend(on!(self.pool, p => {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT rider_id, id FROM checkins WHERE rider_id IN (",
                );
                let mut list = q.separated(", ");
                for id in part {
                    list.push_bind(*id);
                }
                q.push(") UNION ALL SELECT rider_id, id FROM wishes WHERE rider_id IN (");
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

    /// The wishes of `county` (only those of `status` when given), newest first (then by rider
    /// and id), at most `limit`, from just after `after` when given.
    pub async fn wishes(
        &self,
        county: &str,
        status: Option<&str>,
        limit: i64,
        after: Option<&model::api::Cursor>,
    ) -> sqlx::Result<Vec<WishItem>> {
        let rows: Vec<WishRecord> = on!(self.pool, p => sqlx::query_as(concat!(
            wish_select!(),
            " WHERE w.county = $1 AND ($2 IS NULL OR w.status = $2)
               AND ($3 IS NULL OR w.at < $3 OR (w.at = $3
                    AND (w.rider_id > $4 OR (w.rider_id = $4 AND w.id > $5))))
             ORDER BY w.at DESC, w.rider_id, w.id LIMIT $6"
        ))
        .bind(county)
        .bind(status)
        .bind(after.map(|c| c.at))
        .bind(after.map(|c| c.rider_id))
        .bind(after.map(|c| c.id.clone()))
        .bind(limit)
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One wish of `county`.
    pub async fn wish(
        &self,
        county: &str,
        rider_id: i64,
        id: &str,
    ) -> sqlx::Result<Option<WishItem>> {
        let row: Option<WishRecord> = on!(self.pool, p => sqlx::query_as(concat!(
            wish_select!(),
            " WHERE w.county = $1 AND w.rider_id = $2 AND w.id = $3"
        ))
        .bind(county)
        .bind(rider_id)
        .bind(id)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(Into::into))
    }

    /// The wishes that belong on a wall (approved, claimed, fulfilled), by county.
    pub async fn wishes_on_walls(&self) -> sqlx::Result<Vec<(String, Vec<WishItem>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            county: String,
            #[sqlx(flatten)]
            wish: WishRecord,
        }
        let rows: Vec<Row> = on!(self.pool, p => sqlx::query_as(concat!(
            "SELECT w.county, ",
            wish_columns!(),
            " WHERE w.status IN ('approved', 'claimed', 'fulfilled') ORDER BY w.county"
        ))
        .fetch_all(p)
        .await)?;
        let mut out: Vec<(String, Vec<WishItem>)> = Vec::new();
        for row in rows {
            match out.last_mut() {
                Some((county, list)) if *county == row.county => list.push(row.wish.into()),
                _ => out.push((row.county, vec![row.wish.into()])),
            }
        }
        Ok(out)
    }

    /// Moves a wish from `from` to `to` (with the reason or organisation given) and sends its
    /// rider a notice, in one transaction. False when the wish was no longer at `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn wish_step(
        &self,
        rider_id: i64,
        id: &str,
        from: &str,
        to: &str,
        reason: &str,
        org: &str,
        at: i64,
    ) -> sqlx::Result<bool> {
        on!(self.writer, p => {
        let mut tx = p.begin().await?;
        let moved = sqlx::query(
            "UPDATE wishes SET status = $1,
                 reason = CASE WHEN $2 = '' THEN reason ELSE $2 END,
                 org = CASE WHEN $3 = '' THEN org ELSE $3 END, updated_at = $4
             WHERE rider_id = $5 AND id = $6 AND status = $7",
        )
        .bind(to)
        .bind(reason)
        .bind(org)
        .bind(at)
        .bind(rider_id)
        .bind(id)
        .bind(from)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 0 {
            return Ok(false);
        }
        let note = if reason.is_empty() { org } else { reason };
        sqlx::query(
            "INSERT INTO notices (user_id, kind, wish_id, status, points, note, created_at)
             VALUES ($1, 'wish', $2, $3, 0, $4, $5)",
        )
        .bind(rider_id)
        .bind(id)
        .bind(to)
        .bind(note)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
        })
    }

    /// The check-ins of `county` since `since`: (station id, when).
    pub async fn checkins_since(
        &self,
        county: &str,
        since: i64,
    ) -> sqlx::Result<Vec<(String, i64)>> {
        on!(self.pool, p => sqlx::query_as("SELECT station, at FROM checkins WHERE county = $1 AND at >= $2")
            .bind(county)
            .bind(since)
            .fetch_all(p)
            .await)
    }

    /// Where the reports of `county` filed since `since` were made: (lat, lon).
    pub async fn report_places_since(
        &self,
        county: &str,
        since: i64,
    ) -> sqlx::Result<Vec<(f64, f64)>> {
        on!(self.pool, p => sqlx::query_as("SELECT lat, lon FROM reports WHERE county = $1 AND created_at >= $2")
            .bind(county)
            .bind(since)
            .fetch_all(p)
            .await)
    }
}
