//! Rewards: redemption requests from two devices of one rider, decided once each against the
//! balance and the stock; outcomes, points and notices in the office document; the catalogue's
//! stock in the stations document; and pickup codes used once.

use std::time::Duration;

use serde_json::json;

use crate::util::{Session, SyncConn, TestApp, eventually, sync_conn_report as report};

/// The catalogue as the county's stations document carries it: name → (id, price, stock).
async fn catalogue(app: &TestApp, stations: &str) -> Vec<(String, String, i64, i64)> {
    app.read_doc(stations, model::stations_doc::rewards)
        .await
        .into_iter()
        .map(|(id, r)| (r.name, id, r.price, r.stock))
        .collect()
}

async fn outcomes(app: &TestApp, office: &str) -> Vec<(String, model::office_doc::Outcome)> {
    app.read_doc(office, model::office_doc::outcomes).await
}

/// A rider with points to spend: the demo rider, one report found valid for `points`.
struct Funded {
    rider: Session,
    rider_id: i64,
    office: String,
    stations: String,
    doc: String,
    phone: SyncConn,
    boss: Session,
}

async fn funded(app: &TestApp, points: i64) -> Funded {
    let rider = app.login("13800000001").await;
    let rider_id = rider.me["user"]["id"].as_i64().unwrap();
    let office = rider.me["docs"]["office"].as_str().unwrap().to_owned();
    let stations = rider.me["docs"]["stations"].as_str().unwrap().to_owned();
    let doc = rider.rider_doc();
    let mut phone = SyncConn::rider(app, &rider, "phone").await;
    let r = report("消防通道堵塞");
    phone.file(&doc, &r).await;
    let boss = app.login("grid-youyang").await;
    app.wait_for_reports(&boss, 10, |rows| rows.len() == 1)
        .await;
    let path = format!("/api/reports/{rider_id}/{}/review", r.id);
    let (status, _) = app
        .post(
            Some(&boss),
            &path,
            json!({"status": "valid", "points": points}),
        )
        .await;
    assert_eq!(status, 200);
    Funded {
        rider,
        rider_id,
        office,
        stations,
        doc,
        phone,
        boss,
    }
}

#[tokio::test]
async fn two_devices_ask_for_more_than_the_balance_and_exactly_the_affordable_is_redeemed() {
    let app = TestApp::start().await;
    // 100 points from one valid report.
    let Funded {
        rider,
        rider_id,
        office,
        stations,
        doc,
        mut phone,
        ..
    } = funded(&app, 100).await;
    let mut tablet = SyncConn::rider(&app, &rider, "tablet").await;

    // The demo catalogue, as riders read it: 头盔 60 and 充电宝 50 cost 110 together.
    let before = catalogue(&app, &stations).await;
    let find = |name: &str| before.iter().find(|c| c.0 == name).cloned().unwrap();
    let (helmet, bank) = (find("头盔"), find("充电宝"));
    assert_eq!((helmet.2, bank.2), (60, 50));
    assert_eq!(before.len(), 6, "{before:?}");

    // Each device asks without having seen the other's request.
    let ask = |reward: &str| model::rider_doc::Redemption {
        reward: reward.to_owned(),
        at: 1,
    };
    let (_, from_phone) = phone
        .client
        .change(&doc, |d| {
            model::rider_doc::put_redemption(d, "req-phone", &ask(&helmet.1))
        })
        .unwrap();
    let (_, from_tablet) = tablet
        .client
        .change(&doc, |d| {
            model::rider_doc::put_redemption(d, "req-tablet", &ask(&bank.1))
        })
        .unwrap();
    phone.apply(from_phone).await;
    tablet.apply(from_tablet).await;

    eventually("both requests decided", || async {
        outcomes(&app, &office).await.len() == 2
    })
    .await;
    let decided = outcomes(&app, &office).await;
    let done: Vec<_> = decided.iter().filter(|(_, o)| o.status == "done").collect();
    let failed: Vec<_> = decided
        .iter()
        .filter(|(_, o)| o.status == "failed")
        .collect();
    assert_eq!((done.len(), failed.len()), (1, 1), "{decided:?}");
    assert_eq!(failed[0].1.reason, "balance");
    let (_, got) = done[0];
    assert_eq!(got.code.len(), 6);
    assert!(got.code.bytes().all(|b| b.is_ascii_digit()));
    assert!(got.expires_at > got.at);
    let spent = got.price;
    assert_eq!(app.state.db.balance(rider_id).await.unwrap(), 100 - spent);
    // The office document's balance, and the stock in the catalogue, follow.
    let points = app
        .read_doc(&office, model::office_doc::points)
        .await
        .unwrap();
    assert_eq!(points.balance, 100 - spent);
    let taken = if got.name == "头盔" { &helmet } else { &bank };
    eventually("the stock follows", || async {
        catalogue(&app, &stations)
            .await
            .iter()
            .any(|c| c.1 == taken.1 && c.3 == taken.3 - 1)
    })
    .await;
    // A notice for each: one done, one failed.
    let notices = app.read_doc(&office, model::office_doc::notices).await;
    let mut told: Vec<_> = notices
        .iter()
        .filter(|(_, n)| n.kind == "redemption")
        .map(|(_, n)| n.status.clone())
        .collect();
    told.sort();
    assert_eq!(told, ["done", "failed"]);

    // After a restart, with both devices syncing again, nothing is decided twice.
    let code = got.code.clone();
    drop((phone, tablet));
    let app = app.restart().await;
    let rider = app.login("13800000001").await;
    let mut phone = SyncConn::rider(&app, &rider, "phone2").await;
    phone.settle(Duration::from_millis(300)).await;
    assert_eq!(outcomes(&app, &office).await, decided);
    assert_eq!(app.state.db.ledger(rider_id).await.unwrap().len(), 2);

    // The pickup code: a rider may not use it, another county's supervisor does not find it,
    // the county's supervisor hands the reward over once.
    let (status, body) = app
        .post(Some(&rider), "/api/pickups", json!({"code": code}))
        .await;
    assert_eq!(status, 403, "{body}");
    let other = app
        .add_account("grid-hanyin", server::db::Role::Supervisor, "hanyin")
        .await;
    let (status, body) = app
        .post(Some(&other), "/api/pickups", json!({"code": code}))
        .await;
    assert_eq!((status, &body["error"]), (404, &json!("unknown_code")));
    let boss = app.login("grid-youyang").await;
    let (status, body) = app
        .post(Some(&boss), "/api/pickups", json!({"code": "12a456"}))
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("bad_code")));
    let (status, body) = app
        .post(Some(&boss), "/api/pickups", json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["reward"], json!(got.name));
    assert_eq!(body["rider_login"], json!("13800000001"));
    let (status, body) = app
        .post(Some(&boss), "/api/pickups", json!({"code": code}))
        .await;
    assert_eq!((status, &body["error"]), (409, &json!("picked_up")));
    assert_eq!(body["message"], json!("已领取"));
    eventually("the office document shows the handover", || async {
        outcomes(&app, &office)
            .await
            .iter()
            .any(|(_, o)| o.code == code && o.picked_up_at > 0)
    })
    .await;
}

