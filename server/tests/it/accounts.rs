//! Registration with invite codes, login throttling, disabled accounts, and the admin CLI.

use std::{process::Command, time::Duration};

use serde_json::{Value, json};

use crate::util::TestApp;

fn form(phone: &str, invite: &str) -> Value {
    json!({ "phone": phone, "name": "赵师傅", "password": "riders-pass-1", "invite": invite })
}

#[tokio::test]
async fn a_rider_registers_with_an_invite_code_of_their_county() {
    let app = TestApp::start().await;
    let db = &app.state.db;
    let far = server::db::now_ms() + 86_400_000;
    db.invite_insert("HANYIN22", "hanyin", 1, far, "城关驿站")
        .await
        .unwrap();
    db.invite_insert("OLDCODE2", "hanyin", 5, server::db::now_ms() - 1, "")
        .await
        .unwrap();
    db.invite_insert("REVOKED2", "hanyin", 5, far, "")
        .await
        .unwrap();
    assert!(db.invite_revoke("REVOKED2").await.unwrap());

    let (status, me) = app
        .post(None, "/api/register", form("13900000001", "hanyin22"))
        .await;
    assert_eq!(status, 201, "{me}");
    assert_eq!(me["user"]["role"], "rider");
    assert_eq!(me["user"]["county"], "hanyin");
    assert_eq!(
        me["user"]["county_name"],
        json!({"zh": "汉阴县", "en": "Hanyin County"})
    );
    assert!(
        me["docs"]["rider"].is_string(),
        "a rider document is made at once"
    );
    // The new rider can log in with the password they chose.
    assert!(app.try_login("13900000001", "riders-pass-1").await.is_ok());

    for (phone, code, want, error) in [
        ("13900000002", "HANYIN22", 400, "bad_invite"), // single use: used up
        ("13900000003", "OLDCODE2", 400, "bad_invite"), // expired
        ("13900000004", "REVOKED2", 400, "bad_invite"), // revoked
        ("13900000005", "NOSUCH22", 400, "bad_invite"), // unknown
        ("13900000001", "HANYIN22", 409, "phone_taken"),
        ("1390000", "HANYIN22", 400, "bad_phone"),
        (" 13900000007", "HANYIN22", 400, "bad_phone"),
        ("13900000006", " ", 400, "missing_invite"),
    ] {
        let (status, body) = app.post(None, "/api/register", form(phone, code)).await;
        assert_eq!(status, want, "{phone} {code}: {body}");
        assert_eq!(body["error"], error, "{body}");
        assert!(
            body["message"].is_string(),
            "a message for third-party clients: {body}"
        );
    }
}

#[tokio::test]
async fn a_name_must_be_visible_plain_text() {
    let app = TestApp::start().await;
    let far = server::db::now_ms() + 86_400_000;
    app.state
        .db
        .invite_insert("NAMES222", "hanyin", 10, far, "")
        .await
        .unwrap();
    for name in [
        "\u{0}赵",
        "赵\u{202e}师傅",
        "\u{200b}",
        " \u{200b}\u{feff} ",
    ] {
        let body = json!({ "phone": "13900000031", "name": name, "password": "riders-pass-1", "invite": "NAMES222" });
        let (status, answer) = app.post(None, "/api/register", body).await;
        assert_eq!(
            (status, &answer["error"], &answer["detail"]),
            (400, &json!("bad_person_name"), &json!("name")),
            "{name:?}"
        );
    }
    // The phone exactly as documented: spaces around it are refused, not trimmed.
    for phone in [" 13900000031", "13900000031 ", "139 0000 0031"] {
        let body = json!({ "phone": phone, "name": "赵师傅", "password": "riders-pass-1", "invite": "NAMES222" });
        let (status, answer) = app.post(None, "/api/register", body).await;
        assert_eq!(
            (status, &answer["error"], &answer["detail"]),
            (400, &json!("bad_phone"), &json!("phone")),
            "{phone:?}"
        );
    }
    let body = json!({ "phone": "13900000031", "name": " 赵师傅 ", "password": "riders-pass-1", "invite": "NAMES222" });
    let (status, answer) = app.post(None, "/api/register", body).await;
    assert_eq!(status, 201, "{answer}");
    let me = app
        .try_login("13900000031", "riders-pass-1")
        .await
        .expect("login");
    assert_eq!(me.me["user"]["name"], "赵师傅");
}

