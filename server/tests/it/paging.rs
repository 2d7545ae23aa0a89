//! Cursor pages over the report and wish lists: every entry once, in a fixed order, while new
//! ones arrive; a report filed offline days ago and synced now comes first.

use std::collections::HashMap;

use crate::util::TestApp;

async fn insert(
    pool: &sqlx::AnyPool,
    rider: i64,
    id: &str,
    (created, received): (i64, i64),
    note: &str,
) {
    sqlx::query(
        "INSERT INTO reports (rider_id, id, doc_id, county, category, note, lat, lon,
         accuracy_m, location_source, place, created_at, photos, received_at, status)
         VALUES ($1, $2, 'paging', 'youyang', 'street_light', $3, 28.84, 108.77, 12.0, 'gps', '',
         $4, '[]', $5, 'new')",
    )
    .bind(rider)
    .bind(id)
    .bind(note)
    .bind(created)
    .bind(received)
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn cursor_pages_cover_every_report_once_while_new_ones_arrive() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await.me["user"]["id"]
        .as_i64()
        .unwrap();
    let other = app.login("13800000002").await.me["user"]["id"]
        .as_i64()
        .unwrap();
    let boss = app.login("grid-youyang").await;
    let pool = app.raw_pool().await;
    let now = server::db::now_ms();
    // 1,500 reports of the last day, three to a minute (so pages break inside equal dates),
    // from two riders, and one filed five days ago.
    let mut listed: HashMap<String, usize> = HashMap::new();
    for i in 0..1500i64 {
        let id = uuid::Uuid::new_v4().to_string();
        let who = if i % 2 == 0 { rider } else { other };
        let at = now - (i / 3) * 60_000;
        insert(&pool, who, &id, (at, at), "路面坑洼").await;
        listed.insert(id, 0);
    }
    let old = uuid::Uuid::new_v4().to_string();
    let five_days_ago = now - 5 * 86_400_000;
    insert(
        &pool,
        rider,
        &old,
        (five_days_ago, five_days_ago),
        "五天前的上报",
    )
    .await;
    listed.insert(old.clone(), 0);

    let mut cursor: Option<String> = None;
    let mut pages = 0;
    let mut arrived = Vec::new();
    let mut last_date = i64::MAX;
    loop {
        let path = match &cursor {
            None => "/api/reports?limit=200".to_owned(),
            Some(c) => format!("/api/reports?limit=200&cursor={c}"),
        };
        let (status, body) = app.get(Some(&boss), &path).await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        for r in body["reports"].as_array().unwrap() {
            let received = r["received_at"].as_i64().unwrap();
            assert!(received <= last_date, "pages are the last received first");
            last_date = received;
            *listed
                .entry(r["id"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        // Reports arrive between pages: new ones, and ones filed offline days ago.
        for k in 0..20i64 {
            let id = uuid::Uuid::new_v4().to_string();
            let received = server::db::now_ms() + 1;
            let created = if k % 2 == 0 {
                received
            } else {
                now - 3 * 86_400_000 - pages * 1000 - k
            };
            insert(&pool, rider, &id, (created, received), "翻页时新到").await;
            arrived.push((id, created));
        }
        match body["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(pages >= 8, "{pages} pages");
    let twice: Vec<_> = listed.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "listed twice: {twice:?}");
    let missed = listed.values().filter(|n| **n == 0).count();
    assert_eq!(missed, 0, "every report present at the start is listed");
    assert_eq!(listed[&old], 1, "the report of five days ago is on a page");
    assert!(
        arrived.iter().all(|(id, _)| !listed.contains_key(id)),
        "reports received during the walk come before its first page, not inside it"
    );
    // A new walk starts with them, those filed offline days ago among them.
    let (_, first) = app.get(Some(&boss), "/api/reports?limit=200").await;
    let top: Vec<&str> = first["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        arrived.iter().all(|(id, _)| top.contains(&id.as_str())),
        "late reports are on the first page"
    );
    println!(
        "{pages} pages, {} reports listed",
        listed.values().filter(|n| **n == 1).count()
    );

    // A page size out of range and a cursor that is not one are refused.
    for bad in ["limit=0", "limit=501", "cursor=abc", "cursor=1.2.%20x"] {
        let (status, body) = app.get(Some(&boss), &format!("/api/reports?{bad}")).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("bad_request")),
            "{bad}"
        );
    }
    pool.close().await;
}

#[tokio::test]
async fn wish_pages_cover_every_wish_once() {
    let app = TestApp::start().await;
    let riders = [
        app.login("13800000001").await.me["user"]["id"]
            .as_i64()
            .unwrap(),
        app.login("13800000002").await.me["user"]["id"]
            .as_i64()
            .unwrap(),
    ];
    let boss = app.login("grid-youyang").await;
    let pool = app.raw_pool().await;
    // 450 wishes, two to a second (pages break inside equal dates), from two riders.
    for i in 0..450i64 {
        sqlx::query(
            "INSERT INTO wishes (rider_id, id, county, text, at, updated_at)
             VALUES ($1, $2, 'youyang', '想要一副手套', $3, $3)",
        )
        .bind(riders[i as usize % 2])
        .bind(format!("w-{i}"))
        .bind(1_795_600_000_000 - (i / 2) * 1000)
        .execute(&pool)
        .await
        .unwrap();
    }
    let mut seen = std::collections::HashSet::new();
    let mut path = "/api/wishes?limit=200".to_owned();
    let mut pages = 0;
    loop {
        let (status, body) = app.get(Some(&boss), &path).await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        for w in body["wishes"].as_array().unwrap() {
            let key = (
                w["rider_id"].as_i64().unwrap(),
                w["id"].as_str().unwrap().to_owned(),
            );
            assert!(seen.insert(key), "a wish listed twice");
        }
        match body["next"].as_str() {
            Some(next) => path = format!("/api/wishes?limit=200&cursor={next}"),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (3, 450));
    let (status, _) = app.get(Some(&boss), "/api/wishes?limit=501").await;
    assert_eq!(status, 400);
    pool.close().await;
}
