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
    pub fn insert(&mut self, key: Key, entry: Entry) -> Option<Entry> {
        self.keys.insert(key, entry)
    }

    /// Removes a key and its expiry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let entry = self.keys.remove(key)?;
        self.expires.remove(key);
        Some(entry)
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
