//! Installing a decoded file in a server, as Redis's loading does for a master: keys already
//! expired are dropped, the others keep their expiry and access data.

use super::{LoadedDataset, RdbError};
use crate::db::Db;
use crate::server::Server;
use crate::types::Entry;

/// What a load did, for INFO and the startup log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadSummary {
    pub keys_loaded: u64,
    pub keys_expired: u64,
    pub empty_keys_skipped: u64,
    pub functions: u64,
    pub bytes: usize,
    /// The `redis-ver` field of the file, if any.
    pub redis_version: Option<String>,
    /// The file's `ctime` (Unix seconds), if any.
    pub created_s: Option<i64>,
    /// The file's `used-mem`, if any.
    pub used_memory: Option<i64>,
}

impl LoadSummary {
    /// The lines Redis logs while loading a file, at engine time `now_ms`.
    pub fn log_lines(&self, now_ms: u64) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(v) = &self.redis_version {
            lines.push(format!("Loading RDB produced by version {v}"));
        }
        if let Some(created) = self.created_s {
            let age = (now_ms / 1000) as i64 - created;
            lines.push(format!("RDB age {} seconds", age.max(0)));
        }
        if let Some(mem) = self.used_memory {
            lines.push(format!(
                "RDB memory usage when created {:.2} Mb",
                mem as f64 / (1024.0 * 1024.0)
            ));
        }
        if self.empty_keys_skipped > 0 {
            lines.push(format!(
                "Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
                self.keys_loaded, self.keys_expired, self.empty_keys_skipped
            ));
        } else {
            lines.push(format!(
                "Done loading RDB, keys loaded: {}, keys expired: {}.",
                self.keys_loaded, self.keys_expired
            ));
        }
        lines
    }
}

/// How a dataset is installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Keys whose expiry has passed are dropped (and counted), as a master loading its RDB
    /// file does; kept to expire as usual for the base file of an AOF.
    pub drop_expired: bool,
    /// The current dataset and libraries are replaced; otherwise the file's are added to
    /// them (DEBUG RELOAD NOFLUSH).
    pub flush: bool,
    /// A key or library already present is replaced rather than an error (DEBUG RELOAD
    /// MERGE).
    pub allow_duplicates: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            drop_expired: true,
            flush: true,
            allow_duplicates: false,
        }
    }
}

impl Server {
    /// Replaces every database and the function libraries with a decoded file's content,
    /// dropping keys that already expired. Nothing changes if the file cannot be installed
    /// (a library that fails to load, a duplicated key).
    pub fn load_dataset(&mut self, data: LoadedDataset) -> Result<LoadSummary, RdbError> {
        self.load_dataset_with(data, LoadOptions::default())
    }

    /// `load_dataset` with options.
    pub fn load_dataset_with(
        &mut self,
        data: LoadedDataset,
        options: LoadOptions,
    ) -> Result<LoadSummary, RdbError> {
        let now = self.clock.now();
        let lfu = self.config.policy().is_lfu();
        let text = |v: Option<&[u8]>| v.map(|b| String::from_utf8_lossy(b).into_owned());
        let number = |v: Option<&[u8]>| v.and_then(crate::util::parse_i64);
        let mut summary = LoadSummary {
            empty_keys_skipped: data.empty_keys_skipped,
            functions: data.functions.len() as u64,
            bytes: data.bytes,
            redis_version: text(data.aux_field("redis-ver")),
            created_s: number(data.aux_field("ctime")),
            used_memory: number(data.aux_field("used-mem")),
            ..LoadSummary::default()
        };
        let mut dbs: Vec<Db> = if options.flush {
            (0..self.dbs.len()).map(|_| Db::default()).collect()
        } else {
            self.dbs.clone()
        };
        for loaded in data.keys {
            let Some(db) = dbs.get_mut(loaded.db) else {
                return Err(RdbError::TooManyDatabases(self.dbs.len() as u64));
            };
            let deadline = loaded.expire_at_ms.map(|at| u64::try_from(at).unwrap_or(0));
            if options.drop_expired && deadline.is_some_and(|at| at < now) {
                summary.keys_expired += 1;
                continue;
            }
            let mut entry = Entry::new(loaded.value, now);
            // Redis's objectSetLRUOrLFU: the counter under an LFU policy, else the idle time.
            if lfu {
                if let Some(freq) = loaded.lfu_freq {
                    entry.lfu_counter = freq;
                }
            } else if let Some(idle) = loaded.idle_seconds {
                entry.last_access_ms = now.saturating_sub(idle.saturating_mul(1000));
            }
            if db.insert(&loaded.key, entry).is_some() && !options.allow_duplicates {
                return Err(RdbError::Corrupt(format!(
                    "Duplicated key found in RDB file: '{}' in DB {}",
                    String::from_utf8_lossy(&loaded.key),
                    loaded.db
                )));
            }
            match deadline {
                Some(at) => db.set_expire(&loaded.key, at),
                None => {
                    db.persist(&loaded.key);
                }
            }
            summary.keys_loaded += 1;
        }
        self.install_function_libraries(&data.functions, options.flush, options.allow_duplicates)
            .map_err(RdbError::Function)?;
        for (index, db) in dbs.into_iter().enumerate() {
            let old = std::mem::replace(&mut self.dbs[index], db);
            self.touch_watched_in_db(index, |key| old.contains(key));
        }
        // Redis empties the dataset before loading (unless merging), which tells tracking
        // clients.
        if options.flush {
            self.invalidate_all_tracked_keys();
        }
        self.snapshot.last_load_keys_loaded = summary.keys_loaded;
        self.snapshot.last_load_keys_expired = summary.keys_expired;
        Ok(summary)
    }
}
