//! Liveness, readiness and Prometheus metrics, outside the JSON API (docs/deploy.md).
//!
//! `GET /healthz` answers while the process serves; `GET /readyz` while it also reaches its
//! database; `GET /metrics` gives this process's figures in Prometheus' text format. The
//! counters are the process's (several servers in one process, as in the tests, add up).

use std::sync::atomic::{AtomicU64, Ordering};

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};

use crate::state::AppState;

/// This process's counters.
pub struct Counters {
    pub frames_in: AtomicU64,
    pub frames_out: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub sync_open: AtomicU64,
    pub photos_stored: AtomicU64,
    pub photo_bytes: AtomicU64,
    pub login_failures: AtomicU64,
}

/// The process's counters.
pub static COUNTERS: Counters = Counters {
    frames_in: AtomicU64::new(0),
    frames_out: AtomicU64::new(0),
    bytes_in: AtomicU64::new(0),
    bytes_out: AtomicU64::new(0),
    sync_open: AtomicU64::new(0),
    photos_stored: AtomicU64::new(0),
    photo_bytes: AtomicU64::new(0),
    login_failures: AtomicU64::new(0),
};

/// Adds `n` to a counter.
pub fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

/// `GET /healthz`: the process serves.
pub async fn health() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the process serves and reaches its database; 503 when it does not.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let db = tokio::time::timeout(std::time::Duration::from_secs(5), state.db.ping()).await;
    match db {
        Ok(Ok(())) => (StatusCode::OK, "ready\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n"),
    }
}

/// `GET /metrics`: Prometheus' text format.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let c = &COUNTERS;
    let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
    // The documents whose stored changes the indexer has not read yet.
    let lag = state.db.docs_unindexed_count().await.ok();
    let mut out = String::new();
    let mut put = |name: &str, kind: &str, help: &str, value: Option<u64>| {
        if let Some(v) = value {
            out.push_str(&format!(
                "# HELP nuanxin_{name} {help}\n# TYPE nuanxin_{name} {kind}\nnuanxin_{name} {v}\n"
            ));
        }
    };
    put(
        "connections",
        "gauge",
        "Open TCP connections.",
        Some(state.conns.open() as u64),
    );
    put(
        "sync_connections",
        "gauge",
        "Open sync WebSockets.",
        Some(get(&c.sync_open)),
    );
    put(
        "open_documents",
        "gauge",
        "Documents held in memory by the relay.",
        Some(state.relay.open_documents() as u64),
    );
    put(
        "frames_received_total",
        "counter",
        "Sync frames received.",
        Some(get(&c.frames_in)),
    );
    put(
        "frames_sent_total",
        "counter",
        "Sync frames sent.",
        Some(get(&c.frames_out)),
    );
    put(
        "sync_received_bytes_total",
        "counter",
        "Bytes of sync frames received.",
        Some(get(&c.bytes_in)),
    );
    put(
        "sync_sent_bytes_total",
        "counter",
        "Bytes of sync frames sent.",
        Some(get(&c.bytes_out)),
    );
    put(
        "stored_chunks_total",
        "counter",
        "Document chunks written to the store.",
        Some(state.store_stats.puts()),
    );
    put(
        "stored_bytes_total",
        "counter",
        "Bytes of document chunks written to the store.",
        Some(state.store_stats.bytes()),
    );
    put(
        "index_lag_documents",
        "gauge",
        "Documents with stored changes the indexer has not read.",
        lag.map(|n| n as u64),
    );
    put(
        "photos_stored_total",
        "counter",
        "Photos stored (new bytes).",
        Some(get(&c.photos_stored)),
    );
    put(
        "photo_bytes_total",
        "counter",
        "Bytes of photos stored.",
        Some(get(&c.photo_bytes)),
    );
    put(
        "login_failures_total",
        "counter",
        "Logins refused for a wrong login or password.",
        Some(get(&c.login_failures)),
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}
