//! The relay's load generator: many riders syncing at once, each through the model's sans-IO
//! client core over its own WebSocket, as the app does, and a supervisor's live feed timing
//! every report.
//!
//! ```text
//! loadgen register --url URL --invite CODE --riders N --accounts FILE
//! loadgen run --url URL[,URL…] --accounts FILE --riders N --reports R [--rate PER_S]
//!             [--server-pid PID[,PID…]] [--supervisor LOGIN] [--password PASSWORD] [--label TEXT]
//! loadgen run --reference --url URL --riders N --reports R [--rate PER_S] [--server-pid PID]
//! ```
//!
//! `register` signs up N riders with one invite code and keeps their session cookies and
//! document ids in FILE (the bench keeps a copy of the server's data folder beside it, so the
//! argon2 work is done once). `run` connects the first N riders (a fresh single-use ticket each),
//! waits until every one has its rider document, then has each write R schema-valid reports, one
//! after the other at full speed or, with `--rate`, paced to that many reports per second in all.
//! Each report is timed from the change to the relay's acknowledgement (its heads hold the
//! change) and to its arrival on the supervisor's feed. The server's CPU time and RSS come from
//! `/proc/PID`. It prints one table row; every wait is bounded and it talks to loopback only.
//!
//! Several nodes of one deployment: `--url` takes their addresses, comma-separated, and rider i
//! connects to the (i mod n)th, as a round-robin proxy would spread them; the feed is followed
//! on the first. `--server-pid` then takes every node's process: CPU time is their sum, RSS the
//! peak of their sum.
//!
//! With `--reference` the same riders and reports go to a plain automerge-repo sync server
//! (`@automerge/automerge-repo-sync-server`), which has no accounts: each rider makes its own
//! document and sends it, and a peer that asked for every rider's document stands in for the
//! supervisor's feed, timing each report's arrival there.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::{SinkExt, StreamExt};
use model::client::{DocStatus, Effect, SyncClient};
use serde::{Deserialize, Serialize};
use tokio_tungstenite::tungstenite::Message;

/// How long any one phase may take before the run gives up on what is missing.
const PHASE_LIMIT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Account {
    phone: String,
    cookie: String,
    rider_doc: String,
}

