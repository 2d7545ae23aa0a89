//! The built app as browsers get it: hashed assets cached for a year and sent precompressed
//! (the `.br` and `.gz` copies that the build writes with `app/precompress.sh`), the entry
//! points revalidated, and JSON answers compressed.

use std::{io::Read, path::Path, process::Command};

use crate::util::TestApp;

/// Writes a small build into `dist` and precompresses it with the build's own hook.
fn write_build(dist: &Path) -> Vec<u8> {
    std::fs::create_dir_all(dist).unwrap();
    // Compressible but not trivial, like a wasm module.
    let wasm: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 27) as u8)
        .collect();
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm"), &wasm).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>暖新</title>",
    )
    .unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    let hook = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/precompress.sh");
    let out = Command::new("bash")
        .arg(hook)
        .env("TRUNK_STAGING_DIR", dist)
        .output()
        .expect("run the precompress hook");
    assert!(out.status.success(), "{out:?}");
    assert!(
        dist.join("app-0123456789abcdef_bg.wasm.br").exists(),
        "no .br written: is the brotli command installed? {out:?}"
    );
    wasm
}

async fn fetch(app: &TestApp, path: &str, encoding: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(path))
        .header("accept-encoding", encoding)
        .send()
        .await
        .unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_precompressed_and_entry_points_revalidated() {
    let app = TestApp::start().await;
    let wasm = write_build(&app.state.config.dist_dir);
    let path = "/app-0123456789abcdef_bg.wasm";

    for (accept, want) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let res = fetch(&app, path, accept).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header(&res, "content-encoding"), want, "for {accept}");
        assert!(
            header(&res, "vary")
                .to_lowercase()
                .contains("accept-encoding")
        );
        assert_eq!(header(&res, "content-type"), "application/wasm");
        let body = res.bytes().await.unwrap();
        assert!(body.len() < wasm.len() / 2, "{want}: {} bytes", body.len());
        let mut plain = Vec::new();
        match want {
            "br" => {
                brotli_decompressor::Decompressor::new(&body[..], 4096)
                    .read_to_end(&mut plain)
                    .unwrap();
            }
            _ => {
                flate2::read::GzDecoder::new(&body[..])
                    .read_to_end(&mut plain)
                    .unwrap();
            }
        }
        assert!(plain == wasm, "{want} body does not decode to the asset");
    }
    // A client that accepts nothing compressed gets the plain bytes.
    let res = fetch(&app, path, "identity").await;
    assert_eq!(header(&res, "content-encoding"), "");
    assert!(res.bytes().await.unwrap() == wasm);

    for entry in ["/", "/index.html", "/sw.js", "/login"] {
        let res = fetch(&app, entry, "gzip").await;
        assert_eq!(res.status(), 200, "{entry}");
        assert_eq!(header(&res, "cache-control"), "no-cache", "{entry}");
    }
    // A missing asset is not cached for a year.
    let res = fetch(&app, "/app-fedcba9876543210.js", "gzip").await;
    assert_eq!(header(&res, "cache-control"), "no-cache");
}

#[tokio::test]
async fn the_console_is_its_own_build_under_console() {
    let app = TestApp::start().await;
    let dist = &app.state.config.dist_dir;
    write_build(dist);
    let console = dist.join("console");
    std::fs::create_dir_all(&console).unwrap();
    std::fs::write(console.join("index.html"), "<title>隐患处置台</title>").unwrap();
    std::fs::write(console.join("console-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();

    // With and without the slash (the server redirects to it), the console's own page.
    for path in ["/console/", "/console"] {
        let res = fetch(&app, path, "identity").await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "cache-control"), "no-cache", "{path}");
        assert!(res.text().await.unwrap().contains("隐患处置台"), "{path}");
    }
    let res = fetch(
        &app,
        "/console/console-0123456789abcdef_bg.wasm",
        "identity",
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    // Every other page is the rider app's.
    for path in ["/points", "/login", "/consoles"] {
        let res = fetch(&app, path, "identity").await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.text().await.unwrap().contains("暖新"), "{path}");
    }
}

#[tokio::test]
async fn json_answers_are_compressed() {
    let app = TestApp::start().await;
    let boss = app.login("grid-youyang").await;
    let res = reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("cookie", &boss.cookie)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-encoding"), "gzip");
    let body = res.bytes().await.unwrap();
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut plain)
        .unwrap();
    let me: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(me["user"]["login"], "grid-youyang");
}
