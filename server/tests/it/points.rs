//! The points ledger: what a decision books, what a changed decision books, what is refused,
//! and the copy of the rider's points in the office document.

use serde_json::json;

use crate::util::{SyncConn, TestApp, sync_conn_report as report};

/// The office document's copy of the rider's points, if it has one.
async fn office_copy(app: &TestApp, office: &str) -> Option<model::office_doc::Points> {
    app.read_doc(office, model::office_doc::points).await
}

/// The notices in the office document: (status, points, note), oldest first.
async fn office_notices(app: &TestApp, office: &str) -> Vec<(String, i64, String)> {
    app.read_doc(office, model::office_doc::notices)
        .await
        .into_iter()
        .map(|(_, n)| {
            assert_eq!(n.kind, "review");
            (n.status, n.points, n.note)
        })
        .collect()
}

/// The rider's points as their office document carries them: (balance, [(kind, amount)]).
async fn office_points(app: &TestApp, office: &str) -> (i64, Vec<(String, i64)>) {
    let p = office_copy(app, office)
        .await
        .expect("the office document carries points");
    (
        p.balance,
        p.entries
            .into_iter()
            .map(|(_, e)| (e.kind, e.amount))
            .collect(),
    )
}

#[tokio::test]
async fn a_decision_books_its_award_once_and_a_change_books_the_difference() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let r = report("消防通道被电动车堵住");
    phone.file(&doc, &r).await;
    let supervisor = app.login("grid-youyang").await;
    app.wait_for_reports(&supervisor, 10, |rows| rows.len() == 1)
        .await;
    let path = format!("/api/reports/{rider_id}/{}/review", r.id);
    let decide = |body: serde_json::Value| {
        let (app, supervisor, path) = (&app, &supervisor, &path);
        async move { app.post(Some(supervisor), path, body).await }
    };

    // Valid: the category's default (a blocked fire lane: 20). Sent again: nothing more.
    let (status, row) = decide(json!({"status": "valid", "note": "已通知物业"})).await;
    assert_eq!((status, &row["status"]), (200, &json!("valid")), "{row}");
    assert_eq!(
        office_points(&app, &office).await,
        (20, vec![("award".into(), 20)])
    );
    decide(json!({"status": "valid", "note": "已通知物业"})).await;
    assert_eq!(
        office_points(&app, &office).await.0,
        20,
        "a replay books nothing"
    );

    // Adjusted within 24 h: the difference is booked; the first entry stands.
    let (status, _) = decide(json!({"status": "valid", "points": 35})).await;
    assert_eq!(status, 200);
    // Changed to invalid: the award is taken back by a compensating entry.
    let (status, _) = decide(json!({"status": "invalid", "note": "照片不清"})).await;
    assert_eq!(status, 200);
    let (balance, entries) = office_points(&app, &office).await;
    assert_eq!(balance, 0);
    assert_eq!(
        entries,
        vec![
            ("award".into(), 20),
            ("adjustment".into(), 15),
            ("adjustment".into(), -35),
        ]
    );
    let ledger = app.state.db.ledger(rider_id).await.unwrap();
    assert_eq!(ledger.iter().map(|e| e.amount).sum::<i64>(), 0);
    assert_eq!(ledger[2].reason, "照片不清");
    // The rider is told of each decision once (not of the replay), with what the report brings.
    assert_eq!(
        office_notices(&app, &office).await,
        vec![
            ("valid".into(), 20, "已通知物业".into()),
            ("valid".into(), 35, String::new()),
            ("invalid".into(), 0, "照片不清".into()),
        ]
    );

    // Over 100 points is refused, and so is a change after 24 h.
    let (status, body) = decide(json!({"status": "valid", "points": 101})).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("bad_points")),
        "{body}"
    );
    assert_eq!(body["limit"], 100);
    app.tamper(
        "UPDATE reports SET reviewed_at = reviewed_at - 86400001 WHERE id = $1",
        &r.id,
    )
    .await;
    let (status, body) = decide(json!({"status": "valid"})).await;
    assert_eq!(
        (status, &body["error"]),
        (409, &json!("decision_final")),
        "{body}"
    );
    assert_eq!(app.state.db.ledger(rider_id).await.unwrap().len(), 3);
}

#[tokio::test]
async fn decisions_without_an_award_book_nothing() {
    let app = TestApp::start().await;
    let rider = app.login("13800000002").await;
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let reports = [report("一"), report("二"), report("三")];
    for r in &reports {
        phone.file(&doc, r).await;
    }
    let supervisor = app.login("grid-youyang").await;
    app.wait_for_reports(&supervisor, 10, |rows| rows.len() == 3)
        .await;
    for (r, status) in reports.iter().zip(["forwarded", "duplicate", "resolved"]) {
        let path = format!("/api/reports/{rider_id}/{}/review", r.id);
        let (code, row) = app
            .post(
                Some(&supervisor),
                &path,
                json!({ "status": status, "points": 50 }),
            )
            .await;
        assert_eq!((code, &row["status"]), (200, &json!(status)), "{row}");
    }
    assert!(app.state.db.ledger(rider_id).await.unwrap().is_empty());
    let office = rider.me["docs"]["office"].as_str().unwrap();
    let told: Vec<_> = office_notices(&app, office)
        .await
        .into_iter()
        .map(|(status, points, _)| (status, points))
        .collect();
    assert_eq!(
        told,
        [("forwarded", 0), ("duplicate", 0), ("resolved", 0)].map(|(s, p)| (s.to_owned(), p))
    );
}

