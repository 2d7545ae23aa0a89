//! The console's data: the filtered list, its CSV export and the stats page, against a
//! hand-made fixture of reports and decisions with known times.

use serde_json::{Value, json};

use crate::util::{Session, SyncConn, TestApp, sync_conn_report as report};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

async fn get_text(app: &TestApp, s: &Session, path: &str, lang: &str) -> (u16, String, String) {
    let res = reqwest::Client::new()
        .get(app.url(path))
        .header("cookie", &s.cookie)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, kind, res.text().await.unwrap())
}

fn notes(body: &Value) -> Vec<String> {
    body["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["note"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_console_filters_exports_and_counts_a_known_fixture() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let now = server::db::now_ms();
    let this_week = server::db::stats::week_start(now);
    // Two fire lanes and a garbage pile this week (whenever "now" falls in it), and a fire lane
    // the week before.
    let at = |t: i64, category: &str, note: &str| model::Report {
        created_at: t,
        category: category.into(),
        ..report(note)
    };
    let a = at(this_week + 60_000, "fire_lane", "东门通道被堵");
    let b = at(this_week + 120_000, "fire_lane", "西门通道, 北侧 \"急\"");
    let c = at(this_week + 180_000, "garbage", "=HYPERLINK(\"x\")");
    let d = at(this_week - 2 * DAY, "fire_lane", "上周的通道");
    for r in [&a, &b, &c, &d] {
        phone.file(&doc, r).await;
    }
    let boss = app.login("grid-youyang").await;
    app.wait_for_reports(&boss, 10, |rows| rows.len() == 4)
        .await;
    let decide = |r: &model::Report, body: Value| {
        let path = format!("/api/reports/{rider_id}/{}/review", r.id);
        let (app, boss) = (&app, &boss);
        async move {
            let (status, answer) = app.post(Some(boss), &path, body).await;
            assert_eq!(status, 200, "{answer}");
        }
    };
    decide(&a, json!({"status": "valid"})).await; // 20 points
    decide(&b, json!({"status": "invalid", "note": "照片不清"})).await;
    decide(&d, json!({"status": "valid", "points": 7})).await;
    // Decided 1 h, 3 h and 2 h after filing.
    for (r, wait) in [(&a, HOUR), (&b, 3 * HOUR), (&d, 2 * HOUR)] {
        app.tamper(
            &format!("UPDATE reports SET reviewed_at = created_at + {wait} WHERE id = $1"),
            &r.id,
        )
        .await;
    }

    // Filters: status, category, time, and words (a LIKE wildcard is a plain character).
    let list = |q: &'static str| {
        let (app, boss) = (&app, &boss);
        async move {
            let (status, body) = app.get(Some(boss), &format!("/api/reports?{q}")).await;
            assert_eq!(status, 200, "{q}: {body}");
            notes(&body)
        }
    };
    // The list is the last received first: these two came in the same batch or in filing
    // order, so compare them as a set.
    let mut valid = list("status=valid").await;
    valid.sort();
    assert_eq!(valid, ["上周的通道", "东门通道被堵"]);
    assert_eq!(list("category=garbage").await, ["=HYPERLINK(\"x\")"]);
    assert_eq!(
        list("category=fire_lane&status=new").await,
        Vec::<String>::new()
    );
    assert_eq!(list("q=%E9%80%9A%E9%81%93&status=invalid").await.len(), 1); // 通道
    assert_eq!(list("q=%25").await, Vec::<String>::new()); // %
    let from = format!("from={this_week}");
    let (_, body) = app.get(Some(&boss), &format!("/api/reports?{from}")).await;
    assert_eq!(notes(&body).len(), 3);
    let (status, body) = app.get(Some(&boss), "/api/reports?status=maybe").await;
    assert_eq!((status, &body["error"]), (400, &json!("bad_status")));

    // CSV: the filtered list, newest first, with a byte-order mark, quoted and defused cells.
    let (status, kind, csv) =
        get_text(&app, &boss, "/api/reports.csv?category=fire_lane", "zh-CN").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "\u{feff}上报时间,类型,上报人,说明,地点,纬度,经度,状态,照片数,编号"
    );
    let row = |r: &model::Report, note: &str, status: &str| {
        format!(
            "{},消防通道堵塞,张师傅,{note},,28.840000,108.770000,{status},0,{}",
            server::export::cst_time(r.created_at),
            r.id
        )
    };
    assert_eq!(
        lines[1..],
        [
            row(&b, "\"西门通道, 北侧 \"\"急\"\"\"", "无效"),
            row(&a, "东门通道被堵", "有效"),
            row(&d, "上周的通道", "有效"),
            String::new(),
        ]
    );
    let (_, _, csv) = get_text(&app, &boss, "/api/reports.csv?category=garbage", "en").await;
    assert!(
        csv.starts_with("\u{feff}Filed,Category,Rider,Note,"),
        "{csv}"
    );
    assert!(
        csv.contains(",Piled garbage,张师傅,\"'=HYPERLINK(\"\"x\"\")\",,"),
        "{csv}"
    );

    // Stats: this week's fire lanes, 2 received, 2 decided, 1 valid, median 2 h, 20 points;
    // its garbage, 1 received and none decided; last week's fire lane, 7 points in 2 h.
    let (status, stats) = app.get(Some(&boss), "/api/stats?weeks=2").await;
    assert_eq!(status, 200, "{stats}");
    let week = |w: i64, category: &str| {
        stats["weeks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["week"] == json!(w) && s["category"] == json!(category))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        week(this_week, "fire_lane"),
        json!({"week": this_week, "category": "fire_lane", "received": 2, "decided": 2,
               "valid": 1, "median_decision_ms": 2 * HOUR, "points": 20})
    );
    assert_eq!(
        week(this_week, "garbage"),
        json!({"week": this_week, "category": "garbage", "received": 1, "decided": 0,
               "valid": 0, "median_decision_ms": null, "points": 0})
    );
    let last = this_week - 7 * DAY;
    assert_eq!(week(last, "fire_lane")["points"], json!(7));
    assert_eq!(
        week(last, "fire_lane")["median_decision_ms"],
        json!(2 * HOUR)
    );
    assert_eq!(stats["weeks"].as_array().unwrap().len(), 3);
    // This month's points (both decisions were booked now).
    assert_eq!(
        stats["riders"],
        json!([{"rider_id": rider_id, "name": "张师傅", "points": 27}])
    );
    // One week back leaves the earlier week out.
    let (_, one) = app.get(Some(&boss), "/api/stats?weeks=1").await;
    assert_eq!(one["weeks"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_list_keeps_the_reports_near_a_station() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(&app, &rider, "phone").await;
    let boss = app.login("grid-youyang").await;

    // The county's stations, for the console to pick one.
    let (status, stations) = app.get(Some(&boss), "/api/stations").await;
    assert_eq!(status, 200, "{stations}");
    let first = &stations[0];
    let (lat, lon) = (
        first["lat"].as_f64().unwrap(),
        first["lon"].as_f64().unwrap(),
    );
    assert!(first["name"].as_str().is_some_and(|n| !n.is_empty()));
    let (status, _) = app.get(Some(&rider), "/api/stations").await;
    assert_eq!(status, 403);

    // 300 m north, 900 m east, and 3 km south of it (a degree of latitude is 111.2 km).
    let at = |dlat_m: f64, dlon_m: f64, note: &str| model::Report {
        lat: lat + dlat_m / 111_195.0,
        lon: lon + dlon_m / (111_195.0 * lat.to_radians().cos()),
        ..report(note)
    };
    for r in [
        at(300.0, 0.0, "北 300 米"),
        at(0.0, 900.0, "东 900 米"),
        at(-3000.0, 0.0, "南 3 公里"),
    ] {
        phone.file(&doc, &r).await;
    }
    app.wait_for_reports(&boss, 10, |rows| rows.len() == 3)
        .await;
    let near = |within: &str| {
        let path = format!("/api/reports?near={lat},{lon}{within}");
        let (app, boss) = (&app, &boss);
        async move {
            let (status, body) = app.get(Some(boss), &path).await;
            assert_eq!(status, 200, "{path}: {body}");
            let mut got = notes(&body);
            got.sort();
            got
        }
    };
    assert_eq!(near("&within=500").await, ["北 300 米"]);
    assert_eq!(
        near("").await,
        ["东 900 米", "北 300 米"],
        "1 km by default"
    );
    assert_eq!(near("&within=5000").await.len(), 3);
    // The export keeps the same reports.
    let (_, _, csv) = get_text(
        &app,
        &boss,
        &format!("/api/reports.csv?near={lat},{lon}&within=500"),
        "zh-CN",
    )
    .await;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    for bad in [
        "near=abc",
        "near=91,108",
        &format!("near={lat},{lon}&within=0"),
    ] {
        let (status, body) = app.get(Some(&boss), &format!("/api/reports?{bad}")).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("bad_request")),
            "{bad}"
        );
    }
}