#[tokio::test]
async fn error_messages_follow_accept_language_and_codes_stay_the_same() {
    let app = TestApp::start().await;
    let refuse = |lang: Option<&'static str>| {
        let mut req = reqwest::Client::new()
            .post(app.url("/api/register"))
            .json(&form("139", "X"));
        if let Some(lang) = lang {
            req = req.header("accept-language", lang);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            (status, body)
        }
    };
    let (status, zh) = refuse(None).await;
    assert_eq!((status, &zh["error"]), (400, &json!("bad_phone")));
    assert_eq!(zh["message"], "手机号应为 11 位数字");
    let (status, en) = refuse(Some("en-GB,en;q=0.9,zh;q=0.5")).await;
    assert_eq!((status, &en["error"]), (400, &json!("bad_phone")));
    assert_eq!(en["message"], "A phone number has 11 digits");
    let (_, fr) = refuse(Some("fr-FR")).await;
    assert_eq!(
        fr["message"], zh["message"],
        "Chinese when neither is asked for"
    );

    // Every error answer, not only the form checks: an unknown path, a missing session.
    let res = reqwest::Client::new()
        .get(app.url("/api/me"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": "unauthorized", "message": "Please log in first"})
    );
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_is_throttled_and_the_owner_gets_in_after_the_window() {
    let app = TestApp::start().await;
    let mut statuses = Vec::new();
    for _ in 0..50 {
        statuses.push(
            app.try_login("13800000001", "guess-guess")
                .await
                .unwrap_err(),
        );
    }
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(throttled, 40);
    // During the window even the right password is refused, so guessing gains nothing.
    assert_eq!(
        app.try_login("13800000001", "nuanxin-demo")
            .await
            .unwrap_err(),
        429
    );
    // Another account from elsewhere is not locked out by this one.
    assert!(app.try_login("13800000002", "nuanxin-demo").await.is_ok());

    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(app.try_login("13800000001", "nuanxin-demo").await.is_ok());
}

#[tokio::test]
async fn a_disabled_account_loses_its_sessions_and_cannot_log_in() {
    let app = TestApp::start().await;
    let s = app.login("13800000002").await;
    let mut open = crate::util::SyncConn::rider(&app, &s, "phone").await;
    assert!(
        app.state
            .db
            .user_set_disabled("13800000002", true)
            .await
            .unwrap()
    );
    assert_eq!(app.get(Some(&s), "/api/me").await.0, 401);
    // A sync connection opened before is closed, after an `error` saying why.
    let mut error = None;
    let closed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        use futures::StreamExt;
        while let Some(Ok(frame)) = open.ws.next().await {
            match frame {
                tokio_tungstenite::tungstenite::Message::Binary(b) => {
                    for e in open.client.receive(&b).unwrap_or_default() {
                        if let model::client::Effect::RelayError(m) = e {
                            error = Some(m);
                        }
                    }
                }
                tokio_tungstenite::tungstenite::Message::Close(_) => return true,
                _ => {}
            }
        }
        true
    })
    .await;
    assert_eq!(closed, Ok(true), "the open connection is closed");
    assert_eq!(error.as_deref(), Some("account disabled"));
    assert_eq!(
        app.try_login("13800000002", "nuanxin-demo")
            .await
            .unwrap_err(),
        401
    );
    assert!(
        app.state
            .db
            .user_set_disabled("13800000002", false)
            .await
            .unwrap()
    );
    assert!(app.try_login("13800000002", "nuanxin-demo").await.is_ok());
}

