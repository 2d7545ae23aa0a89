//! Check-ins and micro-wishes: read once from rider documents; wishes moved on by supervisors
//! only, forward only, each step a notice to the rider and the wall following; check-ins and
//! reports out of reach of every open station in the coverage view; the poster's QR code.

use model::rider_doc::{Ask, CheckIn, Wish};
use serde_json::{Value, json};

use crate::util::{SyncConn, TestApp, eventually};

/// Adds `ask` under `id` to the rider document from `phone`, and waits until the relay has it.
async fn put(phone: &mut SyncConn, doc: &str, id: &str, ask: Ask) {
    let (hash, effects) = phone
        .client
        .change(doc, |d| model::rider_doc::put_ask(d, id, &ask))
        .expect("change");
    phone.apply(effects).await;
    if let Some(hash) = hash {
        phone.until(|c| c.relay_has(doc, &hash)).await;
    }
}

#[tokio::test]
async fn a_wish_moves_forward_only_by_a_supervisor_and_the_rider_hears_of_each_step() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
    let stations = rider.me["docs"]["stations"].as_str().unwrap().to_owned();
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let boss = app.login("grid-youyang").await;
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let now = server::db::now_ms();
    let wish = |text: &str| {
        Ask::Wish(Wish {
            text: text.into(),
            photo: String::new(),
            at: now,
        })
    };
    put(&mut phone, &doc, "w-helmet", wish("想要一个冬天的头盔")).await;
    // One that breaks the rules is never listed.
    put(&mut phone, &doc, "w-long", wish(&"长".repeat(101))).await;
    eventually("the wish is listed", || async {
        let (_, list) = app.get(Some(&boss), "/api/wishes").await;
        list["wishes"].as_array().is_some_and(|l| l.len() == 1)
    })
    .await;
    let (_, list) = app.get(Some(&boss), "/api/wishes?status=pending").await;
    let list = &list["wishes"];
    assert_eq!(list[0]["id"], "w-helmet");
    assert_eq!(list[0]["rider_name"], "张师傅");
    let path = format!("/api/wishes/{rider_id}/w-helmet");

    // A rider may not move a wish, not even their own.
    let (status, _) = app
        .post(Some(&rider), &path, json!({"action": "approve"}))
        .await;
    assert_eq!(status, 403);
    // No fulfilment or claim before approval; a claim names its organisation.
    for (body, code, want) in [
        (json!({"action": "fulfil"}), 409, "wish_step"),
        (
            json!({"action": "claim", "org": "县邮政局"}),
            409,
            "wish_step",
        ),
        (json!({"action": "reject"}), 400, "bad_wish"),
        (json!({"action": "delete"}), 400, "bad_wish"),
    ] {
        let (status, answer) = app.post(Some(&boss), &path, body).await;
        assert_eq!((status, &answer["error"]), (code, &json!(want)), "{answer}");
    }
    let (status, answer) = app
        .post(Some(&boss), &path, json!({"action": "approve"}))
        .await;
    assert_eq!(
        (status, &answer["status"]),
        (200, &json!("approved")),
        "{answer}"
    );
    let (status, answer) = app
        .post(Some(&boss), &path, json!({"action": "fulfil"}))
        .await;
    assert_eq!((status, &answer["error"]), (409, &json!("wish_step")));
    let (status, _) = app
        .post(Some(&boss), &path, json!({"action": "claim", "org": ""}))
        .await;
    assert_eq!(status, 400);
    let (status, answer) = app
        .post(
            Some(&boss),
            &path,
            json!({"action": "claim", "org": "县邮政局"}),
        )
        .await;
    assert_eq!((status, &answer["org"]), (200, &json!("县邮政局")));
    // The wall shows it with the surname only.
    let wall = app.read_doc(&stations, model::stations_doc::wall).await;
    assert_eq!(wall.len(), 1);
    assert_eq!(
        (
            wall[0].1.by.as_str(),
            wall[0].1.status.as_str(),
            wall[0].1.org.as_str()
        ),
        ("张师傅", "claimed", "县邮政局")
    );
    let (status, answer) = app
        .post(Some(&boss), &path, json!({"action": "fulfil"}))
        .await;
    assert_eq!((status, &answer["status"]), (200, &json!("fulfilled")));
    let (status, _) = app
        .post(Some(&boss), &path, json!({"action": "approve"}))
        .await;
    assert_eq!(status, 409);
    let wall = app.read_doc(&stations, model::stations_doc::wall).await;
    assert_eq!(wall[0].1.status, "fulfilled");

    // Each step reached the rider as a notice.
    let steps: Vec<(String, String, String)> = app
        .read_doc(&office, model::office_doc::notices)
        .await
        .into_iter()
        .filter(|(_, n)| n.kind == "wish")
        .map(|(_, n)| (n.wish, n.status, n.note))
        .collect();
    let want = [
        ("w-helmet", "approved", ""),
        ("w-helmet", "claimed", "县邮政局"),
        ("w-helmet", "fulfilled", ""),
    ]
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(steps, want);

    // A supervisor of another county sees none of it.
    let other = app
        .add_account("grid-hanyin-2", server::db::Role::Supervisor, "hanyin")
        .await;
    let (_, list) = app.get(Some(&other), "/api/wishes").await;
    assert_eq!(list, json!({"wishes": []}));
    let (status, _) = app
        .post(Some(&other), &path, json!({"action": "approve"}))
        .await;
    assert_eq!(status, 404);

    // A rejected wish never reaches the wall; its reason reaches the rider.
    put(&mut phone, &doc, "w-car", wish("想要一辆汽车")).await;
    let car = format!("/api/wishes/{rider_id}/w-car");
    eventually("the second wish is listed", || async {
        let (_, list) = app.get(Some(&boss), "/api/wishes?status=pending").await;
        list["wishes"].as_array().is_some_and(|l| l.len() == 1)
    })
    .await;
    let (status, _) = app
        .post(
            Some(&boss),
            &car,
            json!({"action": "reject", "reason": "超出微心愿范围"}),
        )
        .await;
    assert_eq!(status, 200);
    let wall = app.read_doc(&stations, model::stations_doc::wall).await;
    assert_eq!(wall.len(), 1);
    let notices = app.read_doc(&office, model::office_doc::notices).await;
    let last = &notices.last().unwrap().1;
    assert_eq!(
        (last.wish.as_str(), last.status.as_str(), last.note.as_str()),
        ("w-car", "rejected", "超出微心愿范围")
    );
    let (status, _) = app.get(Some(&boss), "/api/wishes?status=lost").await;
    assert_eq!(status, 400);

    // A rider whose name is their phone number: the wall shows 师傅 alone.
    let numbered = app
        .add_account("13800000077", server::db::Role::Rider, "youyang")
        .await;
    let numbered_id = numbered.me["user"]["id"].as_i64().unwrap();
    let mut other_phone = SyncConn::rider(&app, &numbered, "phone").await;
    // Under the same id as another rider's wish: its own entry all the same.
    put(
        &mut other_phone,
        &numbered.rider_doc(),
        "w-helmet",
        wish("想要一个保温杯"),
    )
    .await;
    let cup = format!("/api/wishes/{numbered_id}/w-helmet");
    eventually("the numbered rider's wish is listed", || async {
        let (_, list) = app.get(Some(&boss), "/api/wishes?status=pending").await;
        list["wishes"].as_array().is_some_and(|l| l.len() == 1)
    })
    .await;
    let (status, _) = app
        .post(Some(&boss), &cup, json!({"action": "approve"}))
        .await;
    assert_eq!(status, 200);
    let wall = app.read_doc(&stations, model::stations_doc::wall).await;
    assert_eq!(wall.len(), 2);
    let cup_entry = wall
        .iter()
        .find(|(_, w)| w.text == "想要一个保温杯")
        .unwrap();
    assert_eq!(cup_entry.0, format!("u{numbered_id}-w-helmet"));
    assert_eq!(cup_entry.1.by, "师傅");
    assert!(wall.iter().all(|(_, w)| !w.by.contains("138")));

    // A stop between SQL and the wall: the wall is put right at the next start.
    app.state
        .relay
        .change(&stations, |d| {
            use automerge::{ROOT, ReadDoc, transaction::Transactable};
            let Some((_, wall)) = d.get(ROOT, "wishes")? else {
                return Ok::<_, model::ModelError>(());
            };
            let mut tx = d.transaction();
            tx.delete(&wall, model::stations_doc::wall_key(rider_id, "w-helmet"))?;
            tx.commit();
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(
        app.read_doc(&stations, model::stations_doc::wall)
            .await
            .len(),
        1
    );
    let app = app.restart().await;
    eventually("the wall is rewritten", || async {
        let wall = app.read_doc(&stations, model::stations_doc::wall).await;
        wall.iter().any(|(k, w)| {
            *k == model::stations_doc::wall_key(rider_id, "w-helmet") && w.status == "fulfilled"
        }) && wall.len() == 2
    })
    .await;
}

#[tokio::test]
async fn check_ins_are_counted_by_day_and_hour_and_far_reports_show_in_coverage() {
    let app = TestApp::start().await;
    let rider = app.login("13800000002").await;
    let doc = rider.rider_doc();
    let boss = app.login("grid-youyang").await;
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let now = server::db::now_ms();
    let checkin = |station: &str, at: i64| {
        Ask::CheckIn(CheckIn {
            station: station.into(),
            at,
        })
    };
    put(&mut phone, &doc, "c-1", checkin("yy-bus", now)).await;
    // The same station again within the hour (a page opened twice): counted once.
    put(&mut phone, &doc, "c-2", checkin("yy-bus", now - 1_000)).await;
    put(
        &mut phone,
        &doc,
        "c-3",
        checkin("yy-night", now - 2 * 86_400_000),
    )
    .await;
    // Not one of the county's stations: not counted.
    put(&mut phone, &doc, "c-4", checkin("nowhere", now)).await;
    let stats = || async {
        let (status, stats) = app.get(Some(&boss), "/api/checkins?days=7").await;
        assert_eq!(status, 200, "{stats}");
        stats
    };
    eventually("the check-ins are counted", || async {
        let s = stats().await;
        let total = |id: &str| {
            s["stations"]
                .as_array()
                .and_then(|l| l.iter().find(|r| r["id"] == id))
                .map(|r| r["total"].clone())
        };
        total("yy-bus") == Some(json!(1)) && total("yy-night") == Some(json!(1))
    })
    .await;
    let s = stats().await;
    assert_eq!(s["days"].as_array().unwrap().len(), 7);
    let row = |id: &str| {
        s["stations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let bus = row("yy-bus");
    assert_eq!(bus["by_day"][6], 1, "{bus}");
    assert_eq!(
        bus["by_hour"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_i64().unwrap())
            .sum::<i64>(),
        1
    );
    assert_eq!(row("yy-night")["by_day"][4], 1);
    assert!(row("nowhere").is_null());
    let (status, _) = app.get(Some(&boss), "/api/checkins?days=0").await;
    assert_eq!(status, 400);
    let (status, _) = app.get(Some(&rider), "/api/checkins").await;
    assert_eq!(status, 403);

    // Three reports 10 km east of every station, one beside the bus station.
    let far = (28.8400, 108.9700);
    for (i, (lat, lon)) in [
        (far.0, far.1),
        (far.0 + 0.002, far.1),
        (far.0, far.1 + 0.002),
        (28.8368, 108.7645),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = crate::util::sync_conn_report(&format!("覆盖 {i}"));
        (r.lat, r.lon) = (lat, lon);
        phone.file(&doc, &r).await;
    }
    app.wait_for_reports(&boss, 10, |rows| {
        rows.iter()
            .filter(|r| r["note"].as_str().unwrap_or("").starts_with("覆盖"))
            .count()
            == 4
    })
    .await;
    let (status, cover) = app.get(Some(&boss), "/api/coverage?days=30").await;
    assert_eq!(status, 200, "{cover}");
    assert_eq!(cover["radius_m"], 3750.0);
    let areas = cover["areas"].as_array().unwrap();
    let cluster: Vec<&Value> = areas
        .iter()
        .filter(|a| {
            model::geo::distance_m(
                far,
                (a["lat"].as_f64().unwrap(), a["lon"].as_f64().unwrap()),
            ) < 1_000.0
        })
        .collect();
    assert_eq!(cluster.len(), 1, "{cover}");
    assert_eq!(cluster[0]["reports"], 3);
    assert!(cluster[0]["nearest_m"].as_f64().unwrap() > 3_750.0);
    assert!(!cluster[0]["district"].as_str().unwrap().is_empty());
    // Nothing near a station is listed.
    assert!(areas.iter().all(|a| {
        model::geo::distance_m(
            (28.8368, 108.7645),
            (a["lat"].as_f64().unwrap(), a["lon"].as_f64().unwrap()),
        ) > 3_750.0
    }));
    // At 25 km/h the circle is wider.
    let (_, wide) = app.get(Some(&boss), "/api/coverage?speed=25").await;
    assert_eq!(wide["radius_m"], 6250.0);
    let (status, _) = app.get(Some(&boss), "/api/coverage?speed=90").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_poster_qr_code_opens_the_station_page() {
    let app = TestApp::start().await;
    let boss = app.login("grid-youyang").await;
    let res = reqwest::Client::new()
        .get(app.url("/api/stations/yy-bus/poster.svg"))
        .header("cookie", &boss.cookie)
        .header("host", "nuanxin.example.cn")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml")
    );
    let svg = res.text().await.unwrap();
    assert!(svg.contains("小哥驿站（汽车站）"));
    assert_eq!(decode_qr(&svg), "https://nuanxin.example.cn/s/yy-bus");
    let (status, _) = app
        .get(Some(&boss), "/api/stations/yy-none/poster.svg")
        .await;
    assert_eq!(status, 404);
    let rider = app.login("13800000001").await;
    let (status, _) = app
        .get(Some(&rider), "/api/stations/yy-bus/poster.svg")
        .await;
    assert_eq!(status, 403);
}

/// Draws the poster's QR path (unit squares `M{x} {y}h1v1h-1z` over `data-qr` modules) into a
/// greyscale image with a quiet zone, and decodes it.
fn decode_qr(svg: &str) -> String {
    let width: usize = svg
        .split("data-qr=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("data-qr");
    let d = svg
        .split(" d=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("path");
    let (px, quiet) = (6usize, 4usize);
    let side = (width + 2 * quiet) * px;
    let mut dark = vec![false; side * side];
    for square in d.split('M').filter(|s| !s.is_empty()) {
        let xy = square.split('h').next().unwrap();
        let mut it = xy.split(' ').map(|v| v.parse::<usize>().unwrap());
        let (x, y) = (it.next().unwrap(), it.next().unwrap());
        for dy in 0..px {
            for dx in 0..px {
                dark[((y + quiet) * px + dy) * side + (x + quiet) * px + dx] = true;
            }
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        if dark[y * side + x] { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().expect("decodes").1
}
