//! Slow and silent clients, in a test binary of its own so that no other test shares its
//! machine: 1,100 requests that send their headers one byte a second and 1,100 sync sockets
//! that never send `join` do not stop a rider from logging in and syncing meanwhile, and each
//! of them is closed within its configured timeout. A flood from one address past its cap is
//! answered `503` with `Retry-After` at once, and other addresses are still served.

#[allow(dead_code, unused_imports)]
#[path = "it/util/mod.rs"]
mod util;

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::StreamExt;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};
use util::{SyncConn, TestApp};

const SLOW: usize = 1100;
const SILENT: usize = 1100;
const HEADER_READ: Duration = Duration::from_secs(8);
const JOIN_DEADLINE: Duration = Duration::from_secs(8);
/// How late after its timeout a connection may still be closed (scheduling on a busy machine).
const SLACK: Duration = Duration::from_secs(3);

/// A TCP connection to `to` from the loopback address 127.0.0.`host`.
async fn connect_from(host: u8, to: SocketAddr) -> std::io::Result<TcpStream> {
    let s = TcpSocket::new_v4()?;
    s.bind(SocketAddr::from(([127, 0, 0, host], 0)))?;
    s.connect(to).await
}

/// Sends a request's headers one byte a second until the server closes; returns how long
/// the connection lived.
async fn slow_request(host: u8, to: SocketAddr, opened: Arc<AtomicUsize>) -> Duration {
    let mut s = connect_from(host, to).await.expect("connect");
    let start = Instant::now();
    s.write_all(b"GET /api/me HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    opened.fetch_add(1, Ordering::Relaxed);
    let mut buf = [0u8; 512];
    loop {
        tokio::select! {
            n = s.read(&mut buf) => {
                if n.unwrap_or(0) == 0 {
                    return start.elapsed();
                }
            }
            _ = tokio::time::sleep(Duration::from_secs(1)) => {
                if s.write_all(b"X").await.is_err() {
                    return start.elapsed();
                }
            }
        }
        assert!(
            start.elapsed() < HEADER_READ * 4,
            "a slow request is never closed"
        );
    }
}

/// Opens a sync socket and never sends `join`; returns how long it lived after the upgrade.
async fn silent_socket(
    host: u8,
    to: SocketAddr,
    cookie: String,
    peer: String,
    opened: Arc<AtomicUsize>,
) -> Duration {
    let stream = connect_from(host, to).await.expect("connect");
    let mut req = format!("ws://{to}/sync?peer={peer}")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(&cookie).unwrap());
    req.headers_mut().insert(
        "origin",
        HeaderValue::from_str(&format!("http://{to}")).unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::client_async(req, stream)
        .await
        .expect("upgrade");
    let start = Instant::now();
    opened.fetch_add(1, Ordering::Relaxed);
    while let Some(Ok(_)) = ws.next().await {}
    start.elapsed()
}

fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 99).div_ceil(100) - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_silent_clients_do_not_stop_a_rider_and_are_closed_in_time() {
    let fds = server::listen::raise_fd_limit();
    assert!(
        fds > 6000,
        "the test needs more than 6,000 descriptors, has {fds}"
    );
    let app = TestApp::start_with(|c| {
        c.limits.header_read = HEADER_READ;
        c.limits.join_deadline = JOIN_DEADLINE;
    })
    .await;
    let to = app.addr;
    let attacker = app.login("13800000002").await;

    // The flood, from 127.0.0.2–21 (about 110 connections from each, under the per-address
    // cap, so that every one of them is accepted and must be timed out).
    let slow_open = Arc::new(AtomicUsize::new(0));
    let silent_open = Arc::new(AtomicUsize::new(0));
    let mut slow = Vec::new();
    for i in 0..SLOW {
        let host = 2 + (i % 10) as u8;
        slow.push(tokio::spawn(slow_request(host, to, slow_open.clone())));
    }
    let mut silent = Vec::new();
    for i in 0..SILENT {
        let host = 12 + (i % 10) as u8;
        let peer = attacker.peer(&format!("flood{i}"));
        silent.push(tokio::spawn(silent_socket(
            host,
            to,
            attacker.cookie.clone(),
            peer,
            silent_open.clone(),
        )));
    }
    let started = Instant::now();
    while slow_open.load(Ordering::Relaxed) < SLOW
        || silent_open.load(Ordering::Relaxed) < SILENT * 9 / 10
    {
        assert!(
            started.elapsed() < JOIN_DEADLINE,
            "the flood did not open in time: {} slow, {} silent",
            slow_open.load(Ordering::Relaxed),
            silent_open.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "flood open after {:?}: {} slow requests, {} silent sockets",
        started.elapsed(),
        slow_open.load(Ordering::Relaxed),
        silent_open.load(Ordering::Relaxed)
    );

    // Meanwhile a rider logs in, reads their account and syncs, from 127.0.0.1.
    let mut took = Vec::new();
    for round in 0..6 {
        let t = Instant::now();
        let s = app.login("13800000001").await;
        took.push(t.elapsed());
        for _ in 0..3 {
            let t = Instant::now();
            assert_eq!(app.get(Some(&s), "/api/me").await.0, 200);
            took.push(t.elapsed());
        }
        let t = Instant::now();
        let mut conn = SyncConn::rider(&app, &s, &format!("phone{round}")).await;
        let doc = s.rider_doc();
        conn.file(
            &doc,
            &util::sync_conn_report(&format!("flood round {round}")),
        )
        .await;
        took.push(t.elapsed());
    }
    let open_meanwhile = (
        slow.iter().filter(|h| !h.is_finished()).count(),
        silent.iter().filter(|h| !h.is_finished()).count(),
    );
    let worst = p99(took.clone());
    println!(
        "rider: {} requests, p99 {worst:?}, max {:?}; flood still open after them: {open_meanwhile:?}",
        took.len(),
        took.iter().max().unwrap()
    );
    assert!(
        worst <= Duration::from_secs(1),
        "rider p99 {worst:?}: {took:?}"
    );

    // Every flood connection was closed within its timeout.
    let mut slow_lived = Vec::new();
    for h in slow {
        slow_lived.push(h.await.unwrap());
    }
    let mut silent_lived = Vec::new();
    for h in silent {
        silent_lived.push(h.await.unwrap());
    }
    let longest_slow = *slow_lived.iter().max().unwrap();
    let longest_silent = *silent_lived.iter().max().unwrap();
    println!("longest slow request {longest_slow:?}, longest silent socket {longest_silent:?}");
    assert!(longest_slow <= HEADER_READ + SLACK, "{longest_slow:?}");
    assert!(
        slow_lived.iter().all(|d| *d + SLACK >= HEADER_READ),
        "no slow request is closed early"
    );
    assert!(
        longest_silent <= JOIN_DEADLINE + SLACK,
        "{longest_silent:?}"
    );
    util::eventually("every connection's place is given back", || async {
        app.state.conns.open() == 0
    })
    .await;
}

#[tokio::test]
async fn an_address_past_its_cap_is_answered_busy_and_others_are_served() {
    let app = TestApp::start_with(|c| c.limits.max_connections_per_ip = 50).await;
    let mut held = Vec::new();
    for _ in 0..50 {
        held.push(connect_from(2, app.addr).await.unwrap());
    }
    // Give the server a moment to take every one of them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut refused = connect_from(2, app.addr).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), refused.read_to_string(&mut answer))
        .await
        .expect("answered at once")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 5"), "{answer}");
    assert!(answer.contains(r#""error":"busy""#), "{answer}");
    // Another address is served meanwhile.
    assert_eq!(app.get(None, "/api/me").await.0, 401);
    drop(held);
    util::eventually("the address is served again", || async {
        let mut s = connect_from(2, app.addr).await.unwrap();
        s.write_all(b"GET /api/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer).await;
        answer.starts_with("HTTP/1.1 401")
    })
    .await;
}
