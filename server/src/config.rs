//! Configuration, read once at start-up and passed down.

use std::{net::SocketAddr, path::PathBuf};

/// Everything the server needs to know about where it runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Folder for the SQLite file and the photo folder.
    pub data_dir: PathBuf,
    /// Database URL; defaults to the SQLite file in `data_dir`.
    pub database_url: String,
    /// The built app (Trunk's `dist/`).
    pub dist_dir: PathBuf,
    /// Largest WebSocket frame accepted on `/sync`, in bytes.
    pub max_frame_bytes: usize,
    /// Largest rider document, in stored bytes; a sync message that would grow a document past
    /// it closes its connection.
    pub max_doc_bytes: usize,
    /// Reports a rider may file per day (by the report's date in China Standard Time); the
    /// indexer flags the rest.
    pub max_reports_per_day: u32,
    /// Largest photo upload, in bytes, and largest width or height, in pixels.
    pub max_photo_bytes: usize,
    pub max_photo_side: u32,
    /// How often an open sync connection checks that its account is still enabled.
    pub account_check_every: std::time::Duration,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Seed demo accounts when the database has no user.
    pub seed_demo: bool,
    /// Failed logins allowed per account, and per client address, within `login_window`.
    pub login_max_per_account: u32,
    pub login_max_per_ip: u32,
    pub login_window: std::time::Duration,
}

impl Config {
    /// Reads `NUANXIN_*` environment variables, with the embedded defaults.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let data_dir = PathBuf::from(var("NUANXIN_DATA").unwrap_or_else(|| "data".into()));
        let database_url = var("NUANXIN_DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("nuanxin.db").display()));
        Config {
            addr: var("NUANXIN_ADDR")
                .and_then(|a| a.parse().ok())
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir,
            database_url,
            dist_dir: PathBuf::from(var("NUANXIN_DIST").unwrap_or_else(|| "dist".into())),
            max_frame_bytes: var("NUANXIN_MAX_FRAME")
                .and_then(|v| v.parse().ok())
                .unwrap_or(4 * 1024 * 1024),
            max_doc_bytes: var("NUANXIN_MAX_DOC")
                .and_then(|v| v.parse().ok())
                .unwrap_or(16 * 1024 * 1024),
            max_reports_per_day: var("NUANXIN_MAX_REPORTS_PER_DAY")
                .and_then(|v| v.parse().ok())
                .unwrap_or(50),
            max_photo_bytes: 2 * 1024 * 1024,
            max_photo_side: 8000,
            account_check_every: std::time::Duration::from_secs(30),
            secure_cookies: var("NUANXIN_SECURE_COOKIES").is_some_and(|v| v == "1"),
            seed_demo: var("NUANXIN_NO_DEMO").is_none(),
            login_max_per_account: 10,
            login_max_per_ip: 50,
            login_window: std::time::Duration::from_secs(
                var("NUANXIN_LOGIN_WINDOW_SECS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(900),
            ),
        }
    }

    /// The local photo folder of the embedded default.
    pub fn photos_dir(&self) -> PathBuf {
        self.data_dir.join("photos")
    }
}
