//! Limits on untrusted rider documents, and what a supervisor's decision fixes in place.

use std::time::Duration;

use futures::StreamExt;
use model::client::Effect;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::util::sync_conn_report as report;
use crate::util::{SyncConn, TestApp};

/// Text that compresses badly, `n` × 32 characters.
fn noise(n: usize) -> String {
    (0..n)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect()
}

/// Pushes one report of `note`; returns the relay's error if it refused and closed.
async fn push(conn: &mut SyncConn, doc: &str, note: String) -> Option<String> {
    let r = model::Report { note, ..report("") };
    let (hash, effects) = conn
        .client
        .change(doc, |d| model::rider_doc::put_report(d, &r))
        .unwrap();
    let hash = hash.expect("a change");
    for e in effects {
        if let Effect::Send(b) = e {
            futures::SinkExt::send(&mut conn.ws, Message::Binary(b.into()))
                .await
                .ok()?;
        }
    }
    let mut error = None;
    while !conn.client.relay_has(doc, &hash) {
        let frame = tokio::time::timeout(Duration::from_secs(10), conn.ws.next())
            .await
            .expect("an answer in time");
        match frame {
            Some(Ok(Message::Binary(b))) => {
                for e in conn.client.receive(&b).expect("a valid frame") {
                    match e {
                        Effect::RelayError(m) => error = Some(m),
                        Effect::Send(b) => {
                            let _ = futures::SinkExt::send(&mut conn.ws, Message::Binary(b.into()))
                                .await;
                        }
                        _ => {}
                    }
                }
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                return Some(error.unwrap_or_else(|| "closed without an error".into()));
            }
            Some(Ok(_)) => {}
        }
    }
    None
}

#[tokio::test]
async fn a_document_over_its_size_cap_closes_only_its_connection() {
    const CAP: usize = 96 * 1024;
    let app = TestApp::start_with(|c| c.max_doc_bytes = CAP).await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let other = app.login("13800000002").await;
    let mut bystander = SyncConn::rider(&app, &other, "phone").await;

    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let mut refused = None;
    for _ in 0..20 {
        // About 16 KB of changes per message.
        if let Some(e) = push(&mut phone, &doc, noise(500)).await {
            refused = Some(e);
            break;
        }
    }
    let refused = refused.expect("the relay refuses a document past its cap");
    assert!(refused.contains("over the limit"), "{refused}");
    let saved = app
        .state
        .relay
        .read(&doc, |d| d.save().len())
        .await
        .unwrap()
        .unwrap()
        .value;
    assert!(saved <= CAP, "saved {saved} bytes, cap {CAP}");
    assert!(saved > CAP / 2, "saved {saved} bytes, cap {CAP}");

    // The relay keeps serving others, and the rider can still read the document.
    let other_doc = other.rider_doc();
    bystander
        .file(&other_doc, &report("另一位骑手照常上报"))
        .await;
    let reader = SyncConn::rider(&app, &rider, "tablet").await;
    assert!(!reader.client.doc(&doc).unwrap().get_heads().is_empty());
}

#[tokio::test]
async fn reports_past_the_daily_limit_are_flagged_not_indexed() {
    let app = TestApp::start_with(|c| c.max_reports_per_day = 3).await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let supervisor = app.login("grid-youyang").await;
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    for i in 0..5 {
        phone.file(&doc, &report(&format!("今天第 {i} 条"))).await;
    }
    // Another day has its own allowance.
    let two_days_ago = model::Report {
        created_at: server::db::now_ms() - 2 * 86_400_000,
        ..report("前天的一条")
    };
    phone.file(&doc, &two_days_ago).await;

    app.wait_for_reports(&supervisor, 10, |rows| rows.len() == 4)
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.state.db.flagged_count(&doc).await.unwrap() != 2 {
        assert!(tokio::time::Instant::now() < deadline, "two flagged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, body) = app.get(Some(&supervisor), "/api/reports").await;
    assert_eq!(body["reports"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn the_daily_limit_follows_a_report_whose_date_is_edited() {
    let app = TestApp::start_with(|c| c.max_reports_per_day = 2).await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let supervisor = app.login("grid-youyang").await;
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let today = report("今天的一条");
    let earlier = model::Report {
        created_at: server::db::now_ms() - 2 * 86_400_000,
        ..report("前天的一条")
    };
    phone.file(&doc, &today).await;
    phone.file(&doc, &earlier).await;
    app.wait_for_reports(&supervisor, 10, |rows| rows.len() == 2)
        .await;
    // The earlier report is re-dated to today: today now holds two, the limit.
    let redated = model::Report {
        created_at: today.created_at + 1,
        ..earlier.clone()
    };
    phone.file(&doc, &redated).await;
    app.wait_for_reports(&supervisor, 10, |rows| {
        rows.iter()
            .any(|r| r["id"] == redated.id.as_str() && r["created_at"] == redated.created_at)
    })
    .await;
    phone.file(&doc, &report("今天的第三条")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.state.db.flagged_count(&doc).await.unwrap() != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the third of today flagged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, body) = app.get(Some(&supervisor), "/api/reports").await;
    assert_eq!(body["reports"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_reviewed_report_keeps_its_reviewed_content_and_the_rider_sees_the_decision() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
    let supervisor = app.login("grid-youyang").await;
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let r = report("消防通道被三轮车堵住");
    phone.file(&doc, &r).await;
    app.wait_for_reports(&supervisor, 10, |rows| rows.len() == 1)
        .await;

    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let path = format!("/api/reports/{rider_id}/{}/review", r.id);
    let (status, body) = app
        .post(
            Some(&supervisor),
            &path,
            json!({"status": "valid", "note": "已通知物业清理"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "valid");
    let (status, body) = app
        .post(Some(&supervisor), &path, json!({"status": "maybe"}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "bad_request", "{body}");
    assert!(body["detail"].as_str().unwrap().contains("maybe"), "{body}");
    let (status, body) = app
        .post(Some(&supervisor), &path, json!({"status": "new"}))
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("bad_status")),
        "{body}"
    );
    let (status, body) = app
        .post(
            Some(&supervisor),
            &path,
            json!({"status": "invalid", "note": "长".repeat(201)}),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("note_too_long")),
        "{body}"
    );
    assert_eq!(body["limit"], 200);

    // The rider edits the report after the decision: the index keeps the reviewed version.
    phone
        .file(
            &doc,
            &model::Report {
                note: "改过的内容".into(),
                ..r.clone()
            },
        )
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.state.db.flagged_count(&doc).await.unwrap() != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the edit is flagged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = app.state.db.report_get(rider_id, &r.id).await.unwrap();
    assert_eq!(row.unwrap().note, "消防通道被三轮车堵住");

    // The decision reaches the rider through their read-only office document.
    let mut client = model::client::SyncClient::new(rider.peer("office"));
    client.add_doc(office.clone(), automerge::Automerge::new(), None);
    let mut conn = SyncConn::connect(&app, &rider, client).await;
    conn.until(|c| {
        c.doc(&office)
            .and_then(|d| model::office_doc::review(d, &r.id).ok().flatten())
            .is_some()
    })
    .await;
    let review = model::office_doc::review(conn.client.doc(&office).unwrap(), &r.id)
        .unwrap()
        .unwrap();
    assert_eq!(review.status, "valid");
    assert_eq!(review.note, "已通知物业清理");
}
