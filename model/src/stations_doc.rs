//! The stations document (schema v1): one per county, written by the server only, read-only for
//! everyone in that county.
//!
//! ```text
//! { schema: 1, kind: "stations", county: "<code>", stations: { "<id>": Station, ... } }
//! ```

use automerge::{Automerge, ObjType, ROOT, ReadDoc, transaction::Transactable};
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};

use crate::{ModelError, SCHEMA_VERSION, lenient};

/// The `kind` of a stations document.
pub const KIND: &str = "stations";

/// One roadside rider station (驿站).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
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
    /// Opening hours as shown to riders, e.g. `24 小时` or `07:00–22:00`.
    #[autosurgeon(hydrate = "lenient::opt_string")]
    pub hours: String,
    /// Facility codes: `water`, `charging`, `microwave`, `first_aid`, `toilet`, `battery_swap`.
    #[autosurgeon(hydrate = "lenient::strings")]
    pub facilities: Vec<String>,
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
    fn stations_round_trip() {
        let s = Station {
            name: "酉新驿站（桃花源广场）".into(),
            address: "桃花源大道 1 号".into(),
            lat: 28.84,
            lon: 108.77,
            hours: "24 小时".into(),
            facilities: vec!["water".into(), "charging".into()],
        };
        let doc = new_doc("youyang", &[("s1".into(), s.clone())]).expect("new");
        assert_eq!(stations(&doc).expect("read"), vec![("s1".to_owned(), s)]);
    }
}