/// A new automerge-repo document id: 16 random bytes in base58check.
fn new_doc_id() -> String {
    bs58::encode(uuid::Uuid::new_v4().as_bytes())
        .with_check()
        .into_string()
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn need(args: &[String], name: &str) -> String {
    arg(args, name).unwrap_or_else(|| {
        eprintln!("loadgen: {name} is required");
        std::process::exit(2)
    })
}

fn num(args: &[String], name: &str, default: u64) -> u64 {
    arg(args, name).map_or(default, |v| {
        v.parse().unwrap_or_else(|_| {
            eprintln!("loadgen: {name} takes a whole number, not {v:?}");
            std::process::exit(2)
        })
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("register") => register(&args).await,
        Some("run") => run(&args).await,
        _ => {
            eprintln!("usage: loadgen register|run …  (see the source's first lines)");
            std::process::exit(2)
        }
    }
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get("set-cookie")?
        .to_str()
        .ok()?
        .split(';')
        .next()
        .map(str::to_owned)
}

/// Signs up riders until the accounts file holds N of them.
async fn register(args: &[String]) -> anyhow::Result<()> {
    let url = need(args, "--url");
    let invite = need(args, "--invite");
    let file = need(args, "--accounts");
    let n = num(args, "--riders", 10) as usize;
    let mut accounts: Vec<Account> = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let http = reqwest::Client::new();
    let started = Instant::now();
    let todo: Vec<usize> = (accounts.len()..n).collect();
    let made = futures::stream::iter(todo)
        .map(|i| {
            let (http, url, invite) = (http.clone(), url.clone(), invite.clone());
            async move {
                let phone = format!("137{i:08}");
                let res = http
                    .post(format!("{url}/api/register"))
                    .json(&serde_json::json!({
                        "phone": phone, "name": "压测骑手", "password": "load-test-pass",
                        "invite": invite,
                    }))
                    .send()
                    .await?;
                anyhow::ensure!(
                    res.status().is_success(),
                    "register {phone}: {}",
                    res.status()
                );
                let cookie = session_cookie(&res).ok_or_else(|| anyhow::anyhow!("no cookie"))?;
                let me: serde_json::Value = res.json().await?;
                let rider_doc = me["docs"]["rider"]
                    .as_str()
                    .ok_or_else(|| anyhow::anyhow!("no rider document"))?
                    .to_owned();
                Ok::<_, anyhow::Error>(Account {
                    phone,
                    cookie,
                    rider_doc,
                })
            }
        })
        .buffered(4)
        .collect::<Vec<_>>()
        .await;
    for m in made {
        accounts.push(m?);
    }
    std::fs::write(&file, serde_json::to_vec(&accounts)?)?;
    eprintln!(
        "loadgen: {} riders registered in {:.1} s",
        accounts.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// CPU milliseconds and RSS KiB of several processes together (`None` if any is gone).
fn procs_sample(pids: &[u32]) -> Option<(f64, u64)> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().try_fold((0.0, 0), |(cpu, rss), pid| {
        let (c, r) = proc_sample(*pid)?;
        Some((cpu + c, rss + r))
    })
}

/// CPU time (ms) and resident set (KiB) of a process, from /proc.
fn proc_sample(pid: u32) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    // The kernel's clock tick is 100 Hz on Linux.
    Some((ticks * 10.0, rss))
}

#[derive(Default)]
struct Shared {
    /// Report id → when the rider made the change.
    made: HashMap<String, Instant>,
    /// Report id → change-to-feed latency.
    seen: HashMap<String, Duration>,
    /// Change-to-acknowledgement latencies.
    acked: Vec<Duration>,
    /// When the last acknowledgement came.
    last_ack: Option<Instant>,
    /// `resync` events: the feed dropped rows for a slow listener.
    resyncs: usize,
    errors: Vec<String>,
    disconnects: usize,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Rider {
    client: SyncClient,
    ws: Ws,
    doc: String,
}

impl Rider {
    /// Opens the sync connection `ws_url` as `peer`, keeping `doc` (empty to fetch it) under
    /// `doc_id`, and sends the handshake.
    async fn open(
        ws_url: &str,
        peer: String,
        doc_id: &str,
        doc: automerge::Automerge,
    ) -> anyhow::Result<Rider> {
        let (ws, _) = tokio_tungstenite::connect_async(ws_url).await?;
        let mut client = SyncClient::new(peer);
        client.add_doc(doc_id.to_owned(), doc, None);
        let join = client.connected();
        let mut rider = Rider {
            client,
            ws,
            doc: doc_id.to_owned(),
        };
        rider.apply(join).await?;
        Ok(rider)
    }

    async fn apply(&mut self, effects: Vec<Effect>) -> anyhow::Result<()> {
        for e in effects {
            if let Effect::Send(b) = e {
                self.ws.send(Message::Binary(b.into())).await?;
            }
        }
        Ok(())
    }

    /// Pumps frames until `cond` holds.
    async fn until(&mut self, cond: impl Fn(&SyncClient) -> bool) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + PHASE_LIMIT;
        while !cond(&self.client) {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .map_err(|_| anyhow::anyhow!("timed out"))?
                .ok_or_else(|| anyhow::anyhow!("socket closed"))??;
            if let Message::Binary(b) = frame {
                let effects = self.client.receive(&b)?;
                self.apply(effects).await?;
            }
        }
        Ok(())
    }
}

async fn connect(http: &reqwest::Client, url: &str, a: &Account) -> anyhow::Result<Rider> {
    let res = http
        .post(format!("{url}/api/sync-ticket"))
        .header("cookie", &a.cookie)
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "ticket: {}", res.status());
    let t: serde_json::Value = res.json().await?;
    let ticket = t["ticket"].as_str().unwrap_or_default();
    let peer = t["peer_id"].as_str().unwrap_or_default().to_owned();
    let ws_url = format!("{}/sync?ticket={ticket}", url.replacen("http", "ws", 1));
    let mut rider = Rider::open(&ws_url, peer, &a.rider_doc, automerge::Automerge::new()).await?;
    let doc = rider.doc.clone();
    rider
        .until(|c| {
            c.status(&doc) == Some(DocStatus::Unavailable)
                || c.doc(&doc).is_some_and(|d| !d.get_heads().is_empty())
        })
        .await?;
    anyhow::ensure!(
        rider.client.status(&doc) != Some(DocStatus::Unavailable),
        "rider document unavailable"
    );
    Ok(rider)
}

/// Connects rider `index` to a reference sync server and sends it the rider's new document.
async fn connect_reference(url: &str, a: &Account, index: usize) -> anyhow::Result<Rider> {
    let doc = model::rider_doc::new_doc(&index.to_string(), None)?;
    let ws_url = url.replacen("http", "ws", 1);
    let mut rider = Rider::open(&ws_url, format!("rider-{index}"), &a.rider_doc, doc).await?;
    let doc = rider.doc.clone();
    rider
        .until(|c| c.is_ready() && c.unconfirmed_changes(&doc) == 0)
        .await?;
    Ok(rider)
}

/// Stands in for the supervisors' feed on a reference sync server: one peer that asks for every
/// rider's document and records when each report first arrives. Says on `ready` once it holds
/// every document.
async fn follow_peer(
    url: String,
    docs: Vec<String>,
    shared: Arc<Mutex<Shared>>,
    ready: tokio::sync::oneshot::Sender<()>,
) -> anyhow::Result<()> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url.replacen("http", "ws", 1)).await?;
    let mut client = SyncClient::new("supervisor");
    for d in &docs {
        client.add_doc(d.clone(), automerge::Automerge::new(), None);
    }
    let mut read_at: HashMap<String, Vec<automerge::ChangeHash>> = HashMap::new();
    let mut ready = Some(ready);
    let mut pending = client.connected();
    loop {
        for e in pending.drain(..) {
            match e {
                Effect::Send(b) => ws.send(Message::Binary(b.into())).await?,
                Effect::DocChanged(id) => {
                    let Some(doc) = client.doc(&id) else { continue };
                    let since = read_at.get(&id).cloned().unwrap_or_default();
                    let now = Instant::now();
                    if let Ok(entries) = model::rider_doc::reports_since(doc, &since)
                        && let Ok(mut s) = shared.lock()
                    {
                        for (key, _) in entries {
                            if let Some(t0) = s.made.get(&key).copied() {
                                s.seen.entry(key).or_insert(now - t0);
                            }
                        }
                    }
                    read_at.insert(id, doc.get_heads());
                }
                _ => {}
            }
        }
        if ready.is_some()
            && docs
                .iter()
                .all(|d| client.status(d) == Some(DocStatus::Synced))
            && let Some(r) = ready.take()
        {
            let _ = r.send(());
        }
        let Some(frame) = ws.next().await else {
            return Ok(());
        };
        if let Message::Binary(b) = frame? {
            pending = client.receive(&b)?;
        }
    }
}

