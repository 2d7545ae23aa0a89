//! The authorization matrix: every principal against every document kind (own and other, own
//! and other county, read and write) and against every JSON route. The expected outcome is
//! written here from the product's rules, independently of the server's share table; each
//! refused case also checks that nothing of the document or the reports leaked.

use std::time::Duration;

use automerge::{ROOT, ReadDoc, transaction::Transactable};
use model::client::{DocStatus, SyncClient};
use serde_json::{Value, json};
use server::db::{Role, now_ms};

use crate::util::photo::sha256_hex;
use crate::util::sync_conn_open as open;
use crate::util::sync_conn_report as report;
use crate::util::{Session, SyncConn, TestApp};

/// Who is asking.
struct Principal {
    name: &'static str,
    /// The user id and county, for a principal that holds a live session.
    who: Option<(i64, &'static str)>,
    role: Option<Role>,
    session: Option<Session>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rider,
    Office,
    Stations,
}

/// A document under test.
struct DocRef {
    label: String,
    id: String,
    kind: Kind,
    /// The owner (rider and office documents).
    owner: Option<i64>,
    county: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    None,
    Read,
    ReadWrite,
}

/// The product's rule: rider doc read-write for its owner, office doc read-only for its owner,
/// stations doc read-only within its county, nothing else.
fn expected(p: &Principal, d: &DocRef) -> Access {
    let Some((id, county)) = p.who else {
        return Access::None;
    };
    match d.kind {
        Kind::Rider if d.owner == Some(id) => Access::ReadWrite,
        Kind::Office if d.owner == Some(id) => Access::Read,
        Kind::Stations if d.county == county => Access::Read,
        _ => Access::None,
    }
}

/// A fresh server with two counties: youyang (two riders, a supervisor, an admin, a rider to be
/// disabled) and hanyin (a rider, a supervisor), and one report from a rider of each county.
struct World {
    app: TestApp,
    principals: Vec<Principal>,
    docs: Vec<DocRef>,
    /// (rider id, report id, secret note) of each county's report.
    youyang_report: (i64, String, String),
    hanyin_report: (i64, String, String),
    /// The SHA-256 of a photo uploaded by a rider of each county.
    youyang_photo: String,
    hanyin_photo: String,
}

/// A small real JPEG, different for each `seed`.
fn jpeg(seed: u32) -> Vec<u8> {
    crate::util::photo::jpeg(48 + seed, 32)
}

fn user_id(s: &Session) -> i64 {
    s.me["user"]["id"].as_i64().expect("user id")
}

fn doc_id(s: &Session, kind: &str) -> String {
    s.me["docs"][kind].as_str().expect(kind).to_owned()
}

impl World {
    async fn build() -> World {
        let app = TestApp::start().await;
        app.add_account("13900000001", Role::Rider, "hanyin").await;
        app.add_account("grid-hanyin", Role::Supervisor, "hanyin")
            .await;
        app.add_account("admin", Role::Admin, "youyang").await;
        app.add_account("13800000009", Role::Rider, "youyang").await;

        let rider_y = app.login("13800000001").await;
        let rider_y2 = app.login("13800000002").await;
        let rider_h = app.login("13900000001").await;
        let sup_y = app.login("grid-youyang").await;
        let sup_h = app.login("grid-hanyin").await;
        let admin = app.login("admin").await;
        let station = app.login("station-youyang").await;
        let to_disable = app.login("13800000009").await;

        // One report in each county, with a note that must never leak across counties.
        let mut filed = Vec::new();
        for (s, note) in [(&rider_y, "YY-SECRET-酉阳"), (&rider_h, "HY-SECRET-汉阴")] {
            let doc = s.rider_doc();
            let mut phone = SyncConn::rider(&app, s, "phone").await;
            let r = report(note);
            phone.file(&doc, &r).await;
            filed.push((user_id(s), r.id.clone(), note.to_owned()));
        }
        app.wait_for_reports(&sup_y, 10, |rows| rows.len() == 1)
            .await;
        app.wait_for_reports(&sup_h, 10, |rows| rows.len() == 1)
            .await;

        let disabled_id = user_id(&to_disable);
        assert!(
            app.state
                .db
                .user_set_disabled("13800000009", true)
                .await
                .unwrap()
        );
        // An expired session of a rider in good standing.
        let token = server::auth::new_token();
        app.state
            .db
            .session_insert(
                &server::auth::token_hash(&token),
                user_id(&rider_y),
                now_ms() - 1,
            )
            .await
            .unwrap();
        let expired = Session {
            cookie: format!("{}={token}", server::auth::COOKIE),
            me: rider_y.me.clone(),
        };
        let no_session = Session {
            cookie: String::new(),
            me: rider_y.me.clone(),
        };

        let mut docs = Vec::new();
        for (label, s, county) in [
            ("张师傅", &rider_y, "youyang"),
            ("汉阴骑手", &rider_h, "hanyin"),
        ] {
            let owner = Some(user_id(s));
            docs.push(DocRef {
                label: format!("rider doc of {label}"),
                id: doc_id(s, "rider"),
                kind: Kind::Rider,
                owner,
                county,
            });
            docs.push(DocRef {
                label: format!("office doc of {label}"),
                id: doc_id(s, "office"),
                kind: Kind::Office,
                owner,
                county,
            });
            docs.push(DocRef {
                label: format!("stations doc of {county}"),
                id: doc_id(s, "stations"),
                kind: Kind::Stations,
                owner: None,
                county,
            });
        }

        let live = |name, s: &Session, county, role| Principal {
            name,
            who: Some((user_id(s), county)),
            role: Some(role),
            session: Some(s.clone()),
        };
        let dead = |name, s: Session| Principal {
            name,
            who: None,
            role: None,
            session: Some(s),
        };
        let principals = vec![
            live("rider 张 (youyang)", &rider_y, "youyang", Role::Rider),
            live("rider 李 (youyang)", &rider_y2, "youyang", Role::Rider),
            live("rider (hanyin)", &rider_h, "hanyin", Role::Rider),
            live("supervisor youyang", &sup_y, "youyang", Role::Supervisor),
            live("supervisor hanyin", &sup_h, "hanyin", Role::Supervisor),
            live("admin", &admin, "youyang", Role::Admin),
            live("station staff youyang", &station, "youyang", Role::Station),
            Principal {
                name: "disabled rider",
                who: None,
                role: None,
                session: Some(Session {
                    me: json!({"user": {"id": disabled_id}, "peer_prefix": format!("u{disabled_id}.")}),
                    ..to_disable
                }),
            },
            dead("expired session", expired),
            dead("no session", no_session),
        ];
        let (youyang_report, hanyin_report) = (filed[0].clone(), filed[1].clone());
        let youyang_photo = app.upload_photo(&rider_y, jpeg(1000)).await;
        let hanyin_photo = app.upload_photo(&rider_h, jpeg(2000)).await;
        World {
            app,
            principals,
            docs,
            youyang_report,
            hanyin_report,
            youyang_photo,
            hanyin_photo,
        }
    }

