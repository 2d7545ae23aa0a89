//! The server killed with SIGKILL while riders send reports, again and again: every report the
//! relay acknowledged is in the index after the restart, before any rider comes back, and once
//! the riders reconnect every report is there, each once. Then the same over three nodes on one
//! PostgreSQL database: one node killed and restarted at a time while the riders carry on
//! through the others, then all three at once.

use std::{
    collections::HashSet,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures::{SinkExt, StreamExt};
use model::client::{Effect, SyncClient};
use tokio_tungstenite::tungstenite::Message;

use crate::util::sync_conn_report as report;

const RIDERS: usize = 50;
const REPORTS_EACH: usize = 10;
const KILLS: usize = 10;
/// A rider files a report at most this often, so that however fast the relay answers, each
/// kill comes while reports are still on their way.
const PACE: Duration = Duration::from_millis(200);
const PASSWORD: &str = "crash-test-pass";
/// Several nodes' test: this many, and the rounds' reports are filed over this time from the
/// start of each round (a rider's moment in it set by its index).
const NODES: usize = 3;
const ROUND_SPREAD: Duration = Duration::from_millis(600);

/// The command line of a node whose data folder is `data` (the database is the one of `db`'s
/// folder: several nodes share it).
fn nuanxin_of(data: &Path, db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nuanxin"));
    cmd.env("NUANXIN_DATA", data)
        .env("NUANXIN_DATABASE_URL", crate::util::database_url(db))
        .env("RUST_LOG", "warn")
        // A small pool on PostgreSQL: a task that holds a connection while waiting for another
        // (or leaves one it was handed unpolled) stalls every rider here, not only under a
        // province's load.
        .env("NUANXIN_PG_CONNECTIONS", "6")
        .stdout(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open("/tmp/crash.log")
                .unwrap(),
        )
        .stderr(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open("/tmp/crash.log")
                .unwrap(),
        );
    cmd
}

fn nuanxin(data: &Path) -> Command {
    nuanxin_of(data, data)
}

/// A server process, killed when dropped (so that a failing test leaves none running).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            kill9(&mut self.0);
        }
    }
}

/// A server process on `port` with the data folder `data`, answering HTTP.
async fn start(data: &Path, port: u16) -> Server {
    start_node(data, data, port).await
}

