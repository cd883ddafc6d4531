//! One numbered database: its keys and their expiry times.
//!
//! This is plain storage. Expiry semantics (lazy deletion, notifications, WATCH) live in
//! `keyspace.rs` on the server, which is where every command reaches keys through.
//!
//! Keys live in a [`Dict`] (Redis's hash table, with its SCAN guarantee). Instead of Redis's
//! second table for expiry times, the keys that have one are listed in a dense vector of
//! `(slot, deadline)` pairs, and each such key's node records its position in that vector in
//! its `mark`. That costs no per-key memory for keys without a deadline, 16 bytes for keys
//! with one, and lets the active expiry cycle and eviction walk or sample volatile keys in O(1)
//! without touching the key nodes.

use crate::dict::{Dict, Slot, NIL};
use crate::types::Entry;

pub type Key = Vec<u8>;

#[derive(Clone, Copy, Debug)]
struct Volatile {
    slot: Slot,
    /// Absolute deadline in engine milliseconds.
    at: u64,
}

#[derive(Default, Debug, Clone)]
pub struct Db {
    keys: Dict<Entry>,
    volatile: Vec<Volatile>,
    /// Where the active expiry cycle continues its walk over `volatile`.
    expire_cursor: usize,
    /// Running estimate of the remaining TTL of volatile keys (INFO keyspace's `avg_ttl`).
    avg_ttl: u64,
    /// State of the generator behind RANDOMKEY and sampling.
    rng: u64,
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
        self.volatile.len()
    }

    pub fn get(&self, key: &[u8]) -> Option<&Entry> {
        self.keys.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.keys.get_mut(key)
    }

    /// Where `key`'s entry is, for a lookup that may then modify it (see `entry_at_mut`).
    pub(crate) fn locate(&mut self, key: &[u8]) -> Option<Slot> {
        self.keys.find_mut(key)
    }

    /// The entry at a slot `locate` returned (valid until the next insertion or removal).
    pub(crate) fn entry_at_mut(&mut self, slot: Slot) -> &mut Entry {
        self.keys.value_at_mut(slot)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.keys.find(key).is_some()
    }

    /// Inserts or replaces a key's entry; the expiry is left as it is.
    pub fn insert(&mut self, key: impl AsRef<[u8]>, entry: Entry) -> Option<Entry> {
        self.insert_at(key.as_ref(), entry).1
    }

    /// `insert`, also returning where the entry is (see `entry_at_mut`).
    pub(crate) fn insert_at(&mut self, key: &[u8], mut entry: Entry) -> (Slot, Option<Entry>) {
        let mem = crate::memory::footprint(key, &entry.value);
        entry.mem = stored_mem(mem);
        self.used_bytes += mem;
        let (slot, old) = self.keys.insert(key, entry);
        match &old {
            Some(old) => {
                let old_mem = entry_mem(key, old);
                self.used_bytes = self.used_bytes.saturating_sub(old_mem);
                if mem > old_mem {
                    crate::memory::note_keyspace_growth();
                }
            }
            None => crate::memory::note_keyspace_growth(),
        }
        (slot, old)
    }

    /// Re-measures a key's memory footprint after its value changed in place.
    pub fn remeasure(&mut self, key: &[u8]) {
        if let Some(slot) = self.keys.find(key) {
            self.remeasure_at(key, slot);
        }
    }

    /// `remeasure` given where the key was seen last: that slot is used if it still holds the
    /// key, else the key is looked up.
    pub(crate) fn remeasure_hinted(&mut self, key: &[u8], slot_hint: Slot) {
        if self.keys.holds(slot_hint, key) {
            self.remeasure_at(key, slot_hint);
        } else {
            self.remeasure(key);
        }
    }

    fn remeasure_at(&mut self, key: &[u8], slot: Slot) {
        let entry = self.keys.value_at_mut(slot);
        let mem = crate::memory::footprint(key, &entry.value);
        let old = entry_mem(key, entry);
        entry.mem = stored_mem(mem);
        self.used_bytes = (self.used_bytes + mem).saturating_sub(old);
        if mem > old {
            crate::memory::note_keyspace_growth();
        }
    }

    /// Modelled bytes of all keys and values (hash table buckets not included).
    pub fn used_bytes(&self) -> usize {
        self.used_bytes
    }

    /// Removes a key and its expiry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.take(key).map(|(entry, _)| entry)
    }

    /// Removes a key, returning its entry and expiry.
    pub fn take(&mut self, key: &[u8]) -> Option<(Entry, Option<u64>)> {
        let removed = self.keys.remove(key)?;
        if let Some((slot, mark)) = removed.moved {
            // The key that moved into the freed slot keeps its deadline entry pointing at it.
            if let Some(v) = self.volatile.get_mut(mark as usize) {
                v.slot = slot;
            }
        }
        let expire = self.forget_volatile(removed.mark);
        let mem = entry_mem(removed.key.as_bytes(), &removed.value);
        self.used_bytes = self.used_bytes.saturating_sub(mem);
        Some((removed.value, expire))
    }

    /// Removes the deadline at `position` of the volatile list, keeping the list dense.
    fn forget_volatile(&mut self, position: u32) -> Option<u64> {
        if position == NIL {
            return None;
        }
        let position = position as usize;
        if position >= self.volatile.len() {
            return None;
        }
        let removed = self.volatile.swap_remove(position);
        if let Some(moved) = self.volatile.get(position) {
            self.keys.set_mark(moved.slot, position as u32);
        }
        Some(removed.at)
    }

    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        if self.volatile.is_empty() {
            return None;
        }
        let slot = self.keys.find(key)?;
        self.volatile
            .get(self.keys.mark_at(slot) as usize)
            .map(|v| v.at)
    }

    /// The deadline of the key at a slot `locate` returned.
    pub(crate) fn expire_at_slot(&self, slot: Slot) -> Option<u64> {
        if self.volatile.is_empty() {
            return None;
        }
        self.volatile
            .get(self.keys.mark_at(slot) as usize)
            .map(|v| v.at)
    }

    /// Sets the expiry of an existing key (does nothing if the key does not exist).
    pub fn set_expire(&mut self, key: &[u8], at_ms: u64) {
        let Some(slot) = self.keys.find(key) else {
            return;
        };
        let mark = self.keys.mark_at(slot);
        match self.volatile.get_mut(mark as usize) {
            Some(v) => v.at = at_ms,
            None => {
                self.keys.set_mark(slot, self.volatile.len() as u32);
                self.volatile.push(Volatile { slot, at: at_ms });
                crate::memory::note_keyspace_growth();
            }
        }
    }

    /// Removes a key's expiry; true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        match self.keys.find(key) {
            Some(slot) => self.persist_at(slot),
            None => false,
        }
    }

    /// `persist` for the key at a slot `locate` or `insert_at` returned.
    pub(crate) fn persist_at(&mut self, slot: Slot) -> bool {
        let mark = self.keys.mark_at(slot);
        if mark == NIL {
            return false;
        }
        self.keys.set_mark(slot, NIL);
        self.forget_volatile(mark).is_some()
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.volatile = Vec::new();
        self.expire_cursor = 0;
        self.avg_ttl = 0;
        self.used_bytes = 0;
    }

    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.keys.iter().map(|(k, _)| k)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Entry)> {
        self.keys.iter()
    }

    /// Keys with an expiry and their deadlines.
    pub fn volatile(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.volatile
            .iter()
            .map(|v| (self.keys.key_at(v.slot), v.at))
    }

    /// The `position`-th volatile key (positions change as keys come and go).
    pub fn volatile_at(&self, position: usize) -> Option<(&[u8], u64)> {
        let v = self.volatile.get(position)?;
        Some((self.keys.key_at(v.slot), v.at))
    }

    /// A uniformly chosen key, or None if the database is empty.
    pub fn random_key(&mut self) -> Option<&[u8]> {
        let random = self.random_u64();
        let slot = self.keys.random_slot(random)?;
        Some(self.keys.key_at(slot))
    }

    /// Up to `count` distinct keys chosen at random among all keys, or among the volatile
    /// keys when `volatile` (for eviction sampling, like Redis's dictGetSomeKeys): O(count).
    /// `seed` drives the choice. Positions are drawn independently rather than as a run of
    /// neighbours, since neighbouring slots hold keys created together, with similar ages.
    pub fn sample_keys(&mut self, count: usize, volatile: bool, seed: u64) -> Vec<Key> {
        let len = if volatile {
            self.volatile.len()
        } else {
            self.keys.len()
        };
        let count = count.min(len);
        let mut positions: Vec<usize> = Vec::with_capacity(count);
        let mut state = seed;
        // A few extra draws make up for repeats; the sample may still come out short.
        for _ in 0..count.saturating_mul(2) {
            if positions.len() == count {
                break;
            }
            let position = (splitmix64(&mut state) % len as u64) as usize;
            if !positions.contains(&position) {
                positions.push(position);
            }
        }
        positions
            .into_iter()
            .map(|position| {
                let slot = if volatile {
                    self.volatile[position].slot
                } else {
                    position as Slot
                };
                self.keys.key_at(slot).to_vec()
            })
            .collect()
    }

    /// The next number of this database's random generator (xorshift64*).
    pub fn random_u64(&mut self) -> u64 {
        if self.rng == 0 {
            self.rng = 0x853C_49E6_748F_EA9B;
        }
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// One SCAN step: calls `visit` with the keys of the buckets `cursor` designates and
    /// returns the next cursor (0 when done).
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(&[u8])) -> u64 {
        self.keys.scan(cursor, |slot| visit(self.keys.key_at(slot)))
    }

    pub(crate) fn expire_cursor(&self) -> usize {
        self.expire_cursor
    }

    pub(crate) fn set_expire_cursor(&mut self, cursor: usize) {
        self.expire_cursor = cursor;
    }

    /// Average TTL in milliseconds of the volatile keys the expiry cycle last sampled.
    pub fn avg_ttl(&self) -> u64 {
        self.avg_ttl
    }

    pub(crate) fn set_avg_ttl(&mut self, avg_ttl: u64) {
        self.avg_ttl = avg_ttl;
    }

    /// Background upkeep of the key table (resizing and incremental rehashing), bounded by
    /// `buckets` moved buckets.
    pub fn maintain(&mut self, buckets: usize) {
        self.keys.maintain(buckets);
    }

    pub fn is_rehashing(&self) -> bool {
        self.keys.is_rehashing()
    }

    /// Bucket counts of the key table's two hash tables.
    pub fn bucket_counts(&self) -> (usize, usize) {
        self.keys.bucket_counts()
    }
}

