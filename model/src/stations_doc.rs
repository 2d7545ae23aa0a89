//! The stations document (schema v1): one per county, written by the server only, read-only for
//! everyone in that county.
//!
//! ```text
//! { schema: 1, kind: "stations", county: "<code>", stations: { "<id>": Station, ... },
//!   rewards: { "<id>": Reward, ... }, awards: { "<category code>": points, ... },
//!   alerts: { "<id>": Alert, ... }, districts: { "<id>": District, ... },
//!   wishes: { "<id>": WallWish, ... } }
//! ```
//! `wishes` is the county's micro-wish wall: the wishes supervisors approved, with the rider's
//! surname only.
//! `districts` are the county's towns and subdistricts (乡镇, 街道) with a centre each: a rider
//! whose phone gives no position picks one, and the stations are ordered from there.
//! `alerts` are the county's heat and cold alerts; phones show one while it is in force.
//! `rewards` is the county's catalogue of rewards for points, as of the server's last write:
//! the one county-wide document every rider of the county reads, so the catalogue is on the
//! phone offline too. `awards` is what a first valid report of each category earns in the
//! county (absent until the county sets its own; a category not listed earns its default).

use automerge::{Automerge, ObjType, ROOT, ReadDoc, transaction::Transactable};
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};

use crate::{ModelError, SCHEMA_VERSION, lenient};

/// The `kind` of a stations document.
pub const KIND: &str = "stations";

/// One roadside rider station (驿站).
#[derive(
    Debug, Clone, Default, PartialEq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub struct Station {
    #[autosurgeon(hydrate = "lenient::string")]
    pub name: String,
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub address: String,
    /// WGS-84 latitude in degrees.
    #[autosurgeon(hydrate = "lenient::f64")]
    pub lat: f64,
    /// WGS-84 longitude in degrees.
    #[autosurgeon(hydrate = "lenient::f64")]
    pub lon: f64,
    /// Opening hours in the county's words, e.g. `24 小时` or `07:00–22:00`: shown when `week`
    /// is not given.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub hours: String,
    /// Opening hours for each weekday, Monday first, as [`crate::hours`] reads them (`24h`,
    /// `07:00-22:00`, `20:00-06:00` past midnight, empty: closed); empty when not given.
    #[autosurgeon(hydrate = "lenient::strings")]
    pub week: Vec<String>,
    /// Facility codes: `water`, `charging`, `microwave`, `first_aid`, `toilet`, `battery_swap`.
    #[autosurgeon(hydrate = "lenient::strings")]
    pub facilities: Vec<String>,
    /// Its kind: `aixin` (爱心驿站), `nuanxin` (暖新驿站), `xiaoge` (小哥驿站), `xingkong`
    /// (星空补给站); empty when not given.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub kind: String,
    /// Who hosts it: `bank`, `post`, `supermarket`, `petrol`, `community`, `union`; empty when
    /// not given.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub host: String,
    /// Its telephone number, as dialled; empty when none.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub phone: String,
    /// `open` (or empty), `paused` (closed for a while: shown as such) or `closed` (closed for
    /// good: riders' lists leave it out).
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub status: String,
    /// When a supervisor last wrote it, in milliseconds since the Unix epoch (server clock);
    /// `None` for a station not changed since the county's document was made.
    #[autosurgeon(hydrate = "lenient::opt_i64")]
    pub updated: Option<i64>,
}

impl Station {
    /// The station a checked form describes.
    pub fn from_form(f: crate::api::StationForm) -> Station {
        Station {
            name: f.name,
            address: f.address,
            lat: f.lat,
            lon: f.lon,
            hours: f.hours,
            week: f.week,
            facilities: f.facilities,
            kind: f.kind,
            host: f.host,
            phone: f.phone,
            status: f.status,
            updated: None,
        }
    }

    /// The station as a form, for editing.
    pub fn form(&self) -> crate::api::StationForm {
        crate::api::StationForm {
            name: self.name.clone(),
            address: self.address.clone(),
            lat: self.lat,
            lon: self.lon,
            hours: self.hours.clone(),
            week: self.week.clone(),
            facilities: self.facilities.clone(),
            kind: self.kind.clone(),
            host: self.host.clone(),
            phone: self.phone.clone(),
            status: if self.status.is_empty() {
                "open".into()
            } else {
                self.status.clone()
            },
        }
    }

