//! The lake's storage (数据湖存储, issue 4 item 2): where committed data version files live. An
//! `object_store` holds them — the local directory `<data-dir>/lake` by default, or an
//! S3-compatible bucket given as `s3://bucket/prefix`, which the replicas of a city deployment
//! share (DESIGN principle 7). Ingest never writes into the store: it streams into a local
//! staging file, so memory stays bounded whatever the file's size, and the finished file is
//! handed over here. Manifests name files relative to the lake's root (`<code>/v<N>.parquet`),
//! so a manifest does not depend on where the lake is.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use tokio::io::AsyncReadExt;

/// Where staged (not yet committed) files wait, under the local lake directory.
const STAGING: &str = ".staging";
/// The ending of a rejects file, which sits beside its Parquet file.
pub const REJECTS_SUFFIX: &str = ".rejects.csv";
/// Bytes per part of a multipart upload; with [`PARTS_IN_FLIGHT`] this bounds the memory one
/// upload takes, whatever the file's size.
const PART_BYTES: usize = 8 << 20;
const PARTS_IN_FLIGHT: usize = 4;
/// How old a file no manifest names must be before the sweep at start removes it from a
/// bucket. Another replica puts a version's files before it commits their manifest; a replica
/// starting meanwhile must not take them for a crash's leftovers.
pub const DEFAULT_ORPHAN_GRACE: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("invalid lake location `{location}`: {reason}")]
    Location {
        location: String,
        reason: &'static str,
    },
    #[error("lake storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("lake staging: {0}")]
    Staging(#[from] std::io::Error),
}

/// An S3-compatible lake as an operator writes it: `s3://bucket/prefix` (the prefix optional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub prefix: String,
}

impl S3Location {
    pub fn parse(text: &str) -> Result<Self, StorageError> {
        let invalid = |reason| StorageError::Location {
            location: text.to_owned(),
            reason,
        };
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| invalid("use s3://bucket/prefix (S3-compatible storage)"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(invalid("no bucket"));
        }
        let prefix = prefix.trim_matches('/');
        ObjectPath::parse(prefix).map_err(|_| invalid("not a valid object prefix"))?;
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }
}

/// The lake: its store, where the query engine finds it, and the local staging directory.
#[derive(Debug, Clone)]
pub struct Lake {
    store: Arc<dyn ObjectStore>,
    place: Place,
    /// The lake's root inside the store (a bucket's prefix; empty for a directory).
    root: ObjectPath,
    staging: PathBuf,
    orphan_grace: Duration,
}

#[derive(Debug, Clone)]
enum Place {
    /// A local directory, the store's root. Files are renamed into it inside the manifest
    /// transaction, under the version number.
    Directory(PathBuf),
    /// A bucket, by the URL the query engine reads it under (`s3://bucket`). Files are put
    /// before the manifest transaction, under names unique to their upload.
    Bucket(String),
}

impl Lake {
    /// The platform's lake: the bucket of `location` (`s3://bucket/prefix`; credentials,
    /// region and endpoint from the usual `AWS_*` environment variables) or, without one, the
    /// directory `<data-dir>/lake`. Files are staged under `<data-dir>/lake/.staging` either way.
    pub fn open(location: Option<&str>, data_dir: &Path) -> Result<Self, StorageError> {
        let dir = data_dir.join("lake");
        match location {
            None => Self::directory(dir),
            Some(text) => Self::s3(
                &S3Location::parse(text)?,
                AmazonS3Builder::from_env(),
                dir.join(STAGING),
            ),
        }
    }

