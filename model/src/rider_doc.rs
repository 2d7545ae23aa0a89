//! The rider document (schema v1): one per rider, written by that rider from any device.
//!
//! ```text
//! { schema: 1, kind: "rider", owner: "<user id>", reports: { "<uuid>": Report, ... },
//!   redemptions: { "<uuid>": Redemption, ... }, checkins: { "<uuid>": CheckIn, ... },
//!   wishes: { "<uuid>": Wish, ... } }
//! ```
//! The server creates it with the empty maps when the rider's account is created, so every
//! device adds to the same map objects and two devices never race to create them (a document
//! made before one of [`ENTRY_MAPS`] existed gets that map from the server).

use automerge::{
    ActorId, Automerge, ChangeHash, ObjType, ROOT, ReadDoc, transaction::Transactable,
};
use autosurgeon::{hydrate_prop, reconcile_prop};

use crate::{ModelError, Report, SCHEMA_VERSION};

/// The `kind` of a rider document.
pub const KIND: &str = "rider";

/// A freshly made rider document for `owner`. `actor` fixes the actor id so that the server can
/// make the same initial change again if it ever must.
pub fn new_doc(owner: &str, actor: Option<ActorId>) -> Result<Automerge, ModelError> {
    let mut doc = Automerge::new();
    if let Some(actor) = actor {
        doc.set_actor(actor);
    }
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "schema", SCHEMA_VERSION)?;
        tx.put(ROOT, "kind", KIND)?;
        tx.put(ROOT, "owner", owner)?;
        tx.put_object(ROOT, "reports", ObjType::Map)?;
        for name in ENTRY_MAPS {
            tx.put_object(ROOT, name, ObjType::Map)?;
        }
        Ok(())
    })
    .map_err(|f| f.error)?;
    Ok(doc)
}

/// The header fields of a rider document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub schema: u64,
    pub owner: String,
}

/// Reads and checks the header: schema 1, kind "rider", a `reports` map.
pub fn header(doc: &Automerge) -> Result<Header, ModelError> {
    let schema = match doc.get(ROOT, "schema")? {
        Some((automerge::Value::Scalar(s), _)) => match s.as_ref() {
            automerge::ScalarValue::Uint(u) => *u,
            automerge::ScalarValue::Int(i) if *i >= 0 => *i as u64,
            automerge::ScalarValue::F64(f) if *f == 1.0 => 1,
            other => return Err(ModelError::NotRiderDoc(format!("schema is {other:?}"))),
        },
        _ => return Err(ModelError::NotRiderDoc("no schema".into())),
    };
    if schema != SCHEMA_VERSION {
        return Err(ModelError::NotRiderDoc(format!("schema {schema}")));
    }
    let kind = crate::lenient::string(doc, &ROOT, "kind".into())
        .map_err(|e| ModelError::NotRiderDoc(format!("kind: {e}")))?;
    if kind != KIND {
        return Err(ModelError::NotRiderDoc(format!("kind {kind:?}")));
    }
    let owner = crate::lenient::string(doc, &ROOT, "owner".into())
        .map_err(|e| ModelError::NotRiderDoc(format!("owner: {e}")))?;
    reports_obj(doc)?;
    Ok(Header { schema, owner })
}

fn reports_obj<D: ReadDoc>(doc: &D) -> Result<automerge::ObjId, ModelError> {
    match doc.get(ROOT, "reports")? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(ModelError::NotRiderDoc("no reports map".into())),
    }
}

/// Adds (or, under the same id, overwrites) a report in one change, and returns that change's
/// hash, which tells later whether the server has the report. Storing a report exactly as it
/// already is makes no change and returns `None`.
pub fn put_report(doc: &mut Automerge, report: &Report) -> Result<Option<ChangeHash>, ModelError> {
    let reports = reports_obj(doc)?;
    let mut tx = doc.transaction();
    reconcile_prop(&mut tx, &reports, report.id.as_str(), report)?;
    let (hash, _patch) = tx.commit();
    Ok(hash)
}

/// The maps besides `reports` that devices add entries to, each made by the server: a request
/// for a reward, a check-in at a station, a micro-wish. An entry is written once and never
/// changed; the server reads each once.
pub const ENTRY_MAPS: [&str; 3] = ["redemptions", "checkins", "wishes"];