    /// Closed for a while (`paused`).
    pub fn paused(&self) -> bool {
        self.status == "paused"
    }

    /// Closed for good: riders do not see it.
    pub fn closed(&self) -> bool {
        self.status == "closed"
    }
}

/// Adds or replaces every station of `stations` (id, station), in one change, each stamped
/// `updated` at `now` where it changes (a station written again as it was keeps its stamp).
pub fn put_stations(
    doc: &mut Automerge,
    stations: &[(String, Station)],
    now: i64,
) -> Result<(), ModelError> {
    let obj = stations_obj(doc)?;
    let mut tx = doc.transaction();
    for (id, station) in stations {
        let old = hydrate_prop::<_, Station, _, _>(&tx, &obj, id.as_str()).ok();
        let updated = match old {
            // As a form: a status written as `open` or left empty is the same station.
            Some(old) if old.form() == station.form() => old.updated,
            _ => Some(now),
        };
        let stamped = Station {
            updated,
            ..station.clone()
        };
        reconcile_prop(&mut tx, &obj, id.as_str(), &stamped)?;
    }
    tx.commit();
    Ok(())
}

/// Adds or replaces station `id` ([`put_stations`] of one).
pub fn put_station(
    doc: &mut Automerge,
    id: &str,
    station: &Station,
    now: i64,
) -> Result<(), ModelError> {
    put_stations(doc, &[(id.to_owned(), station.clone())], now)
}

/// A reward of the county's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct Reward {
    /// The county's name for it (头盔, 社区食堂餐券, …).
    #[autosurgeon(hydrate = "lenient::string")]
    pub name: String,
    /// Its price in points.
    #[autosurgeon(hydrate = "lenient::i64")]
    pub price: i64,
    /// How many are left.
    #[autosurgeon(hydrate = "lenient::i64")]
    pub stock: i64,
    /// Offered now (an inactive reward is shown to nobody).
    pub active: bool,
    /// Its picture: the SHA-256 name of a photo (`GET /api/photos/{sha256}`), or empty.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub photo: String,
}

/// Replaces the catalogue with `rewards` (id, reward): new and changed ones are written, those
/// no longer listed removed.
pub fn put_rewards(doc: &mut Automerge, rewards: &[(String, Reward)]) -> Result<(), ModelError> {
    let mut tx = doc.transaction();
    let obj = crate::office_doc::map_keeping(&mut tx, &ROOT, "rewards", rewards)?;
    for (id, reward) in rewards {
        reconcile_prop(&mut tx, &obj, id.as_str(), reward)?;
    }
    tx.commit();
    Ok(())
}

/// The catalogue's rewards that read, by id (sorted by price, then id).
pub fn rewards(doc: &Automerge) -> Vec<(String, Reward)> {
    let mut out: Vec<(String, Reward)> = crate::lenient::map_entries(doc, "rewards", |_| true);
    out.sort_by(|a, b| (a.1.price, &a.0).cmp(&(b.1.price, &b.0)));
    out
}

/// A heat or cold alert of the county, shown on riders' phones from `from` until `to`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub struct Alert {
    /// `heat` or `cold`.
    #[autosurgeon(hydrate = "lenient::string")]
    pub kind: String,
    /// 1 (yellow, 黄色), 2 (orange, 橙色) or 3 (red, 红色).
    #[autosurgeon(hydrate = "lenient::i64")]
    pub level: i64,
    /// The county's words to riders.
    #[autosurgeon(hydrate = "lenient::string")]
    pub text: String,
    /// In force from `from` until `to`, in milliseconds since the Unix epoch.
    #[autosurgeon(hydrate = "lenient::i64")]
    pub from: i64,
    #[autosurgeon(hydrate = "lenient::i64")]
    pub to: i64,
}

impl Alert {
    /// Whether it is in force at `now` (ms since the epoch).
    pub fn in_force(&self, now: i64) -> bool {
        self.from <= now && now < self.to
    }