fn report(i: usize, rider: usize) -> model::Report {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    model::Report {
        id: model::ReportId::new().to_string(),
        category: model::Category::ALL[i % model::Category::ALL.len()]
            .code()
            .to_owned(),
        note: format!("压测 骑手 {rider} 第 {i} 条"),
        lat: 28.84 + (rider % 100) as f64 * 0.001,
        lon: 108.77 + (i % 100) as f64 * 0.001,
        accuracy_m: Some(15.0),
        location_source: "gps".into(),
        place: String::new(),
        created_at: now,
        photos: Vec::new(),
        photo_taken_at: None,
        photo_lat: None,
        photo_lon: None,
    }
}

/// Writes `n` reports one after the other, each acknowledged before the next, waiting
/// `pause` between them.
async fn write_reports(
    rider: &mut Rider,
    index: usize,
    n: usize,
    pause: Duration,
    shared: &Mutex<Shared>,
) -> anyhow::Result<()> {
    let doc = rider.doc.clone();
    for i in 0..n {
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        let r = report(i, index);
        let t0 = Instant::now();
        if let Ok(mut s) = shared.lock() {
            s.made.insert(r.id.clone(), t0);
        }
        let (hash, effects) = rider
            .client
            .change(&doc, |d| model::rider_doc::put_report(d, &r))?;
        rider.apply(effects).await?;
        if let Some(hash) = hash {
            rider.until(|c| c.relay_has(&doc, &hash)).await?;
        }
        if let Ok(mut s) = shared.lock() {
            s.acked.push(t0.elapsed());
            s.last_ack = Some(Instant::now());
        }
    }
    Ok(())
}

