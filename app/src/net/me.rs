//! The logged-in user as `/api/me` describes them (`model::api::Me`).

pub use model::api::{Bounds, Me, Role};

use crate::error::AppError;

/// Reads an /api/me answer, or the copy the device keeps.
pub fn parse(text: &str) -> Result<Me, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Decode(e.to_string()))
}

/// The text the device keeps of `me`.
pub fn to_text(me: &Me) -> String {
    serde_json::to_string(me).unwrap_or_default()
}
