//! The device's storage: one IndexedDB database that lets the app start, show and file reports
//! with no network once a rider has logged in.
//!
//! Layout (database `nuanxin`, version 3; version 2 added `photos`, version 3 `inbox`):
//!
//! | store    | key             | value                                        |
//! |----------|-----------------|----------------------------------------------|
//! | `docs`   | document id     | `Uint8Array`: `Automerge::save()` snapshot   |
//! | `chunks` | `<doc id>/<n>`  | `Uint8Array`: changes saved after the snapshot |
//! | `sync`   | document id     | `Uint8Array`: the encoded sync state         |
//! | `meta`   | name            | string: `"me"` (the /api/me JSON), `"peer_id"` |
//! | `outbox` | report id       | `{hash, created_at}`: the change to confirm  |
//! | `photos` | SHA-256 (hex)   | `{report_id, jpeg?, thumb, bytes, state, reason?, created_at}` |
//! | `inbox`  | report id       | string: `{doc, report}` JSON, a report filed into document `doc` and not yet in it |
//!
//! Everything that must stay consistent is written by [`Store::write`] in one committed
//! transaction: a report is never on the phone without its outbox entry and its photos, nor the
//! other way round.
//!
//! The form files a report into the `inbox`, with its photos, in one transaction
//! ([`Store::put_in_inbox`]), so it is kept before the sync engine has even loaded. The engine
//! takes it into the rider document in the transaction that deletes it from the inbox
//! ([`Batch::inbox_delete`]): a report is in one of the two, never in both or neither.
//! The handle is not `Send` (IndexedDB lives on the page's thread), so it is cloned, not shared
//! across threads.

mod outbox;
mod photo;

use std::rc::Rc;

use indexed_db_futures::{database::Database, prelude::*, transaction::TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};

pub use model::device::{OutboxEntry, StoredDoc, Write, chunk_key};
pub use photo::{PhotoEntry, PhotoState};

use crate::error::AppError;

/// The database the app uses.
pub const DB_NAME: &str = "nuanxin";
const DB_VERSION: u32 = 3;

/// Document snapshots.
pub const DOCS: &str = "docs";
/// Incremental saves made after a document's snapshot.
pub const CHUNKS: &str = "chunks";
/// Sync states.
pub const SYNC: &str = "sync";
/// Small named values.
pub const META: &str = "meta";
/// Reports filed on this device that the relay has not confirmed yet.
pub const OUTBOX: &str = "outbox";
/// Photos of reports filed on this device: the JPEG until the server holds it, the thumbnail.
pub const PHOTOS: &str = "photos";
/// Reports filed on this device and not yet taken into the rider document.
pub const INBOX: &str = "inbox";

/// `meta` key of the logged-in user's /api/me answer.
pub const META_ME: &str = "me";
/// `meta` key set when a logout could not reach the server: the session cookie may still be
/// valid, so it is ended at the next start before anyone is taken as logged in.
pub const META_LOGOUT_PENDING: &str = "logout_pending";
/// `meta` key of this device's peer id.
pub const META_PEER_ID: &str = "peer_id";

/// What [`Store::start_up`] read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct StartUp {
    /// The documents asked for, in the order asked.
    pub docs: Vec<StoredDoc>,
    /// Every outbox entry, in report id order.
    pub outbox: Vec<OutboxEntry>,
    /// The `meta` value asked for.
    pub meta: Option<String>,
}

/// A set of writes applied together or not at all: the device's [`Write`] and the photos
/// that go with it.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    pub write: Write,
    /// Photos to add or replace.
    pub photos_put: Vec<PhotoEntry>,
    /// Inbox entries (report ids) taken into the document by this write.
    pub inbox_delete: Vec<String>,
}

impl From<Write> for Batch {
    fn from(write: Write) -> Self {
        Batch {
            write,
            ..Batch::default()
        }
    }
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.write == Write::default() && self.photos_put.is_empty() && self.inbox_delete.is_empty()
    }
}

