//! Creating accounts and the documents that come with them. A rider's account comes with their
//! rider document and their office document, made on the relay so that every device of the
//! rider syncs into the same documents; every county with an account has a stations document.

use crate::{
    auth,
    db::{Db, NewUser, Role, User},
    relay::{Acl, DocAccess, Relay},
    state::AppState,
};

/// An account to create, with its password in clear.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub county: &'a str,
    pub password: &'a str,
}

/// Creates an account (and, for a rider, the rider and office documents) and returns it.
pub async fn create_user(
    db: &Db,
    relay: &Relay,
    acl: &Acl,
    account: NewAccount<'_>,
) -> anyhow::Result<User> {
    let NewAccount {
        login,
        name,
        role,
        county,
        password,
    } = account;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password)).await??;
    let id = db
        .user_insert(&NewUser {
            login,
            name,
            role,
            county,
            password_hash: &hash,
        })
        .await?;
    if role == Role::Rider {
        let doc_id = relay
            .create(model::rider_doc::new_doc(&id.to_string(), None)?)
            .await?;
        db.user_set_rider_doc(id, &doc_id).await?;
        acl.insert(&doc_id, DocAccess::Rider { owner: id });
        ensure_office_doc(db, relay, acl, id).await?;
    }
    ensure_stations_doc(db, relay, acl, county).await?;
    acl.set_user(id, county, true);
    db.user_by_id(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("account {id} vanished"))
}

/// Makes the office document of rider `id` unless it has one.
async fn ensure_office_doc(db: &Db, relay: &Relay, acl: &Acl, id: i64) -> anyhow::Result<()> {
    let doc_id = relay
        .create(model::office_doc::new_doc(&id.to_string())?)
        .await?;
    db.user_set_office_doc(id, &doc_id).await?;
    acl.insert(&doc_id, DocAccess::Office { owner: id });
    Ok(())
}

/// Makes the stations document of `county` unless it has one; the demo county gets its demo
/// stations.
pub async fn ensure_stations_doc(
    db: &Db,
    relay: &Relay,
    acl: &Acl,
    county: &str,
) -> anyhow::Result<String> {
    if let Some(doc_id) = db.county_stations_doc(county).await? {
        return Ok(doc_id);
    }
    let doc_id = make_stations_doc(db, relay, county).await?;
    acl.insert(
        &doc_id,
        DocAccess::Stations {
            county: county.to_owned(),
        },
    );
    Ok(doc_id)
}

async fn make_stations_doc(db: &Db, relay: &Relay, county: &str) -> anyhow::Result<String> {
    let stations = crate::seed::demo_stations(county);
    let mut doc = model::stations_doc::new_doc(county, &stations)?;
    let districts = crate::seed::districts(county);
    if !districts.is_empty() {
        model::stations_doc::put_districts(&mut doc, &districts)?;
    }
    let made = relay.create(doc).await?;
    // Two first accounts of a county at once: the first record wins, the other document is
    // never shared.
    let doc_id = db.county_set_stations_doc(county, &made).await?;
    if let Some((names, b)) = crate::seed::known_county(county) {
        db.county_set_known_if_unset(county, &names, b).await?;
    }
    // The demo county's catalogue, once.
    if county == "youyang" && db.rewards(county).await?.is_empty() {
        for (name, price, stock) in crate::rewards::DEMO_REWARDS {
            let form = model::api::RewardForm {
                name: name.to_owned(),
                price,
                active: true,
                stock_change: stock,
                photo: String::new(),
            };
            db.reward_add(county, &form).await?;
        }
    }
    crate::rewards::publish(db, relay, county).await?;
    Ok(doc_id)
}

/// Loads the share table from the database at start, making any office or stations document
/// that a database from an earlier version lacks. Returns every account.
pub async fn load_acl(db: &Db, relay: &Relay, acl: &Acl) -> anyhow::Result<Vec<User>> {
    for (county, doc_id) in db.counties().await? {
        if let Some((names, b)) = crate::seed::known_county(&county) {
            db.county_set_known_if_unset(&county, &names, b).await?;
        }
        acl.insert(&doc_id, DocAccess::Stations { county });
    }
    let mut users = db.users_all().await?;
    for u in &mut users {
        share_own_docs(acl, u);
        if u.office_doc.is_none() && u.role == Role::Rider {
            ensure_office_doc(db, relay, acl, u.id).await?;
            u.office_doc = db.user_by_id(u.id).await?.and_then(|x| x.office_doc);
        }
        ensure_stations_doc(db, relay, acl, &u.county).await?;
    }
    Ok(users)
}

/// Puts an account, its rider document and its office document in the share table.
fn share_own_docs(acl: &Acl, user: &User) {
    acl.set_user(user.id, &user.county, !user.disabled);
    if let Some(doc) = &user.rider_doc {
        acl.insert(doc, DocAccess::Rider { owner: user.id });
    }
    if let Some(doc) = &user.office_doc {
        acl.insert(doc, DocAccess::Office { owner: user.id });
    }
}

/// Brings the share table up to date with the database for one account: called when the account connects, so accounts, counties and documents
/// made by another process (the CLI, another relay node) take effect without a restart.
pub async fn learn(state: &AppState, user: &User) -> anyhow::Result<()> {
    let acl = &state.acl;
    share_own_docs(acl, user);
    if let Some(doc) = state.db.county_stations_doc(&user.county).await? {
        acl.insert(
            &doc,
            DocAccess::Stations {
                county: user.county.clone(),
            },
        );
    }
    Ok(())
}