/// A rider's request to spend points on a reward of the county's catalogue. The server decides
/// it once, and writes the outcome into the rider's office document.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    autosurgeon::Reconcile,
    autosurgeon::Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Redemption {
    /// The reward's id in the county's catalogue (the stations document's `rewards`).
    #[autosurgeon(hydrate = "crate::lenient::string")]
    pub reward: String,
    /// When the rider asked, in milliseconds since the Unix epoch (the phone's clock).
    #[autosurgeon(hydrate = "crate::lenient::i64")]
    pub at: i64,
}

/// A rider's check-in at a station (by scanning its poster): counted for the county.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    autosurgeon::Reconcile,
    autosurgeon::Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct CheckIn {
    /// The station's id in the county's stations document.
    #[autosurgeon(hydrate = "crate::lenient::string")]
    pub station: String,
    /// When, in milliseconds since the Unix epoch (the phone's clock).
    #[autosurgeon(hydrate = "crate::lenient::i64")]
    pub at: i64,
}

/// A rider's micro-wish (微心愿): supervisors approve it for the county's wish wall.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    autosurgeon::Reconcile,
    autosurgeon::Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Wish {
    /// What the rider wishes for: 1 to [`MAX_WISH_CHARS`] characters.
    #[autosurgeon(hydrate = "crate::lenient::string")]
    pub text: String,
    /// A photo's SHA-256 (uploaded as a report's photos are), or empty.
    #[autosurgeon(hydrate = "crate::lenient::opt_string")]
    pub photo: String,
    /// When, in milliseconds since the Unix epoch (the phone's clock).
    #[autosurgeon(hydrate = "crate::lenient::i64")]
    pub at: i64,
}

/// Whether `id` can be the key of a check-in or a wish: 1 to 64 ASCII letters, digits and
/// hyphens (a UUID is).
pub fn is_entry_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The longest wish, in characters.
pub const MAX_WISH_CHARS: usize = 100;

impl Wish {
    /// Why the wish cannot be taken, if it cannot: blank or too long, a control or bidi
    /// character, a photo that is not a SHA-256.
    pub fn problem(&self) -> Option<&'static str> {
        let text = self.text.trim();
        let chars = text.chars().count();
        if chars > MAX_WISH_CHARS || !crate::validate::has_visible(text) {
            return Some("text must be 1 to 100 characters");
        }
        if !crate::validate::plain_text(text, false) {
            return Some("text has a control character");
        }
        if !self.photo.is_empty() && !crate::validate::is_sha256_hex(&self.photo) {
            return Some("photo is not a SHA-256");
        }
        None
    }
}

/// Something a device adds to one of [`ENTRY_MAPS`], under an id it makes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Ask {
    Redemption(Redemption),
    CheckIn(CheckIn),
    Wish(Wish),
}

impl Ask {
    /// The map it goes into.
    pub fn map(&self) -> &'static str {
        match self {
            Ask::Redemption(_) => "redemptions",
            Ask::CheckIn(_) => "checkins",
            Ask::Wish(_) => "wishes",
        }
    }

    /// When it was made (the phone's clock).
    pub fn at(&self) -> i64 {
        match self {
            Ask::Redemption(r) => r.at,
            Ask::CheckIn(c) => c.at,
            Ask::Wish(w) => w.at,
        }
    }
}

