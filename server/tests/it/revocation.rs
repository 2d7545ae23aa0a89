//! Revocation reaching open connections: logout, disabling, a password change and an expired
//! session each close the account's open sync connections and live feeds within 5 s, and
//! refuse the tickets its sessions asked for before.

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;
use server::db::Role;
use tokio_tungstenite::tungstenite::Message;

use crate::util::{Session, SyncConn, TestApp};

/// The most a revocation may take to reach an open connection.
const WITHIN: Duration = Duration::from_secs(5);

/// What one account has open: a sync connection, a live feed (supervisors) and an unused
/// ticket, each from `session`.
struct Open {
    sync: SyncConn,
    feed: Option<reqwest::Response>,
    ticket: String,
}

async fn open_all(app: &TestApp, s: &Session, feed: bool) -> Open {
    let sync = SyncConn::connect(
        app,
        s,
        model::client::SyncClient::new(s.peer(&format!("dev{}", rand_suffix()))),
    )
    .await;
    let feed = if feed {
        let res = reqwest::Client::new()
            .get(app.url("/api/reports/feed"))
            .header("cookie", &s.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        Some(res)
    } else {
        None
    };
    let (status, body) = app.post(Some(s), "/api/sync-ticket", json!({})).await;
    assert_eq!(status, 200, "{body}");
    Open {
        sync,
        feed,
        ticket: body["ticket"].as_str().unwrap().to_owned(),
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
}

/// Waits for the sync connection to close; returns how long it took and the relay's reason.
async fn sync_closed(conn: &mut SyncConn) -> (Duration, Option<String>) {
    let start = Instant::now();
    let mut reason = None;
    let closed = tokio::time::timeout(WITHIN, async {
        while let Some(Ok(frame)) = conn.ws.next().await {
            match frame {
                Message::Binary(b) => {
                    for e in conn.client.receive(&b).unwrap_or_default() {
                        if let model::client::Effect::RelayError(m) = e {
                            reason = Some(m);
                        }
                    }
                }
                Message::Close(_) => return,
                _ => {}
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the sync connection is still open after {WITHIN:?}"
    );
    (start.elapsed(), reason)
}

/// Waits for the live feed's stream to end.
async fn feed_closed(feed: reqwest::Response) -> Duration {
    let start = Instant::now();
    let mut body = feed.bytes_stream();
    let ended = tokio::time::timeout(WITHIN, async {
        while let Some(Ok(_)) = body.next().await {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the live feed is still open after {WITHIN:?}"
    );
    start.elapsed()
}

async fn ticket_refused(app: &TestApp, ticket: &str) {
    let url = format!("ws://{}/sync?ticket={ticket}", app.addr);
    match tokio_tungstenite::connect_async(&url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), 401)
        }
        other => panic!(
            "a ticket of an ended session connected: {:?}",
            other.is_ok()
        ),
    }
}

/// Checks that everything `open` holds is closed or refused, and that another session of
/// the same account (`untouched`, if given) still works.
async fn all_closed(app: &TestApp, what: &str, mut open: Open, reason: &str) {
    let (took, said) = sync_closed(&mut open.sync).await;
    assert_eq!(said.as_deref(), Some(reason), "{what}");
    let mut took_feed = Duration::ZERO;
    if let Some(feed) = open.feed {
        took_feed = feed_closed(feed).await;
    }
    ticket_refused(app, &open.ticket).await;
    println!("{what}: sync closed in {took:?}, feed in {took_feed:?}");
}

#[tokio::test]
async fn logout_disabling_a_password_change_and_expiry_close_what_the_session_opened() {
    // The periodic session check is slow here, so the announcements must do the work.
    let app = TestApp::start_with(|c| c.account_check_every = Duration::from_secs(60)).await;

    // Logout (HTTP): the session's connection, feed and ticket end; another session of the
    // same account keeps its connection.
    let sup = app
        .add_account("sup-logout", Role::Supervisor, "youyang")
        .await;
    let other = app.login("sup-logout").await;
    let mut kept = SyncConn::connect(
        &app,
        &other,
        model::client::SyncClient::new(other.peer("kept")),
    )
    .await;
    let open = open_all(&app, &sup, true).await;
    assert_eq!(app.post(Some(&sup), "/api/logout", json!({})).await.0, 204);
    all_closed(&app, "logout", open, "session ended").await;
    assert_eq!(app.get(Some(&other), "/api/me").await.0, 200);
    let still = tokio::time::timeout(Duration::from_millis(500), kept.ws.next()).await;
    assert!(still.is_err(), "another session's connection stays open");

    // Logout of every session from the command line (which writes only to the database).
    let rider = app.add_account("13800000201", Role::Rider, "youyang").await;
    let open = open_all(&app, &rider, false).await;
    app.state
        .db
        .sessions_expire_user(user_id(&rider))
        .await
        .unwrap();
    all_closed(&app, "cli logout", open, "session ended").await;

    // Disabling (the command line).
    let sup = app
        .add_account("sup-disable", Role::Supervisor, "youyang")
        .await;
    let open = open_all(&app, &sup, true).await;
    assert!(
        app.state
            .db
            .user_set_disabled("sup-disable", true)
            .await
            .unwrap()
    );
    all_closed(&app, "disable", open, "account disabled").await;

    // A password change from another session: that one stays, the others end.
    let sup = app
        .add_account("sup-password", Role::Supervisor, "youyang")
        .await;
    let changer = app.login("sup-password").await;
    let open = open_all(&app, &sup, true).await;
    let (status, body) = app
        .post(
            Some(&changer),
            "/api/password",
            json!({ "current": server::seed::DEMO_PASSWORD, "new": "a-new-password" }),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    all_closed(&app, "password change", open, "session ended").await;
    assert_eq!(app.get(Some(&changer), "/api/me").await.0, 200);
    assert_eq!(app.get(Some(&sup), "/api/me").await.0, 401);
    assert!(
        app.try_login("sup-password", "a-new-password")
            .await
            .is_ok()
    );
    assert_eq!(
        app.try_login("sup-password", server::seed::DEMO_PASSWORD)
            .await
            .unwrap_err(),
        401
    );
}

#[tokio::test]
async fn an_expired_session_closes_its_connection_at_the_next_check() {
    let app = TestApp::start_with(|c| c.account_check_every = Duration::from_millis(300)).await;
    let sup = app
        .add_account("sup-expiry", Role::Supervisor, "youyang")
        .await;
    let open = open_all(&app, &sup, true).await;
    // Expiry writes no revocation: the session simply runs out.
    app.tamper(
        "UPDATE sessions SET expires_at = 1 WHERE user_id = (SELECT id FROM users WHERE login = $1)",
        "sup-expiry",
    )
    .await;
    all_closed(&app, "expiry", open, "session ended").await;
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_a_valid_new_one() {
    let app = TestApp::start().await;
    let s = app.add_account("13800000202", Role::Rider, "youyang").await;
    let (status, body) = app
        .post(
            Some(&s),
            "/api/password",
            json!({ "current": "not-it-at-all", "new": "a-new-password" }),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("wrong_password"))
    );
    let (status, body) = app
        .post(
            Some(&s),
            "/api/password",
            json!({ "current": server::seed::DEMO_PASSWORD, "new": "short" }),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("bad_password"))
    );
    assert_eq!(
        app.post(
            None,
            "/api/password",
            json!({"current": "x", "new": "yyyyyyyy"})
        )
        .await
        .0,
        401
    );
    // Nothing changed.
    assert!(
        app.try_login("13800000202", server::seed::DEMO_PASSWORD)
            .await
            .is_ok()
    );
}

fn user_id(s: &Session) -> i64 {
    s.me["user"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_busy_connection_is_closed_by_a_revocation_too() {
    use futures::SinkExt;
    let app = TestApp::start_with(|c| c.account_check_every = Duration::from_secs(60)).await;
    let rider = app.add_account("13800000203", Role::Rider, "youyang").await;
    let mut conn = SyncConn::rider(&app, &rider, "busy").await;
    // The account is disabled from elsewhere (the command line's path: read within a second)
    // while the client never stops talking, a ping every 20 ms.
    let db = app.state.db.clone();
    let disable = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(db.user_set_disabled("13800000203", true).await.unwrap());
        Instant::now()
    });
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if conn.ws.send(Message::Ping(vec![1].into())).await.is_err() {
                return Instant::now();
            }
            let heard = tokio::time::timeout(Duration::from_millis(20), conn.ws.next()).await;
            if let Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) = heard {
                return Instant::now();
            }
        }
    })
    .await
    .expect("a busy connection outlasted its revocation");
    let disabled = disable.await.unwrap();
    assert!(closed > disabled, "closed only after the revocation");
    let took = closed - disabled;
    println!("busy connection closed {took:?} after the account was disabled");
    assert!(took <= WITHIN, "{took:?}");
}
