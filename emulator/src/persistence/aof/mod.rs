//! Redis 7.0's multi-part append-only file.
//!
//! Layout on the [`Disk`](super::Disk), as Redis 7.0 writes it in `dir`:
//! `appendonlydir/appendonly.aof.manifest` lists a base file (`appendonly.aof.<n>.base.rdb`
//! with `aof-use-rdb-preamble yes`, `.base.aof` holding commands otherwise) and the
//! incremental files (`appendonly.aof.<n>.incr.aof`) that record every write since.
//!
//! Durability is modelled on the operating system's page cache. What a command appends is
//! written (Redis's write() before the reply) into `unsynced`, the bytes the OS holds; they
//! reach the Disk only when fsynced:
//! - `appendfsync always`: before the command's reply;
//! - `appendfsync everysec`: once a second of engine time, from `tick`;
//! - `appendfsync no`: when the simulated OS writes dirty pages back, which Linux does once
//!   they are 30 seconds old (`vm.dirty_expire_centisecs` = 3000), checked from `tick`.
//!
//! A clean shutdown fsyncs; a crash loses `unsynced`.
//!
//! Rewrites (BGREWRITEAOF, turning `appendonly` on) run to completion at once: there is no
//! fork, so no rewrite is ever "in progress" between two commands.

pub mod load;
pub mod manifest;
pub mod rewrite;

use manifest::{FileKind, Manifest, ManifestEntry};

use crate::server::Server;

/// `appendfsync` values, as the configuration table stores them.
const APPENDFSYNC_ALWAYS: i32 = 1;
const APPENDFSYNC_EVERYSEC: i32 = 2;

/// How long the simulated OS keeps written AOF bytes before writing them back on its own.
pub const OS_WRITEBACK_MS: u64 = 30_000;

/// The AOF's runtime state (Redis's `server.aof_*` fields).
#[derive(Default)]
pub struct Aof {
    on: bool,
    /// Replaying a file at startup: nothing is propagated and nothing expires.
    pub(crate) loading: bool,
    /// The database the incremental file last SELECTed, None at the start of a file.
    selected_db: Option<usize>,
    /// Bytes written to the current incremental file but not yet fsynced.
    unsynced: Vec<u8>,
    /// Engine time of the oldest write in `unsynced`.
    unsynced_since: Option<u64>,
    /// Engine time of the last fsync (for `everysec`).
    last_fsync_ms: u64,
    /// The manifest as last written.
    pub(crate) manifest: Manifest,
    /// Bytes in the base file.
    base_size: u64,
    /// Bytes in the base and incremental files, written or still unsynced.
    current_size: u64,
    /// Completed rewrites.
    rewrites: u64,
    /// Seconds the last rewrite took (-1 before the first).
    last_rewrite_time_sec: i64,
    last_bgrewrite_failed: bool,
    last_write_failed: bool,
}