    /// Whether the relay's copy of `doc` carries the key `intruder`.
    async fn server_doc_has_intruder(&self, doc: &str) -> bool {
        self.app
            .state
            .relay
            .read(doc, |d| d.get(ROOT, "intruder").unwrap().is_some())
            .await
            .unwrap()
            .expect("the document exists on the relay")
            .value
    }

    /// The secret notes of both counties' reports.
    fn secrets(&self) -> [&str; 2] {
        [&self.youyang_report.2, &self.hanyin_report.2]
    }
}

/// Tries to read `d` as `p` and then to write to it, and checks the outcome against the rule.
async fn check_doc(w: &World, p: &Principal, d: &DocRef) {
    let case = format!("{} → {}", p.name, d.label);
    let session = p.session.as_ref().expect("a session");
    let peer = format!("{}matrix", session.me["peer_prefix"].as_str().unwrap());
    let want = expected(p, d);
    if p.who.is_none() {
        let origin = format!("http://{}", w.app.addr);
        let refused = open(&w.app, session, &peer, &origin).await.err();
        assert_eq!(refused, Some(401), "{case}: the upgrade must be refused");
        return;
    }

    // Read: ask for the document as a client that has nothing of it.
    let mut client = SyncClient::new(peer.clone());
    client.add_doc(d.id.clone(), automerge::Automerge::new(), None);
    let mut conn = SyncConn::connect(&w.app, session, client).await;
    conn.until(|c| {
        matches!(
            c.status(&d.id),
            Some(DocStatus::Unavailable) | Some(DocStatus::Synced)
        ) && (c.status(&d.id) == Some(DocStatus::Unavailable)
            || !c.doc(&d.id).unwrap().get_heads().is_empty())
    })
    .await;
    let got = conn.client.doc(&d.id).unwrap();
    if want == Access::None {
        assert_eq!(
            conn.client.status(&d.id),
            Some(DocStatus::Unavailable),
            "{case}: must be refused"
        );
        assert!(got.get_heads().is_empty(), "{case}: content leaked");
    } else {
        let kind = model::lenient::string(got, &ROOT, "kind".into()).unwrap();
        let want_kind = match d.kind {
            Kind::Rider => "rider",
            Kind::Office => "office",
            Kind::Stations => "stations",
        };
        assert_eq!(kind, want_kind, "{case}: wrong document");
    }

    // Write: change the document (a refused peer forges one under the same id) and push it.
    let effects = if want == Access::None {
        let mut forged = automerge::Automerge::new();
        let mut tx = forged.transaction();
        tx.put(ROOT, "intruder", p.name).unwrap();
        let _ = tx.commit();
        drop(conn);
        let mut client = SyncClient::new(peer);
        client.add_doc(d.id.clone(), forged, None);
        conn = SyncConn::connect(&w.app, session, client).await;
        Vec::new()
    } else {
        let (_, effects) = conn
            .client
            .change(&d.id, |doc| {
                let mut tx = doc.transaction();
                tx.put(ROOT, "intruder", p.name)?;
                let _ = tx.commit();
                Ok::<_, model::ModelError>(())
            })
            .unwrap();
        effects
    };
    conn.apply(effects).await;
    conn.settle(Duration::from_millis(300)).await;
    let applied = w.server_doc_has_intruder(&d.id).await;
    assert_eq!(applied, want == Access::ReadWrite, "{case}: write applied?");
    if want == Access::Read {
        assert!(
            conn.client.relay_read_only(&d.id),
            "{case}: the client must learn the document is read-only"
        );
    }
    if applied {
        // Undo, so the next principal starts from a clean document.
        let (_, effects) = conn
            .client
            .change(&d.id, |doc| {
                let mut tx = doc.transaction();
                tx.delete(ROOT, "intruder")?;
                let _ = tx.commit();
                Ok::<_, model::ModelError>(())
            })
            .unwrap();
        conn.apply(effects).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while w.server_doc_has_intruder(&d.id).await {
            assert!(tokio::time::Instant::now() < deadline, "{case}: undo");
            conn.settle(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn every_principal_against_every_document() {
    let w = World::build().await;
    let mut cases = 0;
    for p in &w.principals {
        for d in &w.docs {
            check_doc(&w, p, d).await;
            cases += 1;
        }
    }
    assert_eq!(cases, 10 * 6);
}

/// One request of the JSON API.
async fn call(w: &World, p: &Principal, method: &str, path: &str, body: Value) -> (u16, String) {
    let client = reqwest::Client::new();
    let mut req = match method {
        "GET" => client.get(w.app.url(path)),
        "PUT" if body.is_object() => client.put(w.app.url(path)).json(&body),
        // A PUT carries the photo whose name ends the path, as bytes.
        "PUT" => client.put(w.app.url(path)).body(
            body.as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_u64().unwrap() as u8)
                .collect::<Vec<u8>>(),
        ),
        _ => client.post(w.app.url(path)).json(&body),
    };
    if let Some(s) = &p.session
        && !s.cookie.is_empty()
    {
        req = req.header("cookie", &s.cookie);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    if path.ends_with("/feed") && status == 200 {
        // An event stream never ends; its status is the answer.
        return (status, String::new());
    }
    let bytes = res.bytes().await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// What a route must answer to a principal.
#[derive(Debug, PartialEq)]
enum Want {
    Ok,
    Status(u16),
}

#[tokio::test]
async fn every_principal_against_every_json_route() {
    let w = World::build().await;
    let (y_rider, y_id, y_note) = w.youyang_report.clone();
    let (h_rider, h_id, h_note) = w.hanyin_report.clone();
    let review_y = format!("/api/reports/{y_rider}/{y_id}/review");
    let review_h = format!("/api/reports/{h_rider}/{h_id}/review");
    let dup_y = format!("/api/reports/{y_rider}/{y_id}/duplicates");
    let dup_h = format!("/api/reports/{h_rider}/{h_id}/duplicates");
    let photo_y = format!("/api/photos/{}", w.youyang_photo);
    let photo_h = format!("/api/photos/{}", w.hanyin_photo);
    let wish_step = format!("/api/wishes/{y_rider}/no-such-wish");
    let reward_y = format!(
        "/api/rewards/{}",
        w.app.state.db.rewards("youyang").await.unwrap()[0].id
    );
    let routes: Vec<(&str, &str, Value)> = vec![
        ("GET", &photo_y, Value::Null),
        ("GET", &photo_h, Value::Null),
        ("PUT", "/api/photos/", Value::Null),
        ("GET", "/api/me", Value::Null),
        ("POST", "/api/sync-ticket", json!({})),
        ("GET", "/api/reports", Value::Null),
        ("GET", "/api/reports/feed", Value::Null),
        ("POST", &review_y, json!({"status": "valid"})),
        ("POST", &review_h, json!({"status": "invalid"})),
        ("GET", &dup_y, Value::Null),
        ("GET", &dup_h, Value::Null),
        // No reward waits under this code anywhere: staff learn that, nobody else may ask.
        ("POST", "/api/pickups", json!({"code": "000000"})),
        ("GET", "/api/reports.csv", Value::Null),
        ("GET", "/api/stats", Value::Null),
        ("GET", "/api/rewards", Value::Null),
        (
            "POST",
            "/api/rewards",
            json!({"name": "测试奖品", "price": 5, "active": true, "stock_change": 1}),
        ),
        (
            "PUT",
            &reward_y,
            json!({"name": "社区食堂餐券", "price": 10, "active": true, "stock_change": 0}),
        ),
        ("GET", "/api/settings", Value::Null),
        ("GET", "/api/stations", Value::Null),
        ("GET", "/api/alerts", Value::Null),
        ("GET", "/api/stations.csv", Value::Null),
        ("GET", "/api/wishes", Value::Null),
        ("GET", "/api/checkins", Value::Null),
        ("GET", "/api/coverage", Value::Null),
        ("GET", "/api/stations/yy-bus/poster.svg", Value::Null),
        ("POST", &wish_step, json!({"action": "approve"})),
        (
            "POST",
            "/api/alerts",
            json!({"kind": "cold", "level": 1, "text": "低温：矩阵测试", "from": 1_785_000_000_000_i64, "to": 1_785_003_600_000_i64}),
        ),
        (
            "PUT",
            "/api/stations/yy-matrix",
            json!({"name": "矩阵驿站", "lat": 28.84, "lon": 108.77, "facilities": ["water"]}),
        ),
        ("POST", "/api/notices", json!({"text": "通知：矩阵测试"})),
        (
            "PUT",
            "/api/settings",
            serde_json::to_value(model::api::CountySettings::default()).unwrap(),
        ),
    ];
    // A WebSocket upgrade from a foreign origin is refused even with a valid session.
    let p = &w.principals[0];
    let s = p.session.as_ref().unwrap();
    let refused = open(&w.app, s, &s.peer("evil"), "http://evil.example")
        .await
        .err();
    assert_eq!(refused, Some(403));

    let mut cases = 0;
    for (i, p) in w.principals.iter().enumerate() {
        for (method, path, body) in &routes {
            // Each principal uploads a photo of its own.
            let photo_put = *method == "PUT" && !body.is_object();
            let (path, body) = if photo_put {
                let bytes = jpeg(i as u32);
                let path = format!("{path}{}", sha256_hex(&bytes));
                (path, json!(bytes))
            } else {
                (path.to_string(), body.clone())
            };
            let path = path.as_str();
            let want = match (p.who, p.role) {
                (None, _) | (_, None) => Want::Status(401),
                (Some((id, county)), Some(role)) => match path {
                    "/api/me" | "/api/sync-ticket" => Want::Ok,
                    p2 if p2 == photo_y || p2 == photo_h => {
                        let (owner_county, owner) = if p2 == photo_y {
                            ("youyang", y_rider)
                        } else {
                            ("hanyin", h_rider)
                        };
                        let may = id == owner
                            || role == Role::Admin
                            || (role == Role::Supervisor && county == owner_county);
                        if may { Want::Ok } else { Want::Status(404) }
                    }
                    "/api/pickups" if role == Role::Rider => Want::Status(403),
                    "/api/pickups" => Want::Status(404),
                    // Riders upload their reports' photos, supervisors rewards' pictures.
                    _ if photo_put && (role == Role::Rider || role.supervises()) => Want::Ok,
                    _ if photo_put => Want::Status(403),
                    _ if !role.supervises() => Want::Status(403),
                    // Each county keeps its own catalogue; the admin's is youyang's.
                    p2 if p2 == reward_y => {
                        if county == "youyang" {
                            Want::Ok
                        } else {
                            Want::Status(404)
                        }
                    }
                    // No such wish in any county.
                    p2 if p2 == wish_step => Want::Status(404),
                    // Each county prints its own stations' posters.
                    "/api/stations/yy-bus/poster.svg" => {
                        if county == "youyang" {
                            Want::Ok
                        } else {
                            Want::Status(404)
                        }
                    }
                    // Each county keeps its own stations: these coordinates lie in youyang.
                    "/api/stations/yy-matrix" => {
                        if county == "youyang" {
                            Want::Ok
                        } else {
                            Want::Status(400)
                        }
                    }
                    _ if role == Role::Admin => Want::Ok,
                    "/api/reports" | "/api/reports/feed" | "/api/reports.csv" | "/api/stats"
                    | "/api/rewards" | "/api/settings" | "/api/stations" | "/api/notices"
                    | "/api/alerts" | "/api/stations.csv" | "/api/wishes" | "/api/checkins"
                    | "/api/coverage" => Want::Ok,
                    p2 if p2 == review_y.as_str() || p2 == dup_y.as_str() => {
                        if p.who.unwrap().1 == "youyang" {
                            Want::Ok
                        } else {
                            Want::Status(404)
                        }
                    }
                    _ => {
                        if p.who.unwrap().1 == "hanyin" {
                            Want::Ok
                        } else {
                            Want::Status(404)
                        }
                    }
                },
            };
            let case = format!("{} {method} {path}", p.name);
            let (status, text) = call(&w, p, method, path, body).await;
            match want {
                Want::Ok => assert!((200..300).contains(&status), "{case}: {status} {text}"),
                Want::Status(s) => {
                    assert_eq!(status, s, "{case}: {text}");
                    // A refusal is a JSON error and nothing else: no report, no photo bytes.
                    let err: Value = serde_json::from_str(&text).expect("a JSON error body");
                    assert!(err["error"].is_string(), "{case}: {text}");
                    for secret in w.secrets() {
                        assert!(!text.contains(secret), "{case}: leaked {secret}");
                    }
                }
            }
            // A supervisor's list holds their own county's reports only.
            if (path == "/api/reports" || path == "/api/reports.csv")
                && (200..300).contains(&status)
            {
                let county = p.who.unwrap().1;
                let own = if county == "youyang" {
                    &y_note
                } else {
                    &h_note
                };
                assert!(text.contains(own.as_str()), "{case}: own report missing");
                if p.role != Some(Role::Admin) {
                    let other = if county == "youyang" {
                        &h_note
                    } else {
                        &y_note
                    };
                    assert!(!text.contains(other.as_str()), "{case}: leaked {other}");
                }
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 10 * routes.len());

    // A refused review changed nothing: the hanyin report's status is what hanyin's own
    // supervisor (or the admin) last set.
    let row = w.app.state.db.report_get(h_rider, &h_id).await.unwrap();
    assert_eq!(row.unwrap().status, model::api::ReviewStatus::Invalid);
}
