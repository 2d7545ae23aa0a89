//! A hazard report as stored in the rider document (schema v1).

use autosurgeon::{Hydrate, Reconcile};

use crate::{Category, lenient};

/// Where a report's location came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationSource {
    /// The device's geolocation, with its accuracy.
    Gps,
    /// Typed in by the rider because geolocation failed or was denied.
    Manual,
}

impl LocationSource {
    /// The code stored in documents.
    pub fn code(self) -> &'static str {
        match self {
            LocationSource::Gps => "gps",
            LocationSource::Manual => "manual",
        }
    }

    /// Reads a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "gps" => Some(LocationSource::Gps),
            "manual" => Some(LocationSource::Manual),
            _ => None,
        }
    }
}

/// One hazard report. Every field is a plain scalar: none of them is ever co-edited.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Report {
    /// The report's UUID, equal to its key in `reports`.
    #[autosurgeon(hydrate = "lenient::string")]
    pub id: String,
    /// A category code (see [`Category::code`]).
    #[autosurgeon(hydrate = "lenient::string")]
    pub category: String,
    /// The rider's note; may be empty.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub note: String,
    /// WGS-84 latitude in degrees.
    #[autosurgeon(hydrate = "lenient::f64")]
    pub lat: f64,
    /// WGS-84 longitude in degrees.
    #[autosurgeon(hydrate = "lenient::f64")]
    pub lon: f64,
    /// Geolocation accuracy in metres; null for a location entered by hand.
    #[autosurgeon(hydrate = "lenient::opt_f64")]
    pub accuracy_m: Option<f64>,
    /// `gps` or `manual`.
    #[autosurgeon(hydrate = "lenient::string")]
    pub location_source: String,
    /// Free-text place description, mostly for locations entered by hand.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub place: String,
    /// When the rider filed it, in milliseconds since the Unix epoch (device clock).
    #[autosurgeon(hydrate = "lenient::i64")]
    pub created_at: i64,
    /// SHA-256 (lower-case hex) of each photo; at most 3.
    #[autosurgeon(hydrate = "lenient::strings")]
    pub photos: Vec<String>,
    /// When the earliest photo was taken, by its EXIF (ms since the epoch, the camera's clock
    /// read as China Standard Time). Kept on the report for supervisors; the uploaded photo
    /// carries no EXIF. Absent (or null) when no photo had a capture time.
    #[autosurgeon(hydrate = "lenient::opt_i64")]
    pub photo_taken_at: Option<i64>,
    /// Where that photo was taken, by its EXIF GPS (WGS-84 degrees); absent when unknown.
    #[autosurgeon(hydrate = "lenient::opt_f64")]
    pub photo_lat: Option<f64>,
    #[autosurgeon(hydrate = "lenient::opt_f64")]
    pub photo_lon: Option<f64>,
}

impl Report {
    /// The category, if the code is one this version knows.
    pub fn category(&self) -> Option<Category> {
        Category::from_code(&self.category)
    }

    /// The location source, if the code is known.
    pub fn location_source(&self) -> Option<LocationSource> {
        LocationSource::from_code(&self.location_source)
    }
}
