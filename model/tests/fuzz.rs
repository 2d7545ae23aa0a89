//! Property tests over untrusted input: arbitrary wire frames and arbitrary rider documents
//! must never panic the decoder or the indexer's reading and validation.
//!
//! Each property runs proptest's default number of cases in the test suite. The fuzz command
//! runs a million of each: `PROPTEST_CASES=1000000 cargo test --release -p model --test fuzz`.

use automerge::{Automerge, ObjId, ObjType, ROOT, ScalarValue, transaction::Transactable};
use model::{rider_doc, validate, wire::Message};
use proptest::prelude::*;

const FIELDS: [&str; 11] = [
    "id",
    "category",
    "note",
    "lat",
    "lon",
    "accuracy_m",
    "location_source",
    "place",
    "created_at",
    "photos",
    "extra",
];

/// A value an untrusted client could store anywhere.
#[derive(Debug, Clone)]
enum Val {
    Str(String),
    Int(i64),
    Uint(u64),
    F64(f64),
    Bool(bool),
    Null,
    Bytes(Vec<u8>),
    Timestamp(i64),
    Counter(i64),
    Text(String),
    List(Vec<Val>),
    Map(Vec<(String, Val)>),
}

fn scalar() -> impl Strategy<Value = Val> {
    prop_oneof![
        ".{0,12}".prop_map(Val::Str),
        prop::sample::select(vec!["fire_lane", "gps", "manual", "garbage", "1", ""])
            .prop_map(|s| Val::Str(s.to_owned())),
        any::<i64>().prop_map(Val::Int),
        any::<u64>().prop_map(Val::Uint),
        any::<f64>().prop_map(Val::F64),
        prop::sample::select(vec![f64::NAN, f64::INFINITY, -0.0, 90.0, 180.5, 1.7e12])
            .prop_map(Val::F64),
        any::<bool>().prop_map(Val::Bool),
        Just(Val::Null),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Val::Bytes),
        any::<i64>().prop_map(Val::Timestamp),
        any::<i64>().prop_map(Val::Counter),
        ".{0,8}".prop_map(Val::Text),
    ]
}