/// Follows the supervisors' feed, recording when each report first arrives.
async fn follow_feed(url: String, cookie: String, shared: Arc<Mutex<Shared>>) {
    let Ok(res) = reqwest::Client::new()
        .get(format!("{url}/api/reports/feed"))
        .header("cookie", cookie)
        .send()
        .await
    else {
        return;
    };
    let mut body = res.bytes_stream();
    let mut buf = String::new();
    while let Some(Ok(chunk)) = body.next().await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        // Every whole event in the buffer, then what is left of it kept once.
        let mut start = 0;
        let mut ids = Vec::new();
        let mut resyncs = 0;
        while let Some(len) = buf[start..].find("\n\n") {
            let event = &buf[start..start + len];
            start += len + 2;
            if event.lines().any(|l| l.trim() == "event: resync") {
                resyncs += 1;
            }
            let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) else {
                continue;
            };
            #[derive(serde::Deserialize)]
            struct Row {
                id: String,
            }
            if let Ok(row) = serde_json::from_str::<Row>(data.trim()) {
                ids.push(row.id);
            }
        }
        buf.drain(..start);
        let now = Instant::now();
        if let Ok(mut s) = shared.lock() {
            s.resyncs += resyncs;
            for id in ids {
                if let Some(t0) = s.made.get(&id).copied() {
                    s.seen.entry(id).or_insert(now - t0);
                }
            }
        }
    }
}

