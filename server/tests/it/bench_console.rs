//! The console at county scale (a bench, run by `bash .ci/bench`, not by the tests): 100,000
//! generated reports in the index, then the filtered, paged list, the stats and decisions
//! (ledger and office document), timed over HTTP on this machine.

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;

use crate::util::TestApp;

const REPORTS: usize = 100_000;
const CATEGORIES: [&str; 6] = [
    "fire_lane",
    "food_safety",
    "street_light",
    "road_damage",
    "garbage",
    "other",
];

fn percentile(times: &mut [Duration], p: f64) -> f64 {
    times.sort();
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i].as_secs_f64() * 1000.0
}

#[tokio::test]
#[ignore = "a bench: bash .ci/bench runs it"]
async fn the_console_at_100k_reports() {
    let app = TestApp::start().await;
    let riders: Vec<i64> = {
        let mut ids = Vec::new();
        for login in ["13800000001", "13800000002"] {
            let s = app.login(login).await;
            ids.push(s.me["user"]["id"].as_i64().unwrap());
        }
        ids
    };
    let boss = app.login("grid-youyang").await;
    let boss_id = boss.me["user"]["id"].as_i64().unwrap();
    let now = server::db::now_ms();
    let eight_weeks = 8 * 7 * 86_400_000i64;

    // The index, generated: the last eight weeks, a tenth decided valid (with its award) and a
    // twentieth invalid.
    let started = Instant::now();
    let pool = app.raw_pool().await;
    let mut rng = StdRng::seed_from_u64(7);
    let mut tx = pool.begin().await.unwrap();
    let mut fresh: Vec<(i64, String)> = Vec::new();
    for i in 0..REPORTS {
        let rider = riders[i % riders.len()];
        let id = uuid::Uuid::new_v4().to_string();
        let created = now - rng.random_range(0..eight_weeks);
        let category = CATEGORIES[rng.random_range(0..CATEGORIES.len())];
        let roll: u32 = rng.random_range(0..20);
        let (status, reviewed) = match roll {
            0 | 1 => (
                "valid",
                Some(created + rng.random_range(60_000..86_400_000)),
            ),
            2 => (
                "invalid",
                Some(created + rng.random_range(60_000..86_400_000)),
            ),
            _ => ("new", None),
        };
        sqlx::query(
            "INSERT INTO reports (rider_id, id, doc_id, county, category, note, lat, lon,
             accuracy_m, location_source, place, created_at, photos, received_at, status,
             reviewed_by, reviewed_at)
             VALUES ($1, $2, 'bench', 'youyang', $3, $4, 28.84, 108.77, 12.0, 'gps', '',
             $5, '[]', $5, $6, $7, $8)",
        )
        .bind(rider)
        .bind(&id)
        .bind(category)
        .bind(format!("第 {i} 条 消防通道 路灯 路面"))
        .bind(created)
        .bind(status)
        .bind(reviewed.map(|_| boss_id))
        .bind(reviewed)
        .execute(&mut *tx)
        .await
        .unwrap();
        if status == "valid" {
            sqlx::query(
                "INSERT INTO ledger (user_id, ref, kind, amount, report_id, actor, reason,
                 created_at) VALUES ($1, $2, 'award', 10, $3, $4, '', $5)",
            )
            .bind(rider)
            .bind(format!("report:{rider}:{id}:0"))
            .bind(&id)
            .bind(boss_id)
            .bind(reviewed.unwrap())
            .execute(&mut *tx)
            .await
            .unwrap();
        } else if status == "new" && fresh.len() < 200 && created > now - 86_400_000 {
            fresh.push((rider, id.clone()));
        }
    }
    tx.commit().await.unwrap();
    pool.close().await;
    println!(
        "console bench: {REPORTS} reports generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The list: filtered and paged as the console asks, 200 rows a page.
    let queries = [
        "limit=200",
        "limit=200&status=new",
        "limit=200&status=new&category=fire_lane",
        "limit=200&category=street_light&status=valid",
        "limit=200&q=%E8%B7%AF%E7%81%AF",
        &format!(
            "limit=200&from={}&to={}",
            now - 14 * 86_400_000,
            now - 7 * 86_400_000
        ),
    ];
    let mut list_times = Vec::new();
    for round in 0..20 {
        for q in &queries {
            let t = Instant::now();
            let (status, body) = app.get(Some(&boss), &format!("/api/reports?{q}")).await;
            let took = t.elapsed();
            assert_eq!(status, 200);
            assert!(!body["reports"].as_array().unwrap().is_empty(), "{q}");
            if round > 0 {
                list_times.push(took);
            }
        }
    }
    let (p50, p95) = (
        percentile(&mut list_times, 0.5),
        percentile(&mut list_times, 0.95),
    );
    println!(
        "console list, {REPORTS} reports, filtered, 200 a page: p50 {p50:.1} ms, p95 {p95:.1} ms (target p95 ≤ 50)"
    );

    // The stats page.
    let mut stats_times = Vec::new();
    for _ in 0..6 {
        let t = Instant::now();
        let (status, _) = app.get(Some(&boss), "/api/stats?weeks=8").await;
        assert_eq!(status, 200);
        stats_times.push(t.elapsed());
    }
    stats_times.remove(0);
    let (p50, max) = (
        percentile(&mut stats_times, 0.5),
        percentile(&mut stats_times, 1.0),
    );
    println!(
        "console stats, 8 weeks of {REPORTS} reports: median {p50:.1} ms, max {max:.1} ms (target ≤ 200)"
    );

    // Deciding: the decision, its ledger entry and notice, and the office document's copy.
    let mut decide_times = Vec::new();
    for (i, (rider, id)) in fresh.iter().take(100).enumerate() {
        let body = if i % 2 == 0 {
            json!({"status": "valid", "points": 15})
        } else {
            json!({"status": "invalid", "note": "照片不清"})
        };
        let t = Instant::now();
        let (status, answer) = app
            .post(
                Some(&boss),
                &format!("/api/reports/{rider}/{id}/review"),
                body,
            )
            .await;
        decide_times.push(t.elapsed());
        assert_eq!(status, 200, "{answer}");
    }
    let (p50, p95) = (
        percentile(&mut decide_times, 0.5),
        percentile(&mut decide_times, 0.95),
    );
    println!(
        "deciding a report (ledger, notice and office document): p50 {p50:.1} ms, p95 {p95:.1} ms over {} (target p95 ≤ 20)",
        decide_times.len()
    );
}
