//! The relay, driven by the model's client core: persistence, idempotency, bad frames.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use model::client::{Effect, SyncClient};
use tokio_tungstenite::tungstenite::Message;

use crate::util::sync_conn_report as report;
use crate::util::{SyncConn, TestApp};

#[tokio::test]
async fn a_report_survives_a_relay_restart() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let r = report("消防通道被堵");
    phone.file(&doc, &r).await;
    drop(phone);

    let app = app.restart().await;
    let rider = app.login("13800000001").await;
    let desktop = SyncConn::rider(&app, &rider, "desktop").await;
    let reports = model::rider_doc::reports(desktop.client.doc(&doc).unwrap()).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].1.as_ref().unwrap().note, "消防通道被堵");

    let supervisor = app.login("grid-youyang").await;
    let rows = app
        .wait_for_reports(&supervisor, 10, |rows| rows.len() == 1)
        .await;
    assert_eq!(rows[0]["id"], r.id.as_str());
    assert_eq!(rows[0]["rider_name"], "张师傅");
}

#[tokio::test]
async fn a_resent_report_stays_one_report() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let r = report("路灯不亮");
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let mut desktop = SyncConn::rider(&app, &rider, "desktop").await;
    phone.file(&doc, &r).await;
    // The same report, sent again from another device under the same UUID.
    desktop
        .file(
            &doc,
            &model::Report {
                note: "路灯不亮（补充）".into(),
                ..r.clone()
            },
        )
        .await;
    phone.file(&doc, &r).await;

    let supervisor = app.login("grid-youyang").await;
    let rows = app
        .wait_for_reports(&supervisor, 10, |rows| !rows.is_empty())
        .await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let in_doc = model::rider_doc::reports(phone.client.doc(&doc).unwrap()).unwrap();
    assert_eq!(in_doc.len(), 1);
}

#[tokio::test]
async fn bad_frames_close_only_their_own_connection() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let mut good = SyncConn::rider(&app, &rider, "good").await;

    for bad in [vec![0xff, 0x00, 0x13], vec![0u8; 4 * 1024 * 1024 + 1]] {
        let mut client = SyncClient::new(rider.peer("bad"));
        client.add_doc(doc.clone(), automerge::Automerge::new(), None);
        let mut conn = SyncConn::connect(&app, &rider, client).await;
        conn.ws.send(Message::Binary(bad.into())).await.unwrap();
        let mut error = None;
        let mut closed = false;
        while let Some(Ok(frame)) = conn.ws.next().await {
            match frame {
                Message::Binary(b) => {
                    if let Ok(effects) = conn.client.receive(&b) {
                        for e in effects {
                            if let Effect::RelayError(m) = e {
                                error = Some(m);
                            }
                        }
                    }
                }
                Message::Close(_) => {
                    closed = true;
                    break;
                }
                _ => {}
            }
        }
        assert!(error.is_some(), "an error message before the close");
        assert!(closed, "the connection is closed");
    }

    // The other connection still syncs.
    good.file(&doc, &report("还能用")).await;
}

#[tokio::test]
async fn a_rider_cannot_read_another_riders_document() {
    let app = TestApp::start().await;
    let one = app.login("13800000001").await;
    let two = app.login("13800000002").await;
    let mut owner = SyncConn::rider(&app, &one, "phone").await;
    owner.file(&one.rider_doc(), &report("私密")).await;

    let mut client = SyncClient::new(two.peer("phone"));
    client.add_doc(one.rider_doc(), automerge::Automerge::new(), None);
    let mut thief = SyncConn::connect(&app, &two, client).await;
    let doc = one.rider_doc();
    thief
        .until(|c| c.status(&doc) == Some(model::client::DocStatus::Unavailable))
        .await;
    assert!(
        thief.client.doc(&doc).unwrap().get_heads().is_empty(),
        "no content leaked"
    );
}

