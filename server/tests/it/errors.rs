//! One error shape for every error answer: those of extractors and of the router too.

use serde_json::{Value, json};

use crate::util::TestApp;

#[tokio::test]
async fn every_error_answer_has_the_one_json_shape() {
    let app = TestApp::start().await;
    let boss = app.login("grid-youyang").await;
    let client = reqwest::Client::new();
    // A path and a query that do not parse, a method the route has not, a route that is not.
    for (method, path, want) in [
        ("POST", "/api/reports/abc/x/review", (400, "bad_request")),
        ("GET", "/api/reports?limit=abc", (400, "bad_request")),
        ("DELETE", "/api/me", (405, "bad_request")),
        ("GET", "/api/nowhere", (404, "not_found")),
    ] {
        let res = client
            .request(method.parse().unwrap(), app.url(path))
            .header("cookie", &boss.cookie)
            .header("accept-language", "en")
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let json = res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json");
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(json, "{method} {path}: not JSON");
        assert_eq!(
            (status, body["error"].as_str().unwrap_or("")),
            want,
            "{method} {path}: {body}"
        );
        let message = body["message"].as_str().unwrap_or("");
        assert!(
            !message.is_empty() && message.is_ascii(),
            "{method} {path}: {body}"
        );
    }

    // A ticket asked for with a JSON content type and no body is refused, as documented.
    let res = client
        .post(app.url("/api/sync-ticket"))
        .header("cookie", &boss.cookie)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    // Without a content type, no body is fine.
    let res = client
        .post(app.url("/api/sync-ticket"))
        .header("cookie", &boss.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

/// One row of the table below: route template, method, path, body, status, and code (`None`:
/// any known code).
type Case<'a> = (
    &'a str,
    &'a str,
    String,
    Option<String>,
    u16,
    Option<&'a str>,
);

/// Every route of the API, as `lib.rs` declares it, answers a malformed path, query or body
/// with the documented JSON error: a 4xx status, `error` a known code, a message. The table
/// names each route's template, and the test fails when a route is missing from it.
#[tokio::test]
async fn every_route_answers_malformed_input_with_the_json_error() {
    let app = TestApp::start().await;
    let boss = app.login("grid-youyang").await;
    let client = reqwest::Client::new();
    let sha = "0".repeat(64);
    let big = format!("{{\"text\":\"{}\"}}", "x".repeat(300 * 1024));
    let huge_csv = "名称,纬度,经度\n".repeat(200 * 1024);
    // (route template, method, path, body, status, code); `None` as code: any known code.
    let table: Vec<Case> = vec![
        (
            "/login",
            "POST",
            "/api/login".into(),
            Some("{".into()),
            400,
            Some("bad_request"),
        ),
        // A form is an object: serde alone would read this array as login and password.
        (
            "/login",
            "POST",
            "/api/login".into(),
            Some(r#"["13800000001","nuanxin-demo"]"#.into()),
            400,
            Some("bad_request"),
        ),
        (
            "/login",
            "POST",
            "/api/login".into(),
            Some(r#"{"login":1}"#.into()),
            400,
            Some("bad_request"),
        ),
        (
            "/login",
            "POST",
            "/api/login".into(),
            Some(big.clone()),
            413,
            Some("body_too_large"),
        ),
        (
            "/password",
            "POST",
            "/api/password".into(),
            Some(r#"{"current":"x"}"#.into()),
            400,
            Some("bad_request"),
        ),
        (
            "/register",
            "POST",
            "/api/register".into(),
            Some("[]".into()),
            400,
            Some("bad_request"),
        ),
        ("/me", "GET", "/api/me?%zz".into(), None, 200, None),
        (
            "/openapi.json",
            "GET",
            "/api/openapi.json?%zz".into(),
            None,
            200,
            None,
        ),
        (
            "/sync-ticket",
            "POST",
            "/api/sync-ticket".into(),
            Some("[1,2]".into()),
            400,
            Some("bad_request"),
        ),
        (
            "/sync-ticket",
            "POST",
            "/api/sync-ticket".into(),
            Some("[]".into()),
            400,
            Some("bad_request"),
        ),
        // `null`, like no body: a peer id picked by the server.
        (
            "/sync-ticket",
            "POST",
            "/api/sync-ticket".into(),
            Some("null".into()),
            200,
            None,
        ),
        // A form with a field twice is not read.
        (
            "/login",
            "POST",
            "/api/login".into(),
            Some(r#"{"login":"a","login":"b","password":"p"}"#.into()),
            400,
            Some("bad_request"),
        ),
        (
            "/reports",
            "GET",
            "/api/reports?limit=abc".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/reports",
            "GET",
            "/api/reports?from=yesterday".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/reports",
            "GET",
            "/api/reports?cursor=..".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/reports",
            "GET",
            "/api/reports?near=north".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/reports",
            "GET",
            "/api/reports?status=lost".into(),
            None,
            400,
            Some("bad_status"),
        ),
        (
            "/reports/feed",
            "GET",
            "/api/reports/feed?limit=abc".into(),
            None,
            200,
            None,
        ),
        (
            "/reports.csv",
            "GET",
            "/api/reports.csv?to=soon".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/stats",
            "GET",
            "/api/stats?weeks=many".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/reports/{rider_id}/{id}/review",
            "POST",
            "/api/reports/abc/x/review".into(),
            Some("{}".into()),
            400,
            Some("bad_request"),
        ),
        (
            "/reports/{rider_id}/{id}/review",
            "POST",
            "/api/reports/1/x/review".into(),
            Some("{".into()),
            400,
            Some("bad_request"),
        ),
        (
            "/reports/{rider_id}/{id}/duplicates",
            "GET",
            "/api/reports/-x/y/duplicates".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/pickups",
            "POST",
            "/api/pickups".into(),
            Some(r#"{"code":[]}"#.into()),
            400,
            Some("bad_request"),
        ),
        ("/rewards", "GET", "/api/rewards?%".into(), None, 200, None),
        (
            "/rewards",
            "POST",
            "/api/rewards".into(),
            Some("null".into()),
            400,
            Some("bad_request"),
        ),
        (
            "/rewards/{id}",
            "PUT",
            "/api/rewards/1".into(),
            Some("{".into()),
            400,
            Some("bad_request"),
        ),
        (
            "/stations",
            "GET",
            "/api/stations?%".into(),
            None,
            200,
            None,
        ),
        (
            "/stations/{id}",
            "PUT",
            "/api/stations/x".into(),
            Some(r#"{"name":5}"#.into()),
            400,
            Some("bad_request"),
        ),
        (
            "/stations/{id}/poster.svg",
            "GET",
            "/api/stations/%FF/poster.svg".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/checkins",
            "GET",
            "/api/checkins?days=-1".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/coverage",
            "GET",
            "/api/coverage?speed=fast".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/wishes",
            "GET",
            "/api/wishes?status=lost".into(),
            None,
            400,
            Some("bad_request"),
        ),
        (
            "/wishes/{rider_id}/{id}",
            "POST",
            "/api/wishes/x/y".into(),
            Some("{}".into()),
            400,
            Some("bad_request"),
        ),
        (
            "/wishes/{rider_id}/{id}",
            "POST",
            "/api/wishes/1/y".into(),
            Some("{".into()),
            400,
            Some("bad_request"),
        ),
        (
            "/stations.csv",
            "GET",
            "/api/stations.csv?%".into(),
            None,
            200,
            None,
        ),
        (
            "/stations.csv",
            "POST",
            "/api/stations.csv".into(),
            Some(huge_csv),
            413,
            Some("body_too_large"),
        ),
        ("/alerts", "GET", "/api/alerts?%".into(), None, 200, None),
        (
            "/alerts",
            "POST",
            "/api/alerts".into(),
            Some(r#"{"kind":"heat","level":"high"}"#.into()),
            400,
            Some("bad_request"),
        ),
        (
            "/notices",
            "POST",
            "/api/notices".into(),
            Some(big),
            413,
            Some("body_too_large"),
        ),
        (
            "/settings",
            "GET",
            "/api/settings?%".into(),
            None,
            200,
            None,
        ),
        (
            "/settings",
            "PUT",
            "/api/settings".into(),
            Some(r#"{"reasons":"x"}"#.into()),
            400,
            Some("bad_request"),
        ),
        (
            "/photos/{sha256}",
            "GET",
            "/api/photos/zz".into(),
            None,
            400,
            Some("bad_name"),
        ),
        (
            "/photos/{sha256}",
            "PUT",
            format!("/api/photos/{sha}"),
            Some("not a photo at all, just words".into()),
            415,
            Some("unsupported_type"),
        ),
        (
            "/sync",
            "GET",
            "/sync?peer=u1.x".into(),
            None,
            400,
            Some("bad_request"),
        ),
        // Last: it ends the session.
        (
            "/logout",
            "POST",
            "/api/logout?x=%zz".into(),
            None,
            204,
            None,
        ),
    ];
    let known: Vec<&str> = model::api::ErrorCode::ALL
        .iter()
        .map(|c| c.code())
        .collect();
    for (_, method, path, body, status, code) in &table {
        let mut req = client
            .request(method.parse().unwrap(), app.url(path))
            .header("cookie", &boss.cookie)
            .header("origin", app.url(""));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.clone());
        }
        let res = req.send().await.unwrap();
        let got = res.status().as_u16();
        assert_eq!(got, *status, "{method} {path}");
        if got < 400 {
            continue;
        }
        let json = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let answer: Value = res.json().await.unwrap_or(Value::Null);
        assert!(json, "{method} {path}: not JSON: {answer}");
        let error = answer["error"].as_str().unwrap_or("");
        assert!(
            known.contains(&error),
            "{method} {path}: unknown code in {answer}"
        );
        if let Some(code) = code {
            assert_eq!(error, *code, "{method} {path}: {answer}");
        }
        assert!(
            !answer["message"].as_str().unwrap_or("").is_empty(),
            "{method} {path}: {answer}"
        );
    }
    // Every route is in the table.
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let declared: std::collections::BTreeSet<&str> = lib
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/') && !s.starts_with("/api") && *s != "/")
        // The operations endpoints take no input (tests/it/ops.rs).
        .filter(|s| !["/healthz", "/readyz", "/metrics"].contains(s))
        .collect();
    let tested: std::collections::BTreeSet<&str> = table.iter().map(|t| t.0).collect();
    assert_eq!(
        declared, tested,
        "every route of lib.rs has a row in the table"
    );
}

#[tokio::test]
async fn a_body_that_never_finishes_is_answered_timeout_in_json() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::start_with(|c| c.limits.request = std::time::Duration::from_secs(1)).await;
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(
        b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\nConnection: close\r\n\r\n{\"login\":",
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let mut answer = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        s.read_to_string(&mut answer),
    )
    .await
    .expect("answered")
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""error":"timeout""#), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

/// Free text with a control or direction-changing character, or nothing visible where text is
/// needed, is refused on every route that takes some, naming the field where one code covers
/// several.
#[tokio::test]
async fn free_text_with_control_or_bidi_characters_is_refused() {
    let app = TestApp::start().await;
    let boss = app.login("grid-youyang").await;
    let cases = [
        (
            "/api/notices",
            json!({"text": "高温\u{0}预警"}),
            "bad_notice",
            None,
        ),
        (
            "/api/notices",
            json!({"text": "\u{200b}\u{feff}"}),
            "bad_notice",
            None,
        ),
        (
            "/api/reports/1/x/review",
            json!({"status": "invalid", "note": "已\u{202e}处理"}),
            "bad_text",
            Some("note"),
        ),
        (
            "/api/alerts",
            json!({"kind": "heat", "level": 2, "text": "\u{2066}高温", "from": 1, "to": 2}),
            "bad_alert",
            Some("text"),
        ),
        (
            "/api/rewards",
            json!({"name": "矿泉水\u{7}", "price": 10, "active": true, "stock_change": 5}),
            "bad_reward_name",
            None,
        ),
    ];
    for (path, body, code, field) in cases {
        let (status, answer) = app.post(Some(&boss), path, body).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(code)),
            "{path}: {answer}"
        );
        if let Some(field) = field {
            assert_eq!(answer["detail"], field, "{path}");
        }
    }
    let (status, answer) = app
        .put(
            Some(&boss),
            "/api/stations/yy-test",
            json!({"name": "驿站\u{202d}", "lat": 28.84, "lon": 108.77}),
        )
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("bad_station_name"))
    );
}
