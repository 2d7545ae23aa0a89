//! Hazard photos: content-addressed bytes behind one storage interface, and the checks an
//! upload must pass before anything is stored.
//!
//! The interface is `object_store`'s [`ObjectStore`]: a local folder is the embedded default
//! ([`PhotoStore::local`]); an S3-compatible bucket (`NUANXIN_PHOTOS_URL=s3://bucket/prefix`,
//! [`PhotoStore::open`]) is the same trait with another builder. A photo is stored under its
//! lower-case hex SHA-256.

pub use model::image_info;

use std::{path::Path, sync::Arc};

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, local::LocalFileSystem};

/// Where photos live.
#[derive(Clone, Debug)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
}

pub use model::validate::is_sha256_hex;

fn key(sha256: &str) -> object_store::path::Path {
    // Two levels of fan-out keep folders small on a local disk.
    object_store::path::Path::from(format!("{}/{}/{sha256}", &sha256[..2], &sha256[2..4]))
}

impl PhotoStore {
    /// Photos in a local folder (created if missing).
    pub fn local(dir: &Path) -> anyhow::Result<PhotoStore> {
        std::fs::create_dir_all(dir)?;
        Ok(PhotoStore::new(Arc::new(LocalFileSystem::new_with_prefix(
            dir,
        )?)))
    }

    /// The photo store a configuration names: the bucket of `photos_url` (`s3://bucket` or
    /// `s3://bucket/prefix`; endpoint, region and credentials from the standard `AWS_*`
    /// variables, e.g. `AWS_ENDPOINT`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, and `AWS_ALLOW_HTTP=true` for an endpoint without TLS), else
    /// the local folder.
    pub fn open(config: &crate::Config) -> anyhow::Result<PhotoStore> {
        match config.photos_url.as_deref() {
            None => PhotoStore::local(&config.photos_dir()),
            Some(url) => PhotoStore::bucket(url),
        }
    }

    /// Photos in an S3-compatible bucket, under the URL's path if it has one.
    pub fn bucket(url: &str) -> anyhow::Result<PhotoStore> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            anyhow::anyhow!("NUANXIN_PHOTOS_URL must be s3://bucket[/prefix], not {url:?}")
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        anyhow::ensure!(
            !bucket.is_empty(),
            "NUANXIN_PHOTOS_URL names no bucket: {url:?}"
        );
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()?;
        let prefix = prefix.trim_matches('/');
        Ok(if prefix.is_empty() {
            PhotoStore::new(Arc::new(s3))
        } else {
            PhotoStore::new(Arc::new(object_store::prefix::PrefixStore::new(s3, prefix)))
        })
    }

    /// When a photo's bytes were stored, if they are.
    pub async fn stored_at(&self, sha256: &str) -> anyhow::Result<Option<std::time::SystemTime>> {
        match self.store.head(&key(sha256)).await {
            Ok(meta) => Ok(Some(meta.last_modified.into())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Photos in any object store.
    pub fn new(store: Arc<dyn ObjectStore>) -> PhotoStore {
        PhotoStore { store }
    }

    /// Stores a photo's bytes under its hash.
    pub async fn put(&self, sha256: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store
            .put(&key(sha256), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// A photo's bytes, if stored.
    pub async fn get(&self, sha256: &str) -> anyhow::Result<Option<Bytes>> {
        match self.store.get(&key(sha256)).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a photo; deleting a missing one is not an error.
    pub async fn delete(&self, sha256: &str) -> anyhow::Result<()> {
        match self.store.delete(&key(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The hashes of every stored photo.
    pub async fn list(&self) -> anyhow::Result<Vec<String>> {
        let metas: Vec<_> = self.store.list(None).try_collect().await?;
        let mut out: Vec<String> = metas
            .into_iter()
            .filter_map(|m| m.location.filename().map(str::to_owned))
            .filter(|n| is_sha256_hex(n))
            .collect();
        out.sort();
        Ok(out)
    }
}