/// One report in the inbox, and the rider document it is filed into.
#[derive(serde::Serialize, serde::Deserialize)]
struct InboxEntry {
    doc: String,
    report: model::Report,
}

/// An open handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: Rc<Database>,
}

impl Store {
    /// Opens (and on first use creates) the app's database.
    pub async fn open() -> Result<Self, AppError> {
        Self::open_named(DB_NAME).await
    }

    /// Opens a database of this layout under another name; tests use a fresh one each.
    pub async fn open_named(name: &str) -> Result<Self, AppError> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|_event, db| {
                let existing: Vec<String> = db.object_store_names().collect();
                for store in [DOCS, CHUNKS, SYNC, META, OUTBOX, PHOTOS, INBOX] {
                    if !existing.iter().any(|n| n == store) {
                        db.create_object_store(store).build()?;
                    }
                }
                Ok(())
            })
            .await
            .map_err(AppError::store)?;
        Ok(Self { db: Rc::new(db) })
    }

    /// The stored snapshot, chunks and sync state of a document.
    pub async fn doc(&self, id: &str) -> Result<StoredDoc, AppError> {
        Ok(self
            .start_up(&[id], META_PEER_ID)
            .await?
            .docs
            .pop()
            .unwrap_or_default())
    }

    /// What the sync engine reads when it starts: the documents `ids`, the outbox and the
    /// `meta` value `meta_key`, in one transaction whose requests all go out before the first
    /// answer is awaited. A cold start offline waits for one round trip to IndexedDB, not one
    /// per document and store.
    pub async fn start_up(&self, ids: &[&str], meta_key: &str) -> Result<StartUp, AppError> {
        let tx = self
            .db
            .transaction([DOCS, CHUNKS, SYNC, OUTBOX, META])
            .build()
            .map_err(AppError::store)?;
        let store = |name| tx.object_store(name).map_err(AppError::store);
        let (docs, chunks, sync, outbox, meta) = (
            store(DOCS)?,
            store(CHUNKS)?,
            store(SYNC)?,
            store(OUTBOX)?,
            store(META)?,
        );
        // A device holds a few documents, so reading every chunk key and keeping each
        // document's is cheaper than it sounds, and needs no key range.
        let chunk_keys = chunks
            .get_all_keys::<String>()
            .primitive()
            .map_err(AppError::store)?;
        let chunk_values = chunks
            .get_all::<JsValue>()
            .primitive()
            .map_err(AppError::store)?;
        let outbox_keys = outbox
            .get_all_keys::<String>()
            .primitive()
            .map_err(AppError::store)?;
        let outbox_values = outbox
            .get_all::<JsValue>()
            .primitive()
            .map_err(AppError::store)?;
        let meta_value = meta.get(meta_key).primitive().map_err(AppError::store)?;
        let mut reads = Vec::with_capacity(ids.len());
        for id in ids {
            let snapshot = docs.get(*id).primitive().map_err(AppError::store)?;
            let state = sync.get(*id).primitive().map_err(AppError::store)?;
            reads.push((snapshot, state));
        }
        let chunk_keys = chunk_keys.await.map_err(AppError::store)?;
        let chunk_values = chunk_values.await.map_err(AppError::store)?;
        let all_chunks: Vec<(String, Vec<u8>)> = chunk_keys
            .zip(chunk_values)
            .filter_map(|(k, v)| Some((k.ok()?, bytes(v.ok()?)?)))
            .collect();
        let mut out = StartUp::default();
        for (id, (snapshot, state)) in ids.iter().zip(reads) {
            let snapshot: Option<JsValue> = snapshot.await.map_err(AppError::store)?;
            let state: Option<JsValue> = state.await.map_err(AppError::store)?;
            let prefix = format!("{id}/");
            out.docs.push(StoredDoc {
                snapshot: snapshot.and_then(bytes),
                chunks: all_chunks
                    .iter()
                    .filter(|(k, _)| k.starts_with(&prefix))
                    .cloned()
                    .collect(),
                sync: state.and_then(bytes),
            });
        }
        let outbox_keys = outbox_keys.await.map_err(AppError::store)?;
        let outbox_values = outbox_values.await.map_err(AppError::store)?;
        // Both lists come in key order from the same transaction, so they pair up.
        out.outbox = outbox_keys
            .zip(outbox_values)
            .filter_map(|(k, v)| outbox::from_js(k.ok()?, &v.ok()?))
            .collect();
        let meta_value: Option<JsValue> = meta_value.await.map_err(AppError::store)?;
        out.meta = meta_value.and_then(|v| v.as_string());
        Ok(out)
    }

    /// Applies a batch in one transaction and returns once the browser has committed it.
    pub async fn write(&self, batch: Batch) -> Result<(), AppError> {
        if batch.is_empty() {
            return Ok(());
        }
        let tx = self
            .db
            .transaction([DOCS, CHUNKS, SYNC, OUTBOX, PHOTOS, INBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(AppError::store)?;
        let docs = tx.object_store(DOCS).map_err(AppError::store)?;
        let chunks = tx.object_store(CHUNKS).map_err(AppError::store)?;
        let sync = tx.object_store(SYNC).map_err(AppError::store)?;
        let outbox = tx.object_store(OUTBOX).map_err(AppError::store)?;
        let photos = tx.object_store(PHOTOS).map_err(AppError::store)?;
        let inbox = tx.object_store(INBOX).map_err(AppError::store)?;
        // Requests go out when built; the commit below waits for all of them.
        for (id, snapshot) in &batch.write.docs {
            docs.put(uint8(snapshot))
                .with_key(id.as_str())
                .without_key_type()
                .primitive()
                .map_err(AppError::store)?;
        }
        for key in &batch.write.chunks_delete {
            chunks
                .delete(key.as_str())
                .primitive()
                .map_err(AppError::store)?;
        }
        for (key, chunk) in &batch.write.chunks_put {
            chunks
                .put(uint8(chunk))
                .with_key(key.as_str())
                .without_key_type()
                .primitive()
                .map_err(AppError::store)?;
        }
        for (id, state) in &batch.write.sync {
            sync.put(uint8(state))
                .with_key(id.as_str())
                .without_key_type()
                .primitive()
                .map_err(AppError::store)?;
        }
        for entry in &batch.write.outbox_put {
            outbox
                .put(outbox::to_js(entry))
                .with_key(entry.report_id.as_str())
                .without_key_type()
                .primitive()
                .map_err(AppError::store)?;
        }
        for id in &batch.write.outbox_delete {
            outbox
                .delete(id.as_str())
                .primitive()
                .map_err(AppError::store)?;
        }
        for p in &batch.photos_put {
            photos
                .put(p.to_js())
                .with_key(p.sha256.as_str())
                .without_key_type()
                .primitive()
                .map_err(AppError::store)?;
        }
        for id in &batch.inbox_delete {
            inbox
                .delete(id.as_str())
                .primitive()
                .map_err(AppError::store)?;
        }
        tx.commit().await.map_err(AppError::store)
    }

    /// Files `report` for rider document `doc` with its photos into the inbox, in one
    /// transaction; returns once the browser has committed it. The sync engine of that
    /// document takes it from there.
    pub async fn put_in_inbox(
        &self,
        doc: &str,
        report: &model::Report,
        photos: &[PhotoEntry],
    ) -> Result<(), AppError> {
        let entry = InboxEntry {
            doc: doc.to_owned(),
            report: report.clone(),
        };
        let text = serde_json::to_string(&entry).map_err(AppError::store)?;
        let tx = self
            .db
            .transaction([INBOX, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(AppError::store)?;
        let inbox = tx.object_store(INBOX).map_err(AppError::store)?;
        let store = tx.object_store(PHOTOS).map_err(AppError::store)?;
        inbox
            .put(text.as_str())
            .with_key(report.id.as_str())
            .without_key_type()
            .primitive()
            .map_err(AppError::store)?;
        for p in photos {
            store
                .put(p.to_js())
                .with_key(p.sha256.as_str())
                .without_key_type()
                .primitive()
                .map_err(AppError::store)?;
        }
        tx.commit().await.map_err(AppError::store)
    }

    /// The reports in the inbox for rider document `doc`, oldest first. Another rider's
    /// (who used this phone before) wait for that rider's next login here.
    pub async fn inbox(&self, doc: &str) -> Result<Vec<model::Report>, AppError> {
        let mut out: Vec<model::Report> = self
            .all(INBOX)
            .await?
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_str::<InboxEntry>(&v.as_string()?).ok())
            .filter(|e| e.doc == doc)
            .map(|e| e.report)
            .collect();
        out.sort_by_key(|r| r.created_at);
        Ok(out)
    }

    /// Every photo of reports filed on this device, oldest report first.
    pub async fn photos(&self) -> Result<Vec<PhotoEntry>, AppError> {
        let mut out: Vec<PhotoEntry> = self
            .all(PHOTOS)
            .await?
            .into_iter()
            .filter_map(|(k, v)| PhotoEntry::from_js(k, &v))
            .collect();
        out.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
        Ok(out)
    }

    /// Replaces one photo entry, on its own.
    pub async fn put_photo(&self, entry: &PhotoEntry) -> Result<(), AppError> {
        self.write(Batch {
            photos_put: vec![entry.clone()],
            ..Batch::default()
        })
        .await
    }

    /// Every outbox entry, in report id order.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>, AppError> {
        Ok(self
            .all(OUTBOX)
            .await?
            .into_iter()
            .filter_map(|(k, v)| outbox::from_js(k, &v))
            .collect())
    }

    /// Every (key, value) of a store with string keys, in key order.
    async fn all(&self, name: &str) -> Result<Vec<(String, JsValue)>, AppError> {
        let tx = self.db.transaction(name).build().map_err(AppError::store)?;
        let store = tx.object_store(name).map_err(AppError::store)?;
        let keys = store
            .get_all_keys::<String>()
            .primitive()
            .map_err(AppError::store)?;
        let values = store
            .get_all::<JsValue>()
            .primitive()
            .map_err(AppError::store)?;
        let keys = keys.await.map_err(AppError::store)?;
        let values = values.await.map_err(AppError::store)?;
        // Both lists come in key order from the same transaction, so they pair up.
        Ok(keys
            .zip(values)
            .filter_map(|(k, v)| Some((k.ok()?, v.ok()?)))
            .collect())
    }

    /// A `meta` value.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, AppError> {
        let tx = self.db.transaction(META).build().map_err(AppError::store)?;
        let store = tx.object_store(META).map_err(AppError::store)?;
        let v: Option<JsValue> = store
            .get(key)
            .primitive()
            .map_err(AppError::store)?
            .await
            .map_err(AppError::store)?;
        Ok(v.and_then(|v| v.as_string()))
    }

    /// Sets a `meta` value.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), AppError> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(AppError::store)?;
        let store = tx.object_store(META).map_err(AppError::store)?;
        store
            .put(value)
            .with_key(key)
            .without_key_type()
            .primitive()
            .map_err(AppError::store)?;
        tx.commit().await.map_err(AppError::store)
    }

    /// Removes a `meta` value.
    pub async fn delete_meta(&self, key: &str) -> Result<(), AppError> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(AppError::store)?;
        let store = tx.object_store(META).map_err(AppError::store)?;
        store.delete(key).primitive().map_err(AppError::store)?;
        tx.commit().await.map_err(AppError::store)
    }
}

fn uint8(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

fn bytes(v: JsValue) -> Option<Vec<u8>> {
    v.dyn_into::<Uint8Array>().ok().map(|a| a.to_vec())
}
