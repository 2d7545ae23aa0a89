//! A hazard report as stored in the rider document (schema v1).

use automerge::{Automerge, ObjId, ReadDoc as _};
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
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
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
    /// Reads the report held in map `obj` in one pass over its fields, as [`Hydrate`] would
    /// read it; `None` when a field does not read, and `Hydrate` is then the way to its error.
    /// One pass costs a tenth of looking each field up.
    pub fn read(doc: &Automerge, obj: &ObjId) -> Option<Report> {
        let mut fields: Vec<(String, lenient::Found<'static>)> = doc
            .map_range(obj, ..)
            .map(|item| {
                let id = item.id();
                (item.key.into_owned(), Some((item.value.into_value(), id)))
            })
            .collect();
        let mut take = |key: &str| {
            fields
                .iter_mut()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.take())
        };
        Some(Report {
            id: lenient::string_of(doc, take("id")).ok()?,
            category: lenient::string_of(doc, take("category")).ok()?,
            note: lenient::opt_string_of(doc, take("note")).ok()?,
            lat: lenient::f64_of(take("lat")).ok()?,
            lon: lenient::f64_of(take("lon")).ok()?,
            accuracy_m: lenient::opt_f64_of(take("accuracy_m")).ok()?,
            location_source: lenient::string_of(doc, take("location_source")).ok()?,
            place: lenient::opt_string_of(doc, take("place")).ok()?,
            created_at: lenient::i64_of(take("created_at")).ok()?,
            photos: lenient::strings_of(doc, take("photos")).ok()?,
            photo_taken_at: lenient::opt_i64_of(take("photo_taken_at")).ok()?,
            photo_lat: lenient::opt_f64_of(take("photo_lat")).ok()?,
            photo_lon: lenient::opt_f64_of(take("photo_lon")).ok()?,
        })
    }

    /// The category, if the code is one this version knows.
    pub fn category(&self) -> Option<Category> {
        Category::from_code(&self.category)
    }

    /// The location source, if the code is known.
    pub fn location_source(&self) -> Option<LocationSource> {
        LocationSource::from_code(&self.location_source)
    }
}