    /// A lake in a local directory (created if missing), staging under its `.staging`.
    pub fn directory(dir: impl Into<PathBuf>) -> Result<Self, StorageError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            store: Arc::new(LocalFileSystem::new_with_prefix(&dir)?),
            root: ObjectPath::default(),
            staging: dir.join(STAGING),
            place: Place::Directory(dir),
            // Files are renamed into place inside the manifest transaction: one no manifest
            // names is a crash's leftover at once.
            orphan_grace: Duration::ZERO,
        })
    }

    /// A lake in an S3-compatible bucket; `builder` carries the credentials, region and
    /// endpoint. Files are staged in the local directory `staging`.
    pub fn s3(
        location: &S3Location,
        builder: AmazonS3Builder,
        staging: PathBuf,
    ) -> Result<Self, StorageError> {
        let store = builder.with_bucket_name(&location.bucket).build()?;
        Ok(Self {
            store: Arc::new(store),
            root: ObjectPath::parse(&location.prefix).map_err(object_store::Error::from)?,
            staging,
            place: Place::Bucket(format!("s3://{}", location.bucket)),
            orphan_grace: DEFAULT_ORPHAN_GRACE,
        })
    }

    /// How old a file no manifest names must be before the sweep at start removes it (a
    /// bucket's default is [`DEFAULT_ORPHAN_GRACE`]; tests that plant an orphan use zero).
    pub fn with_orphan_grace(mut self, grace: Duration) -> Self {
        self.orphan_grace = grace;
        self
    }

    pub fn staging_dir(&self) -> &Path {
        &self.staging
    }

    /// The store the query engine must know, with the URL to register it under; `None` for a
    /// directory, whose files the engine reads by path.
    pub fn engine_store(&self) -> Option<(&str, Arc<dyn ObjectStore>)> {
        match &self.place {
            Place::Directory(_) => None,
            Place::Bucket(url) => Some((url, Arc::clone(&self.store))),
        }
    }

    /// What the query engine reads for a file a manifest names: a path in a directory, an
    /// object URL (`s3://bucket/prefix/<code>/….parquet`) in a bucket.
    pub fn file_url(&self, name: &str) -> String {
        match &self.place {
            Place::Directory(dir) => in_directory(dir, name).to_string_lossy().into_owned(),
            Place::Bucket(url) => format!("{url}/{}", self.object(name)),
        }
    }

    fn object(&self, name: &str) -> ObjectPath {
        name.split('/')
            .fold(self.root.clone(), |p, part| p.join(part))
    }

    /// The name a manifest records for an object of the store (relative to the lake's root).
    fn name_of(&self, object: &ObjectPath) -> Option<String> {
        let parts: Vec<String> = object
            .prefix_match(&self.root)?
            .map(|p| p.as_ref().to_owned())
            .collect();
        Some(parts.join("/"))
    }

    /// Hands a version's staged files (the Parquet file, the rejects CSV when rows were
    /// dropped) to the lake, before the manifest transaction. A bucket receives them now, in
    /// parts, under `<code>/<staged name>`: an upload of hundreds of megabytes must not hold
    /// the platform's write lock, and a name chosen before the version number is known must
    /// not be shared with a concurrent upload. A directory takes them inside the transaction
    /// ([`Pending::place`]), a rename. The staged files are the caller's to remove.
    pub async fn take(
        &self,
        code: &str,
        data: &Path,
        rejects: Option<&Path>,
    ) -> Result<Pending, StorageError> {
        if let Place::Directory(dir) = &self.place {
            return Ok(Pending(Taken::Staged {
                dir: dir.clone(),
                data: data.to_path_buf(),
                rejects: rejects.map(Path::to_path_buf),
            }));
        }
        let name = |file: &Path| {
            let file = file.file_name().unwrap_or_default().to_string_lossy();
            format!("{code}/{file}")
        };
        let data_name = name(data);
        self.put_file(data, &self.object(&data_name)).await?;
        let rejects_name = match rejects {
            None => None,
            Some(rejects) => {
                let rejects_name = name(rejects);
                if let Err(e) = self.put_file(rejects, &self.object(&rejects_name)).await {
                    self.remove_names(&[&data_name]).await;
                    return Err(e);
                }
                Some(rejects_name)
            }
        };
        Ok(Pending(Taken::Stored(Placed {
            data: data_name,
            rejects: rejects_name,
        })))
    }

    /// Streams a local file into the store as a multipart upload, a few parts in flight; a
    /// failed upload is aborted, so no part lingers.
    async fn put_file(&self, file: &Path, to: &ObjectPath) -> Result<(), StorageError> {
        let mut source = tokio::fs::File::open(file).await?;
        let upload = self.store.put_multipart(to).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut buf = vec![0; 1 << 20];
        let copied = async {
            loop {
                let n = source.read(&mut buf).await?;
                if n == 0 {
                    return Ok::<_, StorageError>(());
                }
                writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
                writer.write(&buf[..n]);
            }
        }
        .await;
        match copied {
            Ok(()) => {
                writer.finish().await?;
                Ok(())
            }
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(lake.object = %to, error = %abort, "aborting a multipart upload failed");
                }
                Err(e)
            }
        }
    }

    /// Removes a version's files whose manifest did not commit (best effort: what stays is
    /// swept at a later start).
    pub async fn remove(&self, placed: &Placed) {
        let mut names = vec![placed.data.as_str()];
        names.extend(placed.rejects.as_deref());
        self.remove_names(&names).await;
    }

    /// Removes files taken for a version whose manifest transaction never began.
    pub async fn abandon(&self, pending: Pending) {
        if let Pending(Taken::Stored(placed)) = pending {
            self.remove(&placed).await;
        }
    }

    async fn remove_names(&self, names: &[&str]) {
        for name in names {
            if let Err(e) = self.store.delete(&self.object(name)).await {
                tracing::warn!(lake.file = %name, error = %e, "removing an uncommitted lake file failed");
            }
        }
    }

    /// A file of the lake as a stream of chunks, with its size.
    pub async fn read(
        &self,
        name: &str,
    ) -> Result<(u64, BoxStream<'static, std::io::Result<Bytes>>), StorageError> {
        let got = self.store.get(&self.object(name)).await?;
        let size = got.meta.size;
        Ok((
            size,
            got.into_stream().map_err(std::io::Error::other).boxed(),
        ))
    }

    /// Removes what a crash may have left: every staged file, and every version file
    /// (`<code>/*.parquet`, `<code>/*.rejects.csv`) that no manifest `named` and that is older
    /// than the orphan grace. Nothing else in the store is touched. Returns how many files
    /// were removed.
    pub async fn sweep(&self, named: &HashSet<String>) -> Result<usize, StorageError> {
        let mut removed = 0;
        match std::fs::read_dir(&self.staging) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
            Ok(dir) => {
                for f in dir {
                    let f = f?;
                    if f.file_type()?.is_file() {
                        std::fs::remove_file(f.path())?;
                        removed += 1;
                    }
                }
            }
        }
        let now = chrono::Utc::now();
        let root = (!self.root.as_ref().is_empty()).then_some(&self.root);
        let top = self.store.list_with_delimiter(root).await?;
        for dir in top.common_prefixes {
            if dir.filename() == Some(STAGING) {
                continue;
            }
            let mut objects = self.store.list(Some(&dir));
            while let Some(meta) = objects.try_next().await? {
                let Some(name) = self.name_of(&meta.location) else {
                    continue;
                };
                let version_file = match name.split('/').collect::<Vec<_>>()[..] {
                    [_, file] => file.ends_with(".parquet") || file.ends_with(REJECTS_SUFFIX),
                    _ => false,
                };
                // A file from the future (clocks disagree) counts as young.
                let young = !self.orphan_grace.is_zero()
                    && (now - meta.last_modified)
                        .to_std()
                        .map_or(true, |age| age < self.orphan_grace);
                if version_file && !young && !named.contains(&name) {
                    self.store.delete(&meta.location).await?;
                    removed += 1;
                }
            }
        }
        tracing::info!(lake.orphans = removed, lake.store = %self.store, "lake orphan sweep done");
        Ok(removed)
    }
}

