//! Durable storage of objects in an embedded database file: one table of keys to JSON, one counter.
//!
//! A batch of writes is committed in one transaction with immediate durability, so after a crash (even
//! `kill -9` mid-write) either the whole batch is on disk or none of it, and the stored revision is the
//! revision of the last batch that made it.

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const REVISION: &str = "revision";
/// The database's page cache.
const CACHE_BYTES: usize = 32 << 20;

/// A failure of the database file.
#[derive(Debug, thiserror::Error)]
#[error("storage: {0}")]
pub struct PersistError(String);

impl PersistError {
    /// An error from a message.
    pub fn message(message: String) -> Self {
        PersistError(message)
    }

    /// An I/O error on `path`.
    pub fn from_io(path: &Path, e: std::io::Error) -> Self {
        PersistError(format!("{}: {e}", path.display()))
    }
}

fn err(e: impl std::fmt::Display) -> PersistError {
    PersistError(e.to_string())
}

/// One write of a batch: a key and its new JSON, or `None` to delete it.
pub type Put = (String, Option<Vec<u8>>);

/// What was on disk: the revision of the last committed batch, and every key with its JSON.
pub type Loaded = (u64, Vec<(String, Vec<u8>)>);

/// The database file.
pub struct Persist {
    db: Database,
}

impl Persist {
    /// Opens (or creates) the database at `path`, readable by its owner only (it holds Secrets).
    pub fn open(path: &Path) -> Result<Self, PersistError> {
        let file = crate::datadir::private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| PersistError::from_io(path, e))?;
        crate::datadir::restrict(&file).map_err(|e| PersistError::from_io(path, e))?;
        // Every object is in memory anyway (the store reads the file once, at start-up): a small cache is
        // enough for writes, where the default (1 GiB) would keep that much of written pages resident.
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create_file(file)
            .map_err(err)?;
        let txn = db.begin_write().map_err(err)?;
        txn.open_table(OBJECTS).map_err(err)?;
        txn.open_table(META).map_err(err)?;
        txn.commit().map_err(err)?;
        Ok(Persist { db })
    }

    /// Everything stored, and the revision of the last committed batch.
    pub fn load(&self) -> Result<Loaded, PersistError> {
        let txn = self.db.begin_read().map_err(err)?;
        let meta = txn.open_table(META).map_err(err)?;
        let revision = meta.get(REVISION).map_err(err)?.map_or(0, |v| v.value());
        let objects = txn.open_table(OBJECTS).map_err(err)?;
        let mut out = Vec::new();
        for entry in objects.iter().map_err(err)? {
            let (k, v) = entry.map_err(err)?;
            out.push((k.value().to_string(), v.value().to_vec()));
        }
        Ok((revision, out))
    }

    /// Commits a batch and the revision it brings the store to; returns once it is on disk.
    pub fn commit(&self, revision: u64, batch: &[Put]) -> Result<(), PersistError> {
        let txn = self.db.begin_write().map_err(err)?;
        {
            let mut objects = txn.open_table(OBJECTS).map_err(err)?;
            for (key, value) in batch {
                match value {
                    Some(bytes) => {
                        objects.insert(key.as_str(), bytes.as_slice()).map_err(err)?;
                    }
                    None => {
                        objects.remove(key.as_str()).map_err(err)?;
                    }
                }
            }
            let mut meta = txn.open_table(META).map_err(err)?;
            meta.insert(REVISION, revision).map_err(err)?;
        }
        txn.commit().map_err(err)
    }
}