#[tokio::test]
async fn an_idle_reconnect_exchanges_under_3_kb() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    for i in 0..20 {
        phone.file(&doc, &report(&format!("第{i}条"))).await;
    }
    phone.settle(std::time::Duration::from_millis(300)).await;
    let saved = phone.client.doc(&doc).unwrap().save();
    let state = phone.client.sync_state_bytes(&doc).unwrap();
    drop(phone);

    // The device comes back with its stored document and sync state, and nothing new.
    let mut client = SyncClient::new(rider.peer("phone"));
    client.add_doc(
        doc.clone(),
        automerge::Automerge::load(&saved).unwrap(),
        Some(&state),
    );
    let mut again = SyncConn::connect(&app, &rider, client).await;
    again.settle(std::time::Duration::from_millis(500)).await;
    let total = again.sent_bytes + again.received_bytes;
    println!(
        "idle reconnect (20 reports in sync): {} bytes sent, {} received, {total} in all",
        again.sent_bytes, again.received_bytes
    );
    assert!(total <= 3 * 1024, "{total} bytes");
}

/// The relay's document-store writes in bytes, once they settle (a compaction may still be
/// running after the relay has answered), so this waits until nothing more is written.
async fn settled_bytes(app: &TestApp, phone: &mut SyncConn) -> u64 {
    let stats = &app.state.store_stats;
    let mut last = (u64::MAX, 0);
    loop {
        phone.settle(Duration::from_millis(200)).await;
        let now = (stats.puts(), stats.bytes());
        if now == last {
            return now.1;
        }
        last = now;
    }
}

/// Bytes the relay writes to its document store for one more report.
async fn bytes_for_one_report(app: &TestApp, phone: &mut SyncConn, doc: &str, note: &str) -> u64 {
    let before = settled_bytes(app, phone).await;
    phone.file(doc, &report(note)).await;
    settled_bytes(app, phone).await - before
}

#[tokio::test]
async fn one_more_report_writes_as_little_to_a_document_of_5000_reports_as_to_an_empty_one() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let mut empty = Vec::new();
    for i in 0..3 {
        empty.push(bytes_for_one_report(&app, &mut phone, &doc, &format!("空文档第{i}条")).await);
    }

    // 5,000 reports in one change, as a phone that was offline for a long time might send.
    let (hash, effects) = phone
        .client
        .change(&doc, |d| {
            let mut last = None;
            for i in 0..5000 {
                last = model::rider_doc::put_report(d, &report(&format!("存量第{i}条")))?;
            }
            Ok(last)
        })
        .expect("change");
    phone.apply(effects).await;
    phone
        .until(|c| hash.is_some_and(|h| c.relay_has(&doc, &h)))
        .await;
    let mut full = Vec::new();
    for i in 0..3 {
        full.push(bytes_for_one_report(&app, &mut phone, &doc, &format!("大文档第{i}条")).await);
    }
    let size = phone.client.doc(&doc).unwrap().save().len();
    println!(
        "bytes written per report: empty document {empty:?}, document of 5,003 reports ({size} B saved) {full:?}"
    );
    let (e, f) = (empty.iter().max().unwrap(), full.iter().max().unwrap());
    assert!(*f <= 2 * e.max(&1), "{full:?} vs {empty:?}");
}

#[tokio::test]
async fn a_change_stored_but_not_yet_indexed_is_indexed_at_the_next_start_without_its_rider() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let r = report("井盖缺失");
    phone.file(&doc, &r).await;
    let supervisor = app.login("grid-youyang").await;
    app.wait_for_reports(&supervisor, 10, |rows| rows.len() == 1)
        .await;
    // Once indexed, the document is no longer marked.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.state.db.doc_unindexed_seq(&doc).await.unwrap() != 0 {
        assert!(tokio::time::Instant::now() < deadline, "the mark stays");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(phone);

    // The server dies after the store took the change and before the index did: the store's
    // mark is there, the index row is not.
    let pool = app.raw_pool().await;
    sqlx::query("DELETE FROM reports WHERE id = $1")
        .bind(&r.id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO docs_unindexed (doc_id, seq) VALUES ($1, 1)")
        .bind(&doc)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    // After the restart nobody connects, and the report is indexed all the same.
    let app = app.restart().await;
    let supervisor = app.login("grid-youyang").await;
    let rows = app
        .wait_for_reports(&supervisor, 10, |rows| rows.len() == 1)
        .await;
    assert_eq!(rows[0]["id"], r.id.as_str());
}