fn cli(data: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_nuanxin"))
        .args(args)
        .env("NUANXIN_DATA", data)
        .env("NUANXIN_DATABASE_URL", crate::util::database_url(data))
        .env("NUANXIN_NO_DEMO", "1")
        .output()
        .expect("run nuanxin");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_admin_cli_creates_lists_and_revokes_and_refuses_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, out, err) = cli(
        d,
        &["invite", "create", "--county", "youyang", "--uses", "20"],
    );
    assert_eq!(code, 0, "{err}");
    let invite = out.split_whitespace().next().unwrap().to_owned();
    assert_eq!(invite.len(), 8);
    let (code, out, _) = cli(d, &["invite", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains(&invite) && out.contains("active"), "{out}");
    assert_eq!(cli(d, &["invite", "revoke", &invite]).0, 0);
    assert!(cli(d, &["invite", "list"]).1.contains("revoked"));

    let (code, _, err) = cli(d, &["invite", "revoke", "NOSUCH99"]);
    assert_eq!(code, 1);
    assert!(err.contains("no invite code NOSUCH99"), "{err}");
    let (code, _, err) = cli(
        d,
        &["invite", "create", "--county", "youyang", "--uses", "0"],
    );
    assert_eq!(code, 2, "clap refuses a count of 0: {err}");

    let add = [
        "user",
        "add",
        "--login",
        "grid-hanyin",
        "--name",
        "刘网格员",
        "--county",
        "hanyin",
    ];
    let (code, _, err) = cli(
        d,
        &[&add[..], &["--role", "wizard", "--password", "long-enough"]].concat(),
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = cli(
        d,
        &[&add[..], &["--role", "supervisor", "--password", "short"]].concat(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("at least 8"), "{err}");
    let ok = [
        &add[..],
        &["--role", "supervisor", "--password", "long-enough"],
    ]
    .concat();
    let (code, out, err) = cli(d, &ok);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("created grid-hanyin (supervisor, hanyin)"),
        "{out}"
    );
    let (code, _, err) = cli(d, &ok);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(cli(d, &["user", "logout", "grid-hanyin"]).0, 0);
    assert_eq!(cli(d, &["user", "logout", "nobody"]).0, 1);
    assert_eq!(cli(d, &["user", "disable", "grid-hanyin"]).0, 0);
    assert_eq!(cli(d, &["user", "disable", "nobody"]).0, 1);
}

#[tokio::test]
async fn an_account_made_by_the_cli_while_the_server_runs_syncs_and_is_indexed_at_once() {
    use model::client::{DocStatus, SyncClient};

    use crate::util::{SyncConn, sync_conn_report as report};

    let app = TestApp::start().await;
    // Another process makes a county the server has never seen, with its supervisor and a rider.
    for (login, role) in [("grid-qingyang", "supervisor"), ("13900000077", "rider")] {
        let (code, out, err) = cli(
            app.data_dir(),
            &[
                "user",
                "add",
                "--login",
                login,
                "--name",
                "青阳测试",
                "--role",
                role,
                "--county",
                "qingyang",
                "--password",
                "long-enough",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
    }

    let rider = app
        .try_login("13900000077", "long-enough")
        .await
        .expect("the new rider logs in");
    let docs = &rider.me["docs"];
    let ids: Vec<String> = ["rider", "office", "stations"]
        .iter()
        .map(|k| docs[k].as_str().expect(k).to_owned())
        .collect();
    // The county came with its area.
    assert_eq!(rider.me["user"]["county_bounds"]["south"], 30.35);

    let mut client = SyncClient::new(rider.peer("phone"));
    for id in &ids {
        client.add_doc(id.clone(), automerge::Automerge::new(), None);
    }
    let mut conn = SyncConn::connect(&app, &rider, client).await;
    conn.until(|c| {
        ids.iter().all(|id| {
            c.status(id) != Some(DocStatus::Unavailable)
                && c.doc(id).is_some_and(|d| !d.get_heads().is_empty())
        })
    })
    .await;
    for (id, kind) in ids.iter().zip(["rider", "office", "stations"]) {
        let doc = conn.client.doc(id).unwrap();
        let got = model::lenient::string(doc, &automerge::ROOT, "kind".into()).unwrap();
        assert_eq!(got, kind);
    }

    let filed = report("青阳县城东路灯不亮");
    conn.file(&ids[0], &filed).await;
    let boss = app
        .try_login("grid-qingyang", "long-enough")
        .await
        .expect("the new supervisor logs in");
    let rows = app
        .wait_for_reports(&boss, 10, |rows| rows.iter().any(|r| r["id"] == filed.id))
        .await;
    assert_eq!(rows.len(), 1, "{rows:?}");
}

/// One login attempt from 127.0.0.`host`, sending a device cookie if given: the status, the
/// device cookie the answer sets, and its `Retry-After`.
async fn login_from(
    app: &TestApp,
    host: u8,
    password: &str,
    device: Option<&str>,
) -> (u16, Option<String>, Option<u64>) {
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, host]))
        .build()
        .unwrap();
    let mut req = client
        .post(app.url("/api/login"))
        .json(&json!({ "login": "13800000001", "password": password }));
    if let Some(d) = device {
        req = req.header("cookie", format!("nx_device={d}"));
    }
    let res = req.send().await.unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("nx_device="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned());
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (res.status().as_u16(), cookie, retry)
}

#[tokio::test]
async fn guesses_from_elsewhere_slow_the_account_down_but_its_own_device_gets_in() {
    let app = TestApp::start_with(|c| c.login_window = Duration::from_secs(600)).await;
    // The rider has logged in on their phone before: it holds a device cookie.
    let (status, device, _) = login_from(&app, 1, "nuanxin-demo", None).await;
    assert_eq!(status, 200);
    let device = device.expect("a device cookie");

    // 50 wrong passwords from 5 other addresses.
    let mut statuses = Vec::new();
    for i in 0..50u8 {
        statuses.push(login_from(&app, 2 + i % 5, "guess-guess", None).await.0);
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + throttled, 50, "{statuses:?}");
    assert!(
        checked <= 15,
        "{checked} guesses were checked: {statuses:?}"
    );

    // The owner's phone gets in, and keeps its cookie.
    let (status, again, _) = login_from(&app, 1, "nuanxin-demo", Some(&device)).await;
    assert_eq!(status, 200);
    assert_eq!(again.as_deref(), Some(device.as_str()));
    // The owner on a new phone is slowed down, not locked out.
    let (status, _, retry) = login_from(&app, 7, "nuanxin-demo", None).await;
    assert_eq!(status, 429);
    assert!(retry.is_some_and(|r| r <= 60), "{retry:?}");
    // Guessing stays throttled, from a new address and with a made-up device cookie too.
    assert_eq!(login_from(&app, 8, "guess-again", None).await.0, 429);
    let made_up = "ab".repeat(32);
    assert_eq!(
        login_from(&app, 9, "guess-again", Some(&made_up)).await.0,
        429
    );
}