    /// The facility a rider looks for: air conditioning in the heat, heating in the cold.
    pub fn relief(&self) -> &'static str {
        if self.kind == "cold" {
            "heating"
        } else {
            "air_conditioning"
        }
    }
}

/// A town or subdistrict of the county, for riders without a position.
#[derive(
    Debug, Clone, Default, PartialEq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub struct District {
    #[autosurgeon(hydrate = "lenient::string")]
    pub name: String,
    /// Its centre, WGS-84 degrees.
    #[autosurgeon(hydrate = "lenient::f64")]
    pub lat: f64,
    #[autosurgeon(hydrate = "lenient::f64")]
    pub lon: f64,
}

/// Replaces the county's districts.
pub fn put_districts(
    doc: &mut Automerge,
    districts: &[(String, District)],
) -> Result<(), ModelError> {
    let mut tx = doc.transaction();
    let obj = crate::office_doc::map_keeping(&mut tx, &ROOT, "districts", districts)?;
    for (id, d) in districts {
        reconcile_prop(&mut tx, &obj, id.as_str(), d)?;
    }
    tx.commit();
    Ok(())
}

/// The county's districts that read, by name.
pub fn districts(doc: &Automerge) -> Vec<(String, District)> {
    let mut out: Vec<(String, District)> = crate::lenient::map_entries(doc, "districts", |_| true);
    out.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    out
}

/// Adds alert `id`, and drops those that ended before `ended_before` (ms since the epoch), so
/// the document keeps only recent ones.
pub fn put_alert(
    doc: &mut Automerge,
    id: &str,
    alert: &Alert,
    ended_before: i64,
) -> Result<(), ModelError> {
    let old: Vec<String> = alerts(doc)
        .into_iter()
        .filter(|(_, a)| a.to < ended_before)
        .map(|(id, _)| id)
        .collect();
    let mut tx = doc.transaction();
    let obj = match tx.get(ROOT, "alerts")? {
        Some((automerge::Value::Object(ObjType::Map), obj)) => obj,
        _ => tx.put_object(ROOT, "alerts", ObjType::Map)?,
    };
    for id in old {
        tx.delete(&obj, id.as_str())?;
    }
    reconcile_prop(&mut tx, &obj, id, alert)?;
    tx.commit();
    Ok(())
}

/// The county's alerts that read, by id.
pub fn alerts(doc: &Automerge) -> Vec<(String, Alert)> {
    crate::lenient::map_entries(doc, "alerts", |_| true)
}

/// A wish on the county's wall (微心愿墙): approved by a supervisor, shown to every rider of
/// the county with the rider's surname only.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub struct WallWish {
    /// The wish, as the rider wrote it.
    #[autosurgeon(hydrate = "lenient::string")]
    pub text: String,
    /// Who wished it: the surname and 师傅 (`王师傅`), never more.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub by: String,
    /// Its photo's SHA-256, or empty.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub photo: String,
    /// `approved`, `claimed` (an organisation will fulfil it) or `fulfilled`.
    #[autosurgeon(hydrate = "lenient::string")]
    pub status: String,
    /// The organisation that claimed it; empty until claimed.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub org: String,
    /// When the rider made it, in milliseconds since the Unix epoch.
    #[autosurgeon(hydrate = "lenient::i64")]
    pub at: i64,
}

/// The wall's key of wish `wish_id` of rider `rider_id`: `u<rider id>-<wish id>`, so that no
/// rider's wish can take the place of another's, and a rider finds their own.
pub fn wall_key(rider_id: i64, wish_id: &str) -> String {
    format!("u{rider_id}-{wish_id}")
}

/// Puts a wish on the wall under `id` ([`wall_key`]), or updates it there.
pub fn put_wall_wish(doc: &mut Automerge, id: &str, wish: &WallWish) -> Result<(), ModelError> {
    let mut tx = doc.transaction();
    let obj = match tx.get(ROOT, "wishes")? {
        Some((automerge::Value::Object(ObjType::Map), obj)) => obj,
        _ => tx.put_object(ROOT, "wishes", ObjType::Map)?,
    };
    reconcile_prop(&mut tx, &obj, id, wish)?;
    tx.commit();
    Ok(())
}