fn value() -> impl Strategy<Value = Val> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Val::List),
            prop::collection::vec((prop::sample::select(FIELDS.to_vec()), inner), 0..4)
                .prop_map(|kv| Val::Map(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// A report-shaped entry: mostly the right field names, any values.
fn entry() -> impl Strategy<Value = Val> {
    prop_oneof![
        4 => prop::collection::vec((prop::sample::select(FIELDS.to_vec()), value()), 0..12)
            .prop_map(|kv| Val::Map(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        1 => value(),
    ]
}

fn put<T: Transactable>(tx: &mut T, obj: &ObjId, key: &str, v: &Val) {
    let r = match v {
        Val::Str(s) => tx.put(obj, key, s.as_str()),
        Val::Int(i) => tx.put(obj, key, *i),
        Val::Uint(u) => tx.put(obj, key, *u),
        Val::F64(f) => tx.put(obj, key, *f),
        Val::Bool(b) => tx.put(obj, key, *b),
        Val::Null => tx.put(obj, key, ScalarValue::Null),
        Val::Bytes(b) => tx.put(obj, key, ScalarValue::Bytes(b.clone())),
        Val::Timestamp(t) => tx.put(obj, key, ScalarValue::Timestamp(*t)),
        Val::Counter(c) => tx.put(obj, key, ScalarValue::counter(*c)),
        Val::Text(t) => tx
            .put_object(obj, key, ObjType::Text)
            .and_then(|id| tx.splice_text(&id, 0, 0, t)),
        Val::List(items) => tx.put_object(obj, key, ObjType::List).map(|id| {
            for (i, item) in items.iter().enumerate() {
                insert(tx, &id, i, item);
            }
        }),
        Val::Map(kv) => tx.put_object(obj, key, ObjType::Map).map(|id| {
            for (k, v) in kv {
                put(tx, &id, k, v);
            }
        }),
    };
    r.expect("building the test document");
}

fn insert<T: Transactable>(tx: &mut T, list: &ObjId, i: usize, v: &Val) {
    let r = match v {
        Val::List(_) | Val::Map(_) | Val::Text(_) => {
            let t = match v {
                Val::List(_) => ObjType::List,
                Val::Map(_) => ObjType::Map,
                _ => ObjType::Text,
            };
            tx.insert_object(list, i, t).map(|id| match v {
                Val::List(items) => items
                    .iter()
                    .enumerate()
                    .for_each(|(j, x)| insert(tx, &id, j, x)),
                Val::Map(kv) => kv.iter().for_each(|(k, x)| put(tx, &id, k, x)),
                Val::Text(s) => {
                    let _ = tx.splice_text(&id, 0, 0, s);
                }
                _ => {}
            })
        }
        Val::Str(s) => tx.insert(list, i, s.as_str()),
        Val::Int(x) | Val::Timestamp(x) | Val::Counter(x) => tx.insert(list, i, *x),
        Val::Uint(u) => tx.insert(list, i, *u),
        Val::F64(f) => tx.insert(list, i, *f),
        Val::Bool(b) => tx.insert(list, i, *b),
        Val::Null => tx.insert(list, i, ScalarValue::Null),
        Val::Bytes(b) => tx.insert(list, i, ScalarValue::Bytes(b.clone())),
    };
    r.expect("building the test document");
}

/// A document with arbitrary header values and an arbitrary `reports` value.
fn document() -> impl Strategy<Value = Automerge> {
    (
        prop::option::of(value()),
        prop::option::of(value()),
        prop::option::of(value()),
        prop_oneof![
            3 => prop::collection::vec(("[-a-z0-9]{0,36}", entry()), 0..6).prop_map(Some),
            1 => Just(None),
        ],
        prop::option::of(value()),
    )
        .prop_map(|(schema, kind, owner, reports, other)| {
            let mut doc = Automerge::new();
            let mut tx = doc.transaction();
            // Usually a well-formed header, so the report entries are reached.
            put(&mut tx, &ROOT, "schema", &schema.unwrap_or(Val::Uint(1)));
            put(
                &mut tx,
                &ROOT,
                "kind",
                &kind.unwrap_or(Val::Str("rider".into())),
            );
            put(
                &mut tx,
                &ROOT,
                "owner",
                &owner.unwrap_or(Val::Str("7".into())),
            );
            match (reports, other) {
                (Some(entries), _) => {
                    let map = tx.put_object(ROOT, "reports", ObjType::Map).unwrap();
                    for (k, v) in &entries {
                        put(&mut tx, &map, k, v);
                    }
                }
                (None, Some(v)) => put(&mut tx, &ROOT, "reports", &v),
                (None, None) => {}
            }
            tx.commit();
            doc
        })
}

proptest! {
    #[test]
    fn wire_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Message::decode(&bytes);
    }

    #[test]
    fn exif_reading_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..8),
    ) {
        let _ = model::exif::read(&bytes);
        // A well-formed block with a few bytes changed reaches deep into the parser.
        let mut j = model::exif::sample_exif_jpeg("2026:11:20 08:30:00", 28.84, 108.77);
        for (at, v) in flips {
            let n = j.len();
            j[at % n] = v;
        }
        let e = model::exif::read(&j);
        let _ = e.taken_at_ms();
    }

    #[test]
    fn reading_and_validating_any_document_never_panics(doc in document(), now in any::<i64>()) {
        let _ = rider_doc::header(&doc);
        if let Ok(entries) = rider_doc::reports(&doc) {
            for (key, entry) in entries {
                if let Ok(report) = entry {
                    let _ = validate::check_report(&key, &report, now);
                }
            }
        }
        let _ = rider_doc::valid_shape_reports(&doc);
    }
}
