//! Validation of reports. Rider documents are untrusted input: the server indexes only what
//! passes, and flags the rest to supervisors. The app runs the same checks before saving.

use crate::{Category, LocationSource, Report, ReportId};

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;
/// Longest place description, in characters.
pub const MAX_PLACE_CHARS: usize = 200;
/// Most photos on one report.
pub const MAX_PHOTOS: usize = 3;
/// Earliest plausible filing time: 2024-01-01T00:00:00Z.
pub const MIN_CREATED_AT_MS: i64 = 1_704_067_200_000;
/// How far a device clock may run ahead of the server's.
pub const MAX_CLOCK_SKEW_MS: i64 = 24 * 3600 * 1000;

/// One reason a report is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    IdMismatch,
    BadId,
    UnknownCategory(String),
    NoteTooLong(usize),
    PlaceTooLong(usize),
    LatitudeOutOfRange,
    LongitudeOutOfRange,
    BadAccuracy,
    UnknownLocationSource(String),
    TooManyPhotos(usize),
    BadPhotoHash,
    BadTime,
    BadPhotoLocation,
    /// Latitude and longitude both exactly 0: a default value, not a place riders work.
    NullIsland,
    /// The note or the place (named) holds a control or direction-changing character.
    BadText(&'static str),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::IdMismatch => write!(f, "id differs from its key"),
            Problem::BadId => write!(f, "id is not a UUID"),
            Problem::UnknownCategory(c) => write!(f, "unknown category {c:?}"),
            Problem::NoteTooLong(n) => write!(f, "note has {n} characters (max {MAX_NOTE_CHARS})"),
            Problem::PlaceTooLong(n) => {
                write!(f, "place has {n} characters (max {MAX_PLACE_CHARS})")
            }
            Problem::LatitudeOutOfRange => write!(f, "latitude out of range"),
            Problem::LongitudeOutOfRange => write!(f, "longitude out of range"),
            Problem::BadAccuracy => write!(f, "accuracy must be a non-negative number"),
            Problem::UnknownLocationSource(s) => write!(f, "unknown location source {s:?}"),
            Problem::TooManyPhotos(n) => write!(f, "{n} photos (max {MAX_PHOTOS})"),
            Problem::BadPhotoHash => write!(f, "a photo hash is not 64 lower-case hex digits"),
            Problem::BadTime => write!(f, "created_at is implausible"),
            Problem::BadPhotoLocation => write!(f, "photo_lat/photo_lon out of range"),
            Problem::NullIsland => write!(f, "location is (0, 0)"),
            Problem::BadText(field) => {
                write!(f, "{field} has a control or direction-changing character")
            }
        }
    }
}

/// Checks one report stored under `key`, with `now_ms` the checker's clock.
pub fn check_report(key: &str, r: &Report, now_ms: i64) -> Vec<Problem> {
    let mut problems = Vec::new();
    if ReportId::parse(key).is_none() {
        problems.push(Problem::BadId);
    }
    if r.id != key {
        problems.push(Problem::IdMismatch);
    }
    if Category::from_code(&r.category).is_none() {
        problems.push(Problem::UnknownCategory(truncate(&r.category)));
    }
    let note = r.note.chars().count();
    if note > MAX_NOTE_CHARS {
        problems.push(Problem::NoteTooLong(note));
    }
    let place = r.place.chars().count();
    if place > MAX_PLACE_CHARS {
        problems.push(Problem::PlaceTooLong(place));
    }
    if !plain_text(&r.note, true) {
        problems.push(Problem::BadText("note"));
    }
    if !plain_text(&r.place, false) {
        problems.push(Problem::BadText("place"));
    }
    if !(r.lat.is_finite() && (-90.0..=90.0).contains(&r.lat)) {
        problems.push(Problem::LatitudeOutOfRange);
    }
    if !(r.lon.is_finite() && (-180.0..=180.0).contains(&r.lon)) {
        problems.push(Problem::LongitudeOutOfRange);
    }
    if r.lat == 0.0 && r.lon == 0.0 {
        problems.push(Problem::NullIsland);
    }
    if let Some(a) = r.accuracy_m
        && !(a.is_finite() && a >= 0.0)
    {
        problems.push(Problem::BadAccuracy);
    }
    if LocationSource::from_code(&r.location_source).is_none() {
        problems.push(Problem::UnknownLocationSource(truncate(&r.location_source)));
    }
    if r.photos.len() > MAX_PHOTOS {
        problems.push(Problem::TooManyPhotos(r.photos.len()));
    }
    if !r.photos.iter().all(|h| is_sha256_hex(h)) {
        problems.push(Problem::BadPhotoHash);
    }
    if r.created_at < MIN_CREATED_AT_MS || r.created_at > now_ms + MAX_CLOCK_SKEW_MS {
        problems.push(Problem::BadTime);
    }
    let lat_ok = r
        .photo_lat
        .is_none_or(|v| v.is_finite() && (-90.0..=90.0).contains(&v));
    let lon_ok = r
        .photo_lon
        .is_none_or(|v| v.is_finite() && (-180.0..=180.0).contains(&v));
    if !(lat_ok && lon_ok) {
        problems.push(Problem::BadPhotoLocation);
    }
    problems
}

