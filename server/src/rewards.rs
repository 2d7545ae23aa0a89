//! Rewards for points: the county's catalogue, copied into its stations document, and riders'
//! redemption requests, read from their rider documents by the indexer and decided once each
//! in SQL ([`crate::db::Db::redeem`]); the outcome reaches the rider through the office document.

use std::{
    collections::{BTreeSet, HashSet},
    time::Duration,
};

use model::{rider_doc::Redemption, stations_doc::Reward};

use crate::{
    db::{Db, Redeem, User, now_ms},
    relay::Relay,
    state::AppState,
};

/// The demo county's catalogue: (name, price, stock).
pub const DEMO_REWARDS: [(&str, i64, i64); 6] = [
    ("社区食堂餐券", 10, 500),
    ("技能培训", 30, 50),
    ("防晒衣", 40, 100),
    ("充电宝", 50, 60),
    ("头盔", 60, 80),
    ("体检套餐", 80, 30),
];

/// Copies `county`'s catalogue from SQL into its stations document, where riders read it.
pub async fn publish(db: &Db, relay: &Relay, county: &str) -> anyhow::Result<()> {
    let Some(doc) = db.county_stations_doc(county).await? else {
        return Ok(());
    };
    let rewards: Vec<(String, Reward)> = db
        .rewards(county)
        .await?
        .into_iter()
        .map(|r| {
            let reward = Reward {
                name: r.name,
                price: r.price,
                stock: r.stock,
                active: r.active,
                photo: r.photo.unwrap_or_default(),
            };
            (r.id.to_string(), reward)
        })
        .collect();
    relay
        .change(&doc, |d| model::stations_doc::put_rewards(d, &rewards))
        .await?;
    Ok(())
}

/// Decides the rider's requests that `decided` does not list, adding each decided id to it;
/// then writes the outcomes (and points and notices) into the rider's office document, and the
/// stock into the county's catalogue.
pub async fn settle(
    state: &AppState,
    rider: &User,
    requests: &[(String, Redemption)],
    decided: &mut HashSet<String>,
) -> anyhow::Result<()> {
    let mut any = false;
    let mut spent = false;
    for (id, request) in requests {
        if decided.contains(id) {
            continue;
        }
        let outcome = state
            .db
            .redeem(&Redeem {
                rider_id: rider.id,
                county: &rider.county,
                id,
                reward: &request.reward,
                requested_at: request.at,
                at: now_ms(),
            })
            .await?;
        decided.insert(id.clone());
        any = true;
        spent |= outcome.is_some_and(|o| o.status == "done");
    }
    if any {
        crate::points::write_office(state, rider.id, None).await?;
    }
    if spent {
        publish(&state.db, &state.relay, &rider.county).await?;
    }
    Ok(())
}

/// How often the server looks for rewards not picked up in time.
pub const REFUND_EVERY: Duration = Duration::from_secs(10 * 60);

/// Refunds every reward whose pickup code expired unused, then writes each rider's points,
/// notices and outcomes and each county's stock. Returns how many were refunded.
pub async fn refund_due(state: &AppState) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let refunded = state.db.refund_expired(now_ms(), 500).await?;
        if refunded.is_empty() {
            return Ok(total);
        }
        total += refunded.len();
        let riders: BTreeSet<i64> = refunded.iter().map(|r| r.rider_id).collect();
        let mut counties = BTreeSet::new();
        for rider_id in riders {
            crate::points::write_office(state, rider_id, None).await?;
            if let Some(user) = state.db.user_by_id(rider_id).await? {
                counties.insert(user.county);
            }
        }
        for county in counties {
            publish(&state.db, &state.relay, &county).await?;
        }
    }
}

/// Refunds expired rewards now and every [`REFUND_EVERY`].
pub fn spawn_refunds(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(REFUND_EVERY);
        loop {
            every.tick().await;
            match refund_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(refunded = n, "expired pickup codes refunded"),
                Err(e) => tracing::error!(error = ?e, "cannot refund expired pickup codes"),
            }
        }
    });
}