fn pct(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn lat(mut v: Vec<Duration>) -> String {
    v.sort();
    format!(
        "{:.0}/{:.0}/{:.0}/{:.0}",
        pct(&v, 0.5),
        pct(&v, 0.95),
        pct(&v, 0.99),
        pct(&v, 1.0)
    )
}

/// Prints, per second of writing, how many reports were made then and how long the slowest
/// took to reach the feed: to tell a slow start from a stall.
fn timeline(s: &Shared, writing: Instant) {
    let mut seconds: std::collections::BTreeMap<u64, Vec<Duration>> = Default::default();
    for (id, made) in &s.made {
        let second = made.saturating_duration_since(writing).as_secs();
        let to_feed = s.seen.get(id).copied().unwrap_or(Duration::MAX);
        seconds.entry(second).or_default().push(to_feed);
    }
    for (second, v) in seconds {
        eprintln!(
            "loadgen: second {second}: {} made, to feed {}",
            v.len(),
            lat(v)
        );
    }
}

async fn run(args: &[String]) -> anyhow::Result<()> {
    let urls: Vec<String> = need(args, "--url").split(',').map(str::to_owned).collect();
    let url = urls[0].clone();
    let file = arg(args, "--accounts").unwrap_or_default();
    let n = num(args, "--riders", 10) as usize;
    let per_rider = num(args, "--reports", 10) as usize;
    let rate = num(args, "--rate", 0);
    let pids: Vec<u32> = arg(args, "--server-pid")
        .unwrap_or_default()
        .split(',')
        .filter_map(|p| p.parse().ok())
        .collect();
    let label = arg(args, "--label").unwrap_or_else(|| format!("{n} × {per_rider}"));
    let reference = args.iter().any(|a| a == "--reference");
    let accounts: Vec<Account> = if reference {
        (0..n)
            .map(|i| Account {
                phone: format!("rider-{i}"),
                cookie: String::new(),
                rider_doc: new_doc_id(),
            })
            .collect()
    } else {
        serde_json::from_slice(&std::fs::read(&file)?)?
    };
    anyhow::ensure!(
        accounts.len() >= n,
        "{file} holds {} riders",
        accounts.len()
    );
    let accounts: Vec<Account> = accounts.into_iter().take(n).collect();
    // Few idle HTTP connections: thousands of riders' sockets already take most of the
    // process's file descriptors.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(32)
        .build()?;

    // The supervisor's feed is open before anything is written (on a reference server, once
    // the riders' documents exist there).
    let shared = Arc::new(Mutex::new(Shared::default()));
    let doc_ids: Vec<String> = accounts.iter().map(|a| a.rider_doc.clone()).collect();
    let feed = if reference {
        None
    } else {
        let sup = arg(args, "--supervisor").unwrap_or_else(|| "grid-youyang".into());
        let password = arg(args, "--password").unwrap_or_else(|| "nuanxin-demo".into());
        let res = http
            .post(format!("{url}/api/login"))
            .json(&serde_json::json!({"login": sup, "password": password}))
            .send()
            .await?;
        let cookie = session_cookie(&res).ok_or_else(|| anyhow::anyhow!("supervisor login"))?;
        // On a thread and runtime of its own, so the riders it times do not starve it.
        let (url, shared) = (url.clone(), shared.clone());
        Some(std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(follow_feed(url, cookie, shared));
            }
        }))
    };

    let rss_before = procs_sample(&pids).map_or(0, |s| s.1);
    let peak = Arc::new(Mutex::new(rss_before));
    let sampler = (!pids.is_empty()).then(|| {
        let (peak, pids) = (peak.clone(), pids.clone());
        tokio::spawn(async move {
            loop {
                if let (Some((_, rss)), Ok(mut p)) = (procs_sample(&pids), peak.lock()) {
                    *p = (*p).max(rss);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    });

    // Connect everyone.
    let started = Instant::now();
    let (go_tx, go_rx) = tokio::sync::watch::channel(false);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<bool>(n.max(1));
    let pause = if rate == 0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(n as f64 / rate as f64)
    };
    let mut tasks = Vec::new();
    for (index, account) in accounts.into_iter().enumerate() {
        let url = urls[index % urls.len()].clone();
        let (http, shared) = (http.clone(), shared.clone());
        let (ready_tx, mut go_rx) = (ready_tx.clone(), go_rx.clone());
        tasks.push(tokio::spawn(async move {
            let connected = if reference {
                connect_reference(&url, &account, index).await
            } else {
                connect(&http, &url, &account).await
            };
            let mut rider = match connected {
                Ok(r) => r,
                Err(e) => {
                    let _ = ready_tx.send(false).await;
                    if let Ok(mut s) = shared.lock() {
                        s.errors.push(format!("connect {}: {e}", account.phone));
                    }
                    return;
                }
            };
            let _ = ready_tx.send(true).await;
            if go_rx.wait_for(|go| *go).await.is_err() {
                return;
            }
            // Spread the paced riders over one interval so the rate is even.
            if !pause.is_zero() {
                let offset = pause.mul_f64((index as f64 * 0.618_034).fract());
                tokio::time::sleep(offset).await;
            }
            if let Err(e) = write_reports(&mut rider, index, per_rider, pause, &shared).await
                && let Ok(mut s) = shared.lock()
            {
                s.errors.push(format!("rider {}: {e}", account.phone));
                s.disconnects += 1;
            }
            let _ = rider.ws.close(None).await;
        }));
    }
    drop(ready_tx);
    let mut connected = 0usize;
    let deadline = tokio::time::Instant::now() + PHASE_LIMIT;
    for _ in 0..n {
        match tokio::time::timeout_at(deadline, ready_rx.recv()).await {
            Ok(Some(true)) => connected += 1,
            Ok(Some(false)) => {}
            _ => break,
        }
    }
    let connect_s = started.elapsed().as_secs_f64();
    let peer = if reference {
        let (ready, is_ready) = tokio::sync::oneshot::channel();
        // On a thread and runtime of its own, like the feed on this server.
        let (url, shared) = (url.clone(), shared.clone());
        let peer = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(follow_peer(url, doc_ids, shared, ready));
            }
        });
        if tokio::time::timeout(PHASE_LIMIT, is_ready).await.is_err() {
            anyhow::bail!("the feed peer never got every document");
        }
        Some(peer)
    } else {
        None
    };
    let rss_idle = procs_sample(&pids).map_or(0, |s| s.1);
    let cpu_before = procs_sample(&pids).map_or(0.0, |s| s.0);

    // Write.
    let writing = Instant::now();
    let _ = go_tx.send(true);
    let wanted = connected * per_rider;
    let deadline = tokio::time::Instant::now() + PHASE_LIMIT;
    loop {
        let (acked, seen) = shared
            .lock()
            .map(|s| (s.acked.len(), s.seen.len()))
            .unwrap_or_default();
        let all_done = tasks.iter().all(tokio::task::JoinHandle::is_finished);
        if (acked >= wanted && seen >= wanted) || tokio::time::Instant::now() > deadline {
            break;
        }
        if all_done && seen >= acked && acked < wanted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let finished = shared
        .lock()
        .ok()
        .and_then(|s| s.last_ack)
        .unwrap_or_else(Instant::now);
    let elapsed = finished.saturating_duration_since(writing).as_secs_f64();
    let cpu_after = procs_sample(&pids).map_or(0.0, |s| s.0);
    for t in tasks {
        t.abort();
    }
    // The feed's thread ends with the process.
    drop(feed);
    // The feed peer's thread ends with the process.
    drop(peer);
    if let Some(s) = sampler {
        s.abort();
    }
    let s = shared.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    let (acked, seen) = (s.acked.len(), s.seen.len());
    let outcome = if connected == n && seen >= n * per_rider {
        "complete".to_owned()
    } else {
        format!(
            "INCOMPLETE: {acked} acked, {seen} on the feed of {} ({} feed resyncs)",
            n * per_rider,
            s.resyncs
        )
    };
    let cpu_per_report = if acked > 0 {
        (cpu_after - cpu_before) / acked as f64
    } else {
        f64::NAN
    };
    let peak = peak.lock().map_or(0, |p| *p);
    let per_idle = if n > 0 {
        rss_idle.saturating_sub(rss_before) as f64 / n as f64
    } else {
        0.0
    };
    println!(
        "| {label} | {outcome} | {connected}/{n} in {connect_s:.1} s | {:.0} | {} | {} | {cpu_per_report:.2} | {:.0} | {per_idle:.0} | {} | {} |",
        acked as f64 / elapsed.max(1e-3),
        lat(s.acked.clone()),
        lat(s.seen.values().copied().collect()),
        peak as f64 / 1024.0,
        s.disconnects,
        s.errors.len(),
    );
    for e in s.errors.iter().take(5) {
        eprintln!("loadgen: {e}");
    }
    if args.iter().any(|a| a == "--timeline") {
        timeline(&s, writing);
    }
    Ok(())
}
