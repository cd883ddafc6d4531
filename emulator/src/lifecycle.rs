//! The server's life: start (loading the dataset from the Disk), clean shutdown, restart
//! and crash, with the log lines Redis 7.0 prints for them.
//!
//! A restart is SHUTDOWN followed by a start: the AOF is fsynced, an RDB snapshot is saved
//! if save points are configured, then everything in memory is dropped and the dataset is
//! loaded back as Redis's loadDataFromDisk does (the AOF when `appendonly yes`, else the
//! RDB file). A crash drops everything the Disk does not hold, including AOF bytes the
//! simulated OS had not written yet. Either way the running configuration is kept (as if it
//! were saved with CONFIG REWRITE), clients are disconnected and the clock goes on.

use crate::server::Server;

/// Redis's log levels, as the character its log lines carry.
const NOTICE: char = '*';
const WARNING: char = '#';

/// Log lines kept for the host; older ones are dropped.
const LOG_CAPACITY: usize = 1000;

/// SHUTDOWN's options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShutdownFlags {
    pub save: bool,
    pub nosave: bool,
    pub force: bool,
}

impl Server {
    // ----- the log -----

    fn log_line(&mut self, level: char, message: String) {
        if self.log.len() >= LOG_CAPACITY {
            self.log.remove(0);
        }
        self.log.push(format!("{level} {message}"));
    }

    pub(crate) fn log_notice(&mut self, message: String) {
        self.log_line(NOTICE, message);
    }

    pub(crate) fn log_warning(&mut self, message: String) {
        self.log_line(WARNING, message);
    }

    /// The server's log lines since the last call, each starting with Redis's level mark
    /// (`*` notice, `#` warning), without Redis's pid and time prefix.
    pub fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    /// Bytes of the AOF the simulated OS holds and a crash would lose.
    pub fn aof_unsynced_bytes(&self) -> usize {
        self.aof.unsynced_len()
    }

    // ----- start, shutdown, restart, crash -----

    /// Loads the dataset from the Disk as Redis does at startup, and opens the AOF when
    /// `appendonly yes`. Returns the log lines. On a fatal error (a corrupt AOF) the server
    /// stays stopped, as Redis exits; `is_stopped` tells.
    pub fn start(&mut self, now_ms: u64) -> Vec<String> {
        let now = self.now_ms().max(now_ms);
        self.stopped = false;
        self.log_notice("Server initialized".into());
        if let Err(e) = self.load_data_from_disk(now) {
            self.log_warning(e);
            self.stopped = true;
            self.empty_all_dbs();
            return self.take_log();
        }
        if self.config.appendonly {
            if let Err(e) = self.open_aof_on_start(now) {
                self.log_warning(e);
                self.stopped = true;
                return self.take_log();
            }
        }
        self.log_notice("Ready to accept connections".into());
        self.take_log()
    }

    /// Redis's loadDataFromDisk. The manifest is read even with the AOF off, as Redis does,
    /// so that a later rewrite continues its numbering.
    fn load_data_from_disk(&mut self, now: u64) -> Result<(), String> {
        if self.config.appendonly {
            self.load_aof(now)?;
            return Ok(());
        }
        self.read_manifest_quietly();
        crate::persistence::rdb_bridge::load_rdb_on_start(self, now)
    }

    /// Redis's prepareForShutdown/finishShutdown: fsyncs the AOF, saves a final snapshot
    /// when save points are configured (or SAVE is given, never with NOSAVE). Err if the
    /// snapshot failed without FORCE: the server then keeps running.
    pub(crate) fn prepare_shutdown(&mut self, flags: ShutdownFlags, now: u64) -> Result<(), ()> {
        self.log_warning("User requested shutdown...".into());
        if self.aof.is_on() {
            self.log_notice("Calling fsync() on the AOF file.".into());
            self.aof_fsync(now);
        }
        if (!self.config.save.is_empty() && !flags.nosave) || flags.save {
            self.log_notice("Saving the final RDB snapshot before exiting.".into());
            if let Err(e) = crate::persistence::rdb_bridge::save_rdb(self, now) {
                self.log_warning(e);
                if flags.force {
                    self.log_warning("Error trying to save the DB. Exit anyway.".into());
                } else {
                    self.log_warning("Error trying to save the DB, can't exit.".into());
                    self.log_warning("Errors trying to shut down the server. Check the logs for more information.".into());
                    return Err(());
                }
            }
        }
        self.log_warning("Redis is now ready to exit, bye bye...".into());
        Ok(())
    }

