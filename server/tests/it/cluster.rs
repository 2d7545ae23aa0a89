//! Three server processes on one PostgreSQL database (runs in the suite's PostgreSQL pass; on
//! SQLite, one process per database, it says so and stops).

use std::{collections::HashMap, time::Duration};

use futures::StreamExt;
use serde_json::{Value, json};

use crate::util::{SyncConn, TestApp, sync_conn_report as report};

fn on_pg() -> bool {
    let pg = std::env::var("NUANXIN_TEST_PG").is_ok_and(|v| !v.is_empty());
    if !pg {
        println!("several nodes need PostgreSQL: this test runs in the PostgreSQL pass");
    }
    pg
}

/// The `report` events of a live feed: the rows by report id, and how often each came.
struct Feed {
    rows: HashMap<String, Value>,
    times: HashMap<String, usize>,
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
}

impl Feed {
    async fn open(app: &TestApp, cookie: &str) -> Feed {
        let res = reqwest::Client::new()
            .get(app.url("/api/reports/feed"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        Feed {
            rows: HashMap::new(),
            times: HashMap::new(),
            body: Box::pin(res.bytes_stream()),
            buf: String::new(),
        }
    }

    /// Reads events until `cond` holds (10 s at most).
    async fn until(&mut self, what: &str, cond: impl Fn(&Feed) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !cond(self) {
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .unwrap_or_else(|_| panic!("the feed never showed {what}"))
                .expect("the feed ended")
                .unwrap();
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if !event.contains("event: report") {
                    continue;
                }
                let data = event
                    .lines()
                    .find_map(|l| l.strip_prefix("data:"))
                    .unwrap()
                    .trim();
                let row: Value = serde_json::from_str(data).unwrap();
                let id = row["id"].as_str().unwrap().to_owned();
                *self.times.entry(id.clone()).or_default() += 1;
                self.rows.insert(id, row);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_and_a_browser_on_two_nodes_converge_and_a_third_sees_and_decides() {
    if !on_pg() {
        return;
    }
    let one = TestApp::start().await;
    let two = one.another_node().await;
    let three = one.another_node().await;
    // A session made through one node is good on every node.
    let rider = one.login("13800000001").await;
    let boss = three.login("grid-youyang").await;
    let doc = rider.rider_doc();
    let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
    let mut feed = Feed::open(&three, &boss.cookie).await;

    // The phone follows its office document too (the decisions on its reports).
    let mut client = model::client::SyncClient::new(rider.peer("phone"));
    client.add_doc(doc.clone(), automerge::Automerge::new(), None);
    client.add_doc(office.clone(), automerge::Automerge::new(), None);
    let mut phone = SyncConn::connect(&one, &rider, client).await;
    phone
        .until(|c| {
            [&doc, &office]
                .iter()
                .all(|d| c.doc(d).is_some_and(|d| !d.get_heads().is_empty()))
        })
        .await;
    let mut browser = SyncConn::rider(&two, &rider, "browser").await;
    let (a, b) = (
        report("手机上报：消防通道堵塞"),
        report("浏览器上报：路灯不亮"),
    );
    phone.file(&doc, &a).await;
    browser.file(&doc, &b).await;

    // Each device gets the other's report from the other node.
    let has = |c: &model::client::SyncClient, doc: &str, id: &str| {
        c.doc(doc)
            .and_then(|d| model::rider_doc::reports(d).ok())
            .is_some_and(|rs| rs.iter().any(|(_, r)| r.as_ref().is_ok_and(|r| r.id == id)))
    };
    phone.until(|c| has(c, &doc, &b.id)).await;
    browser.until(|c| has(c, &doc, &a.id)).await;

    // The console on the third node sees both, live, each once.
    feed.until("both reports", |f| {
        f.rows.contains_key(&a.id) && f.rows.contains_key(&b.id)
    })
    .await;
    let (status, list) = three.get(Some(&boss), "/api/reports").await;
    assert_eq!(status, 200, "{list}");
    let listed: Vec<&str> = list["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(listed.len(), 2, "each report indexed once: {listed:?}");

    // A decision on the third node reaches the phone on the first, and every console.
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let (status, row) = three
        .post(
            Some(&boss),
            &format!("/api/reports/{rider_id}/{}/review", a.id),
            json!({"status": "valid", "note": "已通知物业"}),
        )
        .await;
    assert_eq!(status, 200, "{row}");
    phone
        .until(|c| {
            c.doc(&office)
                .and_then(|d| model::office_doc::review(d, &a.id).ok().flatten())
                .is_some()
        })
        .await;
    feed.until("the decision", |f| f.rows[&a.id]["status"] == "valid")
        .await;
    assert_eq!(
        feed.times[&b.id], 1,
        "a report announced once: {:?}",
        feed.times
    );
    // Indexed once, by whichever node: one row each, whatever the nodes saw.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reports")
        .fetch_one(&one.raw_pool().await)
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_made_on_one_node_syncs_on_another_and_disabling_it_anywhere_closes_it() {
    if !on_pg() {
        return;
    }
    let one = TestApp::start().await;
    let two = one.another_node().await;
    let far = server::db::now_ms() + 86_400_000;
    one.state
        .db
        .invite_insert("NODES123", "youyang", 1, far, "")
        .await
        .unwrap();
    let form = json!({
        "phone": "13900000123", "name": "跨节点", "password": "riders-pass-1",
        "invite": "NODES123",
    });
    let (status, me) = one.post(None, "/api/register", form).await;
    assert_eq!(status, 201, "{me}");
    let rider = two
        .try_login("13900000123", "riders-pass-1")
        .await
        .expect("a login through the other node");
    let boss = two.login("grid-youyang").await;

    // Registered on the first node, syncing through the second, indexed at once.
    let mut phone = SyncConn::rider(&two, &rider, "phone").await;
    let r = report("新账号的第一条上报");
    phone.file(&rider.rider_doc(), &r).await;
    two.wait_for_reports(&boss, 10, |rows| {
        rows.iter().any(|x| x["id"] == r.id.as_str())
    })
    .await;

    // Disabled on the second node: its connection on the first node closes too.
    let mut on_one = SyncConn::rider(&one, &rider, "tablet").await;
    assert!(
        two.state
            .db
            .user_set_disabled("13900000123", true)
            .await
            .unwrap()
    );
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match on_one.ws.next().await {
                None | Some(Err(_)) => break,
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the first node keeps the disabled account's socket"
    );
}

/// A rider filing from a phone on one node and a tablet on another: the daily limit counts the
/// reports every node indexed, not only those the node that reads the next one has seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_limit_counts_the_reports_other_nodes_indexed() {
    if !on_pg() {
        return;
    }
    let one = TestApp::start_with(|c| c.max_reports_per_day = 3).await;
    let two = one.another_node().await;
    let rider = one.login("13800000001").await;
    let boss = one.login("grid-youyang").await;
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&one, &rider, "phone").await;
    let mut tablet = SyncConn::rider(&two, &rider, "tablet").await;
    // All on one day (a run across midnight would make two).
    let at = server::db::now_ms();
    let on_the_day = |note: &str| model::Report {
        created_at: at,
        ..report(note)
    };
    // Two from the phone, indexed by the first node.
    for i in 0..2 {
        phone
            .file(&doc, &on_the_day(&format!("手机上报 {i}")))
            .await;
    }
    one.wait_for_reports(&boss, 10, |rows| rows.len() == 2)
        .await;
    // The third from the tablet, through the second.
    tablet.file(&doc, &on_the_day("平板上报")).await;
    one.wait_for_reports(&boss, 10, |rows| rows.len() == 3)
        .await;
    // The fourth from the phone again: past the limit, whichever node reads it first.
    phone.file(&doc, &on_the_day("手机上报 2")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while one.state.db.flagged_count(&doc).await.unwrap() != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fourth report is flagged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for node in [&one, &two] {
        let (_, body) = node.get(Some(&boss), "/api/reports").await;
        assert_eq!(body["reports"].as_array().unwrap().len(), 3, "{body}");
    }
}

/// Decisions for one rider made on two nodes at once: the office document ends, on both, with
/// the ledger's balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_on_two_nodes_at_once_leave_the_office_document_with_the_ledger() {
    if !on_pg() {
        return;
    }
    let one = TestApp::start().await;
    let two = one.another_node().await;
    let rider = one.login("13800000001").await;
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
    let boss = one.login("grid-youyang").await;
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&one, &rider, "phone").await;
    let reports: Vec<_> = (0..8).map(|i| report(&format!("待审上报 {i}"))).collect();
    for r in &reports {
        phone.file(&doc, r).await;
    }
    one.wait_for_reports(&boss, 10, |rows| rows.len() == reports.len())
        .await;

    let decide = reports.iter().enumerate().map(|(i, r)| {
        let node = if i % 2 == 0 { &one } else { &two };
        let path = format!("/api/reports/{rider_id}/{}/review", r.id);
        let boss = &boss;
        async move {
            node.post(
                Some(boss),
                &path,
                json!({"status": "valid", "points": 10 + i as i64}),
            )
            .await
        }
    });
    for (status, body) in futures::future::join_all(decide).await {
        assert_eq!(status, 200, "{body}");
    }
    let balance = one.state.db.balance(rider_id).await.unwrap();
    assert_eq!(balance, (0..8).map(|i| 10 + i).sum::<i64>());
    for node in [&one, &two] {
        crate::util::eventually("the office document shows the ledger's balance", || async {
            node.read_doc(&office, model::office_doc::points)
                .await
                .is_some_and(|p| p.balance == balance)
        })
        .await;
    }
}

/// The turn to write a document (an office document's writes, `Db::write_turn`) is one
/// node's at a time; another document's is free meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_turn_to_write_a_document_is_one_nodes_at_a_time() {
    if !on_pg() {
        return;
    }
    let one = TestApp::start().await;
    let two = one.another_node().await;
    // Advisory locks are the whole database's: names of this test's own.
    let (x, y) = (
        format!("office-x-{}", one.state.db.node()),
        format!("office-y-{}", one.state.db.node()),
    );
    let held = one.state.db.write_turn(&x).await.unwrap();
    let db = two.state.db.clone();
    let waiting = tokio::spawn(async move { db.write_turn(&x).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "two nodes hold one document's turn");
    let other = tokio::time::timeout(Duration::from_secs(5), two.state.db.write_turn(&y))
        .await
        .expect("another document's turn is free")
        .unwrap();
    other.end().await;
    held.end().await;
    tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the turn passes on once given up")
        .unwrap()
        .end()
        .await;
}
