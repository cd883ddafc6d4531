//! How commands reach keys: lookups with lazy expiry, writes that notify WATCH and blocked
//! clients, expiry times, and the active expiry cycle.
//!
//! Expiry follows Redis exactly: a key whose deadline is `t` still exists at `t` and is gone
//! from `t + 1` on. A logically expired key stays in memory (and in DBSIZE) until something
//! touches it (lazy expiry) or the active cycle samples it, but no command ever shows it.

use crate::notify::class;
use crate::server::Server;
use crate::types::{Entry, Value};

/// How a lookup treats the key it finds (Redis's LOOKUP_* flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LookupFlags {
    /// Leave the key's access time alone (TYPE, EXISTS, TTL, OBJECT, ...).
    pub no_touch: bool,
    /// Do not count a keyspace hit or miss.
    pub no_stats: bool,
    /// Do not publish a `keymiss` event when the key is missing.
    pub no_notify: bool,
}

impl LookupFlags {
    pub const NONE: LookupFlags = LookupFlags {
        no_touch: false,
        no_stats: false,
        no_notify: false,
    };
    pub const NO_TOUCH: LookupFlags = LookupFlags {
        no_touch: true,
        ..LookupFlags::NONE
    };
    /// OBJECT's lookup.
    pub const NO_TOUCH_NO_NOTIFY: LookupFlags = LookupFlags {
        no_touch: true,
        no_notify: true,
        ..LookupFlags::NONE
    };
}

/// Keys sampled per database per round of the active expiry cycle, at effort 1.
const KEYS_PER_LOOP: usize = 20;
/// A database is sampled again while more than this percentage of a round was expired, at
/// effort 1.
const ACCEPTABLE_STALE_PERCENT: usize = 10;
/// Percentage of the time between two cycles a cycle may use, at effort 1.
const CYCLE_TIME_PERCENT: u64 = 25;
/// Rounds after which the cycle stops even if the host's clock says there is time left
/// (the host may not supply a microsecond clock at all).
const CYCLE_MAX_ROUNDS: usize = 1024;
/// Databases visited per cycle (Redis's CRON_DBS_PER_CALL).
const DBS_PER_CYCLE: usize = 16;
/// Buckets each database may rehash per cron run.
const CRON_REHASH_BUCKETS: usize = 1000;

/// The active expiry cycle's parameters, scaled by `active-expire-effort` as in Redis.
struct CycleParams {
    keys_per_loop: usize,
    acceptable_stale_percent: usize,
    time_limit_us: u64,
}

impl CycleParams {
    fn new(effort: i64, hz: u64) -> CycleParams {
        // Effort 1..=10, rescaled to 0..=9.
        let effort = effort.clamp(1, 10) as usize - 1;
        CycleParams {
            keys_per_loop: KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort,
            acceptable_stale_percent: ACCEPTABLE_STALE_PERCENT - effort,
            time_limit_us: ((CYCLE_TIME_PERCENT + 2 * effort as u64) * 1_000_000 / hz / 100).max(1),
        }
    }
}

/// The active expiry cycle's state between runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActiveExpireState {
    /// The database the next cycle starts with.
    next_db: usize,
    /// Whether the previous cycle ran out of time (the next one then visits every db).
    time_limit_exit: bool,
    /// Engine time of the last periodic run.
    pub last_cron_ms: Option<u64>,
}

impl Server {
    /// Whether `key` is logically expired at `now` (Redis's keyIsExpired).
    /// Nothing expires while the AOF is being loaded (Redis checks `server.loading`).
    pub(crate) fn key_is_expired(&self, db: usize, key: &[u8], now: u64) -> bool {
        !self.aof.loading && matches!(self.dbs[db].expire_at(key), Some(at) if now > at)
    }