    /// What SIGTERM or SIGINT does to redis-server: a shutdown with the final save when
    /// save points are configured. Returns whether the server stopped (a failed save keeps
    /// it running, as in Redis) and the log lines.
    pub fn shutdown_on_signal(&mut self, now_ms: u64) -> (bool, Vec<String>) {
        let now = self.now_ms().max(now_ms);
        self.log_warning("Received SIGTERM scheduling shutdown...".into());
        let stopped = self.prepare_shutdown(ShutdownFlags::default(), now).is_ok();
        if stopped {
            self.stop();
        } else {
            self.log_warning("SIGTERM received but errors trying to shut down the server, check the logs for more information".into());
        }
        (stopped, self.take_log())
    }

    /// What a host does when its process may end without warning and without running again
    /// (a page being unloaded): SHUTDOWN's effects on the Disk — the AOF fsynced, the final
    /// snapshot saved when save points are configured and something changed — while the
    /// server keeps running, in case the end does not come (a page kept in the browser's
    /// back-forward cache). Returns the log lines.
    pub fn persist_before_exit(&mut self, now_ms: u64) -> Vec<String> {
        let now = self.now_ms().max(now_ms);
        if self.stopped {
            return Vec::new();
        }
        if self.aof.is_on() {
            self.aof_fsync(now);
        }
        if !self.config.save.is_empty() && self.dirty > 0 {
            self.log_notice("Saving the final RDB snapshot before exiting.".into());
            if let Err(e) = crate::persistence::rdb_bridge::save_rdb(self, now) {
                self.log_warning(e);
            }
        }
        self.take_log()
    }

    /// Changes since the last save (INFO's `rdb_changes_since_last_save`).
    pub fn changes_since_save(&self) -> u64 {
        self.dirty
    }

    /// Whether a clean shutdown would save a snapshot now (save points are configured).
    pub fn saves_on_shutdown(&self) -> bool {
        !self.config.save.is_empty()
    }

    /// Stops the server as SHUTDOWN did: every client is to be closed and nothing runs
    /// until `start`.
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
        // A busy script dies with the server (SHUTDOWN NOSAVE), its caller unanswered.
        self.scripting.busy = None;
        self.scripting.suspended_exec = None;
        for client in self.clients.values_mut() {
            client.closing = true;
        }
    }

    /// Whether the server has shut down (SHUTDOWN, or a start that failed). A host exits
    /// (redis-emu) or offers to start it again (the browser).
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// A clean restart: SHUTDOWN (with its final save and AOF fsync), then a start.
    /// Returns the log lines of both.
    pub fn restart(&mut self, now_ms: u64) -> Vec<String> {
        let now = self.now_ms().max(now_ms);
        if !self.stopped {
            // A failed final save does not stop a restart the host asked for.
            let flags = ShutdownFlags {
                force: true,
                ..ShutdownFlags::default()
            };
            let _ = self.prepare_shutdown(flags, now);
        }
        self.reset_process();
        let mut log = self.take_log();
        log.extend(self.start(now));
        log
    }

    /// A crash (power loss): what the Disk holds survives, nothing else. Returns the start's
    /// log lines.
    pub fn crash(&mut self, now_ms: u64) -> Vec<String> {
        let now = self.now_ms().max(now_ms);
        self.aof_lose_unsynced();
        self.reset_process();
        self.start(now)
    }

    /// Replaces every piece of in-memory state by a fresh process's, keeping only what
    /// outlives a process: the Disk, the configuration, the clock and the host's hooks.
    fn reset_process(&mut self) {
        let old = std::mem::take(self);
        let Server {
            config,
            clock,
            micros,
            snapshot,
            log,
            ..
        } = old;
        self.dbs = (0..config.databases.max(1))
            .map(|_| crate::db::Db::default())
            .collect();
        self.config = config;
        self.clock = clock;
        self.micros = micros;
        self.snapshot.disk = snapshot.disk;
        self.log = log;
        self.started_ms = self.clock.now();
        self.log_warning("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo".into());
    }

    fn empty_all_dbs(&mut self) {
        for db in &mut self.dbs {
            *db = crate::db::Db::default();
        }
    }
}
