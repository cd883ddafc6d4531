//! The WATCH registry: which clients watch which keys, so that a write finds the transactions it
//! dooms in O(1) instead of scanning every client (as Redis keeps `watched_keys` per db).

use std::collections::HashMap;

use crate::client::{ClientId, WatchedKey};
use crate::server::Server;

/// Watchers by key bytes; each entry notes the db, since the same key may be watched in several.
#[derive(Default, Debug)]
pub struct WatchRegistry {
    by_key: HashMap<Vec<u8>, Vec<(usize, ClientId)>>,
}

impl Server {
    /// Adds `key` of `db` to the client's watched keys (once).
    pub(crate) fn watch_key(
        &mut self,
        id: ClientId,
        db: usize,
        key: &[u8],
        expired_when_watched: bool,
    ) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        if client.watched.iter().any(|w| w.db == db && w.key == key) {
            return;
        }
        client.watched.push(WatchedKey {
            db,
            key: key.to_vec(),
            expired_when_watched,
        });
        self.watches
            .by_key
            .entry(key.to_vec())
            .or_default()
            .push((db, id));
    }

    /// Forgets every key the client watches and clears its doomed-transaction flag (after EXEC,
    /// DISCARD, UNWATCH, RESET, disconnect).
    pub(crate) fn unwatch_all(&mut self, id: ClientId) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        client.dirty_cas = false;
        for watched in std::mem::take(&mut client.watched) {
            if let Some(watchers) = self.watches.by_key.get_mut(&watched.key) {
                watchers.retain(|&(db, c)| !(db == watched.db && c == id));
                if watchers.is_empty() {
                    self.watches.by_key.remove(&watched.key);
                }
            }
        }
    }

    /// Records that a key changed (Redis's signalModifiedKey): every transaction watching it
    /// will fail at EXEC, and clients that may cache it are told.
    pub(crate) fn key_modified(&mut self, db: usize, key: &[u8]) {
        self.touch_watched_key(db, key);
        if self.tracking_active() {
            let by = self.modifying_client();
            self.invalidate_tracked_key(key, by, true);
        }
    }

    /// `key_modified` for a key the server itself deleted (expired or evicted), which Redis
    /// signals with no client.
    pub(crate) fn key_removed_by_server(&mut self, db: usize, key: &[u8]) {
        self.touch_watched_key(db, key);
        self.invalidate_tracked_key(key, None, true);
    }

    /// Dooms the transactions watching a key.
    fn touch_watched_key(&mut self, db: usize, key: &[u8]) {
        if self.watches.by_key.is_empty() {
            return;
        }
        let Some(watchers) = self.watches.by_key.get(key) else {
            return;
        };
        for &(watched_db, id) in watchers {
            if watched_db == db {
                if let Some(client) = self.clients.get_mut(&id) {
                    client.dirty_cas = true;
                }
            }
        }
    }

    /// After a db is emptied or swapped (FLUSHDB, FLUSHALL, SWAPDB): every client watching a key
    /// of that db that existed (per `existed`) has its transaction doomed, as in Redis.
    pub(crate) fn touch_watched_in_db(&mut self, db: usize, existed: impl Fn(&[u8]) -> bool) {
        for (key, watchers) in &self.watches.by_key {
            if !existed(key) {
                continue;
            }
            for &(watched_db, id) in watchers {
                if watched_db == db {
                    if let Some(client) = self.clients.get_mut(&id) {
                        client.dirty_cas = true;
                    }
                }
            }
        }
    }
}