    /// Deletes `key` if its deadline has passed (Redis's expireIfNeeded); true if it did.
    pub(crate) fn expire_if_needed(&mut self, db: usize, key: &[u8], now: u64) -> bool {
        if !self.key_is_expired(db, key, now) {
            return false;
        }
        // While clients are paused the dataset stays as it is: the key reads as missing and
        // goes once the pause is over.
        if !self.clients_paused(now) {
            self.delete_expired_key(db, key);
        }
        true
    }

    /// Removes a key whose deadline has passed and counts it in `expired_keys`.
    pub(crate) fn delete_expired_key(&mut self, db: usize, key: &[u8]) {
        if let Some(old) = self.dbs[db].remove(key) {
            self.signal_if_stream(db, key, &old.value);
            self.stats.expired_keys += 1;
            self.notify_keyspace_event(class::EXPIRED, "expired", key, db);
            self.key_removed_by_server(db, key);
            let lazy = self.config.lazyfree_lazy_expire;
            self.propagate_deletion(db, key, lazy);
        }
    }

    /// Redis's lookupKey: expires the key if due, then for reads counts a keyspace hit or
    /// miss and publishes `keymiss` for a missing key, and unless `no_touch` records the
    /// access (LRU time or LFU counter). Writes also have the key re-measured after the
    /// command.
    pub(crate) fn lookup(
        &mut self,
        db: usize,
        key: &[u8],
        now: u64,
        flags: LookupFlags,
        write: bool,
    ) -> Option<&mut Entry> {
        let mut slot = self.dbs[db].locate(key);
        // Redis's expireIfNeeded, reading the deadline from the slot just found.
        let loading = self.aof.loading;
        if slot
            .is_some_and(|s| !loading && self.dbs[db].expire_at_slot(s).is_some_and(|at| now > at))
        {
            // While clients are paused an expired key reads as missing but stays.
            if !self.clients_paused(now) {
                self.delete_expired_key(db, key);
            }
            slot = None;
        }
        // An observer's reads are invisible: no statistics, events or access times.
        let quiet = self.observer_running;
        if !write && !flags.no_stats && !quiet {
            if slot.is_some() {
                self.stats.keyspace_hits += 1;
            } else {
                self.stats.keyspace_misses += 1;
            }
        }
        let Some(slot) = slot else {
            if !write && !flags.no_notify && !quiet {
                self.notify_keyspace_event(class::KEY_MISS, "keymiss", key, db);
            }
            return None;
        };
        if !flags.no_touch && !quiet {
            self.record_access(db, slot, now);
        }
        if write {
            self.note_write_at(db, key, slot);
        }
        Some(self.dbs[db].entry_at_mut(slot))
    }

    /// Looks a key up for reading: expires it if due, counts a keyspace hit or miss, and
    /// updates its access time.
    pub(crate) fn lookup_read(&mut self, db: usize, key: &[u8], now: u64) -> Option<&mut Entry> {
        self.lookup(db, key, now, LookupFlags::NONE, false)
    }

    /// A read lookup with flags (TYPE, EXISTS and TTL use `LookupFlags::NO_TOUCH`).
    pub(crate) fn lookup_read_flags(
        &mut self,
        db: usize,
        key: &[u8],
        now: u64,
        flags: LookupFlags,
    ) -> Option<&mut Entry> {
        self.lookup(db, key, now, flags, false)
    }

    /// Looks a key up for writing: expires it if due; no hit/miss accounting.
    pub(crate) fn lookup_write(&mut self, db: usize, key: &[u8], now: u64) -> Option<&mut Entry> {
        self.lookup(db, key, now, LookupFlags::NONE, true)
    }