#[tokio::test]
async fn a_reward_not_picked_up_in_time_is_refunded_once() {
    let app = TestApp::start().await;
    let Funded {
        rider_id,
        office,
        stations,
        doc,
        mut phone,
        boss,
        ..
    } = funded(&app, 30).await;

    // Two meal coupons (10 each): one is picked up, the other never is.
    let before = catalogue(&app, &stations).await;
    let coupon = before
        .iter()
        .find(|c| c.0 == "社区食堂餐券")
        .unwrap()
        .clone();
    for id in ["kept", "forgotten"] {
        let ask = model::rider_doc::Redemption {
            reward: coupon.1.clone(),
            at: 1,
        };
        let (_, effects) = phone
            .client
            .change(&doc, |d| model::rider_doc::put_redemption(d, id, &ask))
            .unwrap();
        phone.apply(effects).await;
    }
    eventually("both requests decided", || async {
        outcomes(&app, &office).await.len() == 2
    })
    .await;
    let code = |id: &str| {
        let id = id.to_owned();
        let app = &app;
        let office = &office;
        async move {
            outcomes(app, office)
                .await
                .into_iter()
                .find(|(k, _)| *k == id)
                .unwrap()
                .1
        }
    };
    let kept = code("kept").await;
    let forgotten = code("forgotten").await;
    let (status, _) = app
        .post(Some(&boss), "/api/pickups", json!({"code": kept.code}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.state.db.balance(rider_id).await.unwrap(), 10);

    // Before the 30 days are up nothing is refunded; after, the one not picked up is.
    assert_eq!(server::rewards::refund_due(&app.state).await.unwrap(), 0);
    for id in ["kept", "forgotten"] {
        app.tamper("UPDATE redemptions SET expires_at = 1 WHERE id = $1", id)
            .await;
    }
    assert_eq!(server::rewards::refund_due(&app.state).await.unwrap(), 1);
    assert_eq!(server::rewards::refund_due(&app.state).await.unwrap(), 0);
    let ledger = app.state.db.ledger(rider_id).await.unwrap();
    let refunds: Vec<_> = ledger.iter().filter(|e| e.kind == "refund").collect();
    assert_eq!(refunds.len(), 1, "{ledger:?}");
    assert_eq!(refunds[0].amount, 10);
    assert_eq!(app.state.db.balance(rider_id).await.unwrap(), 20);

    // The rider sees it: balance, outcome, a notice; the stock is one back.
    let points = app
        .read_doc(&office, model::office_doc::points)
        .await
        .unwrap();
    assert_eq!(points.balance, 20);
    assert_eq!(points.entries.last().unwrap().1.kind, "refund");
    let now = code("forgotten").await;
    assert_eq!(now.status, "refunded");
    assert_eq!(code("kept").await.status, "done");
    let notices = app.read_doc(&office, model::office_doc::notices).await;
    let last = &notices.last().unwrap().1;
    assert_eq!(
        (last.kind.as_str(), last.status.as_str(), last.points),
        ("redemption", "refunded", 10)
    );
    eventually("the stock is back", || async {
        catalogue(&app, &stations)
            .await
            .iter()
            .any(|c| c.1 == coupon.1 && c.3 == coupon.3 - 1)
    })
    .await;

    // The void code is refused at the counter as expired.
    let (status, body) = app
        .post(Some(&boss), "/api/pickups", json!({"code": forgotten.code}))
        .await;
    assert_eq!(
        (status, &body["error"]),
        (410, &json!("code_expired")),
        "{body}"
    );
}

#[tokio::test]
async fn supervisors_keep_the_catalogue_and_riders_read_it() {
    let app = TestApp::start().await;
    let rider = app.login("13800000001").await;
    let stations = rider.me["docs"]["stations"].as_str().unwrap().to_owned();
    let boss = app.login("grid-youyang").await;

    // A new reward, not offered yet.
    let form = |name: &str, price: i64, active: bool, stock_change: i64| json!({"name": name, "price": price, "active": active, "stock_change": stock_change});
    let (status, added) = app
        .post(Some(&boss), "/api/rewards", form("  雨衣 ", 25, false, 40))
        .await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(
        (
            &added["name"],
            &added["price"],
            &added["stock"],
            &added["active"]
        ),
        (&json!("雨衣"), &json!(25), &json!(40), &json!(false))
    );
    let id = added["id"].as_i64().unwrap();
    let (_, list) = app.get(Some(&boss), "/api/rewards").await;
    assert_eq!(list.as_array().unwrap().len(), 7);
    eventually("riders see it, not offered", || async {
        catalogue(&app, &stations)
            .await
            .iter()
            .any(|c| c.0 == "雨衣" && c.1 == id.to_string() && c.3 == 40)
    })
    .await;
    let offered = app
        .read_doc(&stations, model::stations_doc::rewards)
        .await
        .into_iter()
        .find(|(k, _)| *k == id.to_string())
        .unwrap()
        .1;
    assert!(!offered.active);

    // Offered, dearer, restocked by 10; then 60 taken out of 50 is refused.
    let path = format!("/api/rewards/{id}");
    let (status, changed) = app
        .put(Some(&boss), &path, form("雨衣", 30, true, 10))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (&changed["stock"], &changed["price"]),
        (&json!(50), &json!(30))
    );
    let (status, body) = app
        .put(Some(&boss), &path, form("雨衣", 30, true, -60))
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("bad_stock")),
        "{body}"
    );
    assert_eq!(body["message"], json!("库存应在 0 到 100000 之间"));
    eventually("riders see the change", || async {
        app.read_doc(&stations, model::stations_doc::rewards)
            .await
            .iter()
            .any(|(k, r)| *k == id.to_string() && r.active && r.price == 30 && r.stock == 50)
    })
    .await;

    // A picture: uploaded by the supervisor, named in the catalogue, readable by the county's
    // riders (not by another county's) and kept by the photo clean-up.
    let sha = app
        .upload_photo(&boss, crate::util::photo::jpeg(64, 48))
        .await;
    let (status, _) = app
        .put(
            Some(&boss),
            &path,
            json!({"name": "雨衣", "price": 30, "active": true, "stock_change": 0, "photo": "ab"}),
        )
        .await;
    assert_eq!(status, 400, "a picture name that is no SHA-256");
    let (status, changed) = app
        .put(
            Some(&boss),
            &path,
            json!({"name": "雨衣", "price": 30, "active": true, "stock_change": 0, "photo": sha}),
        )
        .await;
    assert_eq!((status, &changed["photo"]), (200, &json!(sha)), "{changed}");
    let (status, _) = app.get(Some(&rider), &format!("/api/photos/{sha}")).await;
    assert_eq!(status, 200, "the county's riders see the picture");
    eventually("riders' phones name the picture", || async {
        app.read_doc(&stations, model::stations_doc::rewards)
            .await
            .iter()
            .any(|(k, r)| *k == id.to_string() && r.photo == sha)
    })
    .await;
    let outsider = app
        .add_account("13900000001", server::db::Role::Rider, "hanyin")
        .await;
    let (status, _) = app
        .get(Some(&outsider), &format!("/api/photos/{sha}"))
        .await;
    assert_eq!(status, 404);
    assert!(
        app.state
            .db
            .photo_hashes_in_reports()
            .await
            .unwrap()
            .contains(&sha)
    );

    // Bad input is refused with its reason.
    for (body, code) in [
        (form("", 10, true, 1), "bad_reward_name"),
        (
            form("名字太长名字太长名字太长名字太长名字太长名", 10, true, 1),
            "bad_reward_name",
        ),
        (form("雨\u{0}衣", 10, true, 1), "bad_reward_name"),
        (form("雨衣", 0, true, 1), "bad_price"),
        (form("雨衣", 10_001, true, 1), "bad_price"),
        (form("雨衣", 10, true, -1), "bad_stock"),
    ] {
        let (status, answer) = app.post(Some(&boss), "/api/rewards", body).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(code)),
            "{answer}"
        );
    }
    let (status, _) = app
        .put(
            Some(&boss),
            "/api/rewards/999999",
            form("雨衣", 30, true, 0),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .put(Some(&boss), "/api/rewards/abc", form("雨衣", 30, true, 0))
        .await;
    assert_eq!(status, 404);
}