fn map_obj<D: ReadDoc>(doc: &D, name: &str) -> Option<automerge::ObjId> {
    match doc.get(ROOT, name) {
        Ok(Some((automerge::Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

/// Whether the document has every one of [`ENTRY_MAPS`] (one made before a map existed has
/// not, until the server adds it).
pub fn has_maps(doc: &Automerge) -> bool {
    ENTRY_MAPS.iter().all(|name| map_obj(doc, name).is_some())
}

/// Whether the document has the map `ask` goes into.
pub fn has_map_for(doc: &Automerge, ask: &Ask) -> bool {
    map_obj(doc, ask.map()).is_some()
}

/// Adds those of [`ENTRY_MAPS`] a document made before them lacks (the server does this, once,
/// so that devices never race to create them). No change when all are there.
pub fn add_maps(doc: &mut Automerge) -> Result<(), ModelError> {
    if has_maps(doc) {
        return Ok(());
    }
    let mut tx = doc.transaction();
    for name in ENTRY_MAPS {
        if map_obj(&tx, name).is_none() {
            tx.put_object(ROOT, name, ObjType::Map)?;
        }
    }
    tx.commit();
    Ok(())
}

/// Adds `ask` under its client-made `id`, in one change whose hash is returned (`None` when the
/// document held it already, as it is). Refused while the document lacks its map: creating it
/// here could race another device creating it too, and one of the two maps would be lost.
pub fn put_ask(doc: &mut Automerge, id: &str, ask: &Ask) -> Result<Option<ChangeHash>, ModelError> {
    let name = ask.map();
    let obj =
        map_obj(doc, name).ok_or_else(|| ModelError::NotRiderDoc(format!("no {name} map")))?;
    let mut tx = doc.transaction();
    match ask {
        Ask::Redemption(r) => reconcile_prop(&mut tx, &obj, id, r)?,
        Ask::CheckIn(c) => reconcile_prop(&mut tx, &obj, id, c)?,
        Ask::Wish(w) => reconcile_prop(&mut tx, &obj, id, w)?,
    }
    let (hash, _patch) = tx.commit();
    Ok(hash)
}

/// Adds a redemption request under its client-made `id` ([`put_ask`]).
pub fn put_redemption(
    doc: &mut Automerge,
    id: &str,
    request: &Redemption,
) -> Result<Option<ChangeHash>, ModelError> {
    put_ask(doc, id, &Ask::Redemption(request.clone()))
}

/// The redemption requests whose ids `known` does not hold, by id (sorted); only those are
/// read, so a rider's past requests cost nothing on each change.
pub fn redemptions_except(
    doc: &Automerge,
    known: &std::collections::HashSet<String>,
) -> Vec<(String, Redemption)> {
    crate::lenient::map_entries(doc, "redemptions", |k| !known.contains(k))
}

/// Every redemption request that reads, by id (sorted); requests that do not read are left out.
pub fn redemptions(doc: &Automerge) -> Vec<(String, Redemption)> {
    crate::lenient::map_entries(doc, "redemptions", |_| true)
}

/// The check-ins whose ids `known` does not hold, by id (sorted).
pub fn checkins_except(
    doc: &Automerge,
    known: &std::collections::HashSet<String>,
) -> Vec<(String, CheckIn)> {
    crate::lenient::map_entries(doc, "checkins", |k| !known.contains(k))
}

/// The wishes whose ids `known` does not hold, by id (sorted).
pub fn wishes_except(
    doc: &Automerge,
    known: &std::collections::HashSet<String>,
) -> Vec<(String, Wish)> {
    crate::lenient::map_entries(doc, "wishes", |k| !known.contains(k))
}

/// Every check-in that reads, by id (sorted).
pub fn checkins(doc: &Automerge) -> Vec<(String, CheckIn)> {
    crate::lenient::map_entries(doc, "checkins", |_| true)
}

/// Every wish that reads, by id (sorted).
pub fn wishes(doc: &Automerge) -> Vec<(String, Wish)> {
    crate::lenient::map_entries(doc, "wishes", |_| true)
}

/// One entry of `reports`: its key, and the report or why it does not read as one.
pub type Entry = (String, Result<Report, String>);

/// Every entry of `reports`, each hydrated on its own so that one bad entry cannot hide the
/// others. Sorted by key.
pub fn reports(doc: &Automerge) -> Result<Vec<Entry>, ModelError> {
    let obj = reports_obj(doc)?;
    let mut out: Vec<Entry> = doc
        .keys(&obj)
        .filter_map(|key| {
            let r = entry(doc, &obj, &key)?;
            Some((key, r))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The entries of `reports` that changes after `since` added or touched, by key (every entry
/// when `since` is empty). Reading only these keeps the cost of a new report flat as the
/// document grows; an entry removed since is not listed.
pub fn reports_since(doc: &Automerge, since: &[ChangeHash]) -> Result<Vec<Entry>, ModelError> {
    if since.is_empty() {
        return reports(doc);
    }
    let obj = reports_obj(doc)?;
    let reports_id = obj.to_string();
    // The keys are read off the new changes' operations, so the work follows the size of the
    // changes, not of the document: an operation on `reports` names its key; one inside an
    // entry (or deeper) is traced up to the entry it is in.
    let mut keys = std::collections::BTreeSet::new();
    let mut traced: std::collections::HashMap<String, Option<String>> = Default::default();
    for change in doc.get_changes(since) {
        for op in change.decode().operations {
            let op_obj = op.obj.to_string();
            if op_obj == reports_id {
                if let automerge::legacy::Key::Map(key) = op.key {
                    keys.insert(key.to_string());
                }
                continue;
            }
            if op_obj == "_root" {
                continue;
            }
            let key = traced
                .entry(op_obj)
                .or_insert_with_key(|id| entry_key_of(doc, &obj, id))
                .clone();
            keys.extend(key);
        }
    }
    entries(doc, keys)
}

/// The key of the `reports` entry that object `id` (as `counter@actor`) lies in, if it does.
fn entry_key_of(doc: &Automerge, reports: &automerge::ObjId, id: &str) -> Option<String> {
    let exid = doc.import_obj(id).ok()?;
    let mut parents = doc.parents(&exid).ok()?;
    parents.find_map(|p| match p.prop {
        automerge::Prop::Map(key) if p.obj == *reports => Some(key),
        _ => None,
    })
}

/// The entries of `reports` under `keys`, in the order given; a key with no entry is skipped.
pub fn entries(
    doc: &Automerge,
    keys: impl IntoIterator<Item = String>,
) -> Result<Vec<Entry>, ModelError> {
    let obj = reports_obj(doc)?;
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let r = entry(doc, &obj, &key)?;
            Some((key, r))
        })
        .collect())
}

/// The report under `key` of `reports` (`None` when there is no such key), read in one pass;
/// one that does not read is hydrated field by field for its error.
fn entry(doc: &Automerge, reports: &automerge::ObjId, key: &str) -> Option<Result<Report, String>> {
    let (value, id) = doc.get(reports, key).ok().flatten()?;
    if matches!(value, automerge::Value::Object(automerge::ObjType::Map))
        && let Some(r) = Report::read(doc, &id)
    {
        return Some(Ok(r));
    }
    Some(hydrate_prop::<_, Report, _, _>(doc, reports, key).map_err(|e| e.to_string()))
}

/// The reports that hydrate, newest first.
pub fn valid_shape_reports(doc: &Automerge) -> Vec<Report> {
    let mut out: Vec<Report> = reports(doc)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(_, r)| r.ok())
        .collect();
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReportId;

    #[test]
    fn two_devices_offline_both_keep_their_redemption_requests() {
        let server = new_doc("7", None).expect("new");
        let mut a = server.fork();
        let mut b = server.fork();
        let ask = |reward: &str| Redemption {
            reward: reward.into(),
            at: 1,
        };
        put_redemption(&mut a, "req-a", &ask("helmet")).expect("a");
        put_redemption(&mut b, "req-b", &ask("power-bank")).expect("b");
        a.merge(&mut b).expect("merge");
        let ids: Vec<String> = redemptions(&a).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["req-a", "req-b"]);

        // A document made before the map existed refuses until the server adds it.
        let mut old = server.fork();
        old.transact::<_, _, automerge::AutomergeError>(|tx| tx.delete(ROOT, "redemptions"))
            .map_err(|f| f.error)
            .expect("delete");
        assert!(put_redemption(&mut old, "req-c", &ask("helmet")).is_err());
        assert!(!has_maps(&old));
        add_maps(&mut old).expect("add");
        assert!(has_maps(&old));
        put_redemption(&mut old, "req-c", &ask("helmet")).expect("c");
        assert_eq!(redemptions(&old).len(), 1);
    }

    #[test]
    fn checkins_and_wishes_from_two_devices_merge() {
        let server = new_doc("7", None).expect("new");
        let (mut a, mut b) = (server.fork(), server.fork());
        let at = 1_790_000_000_000;
        let check = Ask::CheckIn(CheckIn {
            station: "yy-bus".into(),
            at,
        });
        let wish = Wish {
            text: "想要一个新头盔".into(),
            photo: String::new(),
            at,
        };
        assert!(put_ask(&mut a, "c-1", &check).expect("a").is_some());
        // The same entry again is no change.
        assert!(put_ask(&mut a, "c-1", &check).expect("again").is_none());
        put_ask(&mut b, "w-1", &Ask::Wish(wish.clone())).expect("b");
        a.merge(&mut b).expect("merge");
        assert_eq!(checkins(&a).len(), 1);
        assert_eq!(wishes(&a), [("w-1".to_owned(), wish.clone())]);
        let known = std::collections::HashSet::from(["w-1".to_owned()]);
        assert!(wishes_except(&a, &known).is_empty());
        assert_eq!(checkins_except(&a, &known).len(), 1);

        assert_eq!(wish.problem(), None);
        let bad = |text: &str, photo: &str| Wish {
            text: text.into(),
            photo: photo.into(),
            at,
        };
        assert!(bad("  ", "").problem().is_some());
        assert!(bad(&"愿".repeat(101), "").problem().is_some());
        assert_eq!(bad(&"愿".repeat(100), "").problem(), None);
        assert!(bad("头盔\u{202e}", "").problem().is_some());
        assert!(bad("头盔", "abc").problem().is_some());
        assert_eq!(bad("头盔", &"a".repeat(64)).problem(), None);
    }

    fn report(note: &str) -> Report {
        Report {
            id: ReportId::new().to_string(),
            category: "street_light".into(),
            note: note.into(),
            lat: 30.0,
            lon: 120.0,
            accuracy_m: None,
            location_source: "manual".into(),
            place: "人民路口".into(),
            created_at: 1_790_000_000_000,
            photos: vec![],
            photo_taken_at: None,
            photo_lat: None,
            photo_lon: None,
        }
    }

    #[test]
    fn reports_round_trip_and_same_id_stays_one() {
        let mut doc = new_doc("u1", None).unwrap();
        assert_eq!(header(&doc).unwrap().owner, "u1");
        let r = report("灯不亮");
        put_report(&mut doc, &r).unwrap();
        // A resend from another device, same id: still one report.
        let mut other = doc.fork();
        put_report(
            &mut other,
            &Report {
                note: "灯不亮了".into(),
                ..r.clone()
            },
        )
        .unwrap();
        doc.merge(&mut other).unwrap();
        let all = reports(&doc).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1.as_ref().unwrap().id, r.id);
    }

    #[test]
    fn strings_written_as_text_still_read() {
        // What the official JS client writes for `d.reports[id] = { category: "garbage", ... }`.
        let mut doc = new_doc("u1", None).unwrap();
        let obj = reports_obj(&doc).unwrap();
        let id = ReportId::new().to_string();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            let r = tx.put_object(&obj, id.as_str(), ObjType::Map)?;
            for (k, v) in [
                ("id", id.as_str()),
                ("category", "garbage"),
                ("note", "堆了三天"),
            ] {
                let t = tx.put_object(&r, k, ObjType::Text)?;
                tx.splice_text(&t, 0, 0, v)?;
            }
            tx.put(&r, "location_source", "gps")?;
            tx.put(&r, "lat", 30)?;
            tx.put(&r, "lon", 120.5)?;
            tx.put(&r, "accuracy_m", automerge::ScalarValue::Null)?;
            tx.put(&r, "created_at", 1_790_000_000_000_i64)?;
            let photos = tx.put_object(&r, "photos", ObjType::List)?;
            tx.insert(&photos, 0, "a".repeat(64))?;
            Ok(())
        })
        .unwrap();
        let all = reports(&doc).unwrap();
        let r = all[0].1.as_ref().unwrap();
        assert_eq!(
            (r.category.as_str(), r.note.as_str(), r.lat),
            ("garbage", "堆了三天", 30.0)
        );
        assert_eq!(r.photos.len(), 1);
        assert_eq!(r.place, "");
    }

    #[test]
    fn only_what_changed_since_is_read() {
        let mut doc = new_doc("u1", None).unwrap();
        let old: Vec<Report> = (0..5).map(|i| report(&format!("旧 {i}"))).collect();
        for r in &old {
            put_report(&mut doc, r).unwrap();
        }
        let since = doc.get_heads();
        assert!(reports_since(&doc, &since).unwrap().is_empty());
        let new = report("新");
        put_report(&mut doc, &new).unwrap();
        // An edit inside an old report names that report too.
        put_report(
            &mut doc,
            &Report {
                note: "旧 2，已修好".into(),
                ..old[2].clone()
            },
        )
        .unwrap();
        let mut want = vec![new.id.clone(), old[2].id.clone()];
        want.sort();
        let got = reports_since(&doc, &since).unwrap();
        assert_eq!(got.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(), want);
        assert!(got.iter().all(|(_, r)| r.is_ok()));
        // From nothing, everything.
        assert_eq!(reports_since(&doc, &[]).unwrap().len(), 6);
    }

    #[test]
    fn one_pass_reads_what_hydrate_reads() {
        // Every encoding a client may write: Text or plain strings, ints or floats, null or
        // missing optional fields, and fields that do not read at all.
        let mut doc = new_doc("u1", None).unwrap();
        put_report(
            &mut doc,
            &Report {
                accuracy_m: Some(8.5),
                photos: vec!["b".repeat(64), "c".repeat(64)],
                photo_taken_at: Some(1_789_999_000_000),
                photo_lat: Some(30.1),
                photo_lon: Some(120.2),
                ..report("全部字段")
            },
        )
        .unwrap();
        put_report(&mut doc, &report("")).unwrap();
        let obj = reports_obj(&doc).unwrap();
        let odd: [(&str, automerge::ScalarValue); 6] = [
            ("lat", "三十".into()),
            ("created_at", 1.5.into()),
            ("accuracy_m", "near".into()),
            ("photo_taken_at", automerge::ScalarValue::Null),
            ("lon", automerge::ScalarValue::Uint(120)),
            (
                "created_at",
                automerge::ScalarValue::Timestamp(1_790_000_000_000),
            ),
        ];
        for (field, value) in odd {
            let id = ReportId::new().to_string();
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                let r = tx.put_object(&obj, id.as_str(), ObjType::Map)?;
                let t = tx.put_object(&r, "id", ObjType::Text)?;
                tx.splice_text(&t, 0, 0, &id)?;
                tx.put(&r, "category", "fire_lane")?;
                tx.put(&r, "location_source", "gps")?;
                tx.put(&r, "lat", 30)?;
                tx.put(&r, "lon", 120.5)?;
                tx.put(&r, "created_at", 1_790_000_000_000_i64)?;
                tx.put(&r, field, value.clone())?;
                Ok(())
            })
            .unwrap();
        }
        // A report missing a required field, and one whose photos are not a list.
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            let r = tx.put_object(&obj, "no-lat", ObjType::Map)?;
            tx.put(&r, "id", "no-lat")?;
            let r = tx.put_object(&obj, "bad-photos", ObjType::Map)?;
            tx.put(&r, "photos", "a")?;
            Ok(())
        })
        .unwrap();
        let mut read = 0;
        for key in doc.keys(&obj).collect::<Vec<_>>() {
            let Ok(Some((automerge::Value::Object(ObjType::Map), id))) =
                doc.get(&obj, key.as_str())
            else {
                panic!("{key} is a map");
            };
            let hydrated = hydrate_prop::<_, Report, _, _>(&doc, &obj, key.as_str()).ok();
            assert_eq!(Report::read(&doc, &id), hydrated, "{key}");
            read += usize::from(hydrated.is_some());
        }
        // Both full reports, the null and the uint and the timestamp; not the string
        // latitude, the fractional time, the string accuracy or the two broken ones.
        assert_eq!(read, 5);
    }

    #[test]
    fn a_bad_entry_does_not_hide_good_ones() {
        let mut doc = new_doc("u1", None).unwrap();
        put_report(&mut doc, &report("ok")).unwrap();
        let obj = reports_obj(&doc).unwrap();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(&obj, "junk", 42)?;
            Ok(())
        })
        .unwrap();
        let all = reports(&doc).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all.iter().filter(|(_, r)| r.is_ok()).count(), 1);
    }
}
