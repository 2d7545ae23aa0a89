//! A county's own settings: its reasons and departments, the award of each category and the
//! duplicate share, used by decisions and copied to riders' phones; checked on the way in, and
//! kept apart per county.

use serde_json::{Value, json};

use crate::util::{SyncConn, TestApp, sync_conn_report as report};

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

#[tokio::test]
async fn a_countys_settings_set_its_awards_share_and_lists() {
    let app = TestApp::start().await;
    let boss = app.login("grid-youyang").await;

    // Never set: the defaults.
    let (status, defaults) = app.get(Some(&boss), "/api/settings").await;
    assert_eq!(status, 200, "{defaults}");
    assert_eq!(defaults["duplicate_share"], json!(30));
    assert_eq!(defaults["reasons"][0], json!("照片不清"));
    assert_eq!(defaults["departments"].as_array().unwrap().len(), 6);
    assert!(
        defaults["awards"]
            .as_array()
            .unwrap()
            .contains(&json!({"category": "fire_lane", "points": 20}))
    );

    // Set: trimmed on the way in, a category left out keeps its default.
    let mine = json!({
        "reasons": [" 照片模糊 ", "不在辖区"],
        "departments": ["消防"],
        "awards": [{"category": "fire_lane", "points": 50}],
        "duplicate_share": 50,
    });
    let (status, stored) = app.put(Some(&boss), "/api/settings", mine.clone()).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["reasons"], json!(["照片模糊", "不在辖区"]));
    let (_, read) = app.get(Some(&boss), "/api/settings").await;
    assert_eq!(read, stored);

    // Each rule refused with its code.
    let ten: Vec<String> = (0..10).map(|i| format!("原因{i}")).collect();
    for (body, code) in [
        (with(mine.clone(), "reasons", json!([])), "bad_reasons"),
        (with(mine.clone(), "reasons", json!(ten)), "bad_reasons"),
        (with(mine.clone(), "reasons", json!(["  "])), "bad_reasons"),
        (
            with(
                mine.clone(),
                "departments",
                json!(["二十一个字的部门名称二十一个字的部门名称多"]),
            ),
            "bad_departments",
        ),
        (
            with(mine.clone(), "duplicate_share", json!(101)),
            "bad_share",
        ),
        (
            with(
                mine.clone(),
                "awards",
                json!([{"category": "fire_lane", "points": 101}]),
            ),
            "bad_points",
        ),
        (
            with(
                mine.clone(),
                "awards",
                json!([{"category": "fire_lane", "points": 1}, {"category": "fire_lane", "points": 2}]),
            ),
            "bad_points",
        ),
        (
            with(
                mine.clone(),
                "awards",
                json!([{"category": "volcano", "points": 1}]),
            ),
            "bad_request",
        ),
    ] {
        let (status, answer) = app.put(Some(&boss), "/api/settings", body).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(code)),
            "{answer}"
        );
    }
    let (_, read) = app.get(Some(&boss), "/api/settings").await;
    assert_eq!(read, stored, "a refused change changes nothing");

    // Another county keeps its own (here the defaults).
    let other = app
        .add_account("grid-hanyin", server::db::Role::Supervisor, "hanyin")
        .await;
    let (_, theirs) = app.get(Some(&other), "/api/settings").await;
    assert_eq!(theirs, defaults);

    // Decisions follow the county's award and share: a fire lane earns 50, a confirmation
    // half of it.
    let rider = app.login("13800000001").await;
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let stations = rider.me["docs"]["stations"].as_str().unwrap().to_owned();
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let (first, second) = (report("消防通道一"), report("消防通道二"));
    phone.file(&doc, &first).await;
    phone.file(&doc, &second).await;
    app.wait_for_reports(&boss, 10, |rows| rows.len() == 2)
        .await;
    let review = |r: &model::Report| format!("/api/reports/{rider_id}/{}/review", r.id);
    let (status, _) = app
        .post(Some(&boss), &review(&first), json!({"status": "valid"}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post(
            Some(&boss),
            &review(&second),
            json!({"status": "duplicate", "duplicate_of": {"rider_id": rider_id, "id": first.id}}),
        )
        .await;
    assert_eq!(status, 200);
    let amounts: Vec<i64> = app
        .state
        .db
        .ledger(rider_id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.amount)
        .collect();
    assert_eq!(amounts, [50, 25]);

    // Riders' phones read the awards (for their pending points) from the stations document.
    let awards = app.read_doc(&stations, model::stations_doc::awards).await;
    assert!(awards.contains(&("fire_lane".to_owned(), 50)), "{awards:?}");
    assert!(awards.contains(&("garbage".to_owned(), 5)), "{awards:?}");
}
