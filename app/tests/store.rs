//! The IndexedDB store, in a real browser: a document and its sync state survive a round trip,
//! and a batch is written whole.

use app::store::{Batch, OutboxEntry, Store};
use automerge::Automerge;
use model::{Report, ReportId, client::SyncClient, rider_doc};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh database per test, so tests do not see each other's data.
async fn fresh(name: &str) -> Store {
    let name = format!("{name}-{}", ReportId::new());
    Store::open_named(&name).await.expect("open")
}

fn report() -> Report {
    Report {
        id: ReportId::new().to_string(),
        category: "street_light".into(),
        note: "路灯不亮".into(),
        lat: 28.84,
        lon: 108.77,
        accuracy_m: None,
        location_source: "manual".into(),
        place: "人民路口".into(),
        created_at: 1_790_000_000_000,
        photos: vec![],
    }
}

#[wasm_bindgen_test]
async fn a_document_and_its_sync_state_round_trip() {
    let store = fresh("roundtrip").await;
    let mut client = SyncClient::new("u1.testdevice01");
    client.add_doc("doc1", rider_doc::new_doc("1", None).unwrap(), None);
    let r = report();
    let (hash, _) = client
        .change("doc1", |d| rider_doc::put_report(d, &r))
        .unwrap();
    let snapshot = client.doc("doc1").unwrap().save();
    let sync = client.sync_state_bytes("doc1").unwrap();
    let entry = OutboxEntry {
        report_id: r.id.clone(),
        hash: hash.expect("a new report is a change").to_string(),
        created_at: r.created_at as f64,
    };

    store
        .write(Batch {
            docs: vec![("doc1".into(), snapshot.clone())],
            sync: vec![("doc1".into(), sync.clone())],
            outbox_put: vec![entry.clone()],
            outbox_delete: vec![],
        })
        .await
        .expect("write");

    let stored = store.doc("doc1").await.expect("read");
    assert_eq!(stored.snapshot.as_deref(), Some(&snapshot[..]));
    assert_eq!(stored.sync.as_deref(), Some(&sync[..]));
    let loaded = Automerge::load(&stored.snapshot.unwrap()).unwrap();
    assert_eq!(rider_doc::valid_shape_reports(&loaded), vec![r.clone()]);
    assert_eq!(store.outbox().await.unwrap(), vec![entry]);

    // Confirming drops the entry; the document stays.
    store
        .write(Batch {
            outbox_delete: vec![r.id.clone()],
            ..Batch::default()
        })
        .await
        .unwrap();
    assert!(store.outbox().await.unwrap().is_empty());
    assert!(store.doc("doc1").await.unwrap().snapshot.is_some());
}

#[wasm_bindgen_test]
async fn unknown_documents_and_meta_read_as_absent() {
    let store = fresh("absent").await;
    assert_eq!(store.doc("nope").await.unwrap(), Default::default());
    assert_eq!(store.meta("me").await.unwrap(), None);
    store.set_meta("me", "{\"user\":{}}").await.unwrap();
    assert_eq!(
        store.meta("me").await.unwrap().as_deref(),
        Some("{\"user\":{}}")
    );
    store.delete_meta("me").await.unwrap();
    assert_eq!(store.meta("me").await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn the_database_reopens_with_its_data() {
    let name = format!("reopen-{}", ReportId::new());
    let store = Store::open_named(&name).await.unwrap();
    store.set_meta("peer_id", "u1.abcdefghijkl").await.unwrap();
    drop(store);
    let again = Store::open_named(&name).await.unwrap();
    assert_eq!(
        again.meta("peer_id").await.unwrap().as_deref(),
        Some("u1.abcdefghijkl")
    );
}
