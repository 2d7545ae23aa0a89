//! Hydration helpers that accept every number encoding a client may produce.
//!
//! The JS automerge client stores a whole number (`30`) as an integer and a fraction (`29.5`) as
//! a float, so a latitude can arrive as either. Ints, uints and floats are all accepted here, and
//! range checks are left to [`crate::validate`].
//!
//! Each reader comes twice: on a property of an object (for `#[autosurgeon(hydrate = …)]`),
//! and as `…_of` on a value already read (`Found`), for readers that take a whole object's
//! fields in one pass.

use automerge::{ObjId, ScalarValue, Value};
use autosurgeon::{HydrateError, Prop, ReadDoc};

/// A value read from a document with its id, or nothing when the key is missing.
pub type Found<'a> = Option<(Value<'a>, ObjId)>;

fn scalar_of(found: Found<'_>) -> Result<ScalarValue, HydrateError> {
    match found {
        Some((Value::Scalar(s), _)) => Ok(s.into_owned()),
        Some((Value::Object(t), _)) => Err(HydrateError::unexpected(
            "a number",
            format!("an object of type {t:?}"),
        )),
        None => Err(HydrateError::unexpected("a number", "nothing".to_string())),
    }
}

fn as_f64(s: &ScalarValue) -> Option<f64> {
    match s {
        ScalarValue::F64(f) => Some(*f),
        ScalarValue::Int(i) => Some(*i as f64),
        ScalarValue::Uint(u) => Some(*u as f64),
        ScalarValue::Timestamp(t) => Some(*t as f64),
        _ => None,
    }
}

/// A float from an int, uint or float.
pub fn f64<D: ReadDoc>(doc: &D, obj: &ObjId, prop: Prop<'_>) -> Result<f64, HydrateError> {
    f64_of(doc.get(obj, &prop)?)
}

/// [`f64`] of a value read.
pub fn f64_of(found: Found<'_>) -> Result<f64, HydrateError> {
    let s = scalar_of(found)?;
    as_f64(&s).ok_or_else(|| HydrateError::unexpected("a number", format!("{s:?}")))
}

/// An optional float: null and a missing key are both `None`.
pub fn opt_f64<D: ReadDoc>(
    doc: &D,
    obj: &ObjId,
    prop: Prop<'_>,
) -> Result<Option<f64>, HydrateError> {
    opt_f64_of(doc.get(obj, &prop)?)
}

/// [`opt_f64`] of a value read.
pub fn opt_f64_of(found: Found<'_>) -> Result<Option<f64>, HydrateError> {
    match found {
        None => Ok(None),
        Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Null) => Ok(None),
        Some((Value::Scalar(s), _)) => as_f64(&s)
            .map(Some)
            .ok_or_else(|| HydrateError::unexpected("a number or null", format!("{s:?}"))),
        Some((Value::Object(t), _)) => Err(HydrateError::unexpected(
            "a number or null",
            format!("an object of type {t:?}"),
        )),
    }
}

/// A whole number (milliseconds since the epoch) from an int, uint, timestamp or whole float.
pub fn i64<D: ReadDoc>(doc: &D, obj: &ObjId, prop: Prop<'_>) -> Result<i64, HydrateError> {
    i64_of(doc.get(obj, &prop)?)
}

/// [`i64`] of a value read.
pub fn i64_of(found: Found<'_>) -> Result<i64, HydrateError> {
    match scalar_of(found)? {
        ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Ok(i),
        ScalarValue::Uint(u) => {
            i64::try_from(u).map_err(|_| HydrateError::unexpected("a whole number", format!("{u}")))
        }
        ScalarValue::F64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        other => Err(HydrateError::unexpected(
            "a whole number",
            format!("{other:?}"),
        )),
    }
}

/// An optional whole number: null and a missing key are both `None`.
pub fn opt_i64<D: ReadDoc>(
    doc: &D,
    obj: &ObjId,
    prop: Prop<'_>,
) -> Result<Option<i64>, HydrateError> {
    opt_i64_of(doc.get(obj, &prop)?)
}

/// [`opt_i64`] of a value read.
pub fn opt_i64_of(found: Found<'_>) -> Result<Option<i64>, HydrateError> {
    match found {
        None => Ok(None),
        Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Null) => Ok(None),
        found => i64_of(found).map(Some),
    }
}

/// A string from a plain string scalar or from an Automerge `Text` object. The official JS
/// client writes a plain JS string as `Text` unless it is wrapped in `ImmutableString`, and a
/// report must not be lost over that.
pub fn string<D: ReadDoc>(doc: &D, obj: &ObjId, prop: Prop<'_>) -> Result<String, HydrateError> {
    string_of(doc, doc.get(obj, &prop)?)
}

/// [`string`] of a value read from `doc`.
pub fn string_of<D: ReadDoc>(doc: &D, found: Found<'_>) -> Result<String, HydrateError> {
    match found {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(v) => Ok(v.to_string()),
            other => Err(HydrateError::unexpected("a string", format!("{other:?}"))),
        },
        Some((Value::Object(automerge::ObjType::Text), id)) => Ok(doc.text(&id)?),
        Some((Value::Object(t), _)) => Err(HydrateError::unexpected(
            "a string",
            format!("an object of type {t:?}"),
        )),
        None => Err(HydrateError::unexpected("a string", "nothing".to_string())),
    }
}

/// Like [`string`], with a missing key read as the empty string.
pub fn opt_string<D: ReadDoc>(
    doc: &D,
    obj: &ObjId,
    prop: Prop<'_>,
) -> Result<String, HydrateError> {
    opt_string_of(doc, doc.get(obj, &prop)?)
}

/// [`opt_string`] of a value read from `doc`.
pub fn opt_string_of<D: ReadDoc>(doc: &D, found: Found<'_>) -> Result<String, HydrateError> {
    match found {
        None => Ok(String::new()),
        found => string_of(doc, found),
    }
}

/// A list of strings (plain or `Text`); a missing key is the empty list.
pub fn strings<D: ReadDoc>(
    doc: &D,
    obj: &ObjId,
    prop: Prop<'_>,
) -> Result<Vec<String>, HydrateError> {
    strings_of(doc, doc.get(obj, &prop)?)
}

/// [`strings`] of a value read from `doc`.
pub fn strings_of<D: ReadDoc>(doc: &D, found: Found<'_>) -> Result<Vec<String>, HydrateError> {
    match found {
        None => Ok(Vec::new()),
        Some((Value::Object(automerge::ObjType::List), id)) => (0..doc.length(&id))
            .map(|i| string(doc, &id, Prop::Index(i as u32)))
            .collect(),
        Some((v, _)) => Err(HydrateError::unexpected("a list", format!("{v:?}"))),
    }
}

/// The entries of the map at the document's root key `key` that hydrate as `T` and whose key
/// `keep` accepts, sorted by key; none when there is no such map. An entry that does not read
/// is left out, so one bad entry cannot hide the others.
pub fn map_entries<T: autosurgeon::Hydrate>(
    doc: &automerge::Automerge,
    key: &str,
    keep: impl Fn(&str) -> bool,
) -> Vec<(String, T)> {
    let Ok(Some((Value::Object(automerge::ObjType::Map), obj))) =
        automerge::ReadDoc::get(doc, automerge::ROOT, key)
    else {
        return Vec::new();
    };
    let mut out: Vec<(String, T)> = automerge::ReadDoc::keys(doc, &obj)
        .filter(|k| keep(k))
        .filter_map(|k| {
            let v = autosurgeon::hydrate_prop::<_, T, _, _>(doc, &obj, k.as_str()).ok()?;
            Some((k, v))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
