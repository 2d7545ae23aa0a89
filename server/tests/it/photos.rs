//! Photo uploads and reads: every refused upload answers a clear 4xx with a JSON body, stores
//! nothing, and is refused before the body is held whole.

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use serde_json::Value;

use crate::util::photo::{jpeg, sha256_hex as sha};
use crate::util::sync_conn_report as report;
use crate::util::{Session, SyncConn, TestApp};

/// A PNG signature and header declaring `w`×`h`, and some bytes after it.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0]);
    b.extend_from_slice(&[0u8; 4096]);
    b
}

async fn put(
    app: &TestApp,
    session: Option<&Session>,
    name: &str,
    body: reqwest::Body,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .put(app.url(&format!("/api/photos/{name}")))
        .header("content-type", "application/octet-stream")
        .body(body);
    if let Some(s) = session {
        req = req.header("cookie", &s.cookie);
    }
    match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            (status, res.json().await.unwrap_or(Value::Null))
        }
        // The server may answer and close before a streamed body is fully sent.
        Err(e) => panic!("upload: {e}"),
    }
}

async fn get(app: &TestApp, session: Option<&Session>, name: &str) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(app.url(&format!("/api/photos/{name}")));
    if let Some(s) = session {
        req = req.header("cookie", &s.cookie);
    }
    req.send().await.unwrap()
}

/// Nothing is in the photo store or the photo table.
async fn nothing_stored(app: &TestApp) {
    assert_eq!(app.state.photos.list().await.unwrap(), Vec::<String>::new());
    assert!(
        app.state
            .db
            .photo_hashes_in_reports()
            .await
            .unwrap()
            .is_empty()
    );
}

fn assert_refused(case: &str, got: (u16, Value), status: u16, code: &str) {
    assert_eq!(got.0, status, "{case}: {}", got.1);
    assert_eq!(got.1["error"], code, "{case}: {}", got.1);
    assert!(
        got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{case}: a message"
    );
}

