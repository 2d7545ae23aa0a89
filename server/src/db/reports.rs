//! The report index: one row per (rider, report UUID), fed from rider documents.

use model::{
    Category, LocationSource, Report,
    api::{ReportRow, ReviewStatus},
};

use std::collections::{BTreeSet, HashSet};

use super::{Db, Tx, User, now_ms, on, on_tx};

/// Which of the photos `$wanted` (a non-empty set of hashes) are stored, in one query on
/// the executor `$exec`.
macro_rules! photos_held {
    ($exec:expr, $wanted:expr) => {{
        let mut q = sqlx::QueryBuilder::new("SELECT sha256 FROM photos WHERE sha256 IN (");
        let mut list = q.separated(", ");
        for h in $wanted {
            list.push_bind(*h);
        }
        list.push_unseparated(")");
        q.build_query_scalar::<String>()
            .persistent(false)
            .fetch_all($exec)
            .await
            .map(|v| v.into_iter().collect::<HashSet<String>>())
    }};
}

/// The stored form of a report's photo EXIF: JSON, or '' when there is none.
fn exif_json(r: &Report) -> String {
    if r.photo_taken_at.is_none() && r.photo_lat.is_none() && r.photo_lon.is_none() {
        return String::new();
    }
    serde_json::json!({"taken_at": r.photo_taken_at, "lat": r.photo_lat, "lon": r.photo_lon})
        .to_string()
}

/// The indexed fields of a report, as stored: equal when a document's version changes nothing.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
struct Fields {
    category: String,
    lat: f64,
    lon: f64,
    accuracy_m: Option<f64>,
    location_source: String,
    place: String,
    note: String,
    created_at: i64,
    photos: String,
    photo_exif: String,
}

impl Fields {
    fn of(r: &Report) -> Fields {
        Fields {
            category: r.category.clone(),
            lat: r.lat,
            lon: r.lon,
            accuracy_m: r.accuracy_m,
            location_source: r.location_source.clone(),
            place: r.place.clone(),
            note: r.note.clone(),
            created_at: r.created_at,
            photos: serde_json::to_string(&r.photos).unwrap_or_else(|_| "[]".into()),
            photo_exif: exif_json(r),
        }
    }
}

/// What the index holds of one report, for the indexer to compare a document's version with.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    rider_id: i64,
    id: String,
    status: String,
    county: String,
    received_at: i64,
    #[sqlx(flatten)]
    fields: Fields,
}

impl Stored {
    /// What indexing `r` over this row would do (never [`UpsertOutcome::Inserted`] or
    /// [`UpsertOutcome::OverDailyLimit`]: the row is there).
    pub fn outcome(&self, r: &Report) -> UpsertOutcome {
        if self.fields == Fields::of(r) {
            UpsertOutcome::Unchanged
        } else if self.status != "new" {
            UpsertOutcome::Reviewed
        } else {
            UpsertOutcome::Updated
        }
    }
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted,
    Updated,
    Unchanged,
    /// A supervisor has decided on the report: the indexed version stands and the edit is not
    /// applied.
    Reviewed,
    /// The rider is at the day's report limit: the new report is not indexed.
    OverDailyLimit,
}

