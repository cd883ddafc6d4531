//! A hash table that behaves like Redis's `dict`: chained buckets in power-of-two tables,
//! incremental rehashing between two tables, and a SCAN cursor that reverses the bits of the
//! bucket index, so every entry present for a whole scan is reported at least once even if
//! the table grows or shrinks in between calls.
//!
//! # Layout
//!
//! Entries live in a dense slab (`Vec` pages of up to [`PAGE`] nodes, only the last one partly
//! filled); buckets and chain links are 32-bit slab indices. Keeping the slab dense (a removal
//! moves the last node into the hole) makes uniform random sampling O(1): pick a random index.
//! The price is that a node's index changes when it is moved, which removals report to the
//! caller (see [`Removed::moved`]) for owners that keep indices of their own.
//!
//! One node costs `size_of::<V>()` + 32 bytes: the key (24 bytes, stored inline up to 22 bytes,
//! otherwise as an exact-size boxed slice), the chain link and a 32-bit `mark` the owner may use
//! (the database keeps the position of the key's expiry there). Buckets cost 4 bytes each. As in
//! Redis, a table doubles when it holds as many entries as buckets and shrinks when it is less
//! than 10% full, so there are between 1 and 10 buckets per entry. Full pages never move, so
//! growing the slab copies at most one page.

use std::fmt;

/// Nodes per slab page.
pub const PAGE: usize = 4096;
/// Smallest non-empty table (Redis's DICT_HT_INITIAL_SIZE).
const INITIAL_SIZE: usize = 4;
/// A table is shrunk when less than this percentage of its buckets' worth of entries remain.
const MIN_FILL_PERCENT: usize = 10;
/// The end of a chain, and "no mark".
pub const NIL: u32 = u32::MAX;

/// Where a node sits in the slab. Stable until a removal moves it (see [`Removed::moved`]).
pub type Slot = u32;

/// Bytes up to this length are stored inside the key itself, with no allocation.
const INLINE: usize = 22;

/// A key: short ones inline, longer ones in one exact-size allocation.
#[derive(Clone)]
pub enum KeyBuf {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl KeyBuf {
    pub fn new(bytes: &[u8]) -> KeyBuf {
        if bytes.len() <= INLINE {
            let mut inline = [0u8; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            KeyBuf::Inline {
                len: bytes.len() as u8,
                bytes: inline,
            }
        } else {
            KeyBuf::Heap(bytes.into())
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            KeyBuf::Inline { len, bytes } => &bytes[..*len as usize],
            KeyBuf::Heap(b) => b,
        }
    }
}

impl fmt::Debug for KeyBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// The table's hash function: fast, well mixed in the low bits the bucket index uses, and
/// fixed (unlike Redis's seeded SipHash) so iteration orders are reproducible.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (bytes.len() as u64).wrapping_mul(K) ^ 0x2545_F491_4F6C_DD1D;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
    }
    let mut tail = [0u8; 8];
    let rest = words.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    // MurmurHash3's finalizer: every input bit affects every output bit.
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

#[derive(Clone, Debug)]
struct Node<V> {
    key: KeyBuf,
    value: V,
    next: u32,
    mark: u32,
}

#[derive(Clone, Default, Debug)]
struct Table {
    /// Chain heads; the length is 0 or a power of two.
    buckets: Vec<u32>,
    used: usize,
}

impl Table {
    fn with_size(size: usize) -> Table {
        Table {
            buckets: vec![NIL; size],
            used: 0,
        }
    }

    fn mask(&self) -> u64 {
        (self.buckets.len() as u64).wrapping_sub(1)
    }

    fn bucket_of(&self, hash: u64) -> usize {
        (hash & self.mask()) as usize
    }
}

/// What a removal took out, and which node it moved to keep the slab dense.
pub struct Removed<V> {
    pub key: KeyBuf,
    pub value: V,
    pub mark: u32,
    /// The node formerly in the last slot now sits in the freed slot: `(new slot, its mark)`.
    pub moved: Option<(Slot, u32)>,
}

#[derive(Clone)]
pub struct Dict<V> {
    pages: Vec<Vec<Node<V>>>,
    len: usize,
    tables: [Table; 2],
    /// Next bucket of `tables[0]` to move into `tables[1]`, while rehashing.
    rehash_index: Option<usize>,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Dict {
            pages: Vec::new(),
            len: 0,
            tables: [Table::default(), Table::default()],
            rehash_index: None,
        }
    }
}