/// The wishes on the county's wall that read, newest first.
pub fn wall(doc: &Automerge) -> Vec<(String, WallWish)> {
    let mut out: Vec<(String, WallWish)> = crate::lenient::map_entries(doc, "wishes", |_| true);
    out.sort_by(|a, b| b.1.at.cmp(&a.1.at).then(a.0.cmp(&b.0)));
    out
}

/// Replaces the county's awards per category (category code, points).
pub fn put_awards(doc: &mut Automerge, awards: &[(String, i64)]) -> Result<(), ModelError> {
    let mut tx = doc.transaction();
    let obj = crate::office_doc::map_keeping(&mut tx, &ROOT, "awards", awards)?;
    for (code, points) in awards {
        reconcile_prop(&mut tx, &obj, code.as_str(), points)?;
    }
    tx.commit();
    Ok(())
}

/// The county's awards per category (category code, points), sorted by code.
pub fn awards(doc: &Automerge) -> Vec<(String, i64)> {
    crate::lenient::map_entries(doc, "awards", |_| true)
}

/// A stations document for `county` holding `stations` (id, station).
pub fn new_doc(county: &str, stations: &[(String, Station)]) -> Result<Automerge, ModelError> {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "schema", SCHEMA_VERSION)?;
        tx.put(ROOT, "kind", KIND)?;
        tx.put(ROOT, "county", county)?;
        tx.put_object(ROOT, "stations", ObjType::Map)?;
        Ok(())
    })
    .map_err(|f| f.error)?;
    let obj = stations_obj(&doc)?;
    let mut tx = doc.transaction();
    for (id, station) in stations {
        reconcile_prop(&mut tx, &obj, id.as_str(), station)?;
    }
    tx.commit();
    Ok(doc)
}

fn stations_obj<D: ReadDoc>(doc: &D) -> Result<automerge::ObjId, ModelError> {
    match doc.get(ROOT, "stations")? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(ModelError::Hydrate(
            "stations document has no stations map".into(),
        )),
    }
}

/// Every station that reads, sorted by id.
pub fn stations(doc: &Automerge) -> Result<Vec<(String, Station)>, ModelError> {
    let obj = stations_obj(doc)?;
    let mut out: Vec<(String, Station)> = doc
        .keys(&obj)
        .filter_map(|key| {
            let s = hydrate_prop::<_, Station, _, _>(doc, &obj, key.as_str()).ok()?;
            Some((key, s))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_replaced_as_a_whole_and_read_by_price() {
        let mut doc = new_doc("youyang", &[]).expect("new");
        assert!(rewards(&doc).is_empty());
        let reward = |name: &str, price| Reward {
            name: name.into(),
            price,
            stock: 10,
            active: true,
            photo: String::new(),
        };
        let first = vec![
            ("helmet".to_owned(), reward("头盔", 60)),
            ("coupon".to_owned(), reward("社区食堂餐券", 10)),
        ];
        put_rewards(&mut doc, &first).expect("put");
        assert_eq!(rewards(&doc), [first[1].clone(), first[0].clone()]);
        let second = vec![(
            "helmet".to_owned(),
            Reward {
                stock: 9,
                ..reward("头盔", 60)
            },
        )];
        put_rewards(&mut doc, &second).expect("replace");
        assert_eq!(rewards(&doc), second);
    }

    #[test]
    fn stations_round_trip() {
        let s = Station {
            name: "酉新驿站（桃花源广场）".into(),
            address: "桃花源大道 1 号".into(),
            lat: 28.84,
            lon: 108.77,
            hours: "24 小时".into(),
            week: vec!["24h".into(); 7],
            facilities: vec!["water".into(), "charging".into()],
            kind: "nuanxin".into(),
            host: "community".into(),
            phone: "023-7555-0101".into(),
            status: String::new(),
            updated: None,
        };
        let doc = new_doc("youyang", &[("s1".into(), s.clone())]).expect("new");
        assert_eq!(stations(&doc).expect("read"), vec![("s1".to_owned(), s)]);
    }
}