/// The milliseconds of one day, and China Standard Time's offset from UTC.
const DAY_MS: i64 = 86_400_000;
const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// The start and end (in ms since the epoch) of the China Standard Time day holding `t`.
pub fn cst_day(t: i64) -> (i64, i64) {
    let start = (t + CST_OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - CST_OFFSET_MS;
    (start, start + DAY_MS)
}

/// A report's row, as [`ROW_SELECT`] reads it.
#[derive(sqlx::FromRow)]
struct RowRecord {
    id: String,
    rider_id: i64,
    rider_name: String,
    county: String,
    category: String,
    note: String,
    lat: f64,
    lon: f64,
    accuracy_m: Option<f64>,
    location_source: String,
    place: String,
    created_at: i64,
    received_at: i64,
    photos: String,
    status: String,
    photo_exif: String,
}

/// The stored EXIF of a report's photos (`photo_exif`): JSON, or '' when there is none.
#[derive(Debug, Default, serde::Deserialize)]
struct PhotoExif {
    taken_at: Option<i64>,
    lat: Option<f64>,
    lon: Option<f64>,
}

impl TryFrom<RowRecord> for ReportRow {
    type Error = String;

    /// A row as the API sends it. A stored code or JSON that does not read is an error, never
    /// a default: the index is written by this server only, so it means a damaged database.
    fn try_from(r: RowRecord) -> Result<ReportRow, String> {
        let exif: PhotoExif = if r.photo_exif.is_empty() {
            PhotoExif::default()
        } else {
            serde_json::from_str(&r.photo_exif).map_err(|e| format!("photo_exif: {e}"))?
        };
        Ok(ReportRow {
            category: Category::from_code(&r.category)
                .ok_or_else(|| format!("unknown category {:?}", r.category))?,
            location_source: LocationSource::from_code(&r.location_source)
                .ok_or_else(|| format!("unknown location source {:?}", r.location_source))?,
            status: ReviewStatus::from_code(&r.status)
                .ok_or_else(|| format!("unknown status {:?}", r.status))?,
            photos: serde_json::from_str(&r.photos).map_err(|e| format!("photos: {e}"))?,
            id: r.id,
            rider_id: r.rider_id,
            rider_name: r.rider_name,
            county: r.county,
            note: r.note,
            lat: r.lat,
            lon: r.lon,
            accuracy_m: r.accuracy_m,
            place: r.place,
            created_at: r.created_at,
            received_at: r.received_at,
            photos_stored: Vec::new(),
            photo_taken_at: exif.taken_at,
            photo_lat: exif.lat,
            photo_lon: exif.lon,
        })
    }
}

/// The rows that read; one that does not is logged and left out, so that one damaged row
/// does not hide a county's list.
fn rows_of(records: Vec<RowRecord>) -> Vec<ReportRow> {
    records
        .into_iter()
        .filter_map(|r| {
            let key = (r.rider_id, r.id.clone());
            ReportRow::try_from(r)
                .inspect_err(
                    |e| tracing::error!(?key, error = %e, "an indexed report does not read"),
                )
                .ok()
        })
        .collect()
}

/// Which reports a list keeps (every field optional: `None` keeps all).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilter {
    /// A status code.
    pub status: Option<String>,
    /// A category code.
    pub category: Option<String>,
    /// Filed at or after (ms since the epoch).
    pub from: Option<i64>,
    /// Filed before (ms since the epoch).
    pub to: Option<i64>,
    pub rider: Option<i64>,
    /// Words in the note, the place or the rider's name.
    pub text: Option<String>,
    /// Within so many metres of a point: (lat, lon, metres).
    pub near: Option<(f64, f64, f64)>,
}

const ROW_SELECT: &str = "SELECT r.id, r.rider_id, u.name AS rider_name, r.county, r.category,
    r.note, r.lat, r.lon, r.accuracy_m, r.location_source, r.place, r.created_at, r.received_at, r.photos,
    r.status, r.photo_exif FROM reports r JOIN users u ON u.id = r.rider_id";

