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
//! request (see [`crate::app`]), and the relay a sync socket's `join` and silence. A client
//! that stops reading is cut off too ([`WriteDeadline`]): an answer, an event of the live feed
//! or a sync message may wait only so long for the client to take its bytes.

use std::{
    collections::HashMap,
    future::Future,
    io,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use axum::{Router, extract::ConnectInfo};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use model::api::{ErrorCode, Lang};
use tokio::{
    io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::TcpListener,
    sync::watch,
};
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

    /// A place for a connection from `ip`, if there is room. IPv6 addresses are counted by
    /// their /64 ([`crate::throttle::client_net`]).
    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Option<ConnSlot> {
        let ip = crate::throttle::client_net(ip);
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
    serve_router(listener, crate::app(state), caps, limits, stop).await
}

/// Serves `router` on `listener` under `caps` and `limits` until `stop` resolves.
async fn serve_router(
    listener: TcpListener,
    router: Router,
    caps: Arc<Caps>,
    limits: NetLimits,
    stop: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    tracing::info!(
        max_connections = caps.max,
        per_address = caps.max_per_ip,
        "accepting connections"
    );
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
            limits.write_stall,
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
    write_stall: Duration,
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
        .serve_connection(
            TokioIo::new(WriteDeadline::new(stream, write_stall)),
            service,
        )
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

/// A connection whose writes wait at most `limit` for the client to take bytes: a write, flush
/// or shutdown still pending that long fails with `TimedOut`, and hyper then closes the
/// connection (an upgraded sync socket keeps the same rule). Any progress starts the wait
/// again, so a slow reader is served; one that stopped reading is not kept forever.
#[derive(Debug)]
pub struct WriteDeadline<S> {
    inner: S,
    limit: Duration,
    /// Armed when a write first has to wait; cleared by any progress.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteDeadline<S> {
    pub fn new(inner: S, limit: Duration) -> Self {
        WriteDeadline {
            inner,
            limit,
            stalled: None,
        }
    }

    /// Passes `poll` on, unless the write has waited `limit` already.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let limit = self.limit;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A client that stops reading: the answer waits in a full pipe, and fails after the limit.
    #[tokio::test(start_paused = true)]
    async fn a_write_that_waits_past_the_limit_fails() {
        let (server, _client) = tokio::io::duplex(64);
        let mut conn = WriteDeadline::new(server, Duration::from_secs(30));
        let started = tokio::time::Instant::now();
        let err = tokio::time::timeout(Duration::from_secs(60), conn.write_all(&[7; 1024]))
            .await
            .expect("the write waits no longer than the limit")
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }

    /// A slow reader that keeps taking bytes is served, however long the whole answer takes.
    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_that_keeps_reading_is_served() {
        let (server, mut client) = tokio::io::duplex(64);
        let mut conn = WriteDeadline::new(server, Duration::from_secs(30));
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            let mut chunk = [0u8; 64];
            loop {
                tokio::time::sleep(Duration::from_secs(20)).await;
                match client.read(&mut chunk).await.unwrap() {
                    0 => return got,
                    n => got.extend_from_slice(&chunk[..n]),
                }
            }
        });
        let started = tokio::time::Instant::now();
        conn.write_all(&[7; 1024]).await.unwrap();
        conn.shutdown().await.unwrap();
        drop(conn);
        assert_eq!(reader.await.unwrap(), vec![7; 1024]);
        // 16 reads of 64 bytes, 20 s apart: far longer than the limit in all.
        assert!(started.elapsed() >= Duration::from_secs(300));
    }

    /// Through the server: a client that asks for an endless answer and never reads is cut off
    /// once the kernel's buffers are full and the limit has passed. Without the limit, the
    /// read below would never end.
    #[tokio::test]
    async fn the_server_closes_a_connection_whose_client_stopped_reading() {
        let router = Router::new().route(
            "/endless",
            axum::routing::get(|| async {
                axum::body::Body::from_stream(futures::stream::repeat_with(|| {
                    Ok::<_, io::Error>(axum::body::Bytes::from(vec![b'x'; 64 * 1024]))
                }))
            }),
        );
        let limits = NetLimits {
            write_stall: Duration::from_millis(500),
            ..NetLimits::default()
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve_router(
            listener,
            router,
            Caps::new(64, 0),
            limits,
            std::future::pending(),
        ));
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        client
            .write_all(b"GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        // Not reading, for longer than the limit.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let drained = tokio::time::timeout(Duration::from_secs(20), async {
            let mut got = 0usize;
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                match client.read(&mut buf).await {
                    Ok(0) | Err(_) => return got,
                    Ok(n) => got += n,
                }
            }
        })
        .await;
        let got = drained.expect("the server kept the connection of a client that stopped reading");
        assert!(got > 64 * 1024, "only {got} bytes arrived");
    }
}