    /// Stores a value under `key`, replacing any previous value (Redis's setKey). Unless
    /// `keep_ttl`, the key loses any expiry it had (as SET does).
    pub(crate) fn set_value(
        &mut self,
        db: usize,
        key: &[u8],
        value: Value,
        keep_ttl: bool,
        now: u64,
    ) {
        self.expire_if_needed(db, key, now);
        let mut entry = Entry::new(value, now);
        // Under LFU an overwritten key keeps its access history, as in Redis.
        if self.config.policy().is_lfu() {
            if let Some(old) = self.dbs[db].get(key) {
                entry.lfu_counter = old.lfu_counter;
                entry.last_access_ms = old.last_access_ms;
            }
        }
        let (slot, replaced) = self.dbs[db].insert_at(key, entry);
        match &replaced {
            None => {
                self.signal_key_as_ready(db, key);
                self.notify_keyspace_event(class::NEW, "new", key, db);
            }
            Some(old) => self.signal_if_stream(db, key, &old.value),
        }
        // Signalling and notifying leave the key table as it is: the slot is still the key's.
        if !keep_ttl {
            self.dbs[db].persist_at(slot);
        }
        self.key_modified(db, key);
    }

    /// Redis's dbAdd: stores a key the caller knows is absent, with its deadline if any,
    /// signals it to clients blocked on it, and publishes `new`. WATCH invalidation is left
    /// to the caller, as in Redis.
    pub(crate) fn add_key(&mut self, db: usize, key: &[u8], entry: Entry, expire: Option<u64>) {
        let d = &mut self.dbs[db];
        d.insert(key, entry);
        if let Some(at) = expire {
            d.set_expire(key, at);
        }
        self.signal_key_as_ready(db, key);
        self.notify_keyspace_event(class::NEW, "new", key, db);
    }

    /// Deletes a key; true if it existed.
    pub(crate) fn delete_key(&mut self, db: usize, key: &[u8]) -> bool {
        let Some(old) = self.dbs[db].remove(key) else {
            return false;
        };
        self.signal_if_stream(db, key, &old.value);
        self.key_modified(db, key);
        true
    }

    /// A stream that is deleted or overwritten is signalled, as in Redis, so that clients
    /// blocked in XREADGROUP on it learn that it no longer exists.
    fn signal_if_stream(&mut self, db: usize, key: &[u8], old: &Value) {
        if matches!(old, Value::Stream(_)) {
            self.signal_key_as_ready(db, key);
        }
    }

    /// Counts `n` changes towards the `save` rules and `rdb_changes_since_last_save`.
    pub(crate) fn add_dirty(&mut self, n: u64) {
        self.dirty += n;
    }

    /// Redis's `hz`: how many times a second the periodic jobs run.
    fn cron_hz(&self) -> u64 {
        self.config.hz.clamp(1, 500) as u64
    }

    /// The periodic jobs of Redis's serverCron that concern keys: the active expiry cycle
    /// (unless DEBUG SET-ACTIVE-EXPIRE 0) and, with `activerehashing`, the key tables'
    /// resizing and incremental rehashing. Runs at most `hz` times a second.
    pub(crate) fn keys_cron(&mut self, now: u64) {
        let period = 1000 / self.cron_hz();
        if let Some(last) = self.active_expire.last_cron_ms {
            if now < last.saturating_add(period) {
                return;
            }
        }
        self.active_expire.last_cron_ms = Some(now);
        if self.monitor.active_expire_enabled && !self.clients_paused(now) {
            self.active_expire_cycle(now);
        }
        if self.config.activerehashing {
            for db in &mut self.dbs {
                db.maintain(CRON_REHASH_BUCKETS);
            }
        }
    }

    /// Engine time at which the periodic key jobs next have work (keys with a deadline or a
    /// table being rehashed), if any.
    pub(crate) fn next_keys_cron(&self) -> Option<u64> {
        let pending = self
            .dbs
            .iter()
            .any(|db| db.volatile_len() > 0 || db.is_rehashing());
        if !pending {
            return None;
        }
        Some(match self.active_expire.last_cron_ms {
            Some(last) => last.saturating_add(1000 / self.cron_hz()),
            None => self.clock.clone().now(),
        })
    }

