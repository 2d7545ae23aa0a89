//! The part of Nuanxin shared by the app and the server: the document schema (v1), the hazard
//! categories, validation of untrusted documents, the automerge-repo wire messages and the
//! sans-IO sync client core.
//!
//! Nothing here does I/O. The app drives [`client::SyncClient`] from a WebSocket and IndexedDB;
//! the server's tests drive it from a tokio WebSocket against the real relay.

pub mod api;
pub mod category;
pub mod client;
pub mod device;
pub mod error;
pub mod exif;
pub mod geo;
pub mod hours;
pub mod image_info;
pub mod lenient;
pub mod office_doc;
pub mod peer_id;
pub mod relay;
pub mod report;
pub mod report_id;
pub mod rider_doc;
pub mod station_csv;
pub mod stations_doc;
pub mod validate;
pub mod wire;

pub use category::Category;
pub use error::ModelError;
pub use peer_id::PeerId;
pub use report::{LocationSource, Report};
pub use report_id::ReportId;

/// The version of the document schema this crate reads and writes (docs/schema.md).
pub const SCHEMA_VERSION: u64 = 1;