/// Appends one command in the RESP form the AOF uses.
pub fn encode_command(out: &mut Vec<u8>, argv: &[Vec<u8>]) {
    out.push(b'*');
    out.extend_from_slice(argv.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for arg in argv {
        out.push(b'$');
        out.extend_from_slice(arg.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

impl Aof {
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Redis's feedAppendOnlyFile: appends a command, preceded by SELECT when it runs in
    /// another database than the previous one.
    pub(crate) fn feed(&mut self, db: usize, argv: &[Vec<u8>]) {
        if !self.on {
            return;
        }
        let before = self.unsynced.len();
        if self.selected_db != Some(db) {
            let select = [b"SELECT".to_vec(), db.to_string().into_bytes()];
            encode_command(&mut self.unsynced, &select);
            self.selected_db = Some(db);
        }
        encode_command(&mut self.unsynced, argv);
        self.current_size += (self.unsynced.len() - before) as u64;
    }

    /// Bytes the OS holds that a crash would lose.
    pub fn unsynced_len(&self) -> usize {
        self.unsynced.len()
    }
}

impl Server {
    /// The Disk path of a file of the AOF directory.
    pub(crate) fn aof_path(&self, name: &str) -> String {
        format!(
            "{}/{}",
            String::from_utf8_lossy(&self.config.appenddirname),
            name
        )
    }

    fn aof_file_prefix(&self) -> String {
        String::from_utf8_lossy(&self.config.appendfilename).into_owned()
    }

    pub(crate) fn manifest_path(&self) -> String {
        self.aof_path(&format!("{}.manifest", self.aof_file_prefix()))
    }

    /// The incremental file commands are appended to.
    fn current_incr_path(&self) -> Option<String> {
        let name = self.aof.manifest.incrs.last()?.name.clone();
        Some(self.aof_path(&name))
    }

    /// Notes that engine time `now` saw new bytes written, then fsyncs them at once under
    /// `appendfsync always` (Redis fsyncs before replying).
    pub(crate) fn aof_after_write(&mut self, now: u64) {
        if self.aof.unsynced.is_empty() {
            return;
        }
        self.aof.unsynced_since.get_or_insert(now);
        if self.config.appendfsync == APPENDFSYNC_ALWAYS {
            self.aof_fsync(now);
        }
    }

    /// The timed part of the fsync policy, run from `tick`.
    pub(crate) fn aof_cron(&mut self, now: u64) {
        let Some(since) = self.aof.unsynced_since else {
            return;
        };
        let due = if self.config.appendfsync == APPENDFSYNC_EVERYSEC {
            now >= self.aof.last_fsync_ms.saturating_add(1000)
        } else {
            // `always` is fsynced after each command; `no` leaves it to the OS.
            now >= since.saturating_add(OS_WRITEBACK_MS)
        };
        if due {
            self.aof_fsync(now);
        }
    }

    /// The engine time at which `aof_cron` has work to do.
    pub(crate) fn next_aof_deadline(&self) -> Option<u64> {
        let since = self.aof.unsynced_since?;
        Some(if self.config.appendfsync == APPENDFSYNC_EVERYSEC {
            self.aof.last_fsync_ms.saturating_add(1000)
        } else {
            since.saturating_add(OS_WRITEBACK_MS)
        })
    }

    /// Moves the OS-held bytes to the Disk. On a storage error they stay held and INFO's
    /// `aof_last_write_status` turns to `err`.
    pub(crate) fn aof_fsync(&mut self, now: u64) {
        self.aof.last_fsync_ms = now;
        if self.aof.unsynced.is_empty() {
            return;
        }
        let Some(path) = self.current_incr_path() else {
            return;
        };
        match self.snapshot.disk.append(&path, &self.aof.unsynced) {
            Ok(()) => {
                self.aof.unsynced.clear();
                self.aof.unsynced_since = None;
                self.aof.last_write_failed = false;
            }
            Err(e) => {
                if !self.aof.last_write_failed {
                    self.log_warning(format!("Error writing to the AOF file: {e}"));
                }
                self.aof.last_write_failed = true;
            }
        }
    }

    /// Drops what the OS held (a crash).
    pub(crate) fn aof_lose_unsynced(&mut self) {
        self.aof.unsynced.clear();
        self.aof.unsynced_since = None;
    }

    /// Writes the manifest, atomically.
    fn write_manifest(&mut self) -> Result<(), String> {
        let path = self.manifest_path();
        let text = self.aof.manifest.render();
        self.snapshot
            .disk
            .write(&path, text.as_bytes())
            .map_err(|e| {
                format!("Error trying to write the temporary AOF manifest file {path}: {e}")
            })
    }

    /// Redis's rewriteAppendOnlyFileBackground, run to completion: a new base file with the
    /// dataset, the manifest pointing at it, and the old files deleted. While the AOF is on
    /// (or being turned on, `turning_on`) a new empty incremental file follows the base; with
    /// the AOF off only the base is written. Used by BGREWRITEAOF and CONFIG SET appendonly.
    pub(crate) fn rewrite_aof(&mut self, now: u64, turning_on: bool) -> Result<(), String> {
        let started = (self.micros)();
        let was_on = self.aof.on;
        if was_on {
            self.aof_fsync(now);
        }
        let prefix = self.aof_file_prefix();
        let incr_seq = self.aof.manifest.next_incr_seq();
        let incr_name = format!("{prefix}.{incr_seq}.incr.aof");
        let with_incr = was_on || turning_on;
        if was_on {
            self.log_notice(format!(
                "Creating AOF incr file {incr_name} on background rewrite"
            ));
        } else if turning_on {
            self.log_notice(format!(
                "Creating AOF incr file temp-{prefix}.incr on background rewrite"
            ));
        }
        self.log_notice("Background append only file rewriting started".into());
        let incr = with_incr.then_some((incr_name.as_str(), incr_seq));
        match self.write_new_base(incr, now) {
            Ok(()) => {
                let took = (self.micros)().saturating_sub(started) / 1_000_000;
                self.aof.rewrites += 1;
                self.aof.last_rewrite_time_sec = took as i64;
                self.aof.last_bgrewrite_failed = false;
                if turning_on && !was_on {
                    self.log_notice(format!("Successfully renamed the temporary AOF incr file temp-{prefix}.incr into {incr_name}"));
                }
                self.delete_aof_history();
                self.log_notice("Background AOF rewrite finished successfully".into());
                Ok(())
            }
            Err(e) => {
                self.aof.last_bgrewrite_failed = true;
                self.log_warning(e.clone());
                self.log_warning("Background AOF rewrite terminated with error".into());
                Err(e)
            }
        }
    }

    /// Writes the base file (and the incremental file if given), then the manifest listing
    /// them, the files they replace marked as history.
    fn write_new_base(&mut self, incr: Option<(&str, u64)>, now: u64) -> Result<(), String> {
        let prefix = self.aof_file_prefix();
        let base_seq = self.aof.manifest.next_base_seq();
        let rdb = self.config.aof_use_rdb_preamble;
        let base_name = format!(
            "{prefix}.{base_seq}.base.{}",
            if rdb { "rdb" } else { "aof" }
        );
        let base = if rdb {
            self.aof_base_rdb(now)?
        } else {
            self.dataset_as_commands(now)
        };
        let write_error = |e: crate::persistence::DiskError| {
            format!("Write error writing append only file on disk: {e}")
        };
        if let Some((incr_name, _)) = incr {
            let incr_path = self.aof_path(incr_name);
            self.snapshot
                .disk
                .write(&incr_path, b"")
                .map_err(write_error)?;
        }
        let base_path = self.aof_path(&base_name);
        self.snapshot
            .disk
            .write(&base_path, &base)
            .map_err(write_error)?;
        self.log_notice("Background AOF rewrite terminated with success".into());
        let old = std::mem::take(&mut self.aof.manifest);
        let mut history: Vec<ManifestEntry> = old.history;
        history.extend(old.base);
        history.extend(old.incrs);
        for entry in &mut history {
            entry.kind = FileKind::History;
        }
        self.aof.manifest = Manifest {
            base: Some(ManifestEntry {
                name: base_name,
                seq: base_seq,
                kind: FileKind::Base,
            }),
            incrs: incr
                .map(|(name, seq)| ManifestEntry {
                    name: name.to_string(),
                    seq,
                    kind: FileKind::Incr,
                })
                .into_iter()
                .collect(),
            history,
        };
        self.write_manifest()?;
        self.aof.base_size = base.len() as u64;
        self.aof.current_size = base.len() as u64;
        if incr.is_some() {
            self.aof.on = true;
            self.aof.selected_db = None;
            self.aof.unsynced.clear();
            self.aof.unsynced_since = None;
            self.aof.last_fsync_ms = now;
        }
        Ok(())
    }

    /// Redis's aofDelHistoryFiles.
    fn delete_aof_history(&mut self) {
        let history = std::mem::take(&mut self.aof.manifest.history);
        if history.is_empty() {
            return;
        }
        for entry in &history {
            self.log_notice(format!(
                "Removing the history file {} in the background",
                entry.name
            ));
            let path = self.aof_path(&entry.name);
            // A history file that cannot be deleted is only wasted space, as in Redis.
            let _ = self.snapshot.disk.remove(&path);
        }
        let _ = self.write_manifest();
    }

    /// The base file in RDB format.
    fn aof_base_rdb(&mut self, now: u64) -> Result<Vec<u8>, String> {
        crate::persistence::rdb_bridge::encode_for_aof(self, now)
    }

    /// CONFIG SET appendonly yes (Redis's startAppendOnly): a rewrite creates the files.
    pub(crate) fn start_append_only(&mut self, now: u64) -> Result<(), String> {
        if self.aof.on {
            return Ok(());
        }
        self.rewrite_aof(now, true)
    }

    /// CONFIG SET appendonly no (Redis's stopAppendOnly): flush, fsync, stop appending.
    pub(crate) fn stop_append_only(&mut self, now: u64) {
        if !self.aof.on {
            return;
        }
        self.aof_fsync(now);
        self.aof.on = false;
        self.aof.selected_db = None;
    }

    /// Redis's aofOpenIfNeededOnServerStart after loading, and the creation of a first base
    /// file when the AOF does not exist yet.
    pub(crate) fn open_aof_on_start(&mut self, now: u64) -> Result<(), String> {
        let prefix = self.aof_file_prefix();
        if self.aof.manifest.base.is_none() && self.aof.manifest.incrs.is_empty() {
            let rdb = self.config.aof_use_rdb_preamble;
            let base_name = format!("{prefix}.1.base.{}", if rdb { "rdb" } else { "aof" });
            self.log_notice(format!(
                "Creating AOF base file {base_name} on server start"
            ));
            let base = if rdb {
                self.aof_base_rdb(now)?
            } else {
                self.dataset_as_commands(now)
            };
            let path = self.aof_path(&base_name);
            self.snapshot
                .disk
                .write(&path, &base)
                .map_err(|e| format!("Can't open the append-only file {base_name}: {e}"))?;
            self.aof.base_size = base.len() as u64;
            self.aof.current_size = base.len() as u64;
            self.aof.manifest.base = Some(ManifestEntry {
                name: base_name,
                seq: 1,
                kind: FileKind::Base,
            });
        }
        if let Some(incr) = self.aof.manifest.incrs.last() {
            let name = incr.name.clone();
            self.log_notice(format!("Opening AOF incr file {name} on server start"));
        } else {
            let seq = self.aof.manifest.next_incr_seq();
            let name = format!("{prefix}.{seq}.incr.aof");
            self.log_notice(format!("Creating AOF incr file {name} on server start"));
            let path = self.aof_path(&name);
            self.snapshot
                .disk
                .write(&path, b"")
                .map_err(|e| format!("Can't open the append-only file {name}: {e}"))?;
            self.aof.manifest.incrs.push(ManifestEntry {
                name,
                seq,
                kind: FileKind::Incr,
            });
        }
        self.write_manifest()?;
        self.aof.on = true;
        self.aof.selected_db = None;
        self.aof.last_fsync_ms = now;
        Ok(())
    }

    /// The AOF fields of INFO persistence.
    pub(crate) fn info_aof_fields(&self) -> Vec<(&'static str, String)> {
        let a = &self.aof;
        let status = |failed: bool| if failed { "err" } else { "ok" }.to_string();
        let mut fields = vec![
            ("aof_enabled", u8::from(a.on).to_string()),
            ("aof_rewrite_in_progress", "0".into()),
            ("aof_rewrite_scheduled", "0".into()),
            (
                "aof_last_rewrite_time_sec",
                a.last_rewrite_time_sec.to_string(),
            ),
            ("aof_current_rewrite_time_sec", "-1".into()),
            ("aof_last_bgrewrite_status", status(a.last_bgrewrite_failed)),
            ("aof_rewrites", a.rewrites.to_string()),
            ("aof_rewrites_consecutive_failures", "0".into()),
            ("aof_last_write_status", status(a.last_write_failed)),
            ("aof_last_cow_size", "0".into()),
            ("module_fork_in_progress", "0".into()),
            ("module_fork_last_cow_size", "0".into()),
        ];
        if a.on {
            fields.extend([
                ("aof_current_size", a.current_size.to_string()),
                ("aof_base_size", a.base_size.to_string()),
                ("aof_pending_rewrite", "0".into()),
                ("aof_buffer_length", "0".into()),
                ("aof_pending_bio_fsync", "0".into()),
                ("aof_delayed_fsync", "0".into()),
            ]);
        }
        fields
    }
}

impl Aof {
    /// A fresh state (before the first rewrite `aof_last_rewrite_time_sec` is -1).
    pub(crate) fn new() -> Aof {
        Aof {
            last_rewrite_time_sec: -1,
            ..Aof::default()
        }
    }

    /// Records sizes found at load time.
    pub(crate) fn set_loaded_sizes(&mut self, base: u64, total: u64) {
        self.base_size = base;
        self.current_size = total;
    }
}
