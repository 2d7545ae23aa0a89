//! This device's peer id: `u<user id>.<12 random letters and digits>` (`model::PeerId`), made
//! once per device and user and kept in IndexedDB, so the relay sees one stable peer per phone.

use model::PeerId;

use crate::{
    error::AppError,
    store::{META_PEER_ID, Store},
};

/// The stored peer id if it is `user_id`'s, else a new one (stored).
pub async fn peer_id(store: &Store, user_id: i64) -> Result<String, AppError> {
    if let Some(id) = store.meta(META_PEER_ID).await?
        && PeerId::parse(&id).is_some_and(|p| p.user_id() == user_id)
    {
        return Ok(id);
    }
    let id = PeerId::new(user_id, uuid::Uuid::new_v4().as_bytes()).to_string();
    store.set_meta(META_PEER_ID, &id).await?;
    Ok(id)
}
