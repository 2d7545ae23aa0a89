//! Accounts.

pub use model::api::{Bounds, Names, Role};

use super::{Db, now_ms, on};

/// An account as the rest of the server sees it.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub county: String,
    pub rider_doc: Option<String>,
    /// The rider's office document (riders only).
    pub office_doc: Option<String>,
    pub disabled: bool,
}

/// What the database knows of a county.
#[derive(Debug, Clone, PartialEq)]
pub struct County {
    pub stations_doc: String,
    /// Its name in each language; its code where no name is recorded.
    pub names: Names,
    /// Its area, when known.
    pub bounds: Option<Bounds>,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub county: &'a str,
    pub password_hash: &'a str,
}

/// An account's row, as [`USER_COLS`] reads it.
#[derive(sqlx::FromRow)]
struct UserRecord {
    id: i64,
    login: String,
    name: String,
    role: String,
    county: String,
    rider_doc: Option<String>,
    office_doc: Option<String>,
    disabled: bool,
}

/// An account's row with its password hash.
#[derive(sqlx::FromRow)]
struct UserWithHash {
    #[sqlx(flatten)]
    user: UserRecord,
    password_hash: String,
}

impl From<UserRecord> for User {
    fn from(r: UserRecord) -> User {
        User {
            id: r.id,
            login: r.login,
            name: r.name,
            role: Role::from_code(&r.role).unwrap_or(Role::Rider),
            county: r.county,
            rider_doc: r.rider_doc,
            office_doc: r.office_doc,
            disabled: r.disabled,
        }
    }
}

const USER_COLS: &str = "id, login, name, role, county, rider_doc, office_doc, disabled";

impl Db {
    /// How many accounts exist.
    pub async fn user_count(&self) -> sqlx::Result<i64> {
        on!(self.pool, p => sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(p)
            .await)
    }

    /// Creates an account and returns its id.
    pub async fn user_insert(&self, u: &NewUser<'_>) -> sqlx::Result<i64> {
        on!(self.writer, p => sqlx::query_scalar(
            "INSERT INTO users (login, name, role, county, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(u.login)
        .bind(u.name)
        .bind(u.role.code())
        .bind(u.county)
        .bind(u.password_hash)
        .bind(now_ms())
        .fetch_one(p)
        .await)
    }

    /// Records the rider document made for an account.
    pub async fn user_set_rider_doc(&self, id: i64, doc_id: &str) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query("UPDATE users SET rider_doc = $1 WHERE id = $2")
            .bind(doc_id)
            .bind(id)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records the office document made for an account.
    pub async fn user_set_office_doc(&self, id: i64, doc_id: &str) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query("UPDATE users SET office_doc = $1 WHERE id = $2")
            .bind(doc_id)
            .bind(id)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every account, by id.
    pub async fn users_all(&self) -> sqlx::Result<Vec<User>> {
        let rows: Vec<UserRecord> = on!(self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users ORDER BY id"
        )))
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// The stations document of a county, if it has one.
    pub async fn county_stations_doc(&self, county: &str) -> sqlx::Result<Option<String>> {
        on!(self.pool, p => sqlx::query_scalar("SELECT stations_doc FROM counties WHERE code = $1")
            .bind(county)
            .fetch_optional(p)
            .await)
    }

    /// Records a county's stations document unless it has one already; returns the one it has.
    pub async fn county_set_stations_doc(
        &self,
        county: &str,
        doc_id: &str,
    ) -> sqlx::Result<String> {
        on!(self.writer, p => sqlx::query(
            "INSERT INTO counties (code, stations_doc) VALUES ($1, $2)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(county)
        .bind(doc_id)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        on!(self.writer, p => sqlx::query_scalar("SELECT stations_doc FROM counties WHERE code = $1")
            .bind(county)
            .fetch_one(p)
            .await)
    }

    /// A county's stations document, names and area, if the county is recorded.
    pub async fn county(&self, code: &str) -> sqlx::Result<Option<County>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            stations_doc: String,
            name_zh: String,
            name_en: String,
            south: Option<f64>,
            west: Option<f64>,
            north: Option<f64>,
            east: Option<f64>,
        }
        let row: Option<Row> = on!(self.pool, p => sqlx::query_as(
            "SELECT stations_doc, name_zh, name_en, south, west, north, east
             FROM counties WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(p)
        .await)?;
        let or_code = |name: String| {
            if name.is_empty() {
                code.to_owned()
            } else {
                name
            }
        };
        Ok(row.map(|r| County {
            stations_doc: r.stations_doc,
            names: Names {
                zh: or_code(r.name_zh),
                en: or_code(r.name_en),
            },
            bounds: (|| {
                Some(Bounds {
                    south: r.south?,
                    west: r.west?,
                    north: r.north?,
                    east: r.east?,
                })
            })(),
        }))
    }

    /// Records a county's names and area where they are not recorded yet.
    pub async fn county_set_known_if_unset(
        &self,
        county: &str,
        names: &Names,
        b: Bounds,
    ) -> sqlx::Result<()> {
        on!(self.writer, p => sqlx::query(
            "UPDATE counties SET south = $2, west = $3, north = $4, east = $5
             WHERE code = $1 AND south IS NULL",
        )
        .bind(county)
        .bind(b.south)
        .bind(b.west)
        .bind(b.north)
        .bind(b.east)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        on!(self.writer, p => sqlx::query(
            "UPDATE counties SET name_zh = $2, name_en = $3 WHERE code = $1 AND name_zh = ''",
        )
        .bind(county)
        .bind(&names.zh)
        .bind(&names.en)
        .execute(p)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every county with its stations document.
    pub async fn counties(&self) -> sqlx::Result<Vec<(String, String)>> {
        on!(self.pool, p => sqlx::query_as("SELECT code, stations_doc FROM counties ORDER BY code")
            .fetch_all(p)
            .await)
    }

    /// An account and its password hash, by login.
    pub async fn user_by_login(&self, login: &str) -> sqlx::Result<Option<(User, String)>> {
        let row: Option<UserWithHash> = on!(self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS}, password_hash FROM users WHERE login = $1"
        )))
        .bind(login)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|r| (User::from(r.user), r.password_hash)))
    }

    /// The accounts of these ids that exist, in one query.
    pub async fn users_by_ids(&self, ids: &[i64]) -> sqlx::Result<Vec<User>> {
        let mut users = Vec::with_capacity(ids.len());
        for part in ids.chunks(512) {
            let rows: Vec<UserRecord> = on!(self.pool, p => {
                let mut q = sqlx::QueryBuilder::new("SELECT ");
                q.push(USER_COLS).push(" FROM users WHERE id IN (");
                let mut list = q.separated(", ");
                for id in part {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                q.build_query_as().persistent(false).fetch_all(p).await
            })?;
            users.extend(rows.into_iter().map(User::from));
        }
        Ok(users)
    }

    /// An account by id.
    pub async fn user_by_id(&self, id: i64) -> sqlx::Result<Option<User>> {
        let row: Option<UserRecord> = on!(self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(User::from))
    }
}
