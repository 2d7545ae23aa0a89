//! The test-app builder and a sync client driven over a real WebSocket.

pub mod photo;
mod sync_conn;
mod test_app;

pub use sync_conn::{SyncConn, open as sync_conn_open, report as sync_conn_report};
pub use test_app::{Session, TestApp};
