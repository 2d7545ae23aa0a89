//! The OpenAPI document: served as built, kept in `docs/openapi.json`, and true to the routes
//! and limits of the server. `.ci/contract` checks the live server against it (schemathesis).

use serde_json::Value;

use crate::util::TestApp;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");

/// `docs/openapi.json` is the document the server builds. After a change to the API, write it
/// again with `cargo run -p server -- openapi > docs/openapi.json`.
#[test]
fn the_committed_document_is_the_built_one() {
    let committed = std::fs::read_to_string(DOC).unwrap_or_default();
    assert!(
        committed == server::openapi::json(),
        "docs/openapi.json is out of date: cargo run -p server -- openapi > docs/openapi.json"
    );
}

#[tokio::test]
async fn the_document_is_served_to_anyone() {
    let app = TestApp::start().await;
    let (status, doc) = app.get(None, "/api/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let built: Value = serde_json::from_str(server::openapi::json()).unwrap();
    assert_eq!(doc, built);
}

/// Every route of `lib.rs` under `/api` is in the document with each of its methods, and the
/// document has no route the server does not serve.
#[test]
fn the_document_lists_every_route() {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let routes: std::collections::BTreeSet<String> = lib
        .split(".route(")
        .skip(1)
        .filter_map(|call| {
            let path = call.split('"').nth(1)?;
            // Only the API's routes: not `/sync` (a WebSocket, docs/protocol.md), the
            // document itself, nor the operations endpoints (docs/deploy.md).
            let api = path.starts_with('/')
                && !["/sync", "/openapi.json", "/healthz", "/readyz", "/metrics"].contains(&path);
            let end = call.find(".route(").unwrap_or(call.len());
            let methods: Vec<&str> = ["get(", "post(", "put(", "delete("]
                .into_iter()
                .filter(|m| call[..end].contains(m))
                .map(|m| m.trim_end_matches('('))
                .collect();
            api.then(|| {
                methods
                    .iter()
                    .map(|m| format!("{m} {path}"))
                    .collect::<Vec<_>>()
            })
        })
        .flatten()
        .collect();
    let doc: Value = serde_json::from_str(server::openapi::json()).unwrap();
    let documented: std::collections::BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{m} {path}"))
        })
        .collect();
    assert_eq!(routes, documented);
}

/// Figures the document states are the server's own.
#[test]
fn the_documented_limits_are_the_servers() {
    let doc: Value = serde_json::from_str(server::openapi::json()).unwrap();
    for path in ["/reports", "/wishes"] {
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
        assert_eq!(limit["schema"]["maximum"], model::api::MAX_PAGE, "{path}");
    }
    let codes: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let all: Vec<&str> = model::api::ErrorCode::ALL
        .iter()
        .map(|c| c.code())
        .collect();
    assert_eq!(codes, all);
}