/// A server process on `port` with the data folder `data` and the database of `db`'s folder,
/// answering HTTP. `CRASH_LOG` sets the servers' `RUST_LOG` (their output goes to
/// /tmp/crash.log).
async fn start_node(data: &Path, db: &Path, port: u16) -> Server {
    let mut child = nuanxin_of(data, db)
        .arg("serve")
        .env(
            "RUST_LOG",
            std::env::var("CRASH_LOG").unwrap_or("warn".into()),
        )
        .env("NUANXIN_ADDR", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("start the server");
    let url = format!("http://127.0.0.1:{port}/api/me");
    for _ in 0..300 {
        // One that exited (its port taken meanwhile) is not the server answering there.
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server on port {port} exited: {status}");
        }
        if reqwest::get(&url).await.is_ok() {
            return Server(child);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    kill9(&mut child);
    panic!("the server did not start");
}

/// A port for a server process outside the ephemeral range, which the other tests' servers
/// (bound to port 0) draw from, so none of them can take it between this check and the start;
/// each call in this process gets a port of its own, since the tests here run at once and a
/// port is free between a kill and the restart.
fn free_port() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let base = 21_000 + (std::process::id() % 1000) as u16;
    loop {
        let p = base + NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(p < base + 2000, "no free port");
        if TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
}

fn kill9(child: &mut Child) {
    // `Child::kill` sends SIGKILL on Unix: no shutdown code runs.
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
}

/// One rider's phone: its document and what the relay acknowledged, kept across connections.
struct Phone {
    cookie: String,
    doc: String,
    client: SyncClient,
    /// Report ids and change hashes filed so far.
    filed: Vec<(String, automerge::ChangeHash)>,
    /// Report ids the relay acknowledged.
    acked: HashSet<String>,
    /// Every phone's acknowledged reports together, as they come (several nodes' test).
    all_acked: Option<Arc<Mutex<HashSet<String>>>>,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(ws: &mut Ws, effects: Vec<Effect>) -> Result<(), String> {
    for e in effects {
        if let Effect::Send(b) = e {
            ws.send(Message::Binary(b.into()))
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

impl Phone {
    /// Pumps frames until `cond` holds; an error when the connection dies or 30 s pass.
    async fn until(&mut self, ws: &mut Ws, cond: impl Fn(&Phone) -> bool) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !cond(self) {
            let frame = tokio::time::timeout_at(deadline, ws.next())
                .await
                .map_err(|_| "timed out".to_owned())?;
            self.take(ws, frame).await?;
        }
        Ok(())
    }

    /// Takes one frame from the relay (`None`: the connection closed) and answers it.
    async fn take(
        &mut self,
        ws: &mut Ws,
        frame: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Result<(), String> {
        if let Message::Binary(b) = frame.ok_or("closed")?.map_err(|e| e.to_string())? {
            let effects = self.client.receive(&b).map_err(|e| e.to_string())?;
            send(ws, effects).await?;
        }
        Ok(())
    }

    /// Notes every filed report the relay now holds.
    fn note_acks(&mut self) {
        for (id, hash) in &self.filed {
            if self.client.relay_has(&self.doc, hash)
                && self.acked.insert(id.clone())
                && let Some(all) = &self.all_acked
            {
                all.lock().unwrap().insert(id.clone());
            }
        }
    }

    /// Connects to the node at `port` and waits until the phone holds its document.
    async fn join(&mut self, port: u16) -> Result<Ws, String> {
        let http = reqwest::Client::new();
        let t: serde_json::Value = http
            .post(format!("http://127.0.0.1:{port}/api/sync-ticket"))
            .header("cookie", &self.cookie)
            .json(&serde_json::json!({ "peer_id": self.client.peer_id() }))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let ticket = t["ticket"].as_str().ok_or("no ticket")?;
        let url = format!("ws://127.0.0.1:{port}/sync?ticket={ticket}");
        let (mut ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(|e| e.to_string())?;
        let join = self.client.connected();
        send(&mut ws, join).await?;
        let doc = self.doc.clone();
        self.until(&mut ws, |p| {
            p.client.is_ready()
                && p.client
                    .doc(&doc)
                    .is_some_and(|d| !d.get_heads().is_empty())
        })
        .await?;
        Ok(ws)
    }

    /// Files one report and sends it.
    async fn file(&mut self, ws: &mut Ws) -> Result<automerge::ChangeHash, String> {
        let r = report(&format!("断电测试 {}", self.filed.len()));
        let (hash, effects) = self
            .client
            .change(&self.doc, |d| model::rider_doc::put_report(d, &r))
            .map_err(|e| e.to_string())?;
        let hash = hash.ok_or("no change")?;
        self.filed.push((r.id.clone(), hash));
        send(ws, effects).await?;
        Ok(hash)
    }

    /// Connects, syncs what the relay lacks, and files reports until it has filed `total`.
    async fn session(&mut self, port: u16, total: usize) -> Result<(), String> {
        let mut ws = self.join(port).await?;
        let doc = self.doc.clone();
        while self.filed.len() < total {
            tokio::time::sleep(PACE).await;
            let hash = self.file(&mut ws).await?;
            self.until(&mut ws, |p| p.client.relay_has(&doc, &hash))
                .await?;
            self.note_acks();
        }
        // Everything filed, possibly on an earlier connection, is acknowledged.
        let all: Vec<_> = self.filed.iter().map(|f| f.1).collect();
        self.until(&mut ws, |p| all.iter().all(|h| p.client.relay_has(&doc, h)))
            .await?;
        self.note_acks();
        Ok(())
    }

    /// Connects to the node at `port` and files reports as the rounds of the several nodes'
    /// test allow (see [`allowed`]), each a moment into its round, until it has filed them all.
    async fn session_in_rounds(
        &mut self,
        port: u16,
        index: usize,
        round: &mut tokio::sync::watch::Receiver<usize>,
    ) -> Result<(), String> {
        let mut ws = self.join(port).await?;
        let doc = self.doc.clone();
        let offset = ROUND_SPREAD.mul_f64((index as f64 * 0.618_034).fract());
        loop {
            // Everything filed, possibly on an earlier connection, is acknowledged first.
            let all: Vec<_> = self.filed.iter().map(|f| f.1).collect();
            self.until(&mut ws, |p| all.iter().all(|h| p.client.relay_has(&doc, h)))
                .await?;
            self.note_acks();
            if self.filed.len() >= REPORTS_EACH {
                return Ok(());
            }
            if self.filed.len() >= allowed(*round.borrow_and_update(), index) {
                // The next round, answering the relay meanwhile.
                loop {
                    tokio::select! {
                        changed = round.changed() => {
                            changed.map_err(|_| "the test ended")?;
                            break;
                        }
                        frame = ws.next() => self.take(&mut ws, frame).await?,
                    }
                }
                tokio::time::sleep(offset).await;
                continue;
            }
            self.file(&mut ws).await?;
        }
    }
}

/// The ids in the supervisors' list.
async fn indexed(port: u16, cookie: &str) -> HashSet<String> {
    let mut rows = Vec::new();
    let mut path = "/api/reports?limit=500".to_owned();
    loop {
        let body: serde_json::Value = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}{path}"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        rows.extend(body["reports"].as_array().cloned().unwrap_or_default());
        match body["next"].as_str() {
            Some(next) => path = format!("/api/reports?limit=500&cursor={next}"),
            None => break,
        }
    }
    let ids: HashSet<String> = rows
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), rows.len(), "a report is listed twice");
    ids
}

/// POSTs `body` to `path` and returns the session cookie and the `/api/me`-shaped answer.
async fn start_session(
    port: u16,
    path: &str,
    body: serde_json::Value,
) -> (String, serde_json::Value) {
    let res = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (cookie, res.json().await.unwrap())
}

async fn login(port: u16, login: &str, password: &str) -> (String, serde_json::Value) {
    let body = serde_json::json!({"login": login, "password": password});
    start_session(port, "/api/login", body).await
}

/// Riders registered through an invite made by `cli`, each on the next of the nodes at `ports`.
async fn register_phones(
    mut cli: Command,
    ports: &[u16],
    all_acked: Option<Arc<Mutex<HashSet<String>>>>,
) -> Vec<Phone> {
    let out = cli
        .args(["invite", "create", "--county", "youyang", "--uses"])
        .arg(RIDERS.to_string())
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let invite = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("an invite code")
        .to_owned();
    let mut phones = Vec::new();
    for i in 0..RIDERS {
        let form = serde_json::json!({
            "phone": format!("136{i:08}"), "name": "断电测试", "password": PASSWORD,
            "invite": invite,
        });
        let port = ports[i % ports.len()];
        let (cookie, me) = start_session(port, "/api/register", form).await;
        let doc = me["docs"]["rider"].as_str().unwrap().to_owned();
        let mut client = SyncClient::new(format!("{}phone", me["peer_prefix"].as_str().unwrap()));
        client.add_doc(doc.clone(), automerge::Automerge::new(), None);
        phones.push(Phone {
            cookie,
            doc,
            client,
            filed: Vec::new(),
            acked: HashSet::new(),
            all_acked: all_acked.clone(),
        });
    }
    phones
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_acknowledged_before_a_kill_9_are_never_lost_nor_doubled() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let port = free_port();

    // Riders registered through an invite.
    let mut server = start(data, port).await;
    let mut phones = register_phones(nuanxin(data), &[port], None).await;

    let mut cut_short = 0;
    for round in 0..KILLS {
        // Every rider sends what it has left; the server dies under them a moment later.
        let tasks: Vec<_> = phones
            .into_iter()
            .map(|mut p| {
                tokio::spawn(async move {
                    let _ = p.session(port, REPORTS_EACH).await;
                    p.client.disconnected();
                    p
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(600 + 50 * round as u64)).await;
        kill9(&mut server.0);
        phones = Vec::new();
        for t in tasks {
            phones.push(t.await.unwrap());
        }
        if phones.iter().any(|p| p.acked.len() < REPORTS_EACH) {
            cut_short += 1;
        }
        server = start(data, port).await;

        // Before any rider is back: every acknowledged report is indexed.
        let (boss, _) = login(port, "grid-youyang", "nuanxin-demo").await;
        let acked: HashSet<String> = phones.iter().flat_map(|p| p.acked.clone()).collect();
        let filed: usize = phones.iter().map(|p| p.filed.len()).sum();
        println!(
            "kill -9 #{}: {} reports filed, {} acknowledged",
            round + 1,
            filed,
            acked.len()
        );
        wait_indexed(port, &boss, &acked, &format!("after kill {round}")).await;
    }

    assert!(
        cut_short >= 3,
        "only {cut_short} kills came while reports were on their way"
    );

    // The riders come back and send the rest: every report, once.
    let tasks: Vec<_> = phones
        .into_iter()
        .map(|mut p| {
            tokio::spawn(async move {
                p.session(port, REPORTS_EACH)
                    .await
                    .expect("a clean session");
                p
            })
        })
        .collect();
    let mut phones = Vec::new();
    for t in tasks {
        phones.push(t.await.unwrap());
    }
    let filed: HashSet<String> = phones
        .iter()
        .flat_map(|p| p.filed.iter().map(|f| f.0.clone()))
        .collect();
    assert_eq!(filed.len(), RIDERS * REPORTS_EACH);
    let (boss, _) = login(port, "grid-youyang", "nuanxin-demo").await;
    // `indexed` fails on a report listed twice.
    wait_indexed(port, &boss, &filed, "once every rider is back").await;
    kill9(&mut server.0);
}

/// How many reports rider `index` may have filed once `started` rounds of the several nodes'
/// test have begun: none before the first, then up to the ten over the eleven rounds (ten kills
/// of one node, then all at once), each rider's steps in rounds of their own, so that in every
/// round about 45 of the 50 riders file one.
fn allowed(started: usize, index: usize) -> usize {
    let rounds = KILLS + 1;
    ((started * REPORTS_EACH + index % rounds) / rounds).min(REPORTS_EACH)
}

/// Nodes on one database: node i's data folder is `root/node<i>`, the database `root`'s.
struct Nodes {
    root: PathBuf,
    ports: Vec<u16>,
    servers: Vec<Option<Server>>,
}

impl Nodes {
    fn dir(&self, i: usize) -> PathBuf {
        self.root.join(format!("node{i}"))
    }

    async fn start(&mut self, i: usize) {
        let dir = self.dir(i);
        std::fs::create_dir_all(&dir).unwrap();
        self.servers[i] = Some(start_node(&dir, &self.root, self.ports[i]).await);
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut s) = self.servers[i].take() {
            kill9(&mut s.0);
        }
    }
}

/// Polls the list on the node at `port` until it holds every report of `want` (60 s at most).
async fn wait_indexed(port: u16, cookie: &str, want: &HashSet<String>, when: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let missing = want.difference(&indexed(port, cookie).await).count();
        if missing == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{when}: {missing} of {} reports are not indexed",
            want.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_killed_one_at_a_time_then_all_at_once_lose_and_double_nothing() {
    if !std::env::var("NUANXIN_TEST_PG").is_ok_and(|v| !v.is_empty()) {
        println!("several nodes need PostgreSQL: this test runs in the PostgreSQL pass");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut ports = Vec::new();
    for _ in 0..NODES {
        ports.push(free_port());
    }
    let mut nodes = Nodes {
        root: dir.path().to_owned(),
        ports: ports.clone(),
        servers: (0..NODES).map(|_| None).collect(),
    };
    for i in 0..NODES {
        nodes.start(i).await;
    }
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let cli = nuanxin_of(&nodes.dir(0), &nodes.root);
    let phones = register_phones(cli, &ports, Some(acked.clone())).await;
    let (boss, _) = login(ports[0], "grid-youyang", "nuanxin-demo").await;

    // Each rider connects through a round-robin proxy: every connection, whoever's, to the next
    // node. A connection that fails is made again, a moment later, while `open` holds.
    let (round_tx, round_rx) = tokio::sync::watch::channel(0usize);
    let (open_tx, open_rx) = tokio::sync::watch::channel(true);
    let cut = Arc::new(AtomicUsize::new(0));
    let proxy = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = phones
        .into_iter()
        .enumerate()
        .map(|(index, mut p)| {
            let (ports, cut, proxy) = (ports.clone(), cut.clone(), proxy.clone());
            let (mut round, mut open) = (round_rx.clone(), open_rx.clone());
            tokio::spawn(async move {
                loop {
                    open.wait_for(|o| *o).await.expect("the test ended");
                    let port = ports[proxy.fetch_add(1, Ordering::Relaxed) % ports.len()];
                    let done = p.session_in_rounds(port, index, &mut round).await;
                    p.client.disconnected();
                    if done.is_ok() {
                        return p;
                    }
                    cut.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
        })
        .collect();
    // What the riders may have filed once `round` (0-based) has begun, in all.
    let due = |round: usize| -> usize { (0..RIDERS).map(|i| allowed(round + 1, i)).sum() };
    let acked_now = || acked.lock().unwrap().clone();

    for round in 0..KILLS {
        // A node dies while the round's reports are on their way; the riders on it carry on
        // through the others.
        round_tx.send(round + 1).unwrap();
        tokio::time::sleep(ROUND_SPREAD / 2).await;
        let victim = round % NODES;
        let before = acked_now().len();
        assert!(
            before < due(round),
            "kill {round}: every report of the round was already acknowledged"
        );
        nodes.kill(victim);
        tokio::time::sleep(Duration::from_millis(300)).await;
        nodes.start(victim).await;
        let acked = acked_now();
        println!(
            "kill -9 of node {} (#{}): {before} of {} reports due acknowledged as it died, {} \
             after its restart; {} connections cut or refused so far",
            victim + 1,
            round + 1,
            due(round),
            acked.len(),
            cut.load(Ordering::Relaxed)
        );
        // Every report acknowledged so far is listed, on the node that was killed too.
        wait_indexed(ports[victim], &boss, &acked, &format!("after kill {round}")).await;
    }

    // Then every node at once, the last reports on their way: no rider comes back until every
    // report acknowledged before is indexed again.
    round_tx.send(KILLS + 1).unwrap();
    tokio::time::sleep(ROUND_SPREAD / 2).await;
    open_tx.send(false).unwrap();
    assert!(
        acked_now().len() < due(KILLS),
        "the last reports were all acknowledged already"
    );
    for i in 0..NODES {
        nodes.kill(i);
    }
    let acked = acked_now();
    for i in 0..NODES {
        nodes.start(i).await;
    }
    println!(
        "kill -9 of every node: {} of {} reports acknowledged",
        acked.len(),
        RIDERS * REPORTS_EACH
    );
    wait_indexed(ports[NODES - 1], &boss, &acked, "after killing every node").await;
    assert!(
        cut.load(Ordering::Relaxed) >= KILLS,
        "only {} connections were cut",
        cut.load(Ordering::Relaxed)
    );

    // The riders come back and send the rest: every report, once, on every node.
    open_tx.send(true).unwrap();
    let mut filed = HashSet::new();
    for t in tasks {
        let p = tokio::time::timeout(Duration::from_secs(120), t)
            .await
            .expect("every rider finishes")
            .unwrap();
        assert_eq!(p.acked.len(), REPORTS_EACH);
        filed.extend(p.filed.iter().map(|f| f.0.clone()));
    }
    assert_eq!(filed.len(), RIDERS * REPORTS_EACH);
    for port in &ports {
        // `indexed` fails on a report listed twice.
        wait_indexed(*port, &boss, &filed, "once every rider is back").await;
    }
    for i in 0..NODES {
        nodes.kill(i);
    }
}