impl Db {
    /// One indexed report.
    pub async fn report_get(&self, rider_id: i64, id: &str) -> sqlx::Result<Option<ReportRow>> {
        let row: Option<RowRecord> = on!(self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ROW_SELECT} WHERE r.rider_id = $1 AND r.id = $2"
        )))
        .bind(rider_id)
        .bind(id)
        .fetch_optional(p)
        .await)?;
        let mut rows: Vec<ReportRow> = match row {
            Some(r) => vec![ReportRow::try_from(r).map_err(|e| sqlx::Error::Decode(e.into()))?],
            None => Vec::new(),
        };
        self.fill_photos_stored(&mut rows).await?;
        Ok(rows.pop())
    }

    /// The indexed reports of `keys` (rider id, report id) that exist, in no set order.
    pub async fn reports_get(&self, keys: &[(i64, String)]) -> sqlx::Result<Vec<ReportRow>> {
        let mut rows = Vec::with_capacity(keys.len());
        for part in keys.chunks(ROWS_PER_STATEMENT) {
            let got: Vec<RowRecord> = on!(self.pool, p => {
                let mut q = sqlx::QueryBuilder::new(ROW_SELECT);
                q.push(" WHERE (r.rider_id, r.id) IN (SELECT column1, column2 FROM (");
                q.push_values(part, |mut b, (rider_id, id)| {
                    b.push_bind(*rider_id).push_bind(id.as_str());
                });
                q.push(") AS k)");
                q.build_query_as().fetch_all(p).await
            })?;
            for r in got {
                rows.push(ReportRow::try_from(r).map_err(|e| sqlx::Error::Decode(e.into()))?);
            }
        }
        self.fill_photos_stored(&mut rows).await?;
        Ok(rows)
    }

    /// Sets `photos_stored` of each row from the photo records, in one query.
    async fn fill_photos_stored(&self, rows: &mut [ReportRow]) -> sqlx::Result<()> {
        let wanted = photo_hashes(rows);
        if !wanted.is_empty() {
            let held = on!(self.pool, p => photos_held!(p, &wanted))?;
            set_photos_stored(rows, &held);
        }
        Ok(())
    }

    /// The reports of `rider_id` that list photo `sha256`.
    pub async fn reports_with_photo(
        &self,
        rider_id: i64,
        sha256: &str,
    ) -> sqlx::Result<Vec<ReportRow>> {
        let rows: Vec<RowRecord> = on!(self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ROW_SELECT} WHERE r.rider_id = $1 AND r.photos LIKE $2"
        )))
        .bind(rider_id)
        .bind(format!("%\"{sha256}\"%"))
        .fetch_all(p)
        .await)?;
        let mut rows = rows_of(rows);
        self.fill_photos_stored(&mut rows).await?;
        Ok(rows)
    }

    /// The reports of a county in one category filed between `from` and `to` (ms), oldest
    /// first: the candidates a report may duplicate.
    pub async fn reports_filed_between(
        &self,
        county: &str,
        category: &str,
        from: i64,
        to: i64,
    ) -> sqlx::Result<Vec<ReportRow>> {
        let rows: Vec<RowRecord> = on!(self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ROW_SELECT} WHERE r.county = $1 AND r.category = $2
             AND r.created_at BETWEEN $3 AND $4 ORDER BY r.created_at, r.id LIMIT 500"
        )))
        .bind(county)
        .bind(category)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)?;
        let mut rows = rows_of(rows);
        self.fill_photos_stored(&mut rows).await?;
        Ok(rows)
    }

    /// The newest reports of a county.
    pub async fn reports_for_county(
        &self,
        county: &str,
        limit: i64,
    ) -> sqlx::Result<Vec<ReportRow>> {
        self.reports_filtered(county, &ReportFilter::default(), limit, None)
            .await
    }

    /// The reports of `county` that pass `filter`, the last received first (then by rider and
    /// id), at most `limit`, from just after `after` when given. The server sets
    /// `received_at` once, so a walk through the pages lists each report once.
    pub async fn reports_filtered(
        &self,
        county: &str,
        filter: &ReportFilter,
        limit: i64,
        after: Option<&model::api::Cursor>,
    ) -> sqlx::Result<Vec<ReportRow>> {
        // SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's ILIKE does the same.
        let like = if self.is_pg() { " ILIKE " } else { " LIKE " };
        let rows: Vec<RowRecord> = on!(self.pool, p => {
            let mut q = sqlx::QueryBuilder::new(ROW_SELECT);
            q.push(" WHERE r.county = ").push_bind(county);
            if let Some(c) = after {
                q.push(" AND (r.received_at < ")
                    .push_bind(c.at)
                    .push(" OR (r.received_at = ")
                    .push_bind(c.at)
                    .push(" AND (r.rider_id > ")
                    .push_bind(c.rider_id)
                    .push(" OR (r.rider_id = ")
                    .push_bind(c.rider_id)
                    .push(" AND r.id > ")
                    .push_bind(c.id.clone())
                    .push("))))");
            }
            if let Some(status) = &filter.status {
                q.push(" AND r.status = ").push_bind(status.clone());
            }
            if let Some(category) = &filter.category {
                q.push(" AND r.category = ").push_bind(category.clone());
            }
            if let Some(from) = filter.from {
                q.push(" AND r.created_at >= ").push_bind(from);
            }
            if let Some(to) = filter.to {
                q.push(" AND r.created_at < ").push_bind(to);
            }
            if let Some(rider) = filter.rider {
                q.push(" AND r.rider_id = ").push_bind(rider);
            }
            if let Some((lat, lon, within)) = filter.near {
                // On the plane tangent at the point (degrees of longitude shortened by the
                // latitude's cosine): within a county's tens of kilometres this is the great-circle
                // distance to a fraction of a percent, in plain arithmetic for either database.
                let shrink = lat.to_radians().cos().powi(2);
                let reach = (within / model::geo::METRES_PER_DEGREE).powi(2);
                q.push(" AND ((r.lat - ")
                    .push_bind(lat)
                    .push(") * (r.lat - ")
                    .push_bind(lat)
                    .push(") + (r.lon - ")
                    .push_bind(lon)
                    .push(") * (r.lon - ")
                    .push_bind(lon)
                    .push(") * ")
                    .push_bind(shrink)
                    .push(") <= ")
                    .push_bind(reach);
            }
            if let Some(text) = filter.text.as_deref().filter(|t| !t.is_empty()) {
                // A plain substring: LIKE's wildcards in the text are taken literally.
                let pattern = format!(
                    "%{}%",
                    text.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                );
                q.push(" AND (r.note")
                    .push(like)
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR r.place")
                    .push(like)
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR u.name")
                    .push(like)
                    .push_bind(pattern)
                    .push(" ESCAPE '\\')");
            }
            q.push(" ORDER BY r.received_at DESC, r.rider_id, r.id LIMIT ")
                .push_bind(limit);
            q.build_query_as().persistent(false).fetch_all(p).await
        })?;
        let mut rows = rows_of(rows);
        self.fill_photos_stored(&mut rows).await?;
        Ok(rows)
    }

    /// Clears a document's mark `seq` in `docs_unindexed`: everything stored up to it is read
    /// (outside an index batch: after its redemption requests are decided).
    pub async fn doc_indexed(&self, doc_id: &str, seq: i64) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query("DELETE FROM docs_unindexed WHERE doc_id = $1 AND seq = $2")
            .bind(doc_id)
            .bind(seq)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The flagged entries of these documents, as (document, key) pairs (key `""` for a
    /// document itself), in one query per 512 documents.
    pub async fn flagged_keys(&self, doc_ids: &[&str]) -> sqlx::Result<Vec<(String, String)>> {
        let mut keys = Vec::new();
        for part in doc_ids.chunks(512) {
            keys.extend(on!(self.pool, p => {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT doc_id, key FROM flagged_entries WHERE doc_id IN (",
                );
                let mut list = q.separated(", ");
                for id in part {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                q.build_query_as::<(String, String)>()
                    .persistent(false)
                    .fetch_all(p)
                    .await
            })?);
        }
        Ok(keys)
    }

    /// How many entries of a document are flagged.
    pub async fn flagged_count(&self, doc_id: &str) -> sqlx::Result<i64> {
        on!(self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM flagged_entries WHERE doc_id = $1")
            .bind(doc_id)
            .fetch_one(p)
            .await)
    }
}

/// Index writes that commit together, so a burst of reports costs one disk sync for the lot.
/// Dropped without [`IndexBatch::commit`], it writes nothing.
pub struct IndexBatch {
    tx: Tx,
}

impl Db {
    /// Starts a batch of index writes.
    pub async fn index_batch(&self) -> sqlx::Result<IndexBatch> {
        let tx = match &self.writer {
            super::Pool::Lite(p) => Tx::Lite(p.begin().await?),
            super::Pool::Pg(p) => Tx::Pg(p.begin().await?),
        };
        Ok(IndexBatch { tx })
    }
}

/// A report to write into the index.
pub struct Upsert<'a> {
    pub rider: &'a User,
    pub doc_id: &'a str,
    pub report: &'a Report,
}

