//! How commands reach keys: lookups with lazy expiry, writes that notify WATCH and blocked
//! clients, expiry times, and the active expiry cycle.

use crate::db::Key;
use crate::server::Server;
use crate::types::{Entry, Value};

impl Server {
    /// Deletes `key` if its deadline has passed (Redis's expireIfNeeded); true if it did.
    pub(crate) fn expire_if_needed(&mut self, db: usize, key: &[u8], now: u64) -> bool {
        match self.dbs[db].expire_at(key) {
            Some(at) if at <= now => {
                self.dbs[db].remove(key);
                self.stats.expired_keys += 1;
                self.notify_keyspace_event(crate::notify::class::EXPIRED, "expired", key, db);
                self.key_modified(db, key);
                true
            }
            _ => false,
        }
    }

    /// Looks a key up for reading: expires it if due, counts a keyspace hit or miss, and
    /// updates its access time.
    pub(crate) fn lookup_read(&mut self, db: usize, key: &[u8], now: u64) -> Option<&mut Entry> {
        self.expire_if_needed(db, key, now);
        if self.dbs[db].contains(key) {
            self.stats.keyspace_hits += 1;
            self.record_access(db, key, now);
            self.dbs[db].get_mut(key)
        } else {
            self.stats.keyspace_misses += 1;
            None
        }
    }

    /// Looks a key up for writing: expires it if due; no hit/miss accounting.
    pub(crate) fn lookup_write(&mut self, db: usize, key: &[u8], now: u64) -> Option<&mut Entry> {
        self.expire_if_needed(db, key, now);
        if !self.dbs[db].contains(key) {
            return None;
        }
        self.record_access(db, key, now);
        self.note_write(db, key);
        self.dbs[db].get_mut(key)
    }

    /// Stores a value under `key`, replacing any previous value. Unless `keep_ttl`, the key
    /// loses any expiry it had (as SET does).
    pub(crate) fn set_value(
        &mut self,
        db: usize,
        key: &[u8],
        value: Value,
        keep_ttl: bool,
        now: u64,
    ) {
        let lfu = self.config.policy().is_lfu();
        let d = &mut self.dbs[db];
        if !keep_ttl {
            d.persist(key);
        }
        let mut entry = Entry::new(value, now);
        // Under LFU an overwritten key keeps its access history, as in Redis.
        if let Some(old) = d.get(key).filter(|_| lfu) {
            entry.lfu_counter = old.lfu_counter;
            entry.last_access_ms = old.last_access_ms;
        }
        d.insert(key.to_vec(), entry);
        self.key_modified(db, key);
    }

    /// Deletes a key; true if it existed.
    pub(crate) fn delete_key(&mut self, db: usize, key: &[u8]) -> bool {
        let existed = self.dbs[db].remove(key).is_some();
        if existed {
            self.key_modified(db, key);
        }
        existed
    }

    /// Records that a key changed: invalidates WATCHes on it and counts a change for `save`.
    pub(crate) fn key_modified(&mut self, db: usize, key: &[u8]) {
        for client in self.clients.values_mut() {
            if !client.dirty_cas && client.watched.iter().any(|w| w.db == db && w.key == key) {
                client.dirty_cas = true;
            }
        }
    }

    /// After a db is emptied or swapped (FLUSHDB, FLUSHALL, SWAPDB): every client watching a key
    /// of that db that existed (per `existed`) has its transaction doomed, as in Redis.
    pub(crate) fn touch_watched_in_db(&mut self, db: usize, existed: impl Fn(&[u8]) -> bool) {
        for client in self.clients.values_mut() {
            if !client.dirty_cas && client.watched.iter().any(|w| w.db == db && existed(&w.key)) {
                client.dirty_cas = true;
            }
        }
    }

    /// Counts `n` changes towards the `save` rules and `rdb_changes_since_last_save`.
    pub(crate) fn add_dirty(&mut self, n: u64) {
        self.dirty += n;
    }

    /// Redis's activeExpireCycle: samples keys with an expiry in each db, deletes the expired
    /// ones, and repeats while more than a quarter of a sample was expired.
    pub(crate) fn active_expire_cycle(&mut self, now: u64) {
        const SAMPLE: usize = 20;
        const MAX_ROUNDS: usize = 16;
        for db in 0..self.dbs.len() {
            for _ in 0..MAX_ROUNDS {
                let expired: Vec<Key> = self.dbs[db]
                    .volatile()
                    .take(SAMPLE)
                    .filter(|(_, at)| *at <= now)
                    .map(|(k, _)| k.clone())
                    .collect();
                let sampled = self.dbs[db].volatile_len().min(SAMPLE);
                for key in &expired {
                    self.expire_if_needed(db, key, now);
                }
                if sampled == 0 || expired.len() * 4 <= sampled {
                    break;
                }
            }
        }
    }
}
