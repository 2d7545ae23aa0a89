//! Migrations on a database that holds data: accounts, sessions and what refers to them survive
//! the rebuild of the accounts table that brought the station role.

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

#[tokio::test]
async fn the_accounts_table_rebuild_keeps_accounts_and_their_references() {
    let dir = tempfile::tempdir().unwrap();
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