/// Two riders redeeming the last unit of a reward at the same moment, each through a node of
/// its own on PostgreSQL (through the one server on SQLite, one process per file), for twenty
/// rewards at once: each unit goes once, the other rider is refused for stock, and neither the
/// stock nor a balance is taken twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_unit_goes_once_when_two_riders_on_two_nodes_redeem_it_at_once() {
    use server::db::{Redeem, Role};
    const REWARDS: i64 = 20;
    let one = TestApp::start().await;
    let other;
    let two = if std::env::var("NUANXIN_TEST_PG").is_ok_and(|v| !v.is_empty()) {
        other = one.another_node().await;
        &other
    } else {
        &one
    };
    let mut riders = Vec::new();
    for login in ["13900000001", "13900000002"] {
        let s = one.add_account(login, Role::Rider, "youyang").await;
        riders.push(s.me["user"]["id"].as_i64().unwrap());
    }
    // Points enough for every reward, for both.
    let raw = one.raw_pool().await;
    for id in &riders {
        sqlx::query(
            "INSERT INTO ledger (user_id, ref, kind, amount, reason, created_at)
             VALUES ($1, $2, 'award', $3, '', 0)",
        )
        .bind(id)
        .bind(format!("test-grant:{id}"))
        .bind(REWARDS * 10)
        .execute(&raw)
        .await
        .unwrap();
    }
    let mut rewards = Vec::new();
    for i in 0..REWARDS {
        let form = model::api::RewardForm {
            name: format!("最后一件 {i}"),
            price: 10,
            active: true,
            stock_change: 1,
            photo: String::new(),
        };
        rewards.push(one.state.db.reward_add("youyang", &form).await.unwrap().id);
    }

    let requests: Vec<(String, String)> = rewards
        .iter()
        .map(|id| (format!("req-{id}"), id.to_string()))
        .collect();
    let asks = requests.iter().flat_map(|(req, reward)| {
        [(&one, riders[0]), (two, riders[1])].map(|(node, rider_id)| {
            let r = Redeem {
                rider_id,
                county: "youyang",
                id: req,
                reward,
                requested_at: 1,
                at: 2,
            };
            async move { node.state.db.redeem(&r).await.unwrap().unwrap() }
        })
    });
    let decided = futures::future::join_all(asks).await;

    for pair in decided.chunks(2) {
        let mut got: Vec<(&str, &str)> = pair
            .iter()
            .map(|r| (r.status.as_str(), r.reason.as_str()))
            .collect();
        got.sort();
        assert_eq!(got, [("done", ""), ("failed", "stock")], "{pair:?}");
    }
    for id in &rewards {
        let left = one.state.db.reward("youyang", *id).await.unwrap().unwrap();
        assert_eq!(left.stock, 0);
    }
    let won: Vec<i64> = riders
        .iter()
        .map(|id| {
            decided
                .iter()
                .filter(|r| r.rider_id == *id && r.status == "done")
                .count() as i64
        })
        .collect();
    assert_eq!(won.iter().sum::<i64>(), REWARDS);
    for (id, won) in riders.iter().zip(&won) {
        assert_eq!(
            one.state.db.balance(*id).await.unwrap(),
            REWARDS * 10 - won * 10
        );
    }
}