fn in_directory(dir: &Path, name: &str) -> PathBuf {
    name.split('/').fold(dir.to_path_buf(), |p, s| p.join(s))
}

/// Where a version's files are, relative to the lake's root, as its manifest records them.
#[derive(Debug, Clone)]
pub struct Placed {
    pub data: String,
    pub rejects: Option<String>,
}

/// A version's files on their way into the lake, before its number is known: opaque, so only
/// [`Pending::place`] and [`Lake::abandon`] decide what becomes of them.
pub struct Pending(Taken);

enum Taken {
    /// Already in the bucket.
    Stored(Placed),
    /// Still staged; renamed into the directory once the number is known.
    Staged {
        dir: PathBuf,
        data: PathBuf,
        rejects: Option<PathBuf>,
    },
}

impl Pending {
    /// Inside the manifest transaction, once the version number is taken: where the files
    /// are. Staged files are renamed to `<code>/v<N>.parquet` and `<code>/v<N>.rejects.csv`
    /// (on failure, neither is left in the directory).
    pub fn place(self, code: &str, version: i64) -> Result<Placed, StorageError> {
        let (dir, data, rejects) = match self.0 {
            Taken::Stored(placed) => return Ok(placed),
            Taken::Staged { dir, data, rejects } => (dir, data, rejects),
        };
        let placed = Placed {
            data: format!("{code}/v{version}.parquet"),
            rejects: rejects
                .is_some()
                .then(|| format!("{code}/v{version}{REJECTS_SUFFIX}")),
        };
        let moved = (|| {
            std::fs::create_dir_all(dir.join(code))?;
            if let (Some(from), Some(to)) = (&rejects, &placed.rejects) {
                std::fs::rename(from, in_directory(&dir, to))?;
            }
            std::fs::rename(&data, in_directory(&dir, &placed.data))
        })();
        if let Err(e) = moved {
            if let Some(to) = &placed.rejects {
                let _ = std::fs::remove_file(in_directory(&dir, to));
            }
            return Err(e.into());
        }
        Ok(placed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lake that treats a local directory as its bucket, so the bucket's paths (parts,
    /// unique names, the grace) run without a server.
    fn bucket_in(dir: &Path, grace: Duration) -> Lake {
        Lake {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir).unwrap()),
            place: Place::Bucket("s3://test".into()),
            root: ObjectPath::from("city/lake"),
            staging: dir.join("staging"),
            orphan_grace: grace,
        }
    }

