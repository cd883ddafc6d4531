//! Command propagation: what the append-only file records for each write, as Redis 7.0's
//! `call()` decides it.
//!
//! After a command runs, if it changed the dataset (the dirty counter moved) its argument
//! vector is queued for propagation. Commands whose effect depends on time, randomness or
//! float formatting replace that vector first (`rewrite_argv`): EXPIRE becomes PEXPIREAT with
//! an absolute time, INCRBYFLOAT becomes SET ... KEEPTTL, SPOP becomes SREM. A command may
//! also queue extra commands (`also_propagate`: the DEL of a key found expired, SPOP's SREMs)
//! or keep its own vector out (`prevent_propagation`: scripts, whose effects are the commands
//! they ran).
//!
//! When the outermost command finishes, the queue is flushed to the AOF: several commands
//! are wrapped in MULTI/EXEC so that they load atomically, a lone one goes as it is. Deletions
//! from the active expiry cycle and eviction are flushed without MULTI, as Redis does.

use crate::server::{Call, Server};

/// One queued command and the database it ran in.
pub(crate) type PropagatedCommand = (usize, Vec<Vec<u8>>);

/// Propagation state carried across one top-level command.
#[derive(Default)]
pub(crate) struct Propagation {
    /// Commands waiting for the outermost call to finish (Redis's `also_propagate`).
    pending: Vec<PropagatedCommand>,
    /// The vector the running command asked to be propagated instead of its own.
    rewrite: Option<Vec<Vec<u8>>>,
    /// The running command must not be propagated itself.
    prevent: bool,
    /// The running command is propagated even if it changed nothing (FLUSHALL on an empty
    /// server).
    force: bool,
    /// How many `call()`s are running (EXEC and scripts nest them).
    depth: usize,
}

/// What `enter_call` saved, restored by `leave_call` (calls nest).
pub(crate) struct CallFrame {
    dirty_before: u64,
    prevent: bool,
    force: bool,
    rewrite: Option<Vec<Vec<u8>>>,
}

impl Server {
    /// Whether anything listens to propagation (Redis's shouldPropagate: an AOF that is on,
    /// and never while loading).
    pub(crate) fn propagation_wanted(&self) -> bool {
        self.aof.is_on() && !self.aof.loading
    }

    /// Makes the running command propagate as `argv` instead of its own arguments.
    pub(crate) fn rewrite_argv(&mut self, argv: Vec<Vec<u8>>) {
        if self.propagation_wanted() {
            self.propagation.rewrite = Some(argv);
        }
    }

    /// `rewrite_argv` from string slices (command names and numbers).
    pub(crate) fn rewrite_argv_parts(&mut self, parts: &[&[u8]]) {
        if self.propagation_wanted() {
            self.propagation.rewrite = Some(parts.iter().map(|p| p.to_vec()).collect());
        }
    }

    /// Queues an extra command to propagate in database `db` (Redis's alsoPropagate).
    pub(crate) fn also_propagate(&mut self, db: usize, argv: Vec<Vec<u8>>) {
        if self.propagation_wanted() {
            self.propagation.pending.push((db, argv));
        }
    }

    /// Keeps the running command itself out of the AOF (its effects were queued otherwise).
    pub(crate) fn prevent_propagation(&mut self) {
        self.propagation.prevent = true;
    }

    /// Propagates the running command even if it changed nothing.
    pub(crate) fn force_propagation(&mut self) {
        self.propagation.force = true;
    }

    /// Redis's propagateDeletion: a key removed because it expired or was evicted is recorded
    /// as DEL, or UNLINK when that kind of deletion is lazy.
    pub(crate) fn propagate_deletion(&mut self, db: usize, key: &[u8], lazy: bool) {
        if self.propagation_wanted() {
            let name: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
            self.propagation
                .pending
                .push((db, vec![name.to_vec(), key.to_vec()]));
        }
    }

    /// Called by `call()` before a handler runs.
    pub(crate) fn enter_call(&mut self) -> CallFrame {
        let p = &mut self.propagation;
        p.depth += 1;
        CallFrame {
            dirty_before: self.dirty,
            prevent: std::mem::take(&mut p.prevent),
            force: std::mem::take(&mut p.force),
            rewrite: p.rewrite.take(),
        }
    }

    /// Called by `call()` after a handler ran: queues the command (or its rewrite) if it
    /// changed the dataset, and at the outermost level flushes the queue.
    /// A command that blocked changed nothing yet and is not propagated.
    pub(crate) fn leave_call(&mut self, frame: CallFrame, call: &Call, name: &str, blocked: bool) {
        let p = &mut self.propagation;
        p.depth = p.depth.saturating_sub(1);
        let rewrite = std::mem::replace(&mut p.rewrite, frame.rewrite);
        let prevent = std::mem::replace(&mut p.prevent, frame.prevent);
        let force = std::mem::replace(&mut p.force, frame.force);
        // A save during the command (SAVE, SHUTDOWN) resets the counter: no change then.
        let changed = self.dirty > frame.dirty_before;
        // EXEC is never propagated itself: the commands it ran were.
        if (changed || force) && !prevent && !blocked && name != "exec" && self.propagation_wanted()
        {
            let argv = rewrite.unwrap_or_else(|| call.argv.clone());
            self.propagation.pending.push((call.db, argv));
        }
        if self.propagation.depth == 0 {
            // A command that touches arbitrary keys (RANDOMKEY and SCAN, expiring keys on
            // the way) is not made a transaction.
            let arbitrary = matches!(name, "randomkey" | "scan");
            self.flush_propagation(!arbitrary);
            self.aof_after_write(call.now);
        }
    }

    /// Redis's propagatePendingCommands: writes the queued commands to the AOF, wrapped in
    /// MULTI/EXEC when there are several and `transaction` allows.
    pub(crate) fn flush_propagation(&mut self, transaction: bool) {
        let pending = std::mem::take(&mut self.propagation.pending);
        if pending.is_empty() {
            return;
        }
        let wrap = transaction && pending.len() > 1;
        if wrap {
            let first_db = pending.first().map_or(0, |(db, _)| *db);
            self.aof.feed(first_db, &[b"MULTI".to_vec()]);
        }
        let last_db = pending.last().map_or(0, |(db, _)| *db);
        for (db, argv) in &pending {
            self.aof.feed(*db, argv);
        }
        if wrap {
            self.aof.feed(last_db, &[b"EXEC".to_vec()]);
        }
    }

    /// How deep in `call()` the server is: 0 outside any command (Redis's
    /// `fixed_time_expire` is non-zero exactly while a command runs).
    pub(crate) fn propagation_depth(&self) -> usize {
        self.propagation.depth
    }

    /// Flushes what work outside any command (active expiry, eviction before a command)
    /// queued, without MULTI, unless a command is running (which flushes when it ends).
    pub(crate) fn flush_propagation_outside_call(&mut self) {
        if self.propagation.depth == 0 {
            self.flush_propagation(false);
            let now = self.clock.now();
            self.aof_after_write(now);
        }
    }
}
