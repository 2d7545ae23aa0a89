//! A property test of the points bank: random interleavings of awards, duplicate shares,
//! changed decisions (within 24 hours and after), redemptions from two devices (the same
//! request also written again from the other device), rewards picked up, codes left to expire
//! and refunded, and server restarts, against what must always hold: the balance is the sum of
//! the ledger and never below zero at any entry, no stock below zero and every reward's stock
//! down by exactly what was redeemed and not refunded, every request decided exactly once and
//! refunded at most once, the office document's balance and outcomes equal to SQL once
//! settled, and the stats page's tallies equal to a count of the reports and the ledger.

use std::{
    collections::{BTreeSet, HashMap},
    time::Duration,
};

use proptest::prelude::*;
use serde_json::json;

use crate::util::{SyncConn, TestApp, sync_conn_report as report};

/// Reports filed before the operations start; decisions pick among them.
const REPORTS: usize = 4;

#[derive(Debug, Clone)]
enum How {
    /// Valid, with the points chosen (or the category's default).
    Valid(Option<i64>),
    Invalid,
    /// A duplicate of another report (its share of that report's award).
    Duplicate(usize),
    Forwarded,
}

#[derive(Debug, Clone)]
enum Op {
    Decide {
        report: usize,
        how: How,
    },
    /// The report's decision becomes older than 24 hours: changing it is refused.
    Age {
        report: usize,
    },
    /// A request for the catalogue's `reward`-th reward from `device`; `resend` writes the
    /// same request from the other device too.
    Redeem {
        device: usize,
        reward: usize,
        resend: bool,
    },
    /// The `nth` reward waiting to be picked up is handed over.
    PickUp {
        nth: usize,
    },
    /// The `nth` reward waiting to be picked up passes its 30 days, and the server refunds
    /// what is due.
    Expire {
        nth: usize,
    },
    Restart,
}

fn how() -> impl Strategy<Value = How> {
    prop_oneof![
        3 => prop::option::of(0..=100i64).prop_map(How::Valid),
        1 => Just(How::Invalid),
        1 => (0..REPORTS).prop_map(How::Duplicate),
        1 => Just(How::Forwarded),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..REPORTS, how()).prop_map(|(report, how)| Op::Decide { report, how }),
        1 => (0..REPORTS).prop_map(|report| Op::Age { report }),
        4 => (0..2usize, 0..6usize, any::<bool>())
            .prop_map(|(device, reward, resend)| Op::Redeem { device, reward, resend }),
        1 => (0..4usize).prop_map(|nth| Op::PickUp { nth }),
        2 => (0..4usize).prop_map(|nth| Op::Expire { nth }),
        1 => Just(Op::Restart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn the_points_bank_keeps_its_invariants(ops in prop::collection::vec(op(), 1..14)) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(run(ops));
    }
}