/// An entry's footprint as stored in it (saturated: see `Entry::mem`).
fn stored_mem(mem: usize) -> u32 {
    u32::try_from(mem).unwrap_or(u32::MAX)
}

/// The footprint an entry was last measured at.
fn entry_mem(key: &[u8], entry: &Entry) -> usize {
    match entry.mem {
        u32::MAX => crate::memory::footprint(key, &entry.value),
        mem => mem as usize,
    }
}

/// SplitMix64: turns a counter into well-spread random numbers.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{StringValue, Value};

    fn entry(n: i64) -> Entry {
        Entry::new(Value::String(StringValue::from_int(n)), 0)
    }

    fn key(i: usize) -> Vec<u8> {
        format!("k{i}").into_bytes()
    }

    #[test]
    fn expiries_follow_their_keys_through_moves() {
        let mut db = Db::default();
        for i in 0..500 {
            db.insert(key(i), entry(i as i64));
            if i % 2 == 0 {
                db.set_expire(&key(i), 1000 + i as u64);
            }
        }
        assert_eq!(db.volatile_len(), 250);
        for i in (0..500).step_by(3) {
            db.remove(&key(i));
        }
        for i in 0..500 {
            let expected = (i % 3 != 0 && i % 2 == 0).then_some(1000 + i as u64);
            assert_eq!(db.expire_at(&key(i)), expected, "key {i}");
        }
        for (k, at) in db.volatile() {
            assert_eq!(db.expire_at(k), Some(at));
        }
        assert!(db.persist(&key(2)));
        assert!(!db.persist(&key(2)));
        assert_eq!(db.expire_at(&key(2)), None);
        assert_eq!(db.volatile().count(), db.volatile_len());
        let (e, at) = db.take(&key(4)).unwrap();
        assert_eq!(at, Some(1004));
        assert!(matches!(e.value, Value::String(StringValue::Int(4))));
    }

    #[test]
    fn samples_are_distinct_and_cover_the_keys() {
        let mut db = Db::default();
        for i in 0..50 {
            db.insert(key(i), entry(0));
            if i % 5 == 0 {
                db.set_expire(&key(i), 1);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for seed in 0..200 {
            let sample = db.sample_keys(5, false, seed);
            let distinct: std::collections::HashSet<_> = sample.iter().collect();
            assert_eq!(distinct.len(), sample.len());
            assert!(sample.len() >= 3);
            seen.extend(sample);
        }
        assert_eq!(seen.len(), 50);
        for seed in 0..50 {
            for k in db.sample_keys(5, true, seed) {
                assert!(db.expire_at(&k).is_some());
            }
        }
        assert!(db.sample_keys(100, true, 7).len() <= 10);
        assert!(Db::default().sample_keys(5, false, 1).is_empty());
    }

    #[test]
    fn random_keys_cover_the_database() {
        let mut db = Db::default();
        for i in 0..10 {
            db.insert(key(i), entry(0));
        }
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            seen.insert(db.random_key().unwrap().to_vec());
        }
        assert_eq!(seen.len(), 10);
        db.clear();
        assert!(db.random_key().is_none());
    }
}
