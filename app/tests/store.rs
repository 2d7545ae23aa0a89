//! The IndexedDB store, in a real browser: a document and its sync state survive a round trip,
//! and a batch is written whole.

use app::store::{OutboxEntry, Store, Write, chunk_key};
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
        photo_taken_at: None,
        photo_lat: None,
        photo_lon: None,
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
        .write(
            Write {
                docs: vec![("doc1".into(), snapshot.clone())],
                sync: vec![("doc1".into(), sync.clone())],
                outbox_put: vec![entry.clone()],
                ..Write::default()
            }
            .into(),
        )
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
        .write(
            Write {
                outbox_delete: vec![r.id.clone()],
                ..Write::default()
            }
            .into(),
        )
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

#[wasm_bindgen_test]
async fn chunks_after_a_snapshot_rebuild_the_document_and_fold_into_a_new_snapshot() {
    let store = fresh("chunks").await;
    let mut doc = rider_doc::new_doc("1", None).unwrap();
    let snapshot = doc.save();
    let heads = doc.get_heads();
    let (a, b) = (report(), report());
    rider_doc::put_report(&mut doc, &a).unwrap();
    let first = doc.save_after(&heads);
    let heads = doc.get_heads();
    rider_doc::put_report(&mut doc, &b).unwrap();
    let second = doc.save_after(&heads);
    // Another document's chunk must not leak into this one.
    let other = rider_doc::new_doc("2", None).unwrap().save();
    store
        .write(
            Write {
                docs: vec![("doc1".into(), snapshot)],
                chunks_put: vec![
                    (chunk_key("doc1", 0), first),
                    (chunk_key("doc1", 1), second),
                    (chunk_key("doc10", 0), other),
                ],
                ..Write::default()
            }
            .into(),
        )
        .await
        .unwrap();

    let stored = store.doc("doc1").await.unwrap();
    assert_eq!(stored.chunks.len(), 2);
    let mut loaded = Automerge::load(&stored.snapshot.unwrap()).unwrap();
    for (_, c) in &stored.chunks {
        loaded.load_incremental(c).unwrap();
    }
    assert_eq!(loaded.get_heads(), doc.get_heads());
    assert_eq!(rider_doc::valid_shape_reports(&loaded).len(), 2);

    store
        .write(
            Write {
                docs: vec![("doc1".into(), doc.save())],
                chunks_delete: stored.chunks.iter().map(|(k, _)| k.clone()).collect(),
                ..Write::default()
            }
            .into(),
        )
        .await
        .unwrap();
    let folded = store.doc("doc1").await.unwrap();
    assert!(folded.chunks.is_empty());
    let reloaded = Automerge::load(&folded.snapshot.unwrap()).unwrap();
    assert_eq!(rider_doc::valid_shape_reports(&reloaded).len(), 2);
    assert_eq!(store.doc("doc10").await.unwrap().chunks.len(), 1);
}

#[wasm_bindgen_test]
async fn the_start_up_read_gets_every_document_the_outbox_and_the_peer_id_at_once() {
    let store = fresh("startup").await;
    let entry = OutboxEntry {
        report_id: "r1".into(),
        hash: "ab".repeat(32),
        created_at: 1.0,
    };
    store
        .write(
            Write {
                docs: vec![("rider".into(), vec![1, 2]), ("office".into(), vec![3])],
                chunks_put: vec![
                    (chunk_key("rider", 0), vec![4]),
                    (chunk_key("rider", 1), vec![5]),
                    (chunk_key("riderx", 0), vec![6]),
                ],
                sync: vec![("office".into(), vec![7])],
                outbox_put: vec![entry.clone()],
                ..Write::default()
            }
            .into(),
        )
        .await
        .unwrap();
    store.set_meta("peer_id", "u1.abc").await.unwrap();

    let read = store
        .start_up(&["rider", "office", "stations"], "peer_id")
        .await
        .unwrap();
    assert_eq!(read.docs.len(), 3);
    assert_eq!(read.docs[0].snapshot.as_deref(), Some(&[1u8, 2][..]));
    // Only this document's chunks (not those of a document whose id starts the same), in order.
    assert_eq!(
        read.docs[0].chunks,
        vec![
            (chunk_key("rider", 0), vec![4]),
            (chunk_key("rider", 1), vec![5])
        ]
    );
    assert_eq!(read.docs[1].sync.as_deref(), Some(&[7u8][..]));
    assert_eq!(read.docs[2], app::store::StoredDoc::default());
    assert_eq!(read.outbox, vec![entry]);
    assert_eq!(read.meta.as_deref(), Some("u1.abc"));
}

#[wasm_bindgen_test]
async fn a_report_moves_from_the_inbox_into_the_document_in_one_write() {
    let store = fresh("inbox").await;
    let (first, mut second) = (report(), report());
    second.created_at += 1_000;
    let photo = app::store::PhotoEntry {
        sha256: "cd".repeat(32),
        report_id: first.id.clone(),
        jpeg: Some(vec![0xff, 0xd8]),
        thumb: vec![0xff, 0xd8],
        bytes: 2,
        state: app::store::PhotoState::Pending,
        created_at: first.created_at as f64,
    };
    // Filed newest first; read back oldest first, whole, with the photo beside it; another
    // rider's report on the same phone is not among them.
    store.put_in_inbox("rider", &second, &[]).await.unwrap();
    store
        .put_in_inbox("rider", &first, std::slice::from_ref(&photo))
        .await
        .unwrap();
    let other = report();
    store.put_in_inbox("other", &other, &[]).await.unwrap();
    assert_eq!(
        store.inbox("rider").await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(store.inbox("other").await.unwrap(), vec![other]);
    assert_eq!(store.photos().await.unwrap(), vec![photo]);

    // The engine's write that files the first report takes it out of the inbox.
    let entry = OutboxEntry {
        report_id: first.id.clone(),
        hash: "ab".repeat(32),
        created_at: first.created_at as f64,
    };
    let mut batch = app::store::Batch::from(Write {
        docs: vec![("rider".into(), vec![1])],
        outbox_put: vec![entry.clone()],
        ..Write::default()
    });
    batch.inbox_delete.push(first.id.clone());
    store.write(batch).await.unwrap();
    assert_eq!(store.inbox("rider").await.unwrap(), vec![second]);
    assert_eq!(store.outbox().await.unwrap(), vec![entry]);
}