impl<V> fmt::Debug for Dict<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dict")
            .field("len", &self.len)
            .field("buckets", &self.bucket_counts())
            .field("rehash_index", &self.rehash_index)
            .finish()
    }
}

impl<V> Dict<V> {
    pub fn new() -> Dict<V> {
        Dict::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bucket counts of the two tables (the second is 0 unless rehashing).
    pub fn bucket_counts(&self) -> (usize, usize) {
        (self.tables[0].buckets.len(), self.tables[1].buckets.len())
    }

    pub fn is_rehashing(&self) -> bool {
        self.rehash_index.is_some()
    }

    // ----- slab -----

    fn node(&self, slot: Slot) -> &Node<V> {
        let s = slot as usize;
        &self.pages[s / PAGE][s % PAGE]
    }

    fn node_mut(&mut self, slot: Slot) -> &mut Node<V> {
        let s = slot as usize;
        &mut self.pages[s / PAGE][s % PAGE]
    }

    fn push_node(&mut self, node: Node<V>) -> Slot {
        let slot = self.len;
        match self.pages.last_mut() {
            Some(page) if page.len() < PAGE => page.push(node),
            _ => {
                // The first page grows by doubling so small tables stay small; later pages
                // are allocated whole so they never need to move.
                let mut page = if self.pages.is_empty() {
                    Vec::new()
                } else {
                    Vec::with_capacity(PAGE)
                };
                page.push(node);
                self.pages.push(page);
            }
        }
        self.len += 1;
        slot as Slot
    }

    /// Removes the last node of the slab.
    fn pop_node(&mut self) -> Option<Node<V>> {
        let only_page = self.pages.len() == 1;
        let page = self.pages.last_mut()?;
        let node = page.pop()?;
        if page.is_empty() {
            self.pages.pop();
        } else if only_page && page.len() * 4 < page.capacity() {
            page.shrink_to((page.len() * 2).next_power_of_two());
        }
        self.len -= 1;
        Some(node)
    }

    pub fn key_at(&self, slot: Slot) -> &[u8] {
        self.node(slot).key.as_bytes()
    }

    pub fn value_at(&self, slot: Slot) -> &V {
        &self.node(slot).value
    }

    pub fn value_at_mut(&mut self, slot: Slot) -> &mut V {
        &mut self.node_mut(slot).value
    }

    pub fn mark_at(&self, slot: Slot) -> u32 {
        self.node(slot).mark
    }

    pub fn set_mark(&mut self, slot: Slot, mark: u32) {
        self.node_mut(slot).mark = mark;
    }

    /// The node at a uniformly chosen slot, given any random number.
    pub fn random_slot(&self, random: u64) -> Option<Slot> {
        if self.len == 0 {
            return None;
        }
        Some((random % self.len as u64) as Slot)
    }

    /// Entries in slab order (not bucket order).
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.pages
            .iter()
            .flatten()
            .map(|n| (n.key.as_bytes(), &n.value))
    }

    // ----- lookups -----

    /// Whether `slot` exists and holds `key`.
    pub fn holds(&self, slot: Slot, key: &[u8]) -> bool {
        (slot as usize) < self.len && self.key_at(slot) == key
    }

    /// The slot holding `key`.
    pub fn find(&self, key: &[u8]) -> Option<Slot> {
        if self.len == 0 {
            return None;
        }
        self.find_hashed(key, hash_bytes(key))
    }