/// Rows per multi-row statement: SQLite binds at most 32,766 parameters.
const ROWS_PER_STATEMENT: usize = 128;

impl IndexBatch {
    /// Waits until no other node is indexing these documents, and holds them until this batch
    /// ends, so that each report is found new (and announced) once however many nodes index
    /// its document. Only on PostgreSQL: on SQLite the one writer connection runs one batch
    /// at a time.
    pub async fn lock_docs(&mut self, doc_ids: &[&str]) -> sqlx::Result<()> {
        let Tx::Pg(t) = &mut self.tx else {
            return Ok(());
        };
        // In one order everywhere, so that two batches wait for each other, never deadlock.
        let mut ids: Vec<&str> = doc_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        sqlx::query(
            "SELECT pg_advisory_xact_lock(hashtextextended(d, 0)) FROM unnest($1::text[]) AS d",
        )
        .bind(ids)
        .execute(&mut **t)
        .await?;
        Ok(())
    }

    /// What the index holds of these (rider, report) pairs, in one query per 128.
    pub async fn stored(&mut self, keys: &[(i64, &str)]) -> sqlx::Result<Vec<Stored>> {
        let mut found = Vec::new();
        for part in keys.chunks(ROWS_PER_STATEMENT) {
            found.extend(on_tx!(self.tx, t => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT r.rider_id, r.id, r.status, r.county, r.received_at, r.category, r.lat, r.lon, r.accuracy_m, r.location_source, r.place, r.note, r.created_at, r.photos, r.photo_exif FROM (",
            );
            q.push_values(part, |mut b, (rider_id, id)| {
                b.push_bind(*rider_id).push_bind(*id);
            });
            q.push(") AS k JOIN reports r ON r.rider_id = k.column1 AND r.id = k.column2");
            q.build_query_as::<Stored>().fetch_all(&mut **t).await
            })?);
        }
        Ok(found)
    }

    /// How many reports each rider has dated on each day, for (rider, start of the China
    /// Standard Time day) pairs, in one query per 128.
    pub async fn day_counts(&mut self, days: &[(i64, i64)]) -> sqlx::Result<Vec<(i64, i64, i64)>> {
        let mut counts = Vec::new();
        for part in days.chunks(ROWS_PER_STATEMENT) {
            counts.extend(on_tx!(self.tx, t => {
            let mut q = sqlx::QueryBuilder::new("SELECT d.column1, d.column2, COUNT(r.id) FROM (");
            q.push_values(part, |mut b, (rider_id, from)| {
                b.push_bind(*rider_id)
                    .push_bind(*from)
                    .push_bind(*from + DAY_MS);
            });
            q.push(
                ") AS d LEFT JOIN reports r ON r.rider_id = d.column1 AND r.created_at >= d.column2
                 AND r.created_at < d.column3 GROUP BY d.column1, d.column2",
            );
            q.build_query_as::<(i64, i64, i64)>().fetch_all(&mut **t).await
            })?);
        }
        Ok(counts)
    }

    /// Inserts or refreshes validated reports, in one statement per 128, received at
    /// `received_at` if new. A reviewed report is never changed (one decided since it was read
    /// is left out of the answer). Returns the (rider, report) pairs written.
    pub async fn upsert(
        &mut self,
        rows: &[Upsert<'_>],
        received_at: i64,
    ) -> sqlx::Result<Vec<(i64, String)>> {
        let mut written = Vec::new();
        for part in rows.chunks(ROWS_PER_STATEMENT) {
            written.extend(on_tx!(self.tx, t => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO reports (rider_id, id, doc_id, county, category, note, lat, lon,
                    accuracy_m, location_source, place, created_at, photos, received_at,
                    photo_exif) ",
            );
            q.push_values(part, |mut b, u| {
                let f = Fields::of(u.report);
                b.push_bind(u.rider.id)
                    .push_bind(u.report.id.clone())
                    .push_bind(u.doc_id.to_owned())
                    .push_bind(u.rider.county.clone())
                    .push_bind(f.category)
                    .push_bind(f.note)
                    .push_bind(f.lat)
                    .push_bind(f.lon)
                    .push_bind(f.accuracy_m)
                    .push_bind(f.location_source)
                    .push_bind(f.place)
                    .push_bind(f.created_at)
                    .push_bind(f.photos)
                    .push_bind(received_at)
                    .push_bind(f.photo_exif);
            });
            q.push(
                " ON CONFLICT (rider_id, id) DO UPDATE SET category = excluded.category,
                    note = excluded.note, lat = excluded.lat, lon = excluded.lon,
                    accuracy_m = excluded.accuracy_m, location_source = excluded.location_source,
                    place = excluded.place, created_at = excluded.created_at,
                    photos = excluded.photos, photo_exif = excluded.photo_exif
                 WHERE reports.status = 'new' RETURNING rider_id, id",
            );
            q.build_query_as::<(i64, String)>().fetch_all(&mut **t).await
            })?);
        }
        Ok(written)
    }

    /// Records an entry of a rider document that failed validation.
    pub async fn flag_entry(&mut self, doc_id: &str, key: &str, problem: &str) -> sqlx::Result<()> {
        on_tx!(self.tx, t => sqlx::query(
            "INSERT INTO flagged_entries (doc_id, key, problem, seen_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (doc_id, key) DO UPDATE SET problem = excluded.problem",
        )
        .bind(doc_id)
        .bind(key)
        .bind(problem)
        .bind(now_ms())
        .execute(&mut **t)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Clears the flag of an entry that now validates.
    pub async fn unflag_entry(&mut self, doc_id: &str, key: &str) -> sqlx::Result<()> {
        on_tx!(self.tx, t => sqlx::query("DELETE FROM flagged_entries WHERE doc_id = $1 AND key = $2")
            .bind(doc_id)
            .bind(key)
            .execute(&mut **t)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Clears each document's mark unless a change was stored after its `seq` was read.
    pub async fn docs_indexed(&mut self, marks: &[(&str, i64)]) -> sqlx::Result<()> {
        // By document, the order the chunk writer marks them in: on PostgreSQL the two wait
        // for each other rather than deadlock.
        let mut marks = marks.to_vec();
        marks.sort_unstable();
        for part in marks.chunks(ROWS_PER_STATEMENT) {
            on_tx!(self.tx, t => {
                let mut q = sqlx::QueryBuilder::new(
                    "DELETE FROM docs_unindexed WHERE (doc_id, seq) IN
                     (SELECT column1, column2 FROM (",
                );
                q.push_values(part, |mut b, (doc_id, seq)| {
                    b.push_bind(*doc_id).push_bind(*seq);
                });
                q.push(") AS m)");
                q.build().execute(&mut **t).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    /// The row of a report this batch upserts, as [`Db::report_get`] would read it after the
    /// commit, made without reading it back: `stored` is what the index held before, if
    /// anything. `photos_stored` is left to [`IndexBatch::fill_photos_stored`].
    pub fn row(
        rider: &User,
        r: &Report,
        stored: Option<&Stored>,
        received_at: i64,
    ) -> Option<ReportRow> {
        // `None` only for a report that does not validate, which is never indexed.
        Some(ReportRow {
            id: r.id.clone(),
            rider_id: rider.id,
            rider_name: rider.name.clone(),
            county: stored.map_or_else(|| rider.county.clone(), |s| s.county.clone()),
            category: r.category()?,
            note: r.note.clone(),
            lat: r.lat,
            lon: r.lon,
            accuracy_m: r.accuracy_m,
            location_source: r.location_source()?,
            place: r.place.clone(),
            created_at: r.created_at,
            received_at: stored.map_or(received_at, |s| s.received_at),
            photos: r.photos.clone(),
            photos_stored: Vec::new(),
            status: match stored {
                Some(s) => ReviewStatus::from_code(&s.status)?,
                None => ReviewStatus::New,
            },
            photo_taken_at: r.photo_taken_at,
            photo_lat: r.photo_lat,
            photo_lon: r.photo_lon,
        })
    }

    /// Sets `photos_stored` of each row, in one query.
    pub async fn fill_photos_stored(&mut self, rows: &mut [ReportRow]) -> sqlx::Result<()> {
        let wanted = photo_hashes(rows);
        if !wanted.is_empty() {
            let held = on_tx!(self.tx, t => photos_held!(&mut **t, &wanted))?;
            set_photos_stored(rows, &held);
        }
        Ok(())
    }

    /// Writes the whole batch.
    pub async fn commit(self) -> sqlx::Result<()> {
        match self.tx {
            Tx::Lite(t) => t.commit().await,
            Tx::Pg(t) => t.commit().await,
        }
    }
}

impl Stored {
    /// The rider and report this row is of.
    pub fn key(&self) -> (i64, &str) {
        (self.rider_id, &self.id)
    }

    /// When the report says it was made.
    pub fn created_at(&self) -> i64 {
        self.fields.created_at
    }
}

/// The photos of these rows, for [`photos_held!`].
fn photo_hashes(rows: &[ReportRow]) -> BTreeSet<&str> {
    rows.iter()
        .flat_map(|r| r.photos.iter().map(String::as_str))
        .collect()
}

/// Sets `photos_stored` of each row: the photos listed that are `held`.
fn set_photos_stored(rows: &mut [ReportRow], held: &HashSet<String>) {
    for r in rows {
        r.photos_stored = r
            .photos
            .iter()
            .filter(|p| held.contains(*p))
            .cloned()
            .collect();
    }
}
