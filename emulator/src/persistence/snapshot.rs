//! Snapshots: SAVE, BGSAVE, the `save` rules checked by the periodic job, and loading the
//! snapshot file at startup or for DEBUG RELOAD.
//!
//! The engine has no child processes: a background save is written when the command that
//! started it (or the periodic job) finishes. Until then it counts as in progress, as INFO
//! shows, and the data it saves is the data at its start, since nothing else runs meanwhile.

use super::rdb::{self, EncodeOptions, LoadLimits, LoadOptions, LoadSummary};
use super::{Disk, DiskError, MemoryDisk};
use crate::server::Server;

/// How long a failed background save waits before the `save` rules may try again
/// (Redis's CONFIG_BGSAVE_RETRY_DELAY).
const BGSAVE_RETRY_DELAY_MS: u64 = 5000;

/// Snapshot bookkeeping (INFO persistence) and the disk files go to.
pub struct SnapshotState {
    pub(crate) disk: Box<dyn Disk>,
    /// Engine time of the last successful save; None until one (the start time counts).
    last_save_ms: Option<u64>,
    last_bgsave_ok: bool,
    /// Engine time of the last background save attempt.
    last_bgsave_try_ms: Option<u64>,
    /// Seconds the last background save took, -1 before any.
    last_bgsave_seconds: i64,
    /// SAVE and BGSAVE runs (INFO's `rdb_saves`).
    pub(crate) saves: u64,
    /// A background save started by the running command: written when it finishes.
    bgsave_started_ms: Option<u64>,
    /// BGSAVE inside MULTI: started by the next periodic job.
    pub(crate) bgsave_scheduled: bool,
    dirty_before_bgsave: u64,
    pub(crate) last_load_keys_loaded: u64,
    pub(crate) last_load_keys_expired: u64,
}

impl Default for SnapshotState {
    fn default() -> Self {
        SnapshotState {
            disk: Box::new(MemoryDisk::new()),
            last_save_ms: None,
            last_bgsave_ok: true,
            last_bgsave_try_ms: None,
            last_bgsave_seconds: -1,
            saves: 0,
            bgsave_started_ms: None,
            bgsave_scheduled: false,
            dirty_before_bgsave: 0,
            last_load_keys_loaded: 0,
            last_load_keys_expired: 0,
        }
    }
}

impl SnapshotState {
    pub fn bgsave_in_progress(&self) -> bool {
        self.bgsave_started_ms.is_some()
    }

    pub fn last_bgsave_ok(&self) -> bool {
        self.last_bgsave_ok
    }

    pub fn last_bgsave_seconds(&self) -> i64 {
        self.last_bgsave_seconds
    }

    pub fn last_load_keys_loaded(&self) -> u64 {
        self.last_load_keys_loaded
    }

    pub fn last_load_keys_expired(&self) -> u64 {
        self.last_load_keys_expired
    }

    /// Whether a failed background save leaves the `save` rules waiting.
    fn may_try_bgsave(&self, now: u64) -> bool {
        self.last_bgsave_ok
            || self
                .last_bgsave_try_ms
                .is_none_or(|at| now / 1000 > at / 1000 + BGSAVE_RETRY_DELAY_MS / 1000)
    }
}

impl Server {
    /// Installs the storage snapshots (and AOF files) go to, in place of the default empty
    /// in-memory disk.
    pub fn set_disk(&mut self, disk: Box<dyn Disk>) {
        self.snapshot.disk = disk;
    }

    pub fn disk(&self) -> &dyn Disk {
        self.snapshot.disk.as_ref()
    }

    pub fn disk_mut(&mut self) -> &mut dyn Disk {
        self.snapshot.disk.as_mut()
    }

    pub fn snapshot_state(&self) -> &SnapshotState {
        &self.snapshot
    }

    /// The snapshot file's name (`dbfilename`).
    pub fn rdb_filename(&self) -> String {
        String::from_utf8_lossy(&self.config.dbfilename).into_owned()
    }

    /// Unix seconds of the last successful save (LASTSAVE; the start counts as one).
    pub fn last_save_seconds(&self) -> u64 {
        self.snapshot.last_save_ms.unwrap_or(self.started_ms) / 1000
    }

    /// The whole dataset as an RDB file, as a save at engine time `now` writes it.
    pub fn rdb_bytes(&self, now: u64) -> Vec<u8> {
        rdb::encode_with(self, &EncodeOptions::for_server(self, now))
    }

    /// Redis's rdbSave: writes the snapshot file; on success the change counter restarts.
    pub(crate) fn save_snapshot(&mut self, now: u64) -> Result<usize, DiskError> {
        let bytes = self.rdb_bytes(now);
        let name = self.rdb_filename();
        self.snapshot.disk.write(&name, &bytes)?;
        self.dirty = 0;
        self.snapshot.last_save_ms = Some(now);
        self.snapshot.last_bgsave_ok = true;
        Ok(bytes.len())
    }