    /// `find` given the key's hash.
    fn find_hashed(&self, key: &[u8], hash: u64) -> Option<Slot> {
        for t in 0..2 {
            let table = &self.tables[t];
            if !table.buckets.is_empty() {
                let mut slot = table.buckets[table.bucket_of(hash)];
                while slot != NIL {
                    let node = self.node(slot);
                    if node.key.as_bytes() == key {
                        return Some(slot);
                    }
                    slot = node.next;
                }
            }
            if !self.is_rehashing() {
                break;
            }
        }
        None
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).map(|s| self.value_at(s))
    }

    /// Like Redis's lookups, a mutable access also advances a rehash in progress.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        let slot = self.find_mut(key)?;
        Some(self.value_at_mut(slot))
    }

    /// `find` for callers about to modify the entry: advances a rehash in progress first.
    pub fn find_mut(&mut self, key: &[u8]) -> Option<Slot> {
        self.rehash_step();
        self.find(key)
    }

    // ----- updates -----

    /// Inserts or replaces; on replacement the node (and its mark) stays where it is.
    /// Returns the slot and the replaced value.
    pub fn insert(&mut self, key: &[u8], value: V) -> (Slot, Option<V>) {
        self.rehash_step();
        let hash = hash_bytes(key);
        if let Some(slot) = self.find_hashed(key, hash) {
            let old = std::mem::replace(self.value_at_mut(slot), value);
            return (slot, Some(old));
        }
        self.expand_if_needed();
        let t = if self.is_rehashing() { 1 } else { 0 };
        let bucket = self.tables[t].bucket_of(hash);
        let head = self.tables[t].buckets[bucket];
        let slot = self.push_node(Node {
            key: KeyBuf::new(key),
            value,
            next: head,
            mark: NIL,
        });
        self.tables[t].buckets[bucket] = slot;
        self.tables[t].used += 1;
        (slot, None)
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<Removed<V>> {
        self.rehash_step();
        let slot = self.unlink(key)?;
        let last = (self.len - 1) as Slot;
        let mut moved = None;
        if slot != last {
            // The last node is about to move into `slot`: repoint whatever links to it.
            let hash = hash_bytes(self.key_at(last));
            self.relink(hash, last, slot);
            moved = Some((slot, self.mark_at(last)));
        }
        let last_node = self.pop_node()?;
        let node = if slot == last {
            last_node
        } else {
            std::mem::replace(self.node_mut(slot), last_node)
        };
        self.shrink_if_sparse();
        Some(Removed {
            key: node.key,
            value: node.value,
            mark: node.mark,
            moved,
        })
    }

    /// Detaches `key`'s node from its chain (leaving it in the slab) and returns its slot.
    fn unlink(&mut self, key: &[u8]) -> Option<Slot> {
        if self.len == 0 {
            return None;
        }
        let hash = hash_bytes(key);
        for t in 0..2 {
            if !self.tables[t].buckets.is_empty() {
                let bucket = self.tables[t].bucket_of(hash);
                let mut prev = NIL;
                let mut slot = self.tables[t].buckets[bucket];
                while slot != NIL {
                    let next = self.node(slot).next;
                    if self.node(slot).key.as_bytes() == key {
                        if prev == NIL {
                            self.tables[t].buckets[bucket] = next;
                        } else {
                            self.node_mut(prev).next = next;
                        }
                        self.tables[t].used -= 1;
                        return Some(slot);
                    }
                    prev = slot;
                    slot = next;
                }
            }
            if !self.is_rehashing() {
                break;
            }
        }
        None
    }

    /// Replaces the link to `from` (a node whose key hashes to `hash`) by a link to `to`.
    fn relink(&mut self, hash: u64, from: Slot, to: Slot) {
        for t in 0..2 {
            if self.tables[t].buckets.is_empty() {
                continue;
            }
            let bucket = self.tables[t].bucket_of(hash);
            if self.tables[t].buckets[bucket] == from {
                self.tables[t].buckets[bucket] = to;
                return;
            }
            let mut slot = self.tables[t].buckets[bucket];
            while slot != NIL {
                let next = self.node(slot).next;
                if next == from {
                    self.node_mut(slot).next = to;
                    return;
                }
                slot = next;
            }
        }
    }

    pub fn clear(&mut self) {
        *self = Dict::default();
    }

    // ----- resizing -----

    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let size = self.tables[0].buckets.len();
        if size == 0 {
            self.tables[0] = Table::with_size(INITIAL_SIZE);
        } else if self.tables[0].used >= size {
            self.resize_to(self.tables[0].used + 1);
        }
    }

    /// Redis's htNeedsResize + dictResize: shrinks a table that is less than 10% full.
    fn shrink_if_sparse(&mut self) {
        let size = self.tables[0].buckets.len();
        if !self.is_rehashing()
            && size > INITIAL_SIZE
            && self.tables[0].used * 100 / size < MIN_FILL_PERCENT
        {
            self.resize_to(self.tables[0].used.max(INITIAL_SIZE));
        }
    }

    /// Starts rehashing into a table of the smallest power of two >= `min_size` buckets.
    fn resize_to(&mut self, min_size: usize) {
        let size = min_size.max(INITIAL_SIZE).next_power_of_two();
        if size == self.tables[0].buckets.len() {
            return;
        }
        if self.tables[0].buckets.is_empty() || self.len == 0 {
            self.tables[0] = Table::with_size(size);
            return;
        }
        self.tables[1] = Table::with_size(size);
        self.rehash_index = Some(0);
    }

    /// One step of incremental rehashing: moves one non-empty bucket (looking at no more than
    /// ten empty ones), as Redis does on each table operation.
    #[inline]
    fn rehash_step(&mut self) {
        if self.rehash_index.is_some() {
            self.rehash(1);
        }
    }

    /// Moves up to `buckets` non-empty buckets to the new table; true if rehashing remains.
    pub fn rehash(&mut self, buckets: usize) -> bool {
        let Some(mut index) = self.rehash_index else {
            return false;
        };
        let mut empty_visits = buckets.saturating_mul(10);
        let mut remaining = buckets;
        while remaining > 0 && self.tables[0].used > 0 {
            while self.tables[0].buckets.get(index) == Some(&NIL) {
                index += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    self.rehash_index = Some(index);
                    return true;
                }
            }
            let Some(&head) = self.tables[0].buckets.get(index) else {
                break;
            };
            let mut slot = head;
            while slot != NIL {
                let next = self.node(slot).next;
                let bucket = self.tables[1].bucket_of(hash_bytes(self.key_at(slot)));
                self.node_mut(slot).next = self.tables[1].buckets[bucket];
                self.tables[1].buckets[bucket] = slot;
                self.tables[0].used -= 1;
                self.tables[1].used += 1;
                slot = next;
            }
            self.tables[0].buckets[index] = NIL;
            index += 1;
            remaining -= 1;
        }
        if self.tables[0].used == 0 {
            self.tables[0] = std::mem::take(&mut self.tables[1]);
            self.rehash_index = None;
            return false;
        }
        self.rehash_index = Some(index);
        true
    }

    /// Periodic upkeep (Redis's databasesCron): shrink if sparse and advance rehashing by up
    /// to `buckets` buckets.
    pub fn maintain(&mut self, buckets: usize) {
        self.shrink_if_sparse();
        self.rehash(buckets);
    }

    // ----- scanning -----

    /// Calls `visit` for the nodes of the buckets `cursor` designates and returns the next
    /// cursor (0 when the scan is complete). See the module documentation for the guarantee.
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(Slot)) -> u64 {
        if self.len == 0 {
            return 0;
        }
        let mut v = cursor;
        let mut visit_chain = |table: &Table, v: u64| {
            let mut slot = table.buckets[(v & table.mask()) as usize];
            while slot != NIL {
                visit(slot);
                slot = self.node(slot).next;
            }
        };
        if !self.is_rehashing() {
            let small = &self.tables[0];
            visit_chain(small, v);
            return next_cursor(v, small.mask());
        }
        let (small, large) = if self.tables[0].buckets.len() <= self.tables[1].buckets.len() {
            (&self.tables[0], &self.tables[1])
        } else {
            (&self.tables[1], &self.tables[0])
        };
        let (m0, m1) = (small.mask(), large.mask());
        visit_chain(small, v);
        // Then every bucket of the larger table that the small bucket expands to.
        loop {
            visit_chain(large, v);
            v = next_cursor(v, m1);
            if v & (m0 ^ m1) == 0 {
                break;
            }
        }
        v
    }
}

