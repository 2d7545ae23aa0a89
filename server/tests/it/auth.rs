//! Login, sessions, the sync upgrade's checks, and sync tickets.

use serde_json::json;

use crate::util::{TestApp, sync_conn_open as open};

#[tokio::test]
async fn login_me_and_logout() {
    let app = TestApp::start().await;
    assert_eq!(
        app.try_login("13800000001", "wrong").await.unwrap_err(),
        401
    );
    assert_eq!(
        app.try_login("nobody", "nuanxin-demo").await.unwrap_err(),
        401
    );
    let s = app.login("13800000001").await;
    let (status, me) = app.get(Some(&s), "/api/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["user"]["role"], "rider");
    assert!(me["docs"]["rider"].is_string());
    assert_eq!(app.get(None, "/api/me").await.0, 401);
    assert_eq!(app.post(Some(&s), "/api/logout", json!({})).await.0, 204);
    assert_eq!(app.get(Some(&s), "/api/me").await.0, 401);
}

#[tokio::test]
async fn riders_cannot_read_the_report_list() {
    let app = TestApp::start().await;
    let s = app.login("13800000001").await;
    assert_eq!(app.get(Some(&s), "/api/reports").await.0, 403);
    assert_eq!(app.get(None, "/api/reports").await.0, 401);
}

#[tokio::test]
async fn the_sync_upgrade_checks_session_origin_and_peer() {
    let app = TestApp::start().await;
    let s = app.login("13800000001").await;
    let origin = format!("http://{}", app.addr);
    assert!(open(&app, &s, &s.peer("phone"), &origin).await.is_ok());
    assert_eq!(
        open(&app, &s, &s.peer("phone"), "http://evil.example")
            .await
            .unwrap_err(),
        403
    );
    assert_eq!(
        open(&app, &s, "u999.phone", &origin).await.unwrap_err(),
        400
    );
    let mut expired = s.clone();
    expired.cookie = "nx_session=00".into();
    assert_eq!(
        open(&app, &expired, &s.peer("phone"), &origin)
            .await
            .unwrap_err(),
        401
    );
}

#[tokio::test]
async fn a_sync_ticket_works_once() {
    use tokio_tungstenite::connect_async;
    let app = TestApp::start().await;
    let s = app.login("13800000002").await;
    let (status, body) = app.post(Some(&s), "/api/sync-ticket", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["peer_id"].as_str().unwrap().starts_with("u2."));
    let url = format!(
        "ws://{}/sync?ticket={}",
        app.addr,
        body["ticket"].as_str().unwrap()
    );
    assert!(connect_async(&url).await.is_ok());
    assert!(connect_async(&url).await.is_err(), "a ticket is single-use");
    let (status, _) = app
        .post(
            Some(&s),
            "/api/sync-ticket",
            json!({ "peer_id": "u1.stolen" }),
        )
        .await;
    assert_eq!(status, 400);
}
