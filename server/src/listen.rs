//! Accepting connections, with limits against slow, idle and too many clients.
//!
//! Each TCP connection takes a [`ConnSlot`] first: a place among `max_connections` in all and
//! `max_connections_per_ip` from its address. Without one it is answered `503` with
//! `Retry-After` and closed at once, before the process runs short of file descriptors, so a
//! flood from one place leaves room for everyone else. A sync socket keeps its HTTP
//! connection's slot until it closes.
//!
//! HTTP/1.1 only, served by hyper with a header read timeout that also bounds how long a
//! kept-alive connection may wait idle for its next request; the router bounds each JSON
//! request (see [`crate::app`]), and the relay a sync socket's `join` and silence.

use std::{
    collections::HashMap,
    future::Future,
    io,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, extract::ConnectInfo};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use model::api::{ErrorCode, Lang};
use tokio::{io::AsyncWriteExt, net::TcpListener, sync::watch};
use tower::ServiceExt;

use crate::{config::NetLimits, state::AppState};

/// Seconds a client turned away is asked to wait.
pub const RETRY_AFTER_SECS: u64 = 5;
/// Descriptors kept free of connections: the database, photo files being written, the
/// listener itself.
const FD_RESERVE: u64 = 1024;
/// Connections being answered `503` at once; more are closed without an answer.
const TURNING_AWAY: usize = 256;
/// How long a stop waits for open requests to finish.
const DRAIN: Duration = Duration::from_secs(10);

/// Raises the soft limit on open files to the hard limit where the system allows it, and
/// returns the soft limit in force.
pub fn raise_fd_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}

/// The connection cap in force: the configured one, or what the descriptor limit leaves.
pub fn connection_cap(limits: &NetLimits, fd_limit: u64) -> usize {
    if limits.max_connections > 0 {
        return limits.max_connections;
    }
    // Each connection is one descriptor.
    fd_limit.saturating_sub(FD_RESERVE).clamp(64, 1 << 20) as usize
}

/// Open connections, in all and per address.
#[derive(Debug)]
pub struct Caps {
    max: usize,
    max_per_ip: usize,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One connection's place under the caps, given back when the last holder drops it.
#[derive(Debug, Clone)]
pub struct ConnSlot(#[allow(dead_code)] Arc<SlotInner>);

#[derive(Debug)]
struct SlotInner {
    caps: Arc<Caps>,
    ip: IpAddr,
}

impl Drop for SlotInner {
    fn drop(&mut self) {
        if let Ok(mut open) = self.caps.open.lock() {
            open.0 = open.0.saturating_sub(1);
            if let Some(n) = open.1.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    open.1.remove(&self.ip);
                }
            }
        }
    }
}

impl Caps {
    /// The caps of `limits`, raising the descriptor limit first.
    pub fn from_limits(limits: &NetLimits) -> Arc<Caps> {
        Caps::new(
            connection_cap(limits, raise_fd_limit()),
            limits.max_connections_per_ip,
        )
    }

    pub fn new(max: usize, max_per_ip: usize) -> Arc<Caps> {
        Arc::new(Caps {
            max,
            max_per_ip,
            open: Mutex::new((0, HashMap::new())),
        })
    }

    /// A place for a connection from `ip`, if there is room.
    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Option<ConnSlot> {
        let mut open = self.open.lock().ok()?;
        let from_ip = open.1.get(&ip).copied().unwrap_or(0);
        if open.0 >= self.max || (self.max_per_ip > 0 && from_ip >= self.max_per_ip) {
            return None;
        }
        open.0 += 1;
        *open.1.entry(ip).or_insert(0) += 1;
        Some(ConnSlot(Arc::new(SlotInner {
            caps: self.clone(),
            ip,
        })))
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.lock().map_or(0, |o| o.0)
    }
}

/// The bytes of the answer to a connection turned away.
fn busy_answer() -> Vec<u8> {
    let body = serde_json::to_vec(
        &model::api::ApiError {
            retry_after: Some(RETRY_AFTER_SECS),
            ..ErrorCode::Busy.into()
        }
        .body(Lang::Zh),
    )
    .unwrap_or_default();
    let mut out = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: {RETRY_AFTER_SECS}\r\ncache-control: no-store\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend(body);
    out
}

/// Serves `router` (built from `state`) on `listener` until `stop` resolves, then lets open
/// requests finish for a few seconds.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    stop: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let limits = state.config.limits.clone();
    let caps = state.conns.clone();
    tracing::info!(
        max_connections = caps.max,
        per_address = caps.max_per_ip,
        "accepting connections"
    );
    let router = crate::app(state);
    let busy: Arc<[u8]> = busy_answer().into();
    let refusing = Arc::new(tokio::sync::Semaphore::new(TURNING_AWAY));
    let (stopping, stopped) = watch::channel(false);
    tokio::pin!(stop);
    let mut last_accept_error = None::<tokio::time::Instant>;
    loop {
        let (stream, addr) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before it was taken: wait a
                    // moment instead of spinning, and say so at most once a second.
                    if last_accept_error.is_none_or(|t| t.elapsed() > Duration::from_secs(1)) {
                        tracing::warn!(error = %e, "accepting a connection");
                        last_accept_error = Some(tokio::time::Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let Some(slot) = caps.take(addr.ip()) else {
            // A few answered politely; past those, a flood is dropped at once, so that turning
            // it away does not itself hold the descriptors the cap keeps free.
            if let Ok(permit) = refusing.clone().try_acquire_owned() {
                tokio::spawn(turn_away(stream, busy.clone(), permit));
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_conn(
            stream,
            addr,
            slot,
            router.clone(),
            limits.header_read,
            stopped.clone(),
        ));
    }
    drop(listener);
    drop(stopped);
    let _ = stopping.send(true);
    // Open requests finish (sync sockets hold their slots on, and end with the relay).
    let drained = tokio::time::timeout(DRAIN, stopping.closed()).await;
    if drained.is_err() {
        tracing::info!("stopping with requests still open");
    }
    Ok(())
}

/// Answers `503` and closes, reading briefly what the client sent so that the close does not
/// reset the connection before the answer arrives.
async fn turn_away(
    mut stream: tokio::net::TcpStream,
    busy: Arc<[u8]>,
    _permit: tokio::sync::OwnedSemaphorePermit,
) {
    let quick = async {
        stream.write_all(&busy).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 1024];
        loop {
            if tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await? == 0 {
                return io::Result::Ok(());
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), quick).await;
}

async fn serve_conn(
    stream: tokio::net::TcpStream,
    addr: SocketAddr,
    slot: ConnSlot,
    router: Router,
    header_read: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let held = slot.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(addr));
        req.extensions_mut().insert(held.clone());
        router.clone().oneshot(req.map(axum::body::Body::new))
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = async { stopped.wait_for(|s| *s).await.is_ok() } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
    drop(slot);
}
