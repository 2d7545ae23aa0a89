//! Small values kept on the device in `localStorage`, beside the IndexedDB store: the chosen
//! language, the notices read, the last position the stations page had. Each is a string under
//! its own key; a browser without storage keeps nothing and reads nothing.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The value kept under `key`, if any.
pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Keeps `value` under `key` (best effort: a full or missing storage keeps nothing).
pub fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}