#[tokio::test]
async fn bad_uploads_are_refused_clearly_and_store_nothing() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let r = Some(&rider);

    let text = b"this is not a photo, just some text that is long enough".to_vec();
    let got = put(&app, r, &sha(&text), text.into()).await;
    assert_refused("a non-image", got, 415, "unsupported_type");

    // 50 MB, declared up front: refused from the header alone.
    let big = vec![0xffu8; 50 * 1024 * 1024];
    let got = put(&app, r, &sha(&big), big.clone().into()).await;
    assert_refused("a declared 50 MB body", got, 413, "too_large");

    // 50 MB streamed without a length, starting as a valid JPEG: the server stops reading at
    // the cap, long before the end.
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let head = jpeg(64, 64);
    let chunks = (0..800).map(move |i| {
        let c = if i == 0 {
            head[..head.len() - 2].to_vec()
        } else {
            vec![0u8; 64 * 1024]
        };
        counter.fetch_add(c.len(), Ordering::SeqCst);
        Ok::<_, std::io::Error>(c)
    });
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let got = put(&app, r, &"a".repeat(64), body).await;
    assert_refused("a streamed 50 MB body", got, 413, "too_large");
    let read = sent.load(Ordering::SeqCst);
    assert!(
        read < 16 * 1024 * 1024,
        "the client got to send {read} bytes"
    );

    let photo = jpeg(640, 480);
    let wrong = "0".repeat(64);
    let got = put(&app, r, &wrong, photo.clone().into()).await;
    assert_refused("a hash mismatch", got, 422, "hash_mismatch");

    let cut = photo[..photo.len() - 200].to_vec();
    let got = put(&app, r, &sha(&cut), cut.into()).await;
    assert_refused("a truncated JPEG", got, 422, "truncated");

    let huge = png_header(30_000, 30_000);
    let got = put(&app, r, &sha(&huge), huge.into()).await;
    assert_refused("a 30000×30000 PNG", got, 422, "too_many_pixels");

    let got = put(&app, r, "not-a-hash", photo.clone().into()).await;
    assert_refused("a bad name", got, 400, "bad_name");

    let got = put(&app, None, &sha(&photo), photo.clone().into()).await;
    assert_refused("no session", got, 401, "unauthorized");

    // Riders upload their reports' photos and supervisors rewards' pictures; station staff
    // upload nothing.
    let counter = app.login("station-youyang").await;
    let got = put(&app, Some(&counter), &sha(&photo), photo.clone().into()).await;
    assert_refused("station staff uploading", got, 403, "forbidden");

    nothing_stored(&app).await;
    assert!(
        app.state
            .db
            .photo_get(&sha(&photo))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_photo_is_stored_once_and_read_only_by_its_rider_and_their_county() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let photo = jpeg(1600, 1200);
    let name = sha(&photo);

    let (status, body) = put(&app, Some(&rider), &name, photo.clone().into()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["created"], true);
    assert_eq!(
        (body["width"].as_i64(), body["height"].as_i64()),
        (Some(1600), Some(1200))
    );
    let stored_at = || async { app.state.photos.stored_at(&name).await.unwrap() };
    let written = stored_at().await.expect("stored");

    // Idempotent: the same upload again answers success and writes nothing (an S3 API dates
    // objects to the second).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, body) = put(&app, Some(&rider), &name, photo.clone().into()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], false);
    assert_eq!(stored_at().await, Some(written));
    assert_eq!(app.state.photos.list().await.unwrap(), vec![name.clone()]);

    // The rider and their county's supervisor read it; the bytes hash to the name.
    let supervisor = app.login("grid-youyang").await;
    for who in [&rider, &supervisor] {
        let res = get(&app, Some(who), &name).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        let cache = res.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(
            cache.contains("immutable") && cache.contains("private"),
            "{cache}"
        );
        assert_eq!(res.headers()["etag"], format!("\"{name}\"").as_str());
        assert_eq!(sha(&res.bytes().await.unwrap()), name);
    }
    let res = reqwest::Client::new()
        .get(app.url(&format!("/api/photos/{name}")))
        .header("cookie", &rider.cookie)
        .header("if-none-match", format!("\"{name}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    // Another rider, even of the same county, gets nothing; nor does no session.
    let other = app.login("13800000002").await;
    let res = get(&app, Some(&other), &name).await;
    assert_eq!(res.status(), 404);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("not_found") && !text.contains("JFIF"),
        "{text}"
    );
    assert_eq!(get(&app, None, &name).await.status(), 401);
}

#[tokio::test]
async fn the_cli_lists_and_deletes_photos_no_report_lists() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let listed = jpeg(320, 240);
    let orphan = jpeg(240, 320);
    for p in [&listed, &orphan] {
        let (status, body) = put(&app, Some(&rider), &sha(p), p.clone().into()).await;
        assert_eq!(status, 201, "{body}");
    }
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let r = model::Report {
        photos: vec![sha(&listed)],
        photo_taken_at: Some(server::db::now_ms() - 30 * 3_600_000),
        photo_lat: Some(28.84),
        photo_lon: Some(108.77),
        ..report("有照片的上报")
    };
    phone.file(&doc, &r).await;
    let supervisor = app.login("grid-youyang").await;
    let rows = app
        .wait_for_reports(&supervisor, 10, |rows| rows.len() == 1)
        .await;
    // The photo's EXIF, kept on the report, reaches the supervisor.
    assert_eq!(rows[0]["photo_taken_at"].as_i64(), r.photo_taken_at);
    assert_eq!(rows[0]["photo_lat"].as_f64(), Some(28.84));
    assert_eq!(rows[0]["photos"][0], sha(&listed).as_str());

    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_nuanxin"))
            .args(args)
            .env("NUANXIN_DATA", app.data_dir())
            .env("NUANXIN_DATABASE_URL", &app.state.config.database_url)
            .env(
                "NUANXIN_PHOTOS_URL",
                app.state.config.photos_url.as_deref().unwrap_or(""),
            )
            .env("NUANXIN_NO_DEMO", "1")
            .output()
            .expect("run nuanxin");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    // Fresh uploads are spared by default.
    assert_eq!(cli(&["photos", "orphans"]), (0, String::new()));
    let (code, out) = cli(&["photos", "orphans", "--min-age-hours", "0"]);
    assert_eq!((code, out.trim()), (0, sha(&orphan).as_str()));
    let (code, out) = cli(&["photos", "orphans", "--min-age-hours", "0", "--delete"]);
    assert_eq!((code, out.trim()), (0, sha(&orphan).as_str()));
    assert_eq!(app.state.photos.list().await.unwrap(), vec![sha(&listed)]);
    assert_eq!(get(&app, Some(&rider), &sha(&orphan)).await.status(), 404);

    // A damaged index row: its photo list does not read. The supervisor's list leaves the row
    // out (and still answers), and the orphan sweep refuses rather than take the row's photos
    // for orphans.
    app.tamper(
        "UPDATE reports SET photos = 'not json' WHERE id = $1",
        &r.id,
    )
    .await;
    let (status, body) = app.get(Some(&supervisor), "/api/reports").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["reports"], serde_json::json!([]));
    let (code, _) = cli(&["photos", "orphans", "--min-age-hours", "0", "--delete"]);
    assert_ne!(code, 0, "the sweep stops on a list it cannot read");
    assert_eq!(app.state.photos.list().await.unwrap(), vec![sha(&listed)]);
}
