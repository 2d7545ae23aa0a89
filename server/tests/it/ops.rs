//! The operations endpoints: liveness, readiness and Prometheus metrics.

use std::collections::HashMap;

use crate::util::{SyncConn, TestApp, sync_conn_report as report};

/// The metrics' values by name.
async fn metrics(app: &TestApp) -> HashMap<String, f64> {
    let res = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    res.text()
        .await
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (name, value) = l.split_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

#[tokio::test]
async fn health_readiness_and_metrics_follow_what_the_server_does() {
    let app = TestApp::start().await;
    for (path, body) in [("/healthz", "ok\n"), ("/readyz", "ready\n")] {
        let res = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.text().await.unwrap(), body);
    }
    let before = metrics(&app).await;
    for name in [
        "nuanxin_connections",
        "nuanxin_sync_connections",
        "nuanxin_open_documents",
        "nuanxin_frames_received_total",
        "nuanxin_frames_sent_total",
        "nuanxin_sync_received_bytes_total",
        "nuanxin_sync_sent_bytes_total",
        "nuanxin_stored_chunks_total",
        "nuanxin_stored_bytes_total",
        "nuanxin_index_lag_documents",
        "nuanxin_photos_stored_total",
        "nuanxin_photo_bytes_total",
        "nuanxin_login_failures_total",
    ] {
        assert!(before.contains_key(name), "{name} missing: {before:?}");
    }

    // A wrong password, and a rider who syncs a report.
    assert_eq!(
        app.try_login("13800000001", "wrong-password").await.err(),
        Some(401)
    );
    let rider = app.login("13800000001").await;
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    phone.file(&rider.rider_doc(), &report("指标测试")).await;
    let during = metrics(&app).await;
    let grew = |name: &str| during[name] > before[name];
    for name in [
        "nuanxin_login_failures_total",
        "nuanxin_frames_received_total",
        "nuanxin_frames_sent_total",
        "nuanxin_sync_received_bytes_total",
        "nuanxin_stored_chunks_total",
    ] {
        assert!(grew(name), "{name}: {} then {}", before[name], during[name]);
    }
    assert!(during["nuanxin_sync_connections"] >= 1.0);
    assert!(during["nuanxin_open_documents"] >= 1.0);

    // Readiness follows the database.
    app.state.db.close().await;
    let res = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        200
    );
}