#[tokio::test]
async fn a_confirmation_of_a_valid_report_earns_a_share_and_the_console_finds_it() {
    let app = TestApp::start().await;
    let first = app.login("13800000001").await;
    let second = app.login("13800000002").await;
    let id_of = |s: &crate::util::Session| s.me["user"]["id"].as_i64().unwrap();
    let mut phone1 = SyncConn::rider(&app, &first, "p1").await;
    let mut phone2 = SyncConn::rider(&app, &second, "p2").await;
    let original = report("东门消防通道被堵");
    phone1.file(&first.rider_doc(), &original).await;
    // 100 m away, an hour later: the same blocked lane.
    let again = model::Report {
        lat: original.lat + 0.0009,
        created_at: original.created_at + 3_600_000,
        ..report("消防通道还是堵着")
    };
    // 1 km away: another place.
    let elsewhere = model::Report {
        lat: original.lat + 0.009,
        created_at: original.created_at + 3_600_000,
        ..report("另一处通道")
    };
    phone2.file(&second.rider_doc(), &again).await;
    phone2.file(&second.rider_doc(), &elsewhere).await;
    let supervisor = app.login("grid-youyang").await;
    app.wait_for_reports(&supervisor, 10, |rows| rows.len() == 3)
        .await;

    let (status, body) = app
        .get(
            Some(&supervisor),
            &format!("/api/reports/{}/{}/duplicates", id_of(&second), again.id),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let found: Vec<&str> = body["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        found,
        vec![original.id.as_str()],
        "only the near, earlier one"
    );

    let review = |rider: i64, id: &str, body: serde_json::Value| {
        let (app, supervisor) = (&app, &supervisor);
        let path = format!("/api/reports/{rider}/{id}/review");
        async move { app.post(Some(supervisor), &path, body).await }
    };
    let (status, _) = review(id_of(&first), &original.id, json!({"status": "valid"})).await;
    assert_eq!(status, 200);
    let link = json!({"rider_id": id_of(&first), "id": original.id});
    let (status, body) = review(
        id_of(&second),
        &again.id,
        json!({"status": "duplicate", "duplicate_of": link}),
    )
    .await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("duplicate")),
        "{body}"
    );
    // 30 % of the first award (20).
    let ledger = app.state.db.ledger(id_of(&second)).await.unwrap();
    assert_eq!(ledger.iter().map(|e| e.amount).collect::<Vec<_>>(), vec![6]);
    // A report cannot repeat itself, nor a report that does not exist.
    let (status, body) = review(
        id_of(&second),
        &elsewhere.id,
        json!({"status": "duplicate", "duplicate_of": {"rider_id": id_of(&second), "id": elsewhere.id}}),
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("bad_duplicate")),
        "{body}"
    );
    let (status, body) = review(
        id_of(&second),
        &elsewhere.id,
        json!({"status": "duplicate", "duplicate_of": {"rider_id": 999, "id": "x"}}),
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("bad_duplicate")),
        "{body}"
    );
}

#[tokio::test]
async fn after_a_stop_between_the_ledger_and_the_office_document_the_start_catches_up() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let r = report("停机前已审核");
    phone.file(&rider.rider_doc(), &r).await;
    let supervisor = app.login("grid-youyang").await;
    app.wait_for_reports(&supervisor, 10, |rows| rows.len() == 1)
        .await;
    drop(phone);
    // The ledger commits, and the server stops before the office document is written.
    let decision = server::db::Decision {
        rider_id,
        report_id: &r.id,
        status: model::api::ReviewStatus::Valid,
        note: "",
        by: supervisor.me["user"]["id"].as_i64().unwrap(),
        at: server::db::now_ms(),
        award: server::db::Award::Points(20),
    };
    app.state.db.decide(&decision).await.unwrap();
    assert_eq!(office_copy(&app, &office).await, None, "the copy is behind");

    let app = app.restart().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let copy = office_copy(&app, &office).await;
        if copy.as_ref().map(|p| p.balance) == Some(20) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never caught up: {copy:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The notice of the decision is caught up with the points.
    assert_eq!(
        office_notices(&app, &office).await,
        vec![("valid".into(), 20, String::new())]
    );
}

#[tokio::test]
async fn a_notice_reaches_every_rider_of_the_county_and_no_one_else() {
    let app = TestApp::start().await;
    let outsider = app
        .add_account("13900000001", server::db::Role::Rider, "hanyin")
        .await;
    let boss = app.login("grid-youyang").await;
    let text = "高温预警：今天午后请到驿站休息，多喝水。";
    let (status, body) = app
        .post(
            Some(&boss),
            "/api/notices",
            json!({"text": format!("  {text} ")}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["riders"], json!(2), "the two demo riders of youyang");

    // Each rider of the county reads it in their office document; the other county's rider
    // gets nothing.
    for login in ["13800000001", "13800000002"] {
        let rider = app.login(login).await;
        let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let notices = app.read_doc(&office, model::office_doc::notices).await;
            if let Some((_, n)) = notices.iter().find(|(_, n)| n.kind == "notice") {
                assert_eq!((n.note.as_str(), n.points), (text, 0));
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{login}: no notice");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    let office = outsider.me["docs"]["office"].as_str().unwrap().to_owned();
    let notices = app.read_doc(&office, model::office_doc::notices).await;
    assert!(notices.is_empty(), "{notices:?}");

    // Empty or too long: refused with its rule.
    for bad in ["   ".to_owned(), "长".repeat(201)] {
        let (status, body) = app
            .post(Some(&boss), "/api/notices", json!({"text": bad}))
            .await;
        assert_eq!((status, &body["error"]), (400, &json!("bad_notice")));
    }
}
