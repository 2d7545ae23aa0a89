//! Talking to the server: JSON over `fetch`, the relay WebSocket, the supervisors' live feed.
//! Everything is same-origin and authenticated by the session cookie.

pub mod api;
pub mod feed;
pub mod http;
pub mod me;
pub mod row;
pub mod socket;
pub mod upload;
