//! Stations kept by supervisors: checked field by field, written into the county's stations
//! document, where riders read them.

use serde_json::{Value, json};

use crate::util::TestApp;

fn station() -> Value {
    json!({
        "name": "暖新驿站（中医院）",
        "address": "钟多街道中医院门诊楼旁",
        "lat": 28.8421,
        "lon": 108.7702,
        "hours": "",
        "week": ["07:00-21:00", "07:00-21:00", "07:00-21:00", "07:00-21:00", "07:00-21:00", "24h", ""],
        "facilities": ["water", "charging", "air_conditioning"],
        "kind": "nuanxin",
        "host": "bank",
        "phone": "023-7555-0199",
        "status": "open"
    })
}

#[tokio::test]
async fn a_station_is_checked_field_by_field_and_reaches_riders() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let stations = rider.me["docs"]["stations"].as_str().unwrap().to_owned();
    let boss = app.login("grid-youyang").await;

    // Each bad field is refused with its name, and nothing is written.
    let with = |key: &str, value: Value| {
        let mut s = station();
        s[key] = value;
        s
    };
    let refusals = [
        (
            with("lat", json!(31.2)),
            "bad_coordinates",
            "lat 31.2, lon 108.7702",
        ),
        (
            with("week", json!(["07:00-21:00", "7点", "", "", "", "", ""])),
            "bad_hours",
            "week[1]: 7点",
        ),
        (with("week", json!(["24h"])), "bad_hours", "week[1]: 7 days"),
        (
            with("facilities", json!(["water", "sauna"])),
            "bad_station_field",
            "facilities: sauna",
        ),
        (
            with("kind", json!("palace")),
            "bad_station_field",
            "kind: palace",
        ),
        (
            with("status", json!("gone")),
            "bad_station_field",
            "status: gone",
        ),
        (
            with("phone", json!("ring me")),
            "bad_station_field",
            "phone: ring me",
        ),
        (with("name", json!("  ")), "bad_station_name", ""),
    ];
    for (body, code, detail) in refusals {
        let (status, answer) = app
            .put(Some(&boss), "/api/stations/yy-hospital", body)
            .await;
        assert_eq!((status, &answer["error"]), (400, &json!(code)), "{answer}");
        if !detail.is_empty() {
            assert_eq!(answer["detail"], json!(detail), "{answer}");
        }
    }
    let (status, answer) = app
        .put(Some(&boss), "/api/stations/Bad%20Id", station())
        .await;
    assert_eq!(
        (status, &answer["error"]),
        (400, &json!("bad_station_name"))
    );
    assert!(
        !app.read_doc(&stations, |d| model::stations_doc::stations(d).unwrap())
            .await
            .iter()
            .any(|(id, _)| id == "yy-hospital")
    );

    // A good one is written, listed, and in the document riders read.
    let (status, added) = app
        .put(Some(&boss), "/api/stations/yy-hospital", station())
        .await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["id"], json!("yy-hospital"));
    let (_, list) = app.get(Some(&boss), "/api/stations").await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == json!("yy-hospital") && s["host"] == json!("bank"))
    );
    let read = app
        .read_doc(&stations, |d| model::stations_doc::stations(d).unwrap())
        .await;
    let (_, written) = read.iter().find(|(id, _)| id == "yy-hospital").unwrap();
    assert_eq!(written.week[5], "24h");
    assert_eq!(
        written.facilities,
        ["water", "charging", "air_conditioning"]
    );
    // Stamped when written; the same station written again keeps its stamp.
    let stamp = written.updated.expect("updated");
    assert!((server::db::now_ms() - stamp).abs() < 60_000);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, _) = app
        .put(Some(&boss), "/api/stations/yy-hospital", station())
        .await;
    assert_eq!(status, 200);
    let again = app
        .read_doc(&stations, |d| model::stations_doc::stations(d).unwrap())
        .await;
    let (_, again) = again.iter().find(|(id, _)| id == "yy-hospital").unwrap();
    assert_eq!(again.updated, Some(stamp));

    // Closed: kept for the record, marked for riders' phones to leave out.
    let (status, _) = app
        .put(
            Some(&boss),
            "/api/stations/yy-hospital",
            with("status", json!("closed")),
        )
        .await;
    assert_eq!(status, 200);
    let read = app
        .read_doc(&stations, |d| model::stations_doc::stations(d).unwrap())
        .await;
    assert!(read.iter().any(|(id, s)| id == "yy-hospital" && s.closed()));

    // Riders may not.
    let (status, _) = app
        .put(Some(&rider), "/api/stations/yy-bus", station())
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_heat_alert_is_checked_and_reaches_the_stations_document() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let stations = rider.me["docs"]["stations"].as_str().unwrap().to_owned();
    let boss = app.login("grid-youyang").await;
    let from = 1_785_000_000_000_i64;
    let alert = |kind: &str, level: i64, text: &str, to: i64| json!({"kind": kind, "level": level, "text": text, "from": from, "to": to});
    let hour = 3_600_000;
    for (body, field) in [
        (alert("storm", 2, "暴雨", from + hour), "kind"),
        (alert("heat", 4, "高温", from + hour), "level"),
        (alert("heat", 2, "  ", from + hour), "text"),
        (alert("heat", 2, &"热".repeat(201), from + hour), "text"),
        (alert("heat", 2, "高温", from), "to"),
        (alert("heat", 2, "高温", from + 15 * 24 * hour), "to"),
    ] {
        let (status, answer) = app.post(Some(&boss), "/api/alerts", body).await;
        assert_eq!(
            (status, &answer["error"]),
            (400, &json!("bad_alert")),
            "{answer}"
        );
        assert_eq!(answer["detail"], json!(field), "{answer}");
    }
    let (status, _) = app
        .post(
            Some(&rider),
            "/api/alerts",
            alert("heat", 2, "高温", from + hour),
        )
        .await;
    assert_eq!(status, 403);

    let (status, sent) = app
        .post(
            Some(&boss),
            "/api/alerts",
            alert(
                "heat",
                3,
                " 午后高温，请到有空调的驿站休息 ",
                from + 6 * hour,
            ),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["text"], json!("午后高温，请到有空调的驿站休息"));
    let read = app.read_doc(&stations, model::stations_doc::alerts).await;
    assert_eq!(read.len(), 1);
    let (id, written) = &read[0];
    assert_eq!(json!(id), sent["id"]);
    assert_eq!((written.level, written.to), (3, from + 6 * hour));
    assert!(written.in_force(from) && !written.in_force(from + 6 * hour));
    assert_eq!(written.relief(), "air_conditioning");
    let (_, list) = app.get(Some(&boss), "/api/alerts").await;
    assert_eq!(list[0]["id"], sent["id"]);
}

