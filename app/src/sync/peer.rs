//! This device's peer id: `u<user id>.<12 random letters and digits>` (`model::PeerId`), made
//! once per device and user and kept in IndexedDB, so the relay sees one stable peer per phone.

use model::PeerId;

use crate::{
    error::AppError,
    store::{META_PEER_ID, Store},
};

/// The stored peer id if it is `user_id`'s, else a new one (stored). `stored` is the
/// `META_PEER_ID` value when the caller read it already.
pub async fn peer_id(
    store: &Store,
    stored: Option<Option<String>>,
    user_id: i64,
) -> Result<String, AppError> {
    let stored = match stored {
        Some(value) => value,
        None => store.meta(META_PEER_ID).await?,
    };
    if let Some(id) = stored
        && PeerId::parse(&id).is_some_and(|p| p.user_id() == user_id)
    {
        return Ok(id);
    }
    let id = PeerId::new(user_id, uuid::Uuid::new_v4().as_bytes()).to_string();
    store.set_meta(META_PEER_ID, &id).await?;
    Ok(id)
}
