//! Creating accounts. A rider's account comes with their rider document, made on the relay so
//! that every device of the rider syncs into the same document.

use samod::Repo;

use crate::{
    auth,
    db::{Db, NewUser, Role, User},
    relay::{Acl, DocAccess},
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

/// Creates an account (and, for a rider, the rider document) and returns it.
pub async fn create_user(
    db: &Db,
    repo: &Repo,
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
        let doc = model::rider_doc::new_doc(&id.to_string(), None)?;
        let handle = repo
            .create(doc)
            .await
            .map_err(|_| anyhow::anyhow!("relay stopped"))?;
        let doc_id = handle.document_id().to_string();
        db.user_set_rider_doc(id, &doc_id).await?;
        acl.insert(&doc_id, DocAccess::Rider { owner: id });
    }
    db.user_by_id(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("account {id} vanished"))
}