/// POSTs a CSV file; returns status and JSON body.
async fn import(app: &TestApp, session: &crate::util::Session, csv: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(app.url("/api/stations.csv"))
        .header("cookie", &session.cookie)
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn stations_go_out_and_come_back_as_csv_and_a_file_with_errors_imports_nothing() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let stations = rider.me["docs"]["stations"].as_str().unwrap().to_owned();
    let boss = app.login("grid-youyang").await;
    let in_doc = || async {
        app.read_doc(&stations, |d| model::stations_doc::stations(d).unwrap())
            .await
            .len()
    };

    // The export: a byte-order mark, the codes' header, one line per station.
    let res = reqwest::Client::new()
        .get(app.url("/api/stations.csv"))
        .header("cookie", &boss.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let exported = res.text().await.unwrap();
    assert!(exported.starts_with("\u{feff}id,name,address,lat,lon,"));
    let demo = server::seed::demo_stations("youyang").len();
    assert_eq!(exported.lines().count(), 1 + demo, "{exported}");

    // Two new stations with two bad lines: refused, each bad line named, nothing imported.
    let head = model::station_csv::HEADER.join(",");
    let good = "yy-new-1,暖新驿站（一）,,28.85,108.78,nuanxin,bank,,open,water charging,24h,24h,24h,24h,24h,24h,24h,";
    let far = "yy-new-2,暖新驿站（二）,,31.85,108.78,,,,open,water,,,,,,,,";
    let bad_hours = "yy-new-3,暖新驿站（三）,,28.86,108.78,,,,open,water,7点,,,,,,,";
    let csv = format!("{head}\r\n{good}\r\n{far}\r\n{bad_hours}\r\n");
    let (status, answer) = import(&app, &boss, &csv).await;
    assert_eq!(
        (status, &answer["error"]),
        (400, &json!("bad_csv")),
        "{answer}"
    );
    assert_eq!(
        answer["detail"],
        json!("line 3: bad_coordinates lat 31.85, lon 108.78; line 4: bad_hours week[0]: 7点")
    );
    assert_eq!(in_doc().await, demo);

    // The good line alone, and the exported file back: one more, the old ones unchanged.
    let csv = format!("{head}\r\n{good}\r\n");
    let (status, answer) = import(&app, &boss, &csv).await;
    assert_eq!((status, &answer), (200, &json!({"imported": 1})));
    let (status, answer) = import(&app, &boss, &exported).await;
    assert_eq!((status, &answer), (200, &json!({"imported": demo})));
    assert_eq!(in_doc().await, demo + 1);
    // The stations that came back unchanged are not stamped as changed.
    let read = app
        .read_doc(&stations, |d| model::stations_doc::stations(d).unwrap())
        .await;
    let stamped: Vec<&str> = read
        .iter()
        .filter(|(_, s)| s.updated.is_some())
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(stamped, ["yy-new-1"]);
    let (status, _) = import(&app, &rider, &exported).await;
    assert_eq!(status, 403);
}
