//! The indexer's reading and validation of a rider document, which any rider can fill with
//! anything: the header, the reports (each checked by `validate::check_report`), and the
//! redemption, check-in and wish maps. The input is either raw bytes loaded as a saved
//! document, or a structured description of a document, which reaches the readers far more
//! often than random bytes would.
#![no_main]

use std::collections::HashSet;

use arbitrary::Arbitrary;
use automerge::{Automerge, ObjId, ObjType, ROOT, ScalarValue, transaction::Transactable};
use libfuzzer_sys::fuzz_target;
use model::{rider_doc, validate};

/// Field names the readers look for, and any other.
#[derive(Arbitrary, Debug)]
enum Key {
    Id,
    Category,
    Note,
    Lat,
    Lon,
    Accuracy,
    Source,
    Place,
    CreatedAt,
    Photos,
    PhotoTakenAt,
    PhotoLat,
    Reward,
    Station,
    At,
    Text,
    Photo,
    Other(String),
}

impl Key {
    fn name(&self) -> &str {
        match self {
            Key::Id => "id",
            Key::Category => "category",
            Key::Note => "note",
            Key::Lat => "lat",
            Key::Lon => "lon",
            Key::Accuracy => "accuracy_m",
            Key::Source => "location_source",
            Key::Place => "place",
            Key::CreatedAt => "created_at",
            Key::Photos => "photos",
            Key::PhotoTakenAt => "photo_taken_at",
            Key::PhotoLat => "photo_lat",
            Key::Reward => "reward",
            Key::Station => "station",
            Key::At => "at",
            Key::Text => "text",
            Key::Photo => "photo",
            Key::Other(s) => s,
        }
    }
}

/// A value a client could store anywhere.
#[derive(Arbitrary, Debug)]
enum Val {
    Str(String),
    Code(u8),
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
    Map(Vec<(Key, Val)>),
}

const CODES: [&str; 8] = ["fire_lane", "street_light", "gps", "manual", "1", "", "yy-bus", "7"];

/// The top of the document.
#[derive(Arbitrary, Debug)]
struct Doc {
    schema: Option<Val>,
    kind: Option<Val>,
    owner: Option<Val>,
    maps: Vec<(MapName, Option<Vec<(String, Val)>>)>,
    now: i64,
}

#[derive(Arbitrary, Debug)]
enum MapName {
    Reports,
    Redemptions,
    Checkins,
    Wishes,
    Other(String),
}

/// How deep values nest; deeper ones are stored as null.
const DEPTH: usize = 4;

fn put<T: Transactable>(tx: &mut T, obj: &ObjId, key: &str, v: &Val, depth: usize) {
    let _ = match v {
        _ if depth > DEPTH => tx.put(obj, key, ScalarValue::Null),
        Val::Str(s) => tx.put(obj, key, s.as_str()),
        Val::Code(i) => tx.put(obj, key, CODES[*i as usize % CODES.len()]),
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
                insert(tx, &id, i, item, depth + 1);
            }
        }),
        Val::Map(kv) => tx.put_object(obj, key, ObjType::Map).map(|id| {
            for (k, v) in kv {
                put(tx, &id, k.name(), v, depth + 1);
            }
        }),
    };
}

fn insert<T: Transactable>(tx: &mut T, list: &ObjId, i: usize, v: &Val, depth: usize) {
    let _ = match v {
        _ if depth > DEPTH => tx.insert(list, i, ScalarValue::Null),
        Val::List(items) => tx.insert_object(list, i, ObjType::List).map(|id| {
            for (j, x) in items.iter().enumerate() {
                insert(tx, &id, j, x, depth + 1);
            }
        }),
        Val::Map(kv) => tx.insert_object(list, i, ObjType::Map).map(|id| {
            for (k, x) in kv {
                put(tx, &id, k.name(), x, depth + 1);
            }
        }),
        Val::Text(s) => tx
            .insert_object(list, i, ObjType::Text)
            .and_then(|id| tx.splice_text(&id, 0, 0, s)),
        Val::Str(s) => tx.insert(list, i, s.as_str()),
        Val::Code(c) => tx.insert(list, i, CODES[*c as usize % CODES.len()]),
        Val::Int(x) | Val::Timestamp(x) | Val::Counter(x) => tx.insert(list, i, *x),
        Val::Uint(u) => tx.insert(list, i, *u),
        Val::F64(f) => tx.insert(list, i, *f),
        Val::Bool(b) => tx.insert(list, i, *b),
        Val::Null => tx.insert(list, i, ScalarValue::Null),
        Val::Bytes(b) => tx.insert(list, i, ScalarValue::Bytes(b.clone())),
    };
}

/// The document, and its heads after the header: the maps come in a later change, which the
/// indexer reads by its operations (`reports_since`).
fn build(input: &Doc) -> (Automerge, Vec<automerge::ChangeHash>) {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    // Usually a well-formed header, so that the entries are reached.
    let header = [
        ("schema", &input.schema, Val::Uint(1)),
        ("kind", &input.kind, Val::Str("rider".into())),
        ("owner", &input.owner, Val::Str("7".into())),
    ];
    for (key, given, usual) in header {
        put(&mut tx, &ROOT, key, given.as_ref().unwrap_or(&usual), 1);
    }
    tx.commit();
    let heads = doc.get_heads();
    let mut tx = doc.transaction();
    for (name, entries) in &input.maps {
        let name = match name {
            MapName::Reports => "reports",
            MapName::Redemptions => "redemptions",
            MapName::Checkins => "checkins",
            MapName::Wishes => "wishes",
            MapName::Other(s) => s,
        };
        match entries {
            Some(entries) => {
                if let Ok(map) = tx.put_object(ROOT, name, ObjType::Map) {
                    for (k, v) in entries {
                        put(&mut tx, &map, k, v, 1);
                    }
                }
            }
            None => {
                let _ = tx.put(ROOT, name, "not a map");
            }
        }
    }
    tx.commit();
    (doc, heads)
}

/// Everything the indexer does with a document it is handed, which it last read at `seen`.
fn index(doc: &Automerge, seen: &[automerge::ChangeHash], now: i64) {
    let _ = rider_doc::header(doc);
    if let Ok(entries) = rider_doc::reports_since(doc, seen) {
        for (key, entry) in entries {
            if let Ok(report) = entry {
                let _ = validate::check_report(&key, &report, now);
            }
        }
    }
    let _ = rider_doc::valid_shape_reports(doc);
    let known = HashSet::new();
    let _ = rider_doc::redemptions_except(doc, &known);
    for (id, _) in rider_doc::checkins_except(doc, &known) {
        let _ = rider_doc::is_entry_id(&id);
    }
    for (_, wish) in rider_doc::wishes_except(doc, &known) {
        let _ = wish.problem();
    }
    let _ = rider_doc::has_maps(doc);
}

fuzz_target!(|input: (bool, &[u8], Doc)| {
    let (raw, bytes, described) = input;
    if raw {
        if let Ok(doc) = Automerge::load(bytes) {
            index(&doc, &[], described.now);
        }
    } else {
        let (doc, seen) = build(&described);
        index(&doc, &seen, described.now);
    }
});
