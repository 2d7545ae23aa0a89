//! This device's peer id: `<the user's prefix><12 random letters and digits>`, made once per
//! device and user and kept in IndexedDB, so the relay sees one stable peer per phone.

use crate::{
    error::AppError,
    store::{META_PEER_ID, Store},
};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The stored peer id if it belongs to `prefix`'s user, else a new one (stored).
pub async fn peer_id(store: &Store, prefix: &str) -> Result<String, AppError> {
    if let Some(id) = store.meta(META_PEER_ID).await?
        && is_valid(&id, prefix)
    {
        return Ok(id);
    }
    let id = make(prefix, uuid::Uuid::new_v4().as_bytes());
    store.set_meta(META_PEER_ID, &id).await?;
    Ok(id)
}

/// A peer id from 12 random bytes or more.
pub fn make(prefix: &str, random: &[u8]) -> String {
    let tail: String = random
        .iter()
        .take(12)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{prefix}{tail}")
}

/// Whether `id` is `prefix` followed by 12 letters or digits.
pub fn is_valid(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|t| t.len() == 12 && t.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn ids_carry_the_prefix_and_twelve_alphanumerics() {
        let id = make("u7.", &[0, 61, 62, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(id, "u7.A9AHBCDEFGHI");
        assert!(is_valid(&id, "u7."));
        assert!(!is_valid(&id, "u1."));
        assert!(!is_valid("u7.short", "u7."));
    }
}