async fn run(ops: Vec<Op>) {
    let mut app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
    let stations = rider.me["docs"]["stations"].as_str().unwrap().to_owned();
    let doc = rider.rider_doc();
    let mut devices = vec![
        SyncConn::rider(&app, &rider, "a").await,
        SyncConn::rider(&app, &rider, "b").await,
    ];
    let reports: Vec<model::Report> = (0..REPORTS).map(|i| report(&format!("性质 {i}"))).collect();
    for r in &reports {
        devices[0].file(&doc, r).await;
    }
    let boss = app.login("grid-youyang").await;
    app.wait_for_reports(&boss, 10, |rows| rows.len() == REPORTS)
        .await;
    let catalogue: Vec<(String, i64)> = app
        .read_doc(&stations, model::stations_doc::rewards)
        .await
        .into_iter()
        .map(|(id, r)| (id, r.stock))
        .collect();
    assert_eq!(catalogue.len(), 6);
    let mut asked: BTreeSet<String> = BTreeSet::new();

    for op in ops {
        match op.clone() {
            Op::Decide { report, how } => {
                let body = match how {
                    How::Valid(Some(p)) => json!({"status": "valid", "points": p}),
                    How::Valid(None) => json!({"status": "valid"}),
                    How::Invalid => json!({"status": "invalid", "note": "照片不清"}),
                    How::Duplicate(of) => json!({"status": "duplicate", "duplicate_of":
                        {"rider_id": rider_id, "id": reports[of].id}}),
                    How::Forwarded => json!({"status": "forwarded", "note": "消防"}),
                };
                let path = format!("/api/reports/{rider_id}/{}/review", reports[report].id);
                let (status, answer) = app.post(Some(&boss), &path, body).await;
                let refused = answer["error"].as_str().unwrap_or("");
                let self_dup = matches!(how, How::Duplicate(of) if of == report);
                match status {
                    200 => {}
                    409 => assert!(
                        refused == "decision_final" || refused == "points_spent",
                        "{answer}"
                    ),
                    400 if self_dup => assert_eq!(refused, "bad_duplicate"),
                    _ => panic!("{status} {answer}"),
                }
            }
            Op::Age { report } => {
                app.tamper(
                    "UPDATE reports SET reviewed_at = reviewed_at - 86400001 \
                     WHERE id = $1 AND reviewed_at IS NOT NULL",
                    &reports[report].id,
                )
                .await;
            }
            Op::Redeem {
                device,
                reward,
                resend,
            } => {
                let id = uuid::Uuid::new_v4().to_string();
                let request = model::rider_doc::Redemption {
                    reward: catalogue[reward].0.clone(),
                    at: server::db::now_ms(),
                };
                let write = |d: &mut SyncConn| {
                    d.client
                        .change(&doc, |x| model::rider_doc::put_redemption(x, &id, &request))
                        .unwrap()
                };
                let (hash, effects) = write(&mut devices[device]);
                let (again, effects2) = if resend {
                    write(&mut devices[1 - device])
                } else {
                    (None, Vec::new())
                };
                devices[device].apply(effects).await;
                devices[1 - device].apply(effects2).await;
                for (d, h) in [(device, hash), (1 - device, again)] {
                    if let Some(h) = h {
                        devices[d].until(|c| c.relay_has(&doc, &h)).await;
                    }
                }
                asked.insert(id);
            }
            Op::PickUp { nth } | Op::Expire { nth } => {
                let waiting: Vec<_> = app
                    .state
                    .db
                    .redemptions(rider_id)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|r| r.status == "done" && r.picked_up_at.is_none())
                    .collect();
                if waiting.is_empty() {
                    continue;
                }
                let r = &waiting[nth % waiting.len()];
                if matches!(op, Op::PickUp { .. }) {
                    let (status, answer) = app
                        .post(Some(&boss), "/api/pickups", json!({"code": r.code}))
                        .await;
                    assert_eq!(status, 200, "{answer}");
                } else {
                    app.tamper("UPDATE redemptions SET expires_at = 1 WHERE id = $1", &r.id)
                        .await;
                    let n = server::rewards::refund_due(&app.state).await.unwrap();
                    assert_eq!(n, 1);
                }
            }
            Op::Restart => {
                devices.clear();
                app = app.restart().await;
                devices = vec![
                    SyncConn::rider(&app, &rider, "a").await,
                    SyncConn::rider(&app, &rider, "b").await,
                ];
            }
        }
    }

    // Every request is decided, once, and the office document follows SQL.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let decided: BTreeSet<String> = app
            .state
            .db
            .redemption_ids(rider_id)
            .await
            .unwrap()
            .into_iter()
            .collect();
        let copy = app
            .read_doc(&office, |d| {
                (
                    model::office_doc::points(d).map(|p| p.balance),
                    model::office_doc::outcomes(d).len(),
                )
            })
            .await;
        let ledger = app.state.db.balance(rider_id).await.unwrap();
        let settled = decided == asked
            && copy.1 == asked.len()
            && (copy.0 == Some(ledger) || (copy.0.is_none() && ledger == 0));
        if settled {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never settled: asked {asked:?}, decided {decided:?}, office {copy:?}, ledger {ledger}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The ledger: never below zero at any entry, the balance its sum.
    let ledger = app.state.db.ledger(rider_id).await.unwrap();
    let mut running = 0;
    for e in &ledger {
        running += e.amount;
        assert!(running >= 0, "the balance went below zero: {ledger:?}");
    }
    let redemptions = app.state.db.redemptions(rider_id).await.unwrap();
    let done: Vec<_> = redemptions.iter().filter(|r| r.status == "done").collect();
    let refunded = redemptions
        .iter()
        .filter(|r| r.status == "refunded")
        .count();
    let kinds = |kind: &str| ledger.iter().filter(|e| e.kind == kind).count();
    assert_eq!(
        kinds("redemption"),
        done.len() + refunded,
        "one ledger entry per reward redeemed"
    );
    assert_eq!(kinds("refund"), refunded, "one refund per reward refunded");
    // Stock: never below zero, and down by exactly what was redeemed and not refunded.
    let mut redeemed: HashMap<String, i64> = HashMap::new();
    for r in &done {
        *redeemed
            .entry(r.reward_id.unwrap().to_string())
            .or_default() += 1;
    }
    for row in app.state.db.rewards("youyang").await.unwrap() {
        let before = catalogue
            .iter()
            .find(|(id, _)| *id == row.id.to_string())
            .unwrap()
            .1;
        assert!(row.stock >= 0);
        let taken = redeemed.get(&row.id.to_string()).copied().unwrap_or(0);
        assert_eq!(row.stock, before - taken, "{}", row.name);
    }
    // Each failure has its reason, each success its code.
    for r in &redemptions {
        match r.status.as_str() {
            "done" => assert!(r.code.as_deref().is_some_and(|c| c.len() == 6)),
            "failed" => assert!(["balance", "stock", "unavailable"].contains(&r.reason.as_str())),
            "refunded" => assert!(r.picked_up_at.is_none()),
            other => panic!("status {other}"),
        }
    }
    // The stats page's tallies, kept by triggers, equal a count of the reports and ledger.
    let pool = app.raw_pool().await;
    type Tally = (String, i64, String, i64, i64, i64, i64);
    let kept: Vec<Tally> = sqlx::query_as(
        "SELECT county, week, category, received, decided, valid, points FROM report_tallies
         WHERE received > 0 OR points <> 0 ORDER BY 1, 2, 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let counted: Vec<Tally> = sqlx::query_as(
        "SELECT county, (((created_at + 28800000) / 86400000 + 3) / 7 * 7 - 3) * 86400000
                - 28800000 AS week, category, COUNT(*),
                CAST(SUM(CASE WHEN status <> 'new' THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN status = 'valid' THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM((SELECT COALESCE(SUM(amount), 0) FROM ledger
                     WHERE user_id = r.rider_id AND report_id = r.id)) AS BIGINT)
         FROM reports r GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(
        kept, counted,
        "the stats' tallies drifted from the reports and ledger"
    );
}
