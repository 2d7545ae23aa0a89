//! One error shape for every error answer: those of extractors and of the router too.

use serde_json::Value;

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
