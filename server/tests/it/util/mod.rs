//! The test-app builder and a sync client driven over a real WebSocket.

pub mod photo;
mod sync_conn;
mod test_app;

pub use sync_conn::{SyncConn, open as sync_conn_open, report as sync_conn_report};
pub use test_app::{Session, TestApp};

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
