//! The server killed with SIGKILL while riders send reports, again and again: every report the
//! relay acknowledged is in the index after the restart, before any rider comes back, and once
//! the riders reconnect every report is there, each once.

use std::{
    collections::HashSet,
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
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

fn nuanxin(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nuanxin"));
    cmd.env("NUANXIN_DATA", data)
        .env("NUANXIN_DATABASE_URL", crate::util::database_url(data))
        .env("RUST_LOG", "warn")
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

/// A server process on `port`, answering HTTP.
/// A server process, killed when dropped (so that a failing test leaves none running).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            kill9(&mut self.0);
        }
    }
}

async fn start(data: &Path, port: u16) -> Server {
    let mut child = nuanxin(data)
        .arg("serve")
        .env("NUANXIN_ADDR", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("start the server");
    let url = format!("http://127.0.0.1:{port}/api/me");
    for _ in 0..300 {
        if reqwest::get(&url).await.is_ok() {
            return Server(child);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    kill9(&mut child);
    panic!("the server did not start");
}

/// A port for the server process outside the ephemeral range, which the other tests' servers
/// (bound to port 0) draw from, so none of them can take it between this check and the start.
fn free_port() -> u16 {
    let first = 21_000 + (std::process::id() % 1000) as u16;
    (first..first + 2000)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port")
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
                .map_err(|_| "timed out".to_owned())?
                .ok_or("closed")?
                .map_err(|e| e.to_string())?;
            if let Message::Binary(b) = frame {
                let effects = self.client.receive(&b).map_err(|e| e.to_string())?;
                send(ws, effects).await?;
            }
        }
        Ok(())
    }

    /// Notes every filed report the relay now holds.
    fn note_acks(&mut self) {
        for (id, hash) in &self.filed {
            if self.client.relay_has(&self.doc, hash) {
                self.acked.insert(id.clone());
            }
        }
    }

    /// Connects, syncs what the relay lacks, and files reports until it has filed `total`.
    async fn session(&mut self, port: u16, total: usize) -> Result<(), String> {
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
        while self.filed.len() < total {
            tokio::time::sleep(PACE).await;
            let r = report(&format!("断电测试 {}", self.filed.len()));
            let (hash, effects) = self
                .client
                .change(&doc, |d| model::rider_doc::put_report(d, &r))
                .map_err(|e| e.to_string())?;
            let hash = hash.ok_or("no change")?;
            self.filed.push((r.id.clone(), hash));
            send(&mut ws, effects).await?;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_acknowledged_before_a_kill_9_are_never_lost_nor_doubled() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let port = free_port();

    // Riders registered through an invite.
    let mut server = start(data, port).await;
    let out = nuanxin(data)
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
        });
    }

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
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let missing = acked.difference(&indexed(port, &boss).await).count();
            if missing == 0 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "after kill {round}: {missing} of {} acknowledged reports are not indexed",
                acked.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let ids = indexed(port, &boss).await;
        let ours: HashSet<&String> = ids.iter().filter(|i| filed.contains(*i)).collect();
        if ours.len() == filed.len() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {} reports indexed",
            ours.len(),
            filed.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    kill9(&mut server.0);
}
