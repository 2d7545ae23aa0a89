//! Demo accounts for the embedded default, made on first start.

use crate::{
    accounts::{NewAccount, create_user},
    db::Role,
    state::AppState,
};

/// The demo accounts' password.
pub const DEMO_PASSWORD: &str = "nuanxin-demo";

/// The demo accounts: login, name, role.
pub const DEMO_USERS: [(&str, &str, Role); 3] = [
    ("13800000001", "张师傅", Role::Rider),
    ("13800000002", "李师傅", Role::Rider),
    ("grid-youyang", "王网格员", Role::Supervisor),
];

/// Creates the demo accounts if the database has no account yet; returns whether it did.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<bool> {
    if state.db.user_count().await? > 0 {
        return Ok(false);
    }
    for (login, name, role) in DEMO_USERS {
        let account = NewAccount {
            login,
            name,
            role,
            county: "youyang",
            password: DEMO_PASSWORD,
        };
        let user = create_user(&state.db, &state.repo, &state.acl, account).await?;
        crate::indexer::watch(state.clone(), user);
    }
    Ok(true)
}
