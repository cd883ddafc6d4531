//! One numbered database: its keys and their expiry times.
//!
//! This is plain storage. Expiry semantics (lazy deletion, notifications, WATCH) live in
//! `keyspace.rs` on the server, which is where every command reaches keys through.

use std::collections::HashMap;

use crate::types::Entry;

pub type Key = Vec<u8>;

#[derive(Default, Debug, Clone)]
pub struct Db {
    keys: HashMap<Key, Entry>,
    /// Absolute expiry times in engine milliseconds, for keys that have one.
    expires: HashMap<Key, u64>,
    /// Sum of the keys' modelled memory footprints (see `memory.rs`).
    used_bytes: usize,
}

impl Db {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Number of keys with an expiry (INFO keyspace's `expires`).
    pub fn volatile_len(&self) -> usize {
        self.expires.len()
    }

    pub fn get(&self, key: &[u8]) -> Option<&Entry> {
        self.keys.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.keys.get_mut(key)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.keys.contains_key(key)
    }

    /// Inserts or replaces a key's entry; the expiry is left as it is.
    pub fn insert(&mut self, key: Key, mut entry: Entry) -> Option<Entry> {
        entry.mem = crate::memory::footprint(&key, &entry.value);
        self.used_bytes += entry.mem;
        let old = self.keys.insert(key, entry);
        if let Some(old) = &old {
            self.used_bytes = self.used_bytes.saturating_sub(old.mem);
        }
        old
    }

    /// Removes a key and its expiry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let entry = self.keys.remove(key)?;
        self.expires.remove(key);
        self.used_bytes = self.used_bytes.saturating_sub(entry.mem);
        Some(entry)
    }

    /// Re-measures a key's memory footprint after its value changed in place.
    pub fn remeasure(&mut self, key: &[u8]) {
        if let Some(entry) = self.keys.get_mut(key) {
            let mem = crate::memory::footprint(key, &entry.value);
            self.used_bytes = (self.used_bytes + mem).saturating_sub(entry.mem);
            entry.mem = mem;
        }
    }

    /// Modelled bytes of all keys and values (hash table buckets not included).
    pub fn used_bytes(&self) -> usize {
        self.used_bytes
    }

    /// Up to `count` keys picked from a random place of the key table, or of the expiry
    /// table when `volatile` (Redis's dictGetSomeKeys, for eviction sampling). `seed` chooses
    /// the place.
    ///
    /// This walks the table up to the chosen place, so it costs O(n) rather than Redis's
    /// O(count) until the key table supports random access.
    pub fn sample_keys(&mut self, count: usize, volatile: bool, seed: u64) -> Vec<Key> {
        let len = if volatile {
            self.expires.len()
        } else {
            self.keys.len()
        };
        if len == 0 || count == 0 {
            return Vec::new();
        }
        let start = (seed % len as u64) as usize;
        let take = count.min(len);
        let names = || -> Box<dyn Iterator<Item = &Key> + '_> {
            if volatile {
                Box::new(self.expires.keys())
            } else {
                Box::new(self.keys.keys())
            }
        };
        let mut out: Vec<Key> = names().skip(start).take(take).cloned().collect();
        if out.len() < take {
            let missing = take - out.len();
            out.extend(names().take(missing).cloned());
        }
        out
    }

    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        self.expires.get(key).copied()
    }

    /// Sets the expiry of an existing key.
    pub fn set_expire(&mut self, key: &[u8], at_ms: u64) {
        if let Some((k, _)) = self.keys.get_key_value(key) {
            self.expires.insert(k.clone(), at_ms);
        }
    }

    /// Removes a key's expiry; true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.expires.clear();
        self.used_bytes = 0;
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.keys()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.keys.iter()
    }

    /// Keys with an expiry and their deadlines.
    pub fn volatile(&self) -> impl Iterator<Item = (&Key, u64)> {
        self.expires.iter().map(|(k, t)| (k, *t))
    }
}
