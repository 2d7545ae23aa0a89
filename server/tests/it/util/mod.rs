//! The test-app builder and a sync client driven over a real WebSocket.

pub mod photo;
mod sync_conn;
mod test_app;

pub use sync_conn::{SyncConn, open as sync_conn_open, report as sync_conn_report};
pub use test_app::{Session, TestApp};

/// The database of the data folder `dir`: the SQLite file in it, or, when `NUANXIN_TEST_PG`
/// names a PostgreSQL database (as `.ci/test` does for its second run of this suite), a schema
/// of that database of its own, named after the folder (the server makes it on first use).
pub fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("NUANXIN_TEST_PG")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(base) => {
            let joint = if base.contains('?') { '&' } else { '?' };
            format!(
                "{base}{joint}options=-c%20search_path%3Dt_{:016x}",
                dir_hash(dir)
            )
        }
        None => format!("sqlite://{}", dir.join("nuanxin.db").display()),
    }
}

/// Where the server of the data folder `dir` keeps photos: the folder in it, or, when
/// `NUANXIN_TEST_S3` names a bucket (`s3://bucket`, as `.ci/test` does for its run of the photo
/// tests on an S3 API), a prefix of that bucket of its own, named after the folder.
pub fn photos_url(dir: &std::path::Path) -> Option<String> {
    let bucket = std::env::var("NUANXIN_TEST_S3")
        .ok()
        .filter(|v| !v.is_empty())?;
    Some(format!(
        "{}/t_{:016x}",
        bucket.trim_end_matches('/'),
        dir_hash(dir)
    ))
}

fn dir_hash(dir: &std::path::Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut h);
    h.finish()
}

/// A connection pool of either backend on the database of `url`, for a test's own SQL
/// (written in the dialect both accept).
pub async fn raw_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url)
        .await
        .expect("connect to the database")
}

/// Polls `f` until it holds (10 s at most).
pub async fn eventually<F, Fut>(what: &str, f: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !f().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
