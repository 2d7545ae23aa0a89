//! Configuration, read once at start-up and passed down.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Everything the server needs to know about where it runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Folder for the SQLite file and the photo folder.
    pub data_dir: PathBuf,
    /// Database URL; defaults to the SQLite file in `data_dir`.
    pub database_url: String,
    /// Where photos are kept: `s3://bucket[/prefix]`; `None` for the folder `photos` in
    /// `data_dir` (see `photos::PhotoStore::open`).
    pub photos_url: Option<String>,
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
    /// How often an open sync connection or live feed checks in the database that its session
    /// still lives (ended sessions are also announced within a second, see `revoke`).
    pub account_check_every: Duration,
    /// The limits on connections and requests.
    pub limits: NetLimits,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Seed demo accounts when the database has no user.
    pub seed_demo: bool,
    /// Failed logins allowed per (account, address) and per address within `login_window`,
    /// and the failures of an account (from anywhere) past which its attempts slow down.
    pub login_max_per_pair: u32,
    pub login_max_per_ip: u32,
    pub login_slow_after: u32,
    pub login_window: Duration,
}

/// Limits against slow, idle and too many clients; `NUANXIN_*` variables set them (in
/// seconds, or counts).
#[derive(Debug, Clone)]
pub struct NetLimits {
    /// Time to send a request's headers, and the longest a kept-alive connection waits idle
    /// for its next request (`NUANXIN_HEADER_TIMEOUT`).
    pub header_read: Duration,
    /// Time to read a JSON route's body and answer it (`NUANXIN_REQUEST_TIMEOUT`). Photo
    /// uploads get four times as long; the live feed's stream is not limited.
    pub request: Duration,
    /// Time from a sync connection's upgrade to its `join` (`NUANXIN_JOIN_DEADLINE`).
    pub join_deadline: Duration,
    /// A sync connection silent this long is pinged, and closed after twice as long
    /// (`NUANXIN_WS_IDLE`).
    pub ws_idle: Duration,
    /// The longest an answer (or a sync connection's message) may wait for the client to
    /// take any of its bytes; past it the connection is closed (`NUANXIN_WRITE_TIMEOUT`).
    pub write_stall: Duration,
    /// Open connections (HTTP and sync) in all (`NUANXIN_MAX_CONNECTIONS`; 0: from the
    /// descriptor limit, leaving room for the database and photo files).
    pub max_connections: usize,
    /// Open connections from one address (`NUANXIN_MAX_CONNECTIONS_PER_IP`; 0: no cap per
    /// address).
    pub max_connections_per_ip: usize,
    /// Largest JSON body, in bytes (`NUANXIN_MAX_JSON`); a station CSV may be 8 times as
    /// large, a photo has its own cap.
    pub max_json_bytes: usize,
}

impl Default for NetLimits {
    fn default() -> Self {
        NetLimits {
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(30),
            join_deadline: Duration::from_secs(10),
            ws_idle: Duration::from_secs(30),
            write_stall: Duration::from_secs(30),
            max_connections: 0,
            max_connections_per_ip: 512,
            max_json_bytes: 256 * 1024,
        }
    }
}

impl NetLimits {
    /// The defaults, changed by the environment.
    fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        let d = NetLimits::default();
        let secs = |k: &str, d: Duration| {
            var(k)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|s| *s > 0.0)
                .map_or(d, Duration::from_secs_f64)
        };
        let count = |k: &str, d: usize| var(k).and_then(|v| v.parse().ok()).unwrap_or(d);
        NetLimits {
            header_read: secs("NUANXIN_HEADER_TIMEOUT", d.header_read),
            request: secs("NUANXIN_REQUEST_TIMEOUT", d.request),
            join_deadline: secs("NUANXIN_JOIN_DEADLINE", d.join_deadline),
            ws_idle: secs("NUANXIN_WS_IDLE", d.ws_idle),
            write_stall: secs("NUANXIN_WRITE_TIMEOUT", d.write_stall),
            max_connections: count("NUANXIN_MAX_CONNECTIONS", d.max_connections),
            max_connections_per_ip: count(
                "NUANXIN_MAX_CONNECTIONS_PER_IP",
                d.max_connections_per_ip,
            ),
            max_json_bytes: count("NUANXIN_MAX_JSON", d.max_json_bytes),
        }
    }
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
            photos_url: var("NUANXIN_PHOTOS_URL"),
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
            account_check_every: Duration::from_secs(30),
            limits: NetLimits::from_env(var),
            secure_cookies: var("NUANXIN_SECURE_COOKIES").is_some_and(|v| v == "1"),
            seed_demo: var("NUANXIN_NO_DEMO").is_none(),
            login_max_per_pair: 10,
            login_max_per_ip: 50,
            login_slow_after: 10,
            login_window: Duration::from_secs(
                var("NUANXIN_LOGIN_WINDOW_SECS")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(900),
            ),
        }
    }

    /// The local photo folder of the embedded default (unless `photos_url` names a bucket).
    pub fn photos_dir(&self) -> PathBuf {
        self.data_dir.join("photos")
    }
}
