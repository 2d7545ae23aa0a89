//! Migrations on a database that holds data: accounts, sessions and what refers to them survive
//! the rebuild of the accounts table that brought the station role, and the stats' tallies
//! start from the reports and points already there.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// A new database file in `dir`, with one connection to it (no migration run yet).
async fn old_database(dir: &tempfile::TempDir) -> (String, sqlx::SqlitePool) {
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let opts: SqliteConnectOptions = url
        .parse::<SqliteConnectOptions>()
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .unwrap();
    (url, pool)
}

#[tokio::test]
async fn the_accounts_table_rebuild_keeps_accounts_and_their_references() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pool) = old_database(&dir).await;
    // The database as it was before the station role.
    let migrator = sqlx::migrate!("./migrations/sqlite");
    migrator.run_to(13, &pool).await.unwrap();
    for (id, login, role) in [
        (1, "13800000001", "rider"),
        (2, "grid-youyang", "supervisor"),
    ] {
        sqlx::query(
            "INSERT INTO users (id, login, name, role, county, password_hash, rider_doc,
             created_at, office_doc) VALUES ($1, $2, '张师傅', $3, 'youyang', 'x', $4, 1, $5)",
        )
        .bind(id)
        .bind(login)
        .bind(role)
        .bind((role == "rider").then(|| format!("doc-{id}")))
        .bind((role == "rider").then(|| format!("office-{id}")))
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('h', 1, 1, 2)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO ledger (user_id, ref, kind, amount, report_id, actor, reason, created_at)
         VALUES (1, 'r1', 'award', 20, NULL, 2, '', 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    // The server opens it: the rest of the migrations run.
    let db = server::db::Db::connect(&url).await.unwrap();
    let rider = db.user_by_id(1).await.unwrap().unwrap();
    assert_eq!(
        (
            rider.login.as_str(),
            rider.rider_doc.as_deref(),
            rider.office_doc.as_deref()
        ),
        ("13800000001", Some("doc-1"), Some("office-1"))
    );
    assert_eq!(db.balance(1).await.unwrap(), 20);
    // The new role is accepted, the references still hold, and the office-document index is
    // still unique.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            url.parse::<SqliteConnectOptions>()
                .unwrap()
                .foreign_keys(true),
        )
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (login, name, role, county, password_hash, created_at)
         VALUES ('station-youyang', '驿站刘姐', 'station', 'youyang', 'x', 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let orphan = sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ('o', 99, 1, 2)",
    )
    .execute(&pool)
    .await;
    assert!(orphan.is_err(), "a session of no account must be refused");
    let twice = sqlx::query(
        "INSERT INTO users (login, name, role, county, password_hash, created_at, office_doc)
         VALUES ('13800000003', 'x', 'rider', 'youyang', 'x', 1, 'office-1')",
    )
    .execute(&pool)
    .await;
    assert!(twice.is_err(), "office documents are unique");
}

#[tokio::test]
async fn the_stats_tallies_are_counted_from_the_reports_already_there() {
    let dir = tempfile::tempdir().unwrap();
    let (url, pool) = old_database(&dir).await;
    // The database as it was before the tallies: two reports this week, one valid with its
    // award, and one of another category left open.
    sqlx::migrate!("./migrations/sqlite")
        .run_to(16, &pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (id, login, name, role, county, password_hash, created_at)
         VALUES (1, '13800000001', '张师傅', 'rider', 'youyang', 'x', 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let now = server::db::now_ms();
    for (id, category, status) in [("a", "fire_lane", "valid"), ("b", "road_damage", "new")] {
        sqlx::query(
            "INSERT INTO reports (rider_id, id, doc_id, county, category, note, lat, lon,
             location_source, place, created_at, photos, received_at, status, reviewed_at)
             VALUES (1, $1, 'd', 'youyang', $2, '', 28.8, 108.7, 'gps', '', $3, '[]', $3, $4,
             CASE WHEN $4 = 'new' THEN NULL ELSE $3 + 60000 END)",
        )
        .bind(id)
        .bind(category)
        .bind(now - 60_000)
        .bind(status)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO ledger (user_id, ref, kind, amount, report_id, actor, reason, created_at)
         VALUES (1, 'report:1:a:0', 'award', 20, 'a', NULL, '', $1)",
    )
    .bind(now)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let db = server::db::Db::connect(&url).await.unwrap();
    let stats = db.stats("youyang", 1, now).await.unwrap();
    let figures: Vec<_> = stats
        .weeks
        .iter()
        .map(|w| (w.category.code(), w.received, w.decided, w.valid, w.points))
        .collect();
    assert_eq!(
        figures,
        [("fire_lane", 1, 1, 1, 20), ("road_damage", 1, 0, 0, 0)],
        "{stats:?}"
    );
    assert_eq!(stats.weeks[0].median_decision_ms, Some(60_000));
}