    #[tokio::test]
    async fn a_file_of_several_parts_arrives_whole_and_the_sweep_spares_named_and_young_files() {
        let dir = tempfile::tempdir().unwrap();
        let lake = bucket_in(dir.path(), Duration::ZERO);
        std::fs::create_dir_all(lake.staging_dir()).unwrap();
        // Two and a half parts of bytes that differ from part to part.
        let data: Vec<u8> = (0..PART_BYTES * 5 / 2)
            .map(|i| (i / 7 % 251) as u8)
            .collect();
        let staged = lake.staging_dir().join("0193.parquet");
        std::fs::write(&staged, &data).unwrap();
        let rejects = lake.staging_dir().join("0193.rejects.csv");
        std::fs::write(&rejects, b"row\n").unwrap();
        let Pending(Taken::Stored(placed)) =
            lake.take("201-1", &staged, Some(&rejects)).await.unwrap()
        else {
            panic!("a bucket takes the files before the transaction");
        };
        assert_eq!(placed.data, "201-1/0193.parquet");
        assert_eq!(placed.rejects.as_deref(), Some("201-1/0193.rejects.csv"));
        let stored = dir.path().join("city/lake/201-1/0193.parquet");
        assert!(std::fs::read(&stored).unwrap() == data);
        let (size, body) = lake.read(&placed.data).await.unwrap();
        assert_eq!(size, data.len() as u64);
        let read: Vec<Bytes> = body.try_collect().await.unwrap();
        assert!(read.concat() == data);

        let orphan = dir.path().join("city/lake/201-1/0194.parquet");
        std::fs::write(&orphan, b"PAR1").unwrap();
        let note = dir.path().join("city/lake/201-1/notes.txt");
        std::fs::write(&note, b"kept").unwrap();
        let named: HashSet<String> = [placed.data.clone()].into();
        let young = bucket_in(dir.path(), DEFAULT_ORPHAN_GRACE);
        // Staged files go at once; a young orphan stays.
        assert_eq!(young.sweep(&named).await.unwrap(), 2);
        assert!(orphan.exists() && !staged.exists());
        // Past the grace, only what no manifest names goes.
        assert_eq!(lake.sweep(&named).await.unwrap(), 2);
        assert!(!orphan.exists() && stored.exists() && note.exists());
        assert!(!dir.path().join("city/lake/201-1/0193.rejects.csv").exists());
    }

    #[test]
    fn s3_locations_name_a_bucket_and_an_optional_prefix() {
        let at = |text| S3Location::parse(text).map(|l| (l.bucket, l.prefix));
        assert_eq!(at("s3://lake").unwrap(), ("lake".into(), "".into()));
        assert_eq!(
            at("s3://lake/city/versions/").unwrap(),
            ("lake".into(), "city/versions".into())
        );
        assert!(at("s3://").is_err());
        assert!(at("s3:///prefix").is_err());
        assert!(at("gs://lake").is_err());
        assert!(at("/srv/lake").is_err());
    }
}