/// Increments the masked bits of `v` counting from the most significant one: the reverse-binary
/// iteration that visits every bucket of every table size in a compatible order.
fn next_cursor(v: u64, mask: u64) -> u64 {
    let v = v | !mask;
    v.reverse_bits().wrapping_add(1).reverse_bits()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn key(i: usize) -> Vec<u8> {
        format!("key:{i}").into_bytes()
    }

    fn check_consistent(d: &Dict<usize>) {
        let mut seen = 0;
        for (k, v) in d.iter() {
            assert_eq!(d.get(k), Some(v));
            seen += 1;
        }
        assert_eq!(seen, d.len());
        assert_eq!(d.tables[0].used + d.tables[1].used, d.len());
    }

    #[test]
    fn key_buffer_is_three_words() {
        assert_eq!(std::mem::size_of::<KeyBuf>(), 24);
        assert_eq!(KeyBuf::new(b"short").as_bytes(), b"short");
        let long = vec![7u8; 100];
        assert_eq!(KeyBuf::new(&long).as_bytes(), &long[..]);
        assert_eq!(KeyBuf::new(b"").as_bytes(), b"");
    }

    #[test]
    fn insert_find_remove_through_growth_and_shrink() {
        let mut d = Dict::new();
        for i in 0..10_000 {
            assert!(d.insert(&key(i), i).1.is_none());
        }
        assert_eq!(d.insert(&key(5), 55).1, Some(5));
        check_consistent(&d);
        for i in (0..10_000).filter(|i| i % 3 != 0) {
            assert_eq!(
                d.remove(&key(i)).map(|r| r.value),
                Some(if i == 5 { 55 } else { i })
            );
        }
        check_consistent(&d);
        for i in 0..10_000 {
            assert_eq!(d.get(&key(i)).is_some(), i % 3 == 0);
        }
        for i in (0..10_000).filter(|i| i % 3 == 0) {
            assert!(d.remove(&key(i)).is_some());
        }
        assert!(d.is_empty());
        // Like Redis's cron, upkeep finishes the rehash and shrinks the now empty table.
        for _ in 0..10 {
            d.maintain(100);
        }
        assert_eq!(d.bucket_counts(), (INITIAL_SIZE, 0));
    }

    #[test]
    fn moved_nodes_are_reported() {
        let mut d = Dict::new();
        for i in 0..100 {
            let (slot, _) = d.insert(&key(i), i);
            d.set_mark(slot, i as u32);
        }
        let removed = d.remove(&key(10)).unwrap();
        assert_eq!(removed.mark, 10);
        let (slot, mark) = removed.moved.unwrap();
        assert_eq!(mark, 99);
        assert_eq!(d.find(&key(99)), Some(slot));
        // Key 99 now sits in slot 10, and key 97 is last.
        assert!(d.remove(&key(99)).unwrap().moved.is_some());
        assert!(d.remove(&key(97)).unwrap().moved.is_none());
        assert_eq!(d.len(), 97);
        check_consistent(&d);
    }

    #[test]
    fn scan_without_changes_visits_each_key_once() {
        let mut d = Dict::new();
        for i in 0..1000 {
            d.insert(&key(i), i);
        }
        let mut seen = Vec::new();
        let mut cursor = 0;
        loop {
            cursor = d.scan(cursor, |s| seen.push(*d.value_at(s)));
            if cursor == 0 {
                break;
            }
        }
        seen.sort();
        assert_eq!(seen, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn scan_during_rehash_in_both_directions() {
        let mut d = Dict::new();
        for i in 0..64 {
            d.insert(&key(i), i);
        }
        // Start growing, scan a bit, then keep inserting so the rehash finishes mid-scan.
        d.insert(&key(1000), 1000);
        assert!(d.is_rehashing());
        let mut seen = HashSet::new();
        let mut cursor = d.scan(0, |s| {
            seen.insert(*d.value_at(s));
        });
        for i in 2000..2300 {
            d.insert(&key(i), i);
        }
        while cursor != 0 {
            cursor = d.scan(cursor, |s| {
                seen.insert(*d.value_at(s));
            });
        }
        for i in 0..64 {
            assert!(seen.contains(&i), "missed {i}");
        }
    }
}