    /// Redis's activeExpireCycle (slow cycle): walks each database's volatile keys 20 at a
    /// time, deleting the expired ones, and repeats while more than 10% of a round had
    /// expired, within a time budget (25% of the cycle period) and a bound on rounds (all
    /// scaled by `active-expire-effort`).
    pub(crate) fn active_expire_cycle(&mut self, now: u64) {
        let db_count = self.dbs.len();
        if db_count == 0 {
            return;
        }
        let params = CycleParams::new(self.config.active_expire_effort, self.cron_hz());
        let dbs_this_cycle = if self.active_expire.time_limit_exit {
            db_count
        } else {
            DBS_PER_CYCLE.min(db_count)
        };
        self.active_expire.time_limit_exit = false;
        let start_us = (self.micros)();
        let mut rounds = 0usize;
        let (mut total_sampled, mut total_expired) = (0usize, 0usize);

        for _ in 0..dbs_this_cycle {
            if self.active_expire.time_limit_exit {
                break;
            }
            let db = self.active_expire.next_db % db_count;
            self.active_expire.next_db = (db + 1) % db_count;
            loop {
                rounds += 1;
                let Some((sampled, expired)) = self.expire_round(db, now, params.keys_per_loop)
                else {
                    break;
                };
                total_sampled += sampled;
                total_expired += expired;
                if rounds.is_multiple_of(16) {
                    let elapsed = (self.micros)().saturating_sub(start_us);
                    if elapsed > params.time_limit_us || rounds >= CYCLE_MAX_ROUNDS {
                        self.active_expire.time_limit_exit = true;
                        self.stats.expired_time_cap_reached_count += 1;
                        break;
                    }
                }
                if sampled == 0 || expired * 100 / sampled <= params.acceptable_stale_percent {
                    break;
                }
            }
        }

        let elapsed = (self.micros)().saturating_sub(start_us);
        self.stats.expire_cycle_time_used_us += elapsed;
        // Running estimate of logically expired keys still in memory (INFO's
        // expired_stale_perc), weighting this cycle by 5%.
        let current = if total_sampled > 0 {
            total_expired as f64 / total_sampled as f64
        } else {
            0.0
        };
        self.stats.expired_stale_perc = current * 0.05 + self.stats.expired_stale_perc * 0.95;
    }

    /// One round of the active expiry cycle on one database: checks up to `keys` volatile
    /// keys, continuing the walk where the last round stopped. Returns (sampled, expired), or
    /// None when the database has no volatile keys.
    fn expire_round(&mut self, db: usize, now: u64, keys: usize) -> Option<(usize, usize)> {
        let volatile = self.dbs[db].volatile_len();
        if volatile == 0 {
            self.dbs[db].set_avg_ttl(0);
            return None;
        }
        let to_sample = volatile.min(keys);
        let (mut sampled, mut expired) = (0usize, 0usize);
        let (mut ttl_sum, mut ttl_samples) = (0u64, 0u64);
        let mut cursor = self.dbs[db].expire_cursor();
        while sampled < to_sample {
            let len = self.dbs[db].volatile_len();
            if len == 0 {
                break;
            }
            if cursor >= len {
                cursor = 0;
            }
            let Some((key, at)) = self.dbs[db].volatile_at(cursor) else {
                break;
            };
            sampled += 1;
            if now > at {
                let key = key.to_vec();
                // Deleting moves the last volatile key into this position: look at it next.
                self.delete_expired_key(db, &key);
                expired += 1;
            } else {
                if at > now {
                    ttl_sum = ttl_sum.saturating_add(at - now);
                    ttl_samples += 1;
                }
                cursor += 1;
            }
        }
        let d = &mut self.dbs[db];
        d.set_expire_cursor(cursor);
        if let Some(sample_avg) = ttl_sum.checked_div(ttl_samples) {
            // A running average weighting the new sample by 2%.
            let previous = if d.avg_ttl() == 0 {
                sample_avg
            } else {
                d.avg_ttl()
            };
            d.set_avg_ttl((previous / 50) * 49 + sample_avg / 50);
        }
        Some((sampled, expired))
    }
}
