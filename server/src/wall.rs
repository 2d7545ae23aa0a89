//! The county's wish wall (微心愿墙), in its stations document: a copy of the wishes SQL holds
//! as approved, claimed or fulfilled, with the rider's surname only. Written after each step
//! on a wish, and checked against SQL at start, so a stop between the two leaves nothing behind.

use model::{api::WishItem, stations_doc::WallWish};

use crate::state::AppState;

/// A wish as the wall shows it.
pub fn entry(wish: &WishItem) -> WallWish {
    WallWish {
        text: wish.text.clone(),
        by: model::api::wall_name(&wish.rider_name),
        photo: wish.photo.clone(),
        status: wish.status.clone(),
        org: wish.org.clone(),
        at: wish.at,
    }
}

/// Puts `wish` of `county` on the county's wall, or updates it there.
pub async fn write(state: &AppState, county: &str, wish: &WishItem) -> anyhow::Result<()> {
    let Some(doc) = state.db.county_stations_doc(county).await? else {
        return Ok(());
    };
    let wall = entry(wish);
    let key = model::stations_doc::wall_key(wish.rider_id, &wish.id);
    state
        .relay
        .change(&doc, |d| model::stations_doc::put_wall_wish(d, &key, &wall))
        .await?;
    Ok(())
}

/// Rewrites each wall entry that does not match SQL; returns how many were written.
pub async fn reconcile(state: &AppState) -> anyhow::Result<usize> {
    let mut written = 0;
    for (county, wishes) in state.db.wishes_on_walls().await? {
        let Some(doc) = state.db.county_stations_doc(&county).await? else {
            continue;
        };
        let wall: std::collections::HashMap<String, WallWish> = state
            .relay
            .read(&doc, model::stations_doc::wall)
            .await?
            .map(|r| r.value)
            .unwrap_or_default()
            .into_iter()
            .collect();
        for wish in wishes {
            let key = model::stations_doc::wall_key(wish.rider_id, &wish.id);
            if wall.get(&key) != Some(&entry(&wish)) {
                write(state, &county, &wish).await?;
                written += 1;
            }
        }
    }
    Ok(written)
}
