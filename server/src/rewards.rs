//! Rewards for points: the county's catalogue, copied into its stations document, and riders'
//! redemption requests, read from their rider documents by the indexer and decided once each
//! in SQL ([`crate::db::Db::redeem`]); the outcome reaches the rider through the office document.

use std::collections::HashSet;

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