/// The longest person's name, in characters.
pub const MAX_PERSON_NAME_CHARS: usize = 20;

/// A person's name as an account keeps it: trimmed, 1 to [`MAX_PERSON_NAME_CHARS`]
/// characters, with no control or direction-changing character, and something visible left
/// once invisible characters (zero-width spaces and joiners, the byte-order mark, soft hyphens)
/// and spaces are taken away. `None` when the name breaks a rule.
pub fn person_name(name: &str) -> Option<&str> {
    let name = name.trim();
    let chars = name.chars().count();
    let ok = (1..=MAX_PERSON_NAME_CHARS).contains(&chars)
        && plain_text(name, false)
        && has_visible(name);
    ok.then_some(name)
}

/// The rule for every free text a person writes (report notes and places, review notes,
/// reasons, notices, wishes, names of rewards and stations): no control character (line
/// breaks and tabs are allowed where `multiline`) and no direction-changing character. Blank
/// text passes; where text is needed, [`has_visible`] says whether there is any.
pub fn plain_text(s: &str, multiline: bool) -> bool {
    !s.chars().any(|c| {
        (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) || is_bidi_control(c)
    })
}

/// Whether `s` shows anything once spaces and invisible characters (zero-width spaces and
/// joiners, the word joiner, the byte-order mark, soft hyphens, the Mongolian vowel separator)
/// are taken away.
pub fn has_visible(s: &str) -> bool {
    s.chars().any(|c| !is_invisible(c))
}

/// Spaces and the characters that take no room.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' | '\u{180e}'
        )
}

/// True for the characters that reorder text (bidi embeddings, overrides, isolates and marks):
/// refused in what riders write, since they make text read otherwise than it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Whether `s` is a SHA-256 as 64 lower-case hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn person_names_are_visible_plain_text() {
        assert_eq!(person_name(" 赵师傅 "), Some("赵师傅"));
        assert_eq!(person_name("Wang Lei"), Some("Wang Lei"));
        for bad in [
            "",
            "  ",
            "\u{200b}",
            " \u{200b}\u{feff} ",
            "\u{0}张",
            "张\u{202e}三",
            "一二三四五六七八九十一二三四五六七八九十一",
        ] {
            assert_eq!(person_name(bad), None, "{bad:?}");
        }
    }

    use super::*;

    const NOW: i64 = 1_790_000_000_000;

    fn good() -> Report {
        let id = ReportId::new().to_string();
        Report {
            id,
            category: "fire_lane".into(),
            note: "小区东门消防通道被电动车堵住".into(),
            lat: 28.84,
            lon: 108.77,
            accuracy_m: Some(12.0),
            location_source: "gps".into(),
            place: String::new(),
            created_at: NOW - 1000,
            photos: vec![],
            photo_taken_at: None,
            photo_lat: None,
            photo_lon: None,
        }
    }

    #[test]
    fn a_good_report_passes() {
        let r = good();
        assert_eq!(check_report(&r.id.clone(), &r, NOW), vec![]);
    }

    #[test]
    fn each_rule_is_enforced() {
        let mut r = good();
        let key = r.id.clone();
        r.category = "ufo".into();
        r.note = "字".repeat(501);
        r.lat = 91.0;
        r.lon = f64::NAN;
        r.accuracy_m = Some(-1.0);
        r.location_source = "psychic".into();
        r.photos = vec!["a".repeat(64); 4];
        r.created_at = NOW + MAX_CLOCK_SKEW_MS + 1;
        r.photo_lon = Some(200.0);
        let p = check_report(&key, &r, NOW);
        assert_eq!(p.len(), 9, "{p:?}");
        assert!(p.contains(&Problem::BadPhotoLocation));
        assert!(check_report("not-a-uuid", &good(), NOW).contains(&Problem::BadId));
        let mut zero = good();
        (zero.lat, zero.lon) = (0.0, 0.0);
        assert_eq!(
            check_report(&zero.id.clone(), &zero, NOW),
            vec![Problem::NullIsland]
        );
        zero.lon = 0.5;
        assert_eq!(check_report(&zero.id.clone(), &zero, NOW), vec![]);
    }
}
