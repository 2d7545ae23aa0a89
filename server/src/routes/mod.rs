//! JSON and WebSocket routes, by resource.

pub mod assets;
pub mod auth;
pub mod coverage;
pub mod me;
pub mod notices;
pub mod photos;
pub mod register;
pub mod reports;
pub mod rewards;
pub mod settings;
pub mod stations;
pub mod sync;
pub mod wishes;