    /// Starts a background save (written by `finish_background_save`).
    pub(crate) fn start_background_save(&mut self, now: u64) {
        self.snapshot.saves += 1;
        self.snapshot.dirty_before_bgsave = self.dirty;
        self.snapshot.last_bgsave_try_ms = Some(now);
        self.snapshot.bgsave_started_ms = Some(now);
    }

    /// Writes a background save started by the command or job that just ran, and records
    /// its outcome as Redis's backgroundSaveDoneHandler does.
    pub(crate) fn finish_background_save(&mut self) {
        let Some(started) = self.snapshot.bgsave_started_ms.take() else {
            return;
        };
        let now = self.clock.now();
        let bytes = self.rdb_bytes(started);
        let name = self.rdb_filename();
        let written = self.snapshot.disk.write(&name, &bytes);
        self.snapshot.last_bgsave_ok = written.is_ok();
        if written.is_ok() {
            self.dirty = self.dirty.saturating_sub(self.snapshot.dirty_before_bgsave);
            self.snapshot.last_save_ms = Some(now);
        }
        self.snapshot.last_bgsave_seconds = ((now.saturating_sub(started)) / 1000) as i64;
    }

    /// The snapshot part of Redis's serverCron: a scheduled BGSAVE, else the first `save`
    /// rule whose change count and age are reached.
    pub(crate) fn snapshot_cron(&mut self, now: u64) {
        if self.snapshot.bgsave_in_progress() || !self.snapshot.may_try_bgsave(now) {
            return;
        }
        let due = self.snapshot.bgsave_scheduled || self.save_rule_due(now);
        if due {
            self.snapshot.bgsave_scheduled = false;
            self.start_background_save(now);
            self.finish_background_save();
        }
    }

    fn save_rule_due(&self, now: u64) -> bool {
        let age = (now / 1000).saturating_sub(self.last_save_seconds());
        self.config.save.iter().any(|rule| {
            self.dirty >= u64::try_from(rule.changes).unwrap_or(0)
                && age > u64::try_from(rule.seconds).unwrap_or(u64::MAX)
        })
    }

    /// The engine time at which a `save` rule or a scheduled BGSAVE next needs the periodic
    /// job.
    pub(crate) fn next_snapshot_deadline(&self) -> Option<u64> {
        // After a failed attempt nothing happens before the retry delay.
        let retry = self
            .snapshot
            .last_bgsave_try_ms
            .filter(|_| !self.snapshot.last_bgsave_ok)
            .map_or(0, |at| {
                (at / 1000 + BGSAVE_RETRY_DELAY_MS / 1000 + 1) * 1000
            });
        if self.snapshot.bgsave_scheduled {
            return Some(retry);
        }
        let base = self.last_save_seconds();
        self.config
            .save
            .iter()
            .filter(|rule| self.dirty >= u64::try_from(rule.changes).unwrap_or(0))
            .filter_map(|rule| {
                let seconds = u64::try_from(rule.seconds).ok()?;
                Some((base.checked_add(seconds)?.checked_add(1)?).saturating_mul(1000))
            })
            .min()
            .map(|at| at.max(retry))
    }

    /// Loads the snapshot file (`dbfilename`) if the disk has one, replacing the dataset.
    /// Returns None when there is no file.
    pub fn load_from_disk(&mut self) -> Result<Option<LoadSummary>, String> {
        let name = self.rdb_filename();
        let bytes = match self.snapshot.disk.read(&name) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        self.load_rdb_bytes(&bytes).map(Some)
    }

    /// Decodes and installs an RDB file's content under this server's configuration.
    pub fn load_rdb_bytes(&mut self, bytes: &[u8]) -> Result<LoadSummary, String> {
        self.load_rdb_bytes_with(bytes, LoadOptions::default())
    }

    /// `load_rdb_bytes` with options (an AOF's base file keeps expired keys).
    pub fn load_rdb_bytes_with(
        &mut self,
        bytes: &[u8],
        options: LoadOptions,
    ) -> Result<LoadSummary, String> {
        let limits = LoadLimits::from_config(&self.config);
        let data = rdb::decode_with(bytes, &limits).map_err(|e| e.to_string())?;
        self.load_dataset_with(data, options)
            .map_err(|e| e.to_string())
    }

    /// DEBUG RELOAD's load: the snapshot file must exist.
    pub(crate) fn reload_snapshot(&mut self, options: LoadOptions) -> Result<LoadSummary, String> {
        let name = self.rdb_filename();
        let bytes = self
            .snapshot
            .disk
            .read(&name)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "No such file or directory".to_string())?;
        self.load_rdb_bytes_with(&bytes, options)
    }
}
