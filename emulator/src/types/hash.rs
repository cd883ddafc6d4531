//! Hash values with Redis's two encodings: `listpack` (field/value pairs in insertion order,
//! searched linearly, for small hashes) and `hashtable`. A hash converts to a hash table when
//! it gets more than `hash-max-listpack-entries` fields or a field or value longer than
//! `hash-max-listpack-value` bytes, and never converts back.

use super::listpack::{entry_bytes, EMPTY_BYTES};
use crate::dict::Dict;

/// Redis refuses to grow a listpack past 1 GB (LISTPACK_MAX_SAFETY_SIZE).
const LISTPACK_MAX_SAFETY_SIZE: usize = 1 << 30;
/// `sizeof(dict)` in Redis 7.0.
const DICT_STRUCT: usize = 56;

/// The configured conversion thresholds.
#[derive(Clone, Copy, Debug)]
pub struct HashLimits {
    pub max_listpack_entries: usize,
    pub max_listpack_value: usize,
}

/// A small hash: pairs in insertion order, with the size of the listpack Redis would hold.
#[derive(Clone, Debug, Default)]
pub struct ListpackHash {
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
    bytes: usize,
}

impl ListpackHash {
    fn position(&self, field: &[u8]) -> Option<usize> {
        self.pairs.iter().position(|(f, _)| f[..] == *field)
    }
}

#[derive(Clone, Debug)]
pub enum HashValue {
    Listpack(ListpackHash),
    Table(Dict<Vec<u8>>),
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue::new()
    }
}

impl HashValue {
    /// An empty hash, listpack-encoded as Redis creates them.
    pub fn new() -> HashValue {
        HashValue::Listpack(ListpackHash {
            pairs: Vec::new(),
            bytes: EMPTY_BYTES,
        })
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            HashValue::Listpack(_) => "listpack",
            HashValue::Table(_) => "hashtable",
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self, HashValue::Listpack(_))
    }

    pub fn len(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.pairs.len(),
            HashValue::Table(table) => table.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            HashValue::Listpack(lp) => lp
                .position(field)
                .and_then(|i| lp.pairs.get(i))
                .map(|(_, v)| &v[..]),
            HashValue::Table(table) => table.get(field).map(|v| &v[..]),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Redis's hashTypeTryConversion, run before a write with the lengths of every field and
    /// value it brings: converts if one is too long for a listpack, or if the listpack could
    /// grow past its safety limit.
    pub fn prepare_for<'a>(
        &mut self,
        arguments: impl Iterator<Item = &'a [u8]>,
        limits: HashLimits,
    ) {
        let Some(bytes) = self.listpack_bytes() else {
            return;
        };
        let mut sum = 0usize;
        for argument in arguments {
            if argument.len() > limits.max_listpack_value {
                self.convert();
                return;
            }
            sum = sum.saturating_add(argument.len());
        }
        if bytes.saturating_add(sum) > LISTPACK_MAX_SAFETY_SIZE {
            self.convert();
        }
    }

    /// Sets a field (Redis's hashTypeSet); true if it already existed and was updated.
    pub fn set(&mut self, field: &[u8], value: Vec<u8>, limits: HashLimits) -> bool {
        if let HashValue::Listpack(_) = self {
            if field.len() > limits.max_listpack_value || value.len() > limits.max_listpack_value {
                self.convert();
            }
        }
        match self {
            HashValue::Listpack(lp) => {
                let updated = match lp.position(field) {
                    Some(i) => {
                        if let Some((_, old)) = lp.pairs.get_mut(i) {
                            lp.bytes = lp.bytes - entry_bytes(old) + entry_bytes(&value);
                            *old = value;
                        }
                        true
                    }
                    None => {
                        lp.bytes += entry_bytes(field) + entry_bytes(&value);
                        lp.pairs.push((field.to_vec(), value));
                        false
                    }
                };
                if lp.pairs.len() > limits.max_listpack_entries {
                    self.convert();
                }
                updated
            }
            HashValue::Table(table) => table.insert(field, value).1.is_some(),
        }
    }

    /// Deletes a field; true if it existed.
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match self {
            HashValue::Listpack(lp) => match lp.position(field) {
                Some(i) => {
                    let (f, v) = lp.pairs.remove(i);
                    lp.bytes -= entry_bytes(&f) + entry_bytes(&v);
                    true
                }
                None => false,
            },
            HashValue::Table(table) => table.remove(field).is_some(),
        }
    }

    /// Turns a listpack hash into a hash table (never the other way, as in Redis).
    /// Converts a listpack hash to a hash table (Redis's hashTypeConvert).
    pub fn convert_to_table(&mut self) {
        self.convert();
    }

    fn convert(&mut self) {
        if let HashValue::Listpack(lp) = self {
            let mut table = Dict::new();
            for (field, value) in std::mem::take(&mut lp.pairs) {
                table.insert(&field, value);
            }
            // Redis sizes the new table for every field up front: no rehash is left running.
            while table.rehash(usize::MAX) {}
            *self = HashValue::Table(table);
        }
    }

    /// Fields and values: in insertion order for a listpack, in table order otherwise.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&[u8], &[u8])> + '_> {
        match self {
            HashValue::Listpack(lp) => Box::new(lp.pairs.iter().map(|(f, v)| (&f[..], &v[..]))),
            HashValue::Table(table) => Box::new(table.iter().map(|(f, v)| (f, &v[..]))),
        }
    }

    /// A uniformly chosen field and its value, given any random number.
    pub fn random_pair(&self, random: u64) -> Option<(&[u8], &[u8])> {
        match self {
            HashValue::Listpack(lp) => {
                let len = lp.pairs.len() as u64;
                if len == 0 {
                    return None;
                }
                lp.pairs
                    .get((random % len) as usize)
                    .map(|(f, v)| (&f[..], &v[..]))
            }
            HashValue::Table(table) => {
                let slot = table.random_slot(random)?;
                Some((table.key_at(slot), &table.value_at(slot)[..]))
            }
        }
    }

    /// One HSCAN step over a hash table: visits the fields of the buckets `cursor` designates,
    /// for up to `max_steps` buckets or until `wanted` fields were seen, and returns the next
    /// cursor. A listpack is visited whole and the cursor is 0.
    pub fn scan(
        &self,
        cursor: u64,
        wanted: usize,
        max_steps: usize,
        mut visit: impl FnMut(&[u8], &[u8]),
    ) -> u64 {
        match self {
            HashValue::Listpack(lp) => {
                for (f, v) in &lp.pairs {
                    visit(f, v);
                }
                0
            }
            HashValue::Table(table) => {
                let mut cursor = cursor;
                let mut seen = 0usize;
                let mut steps_left = max_steps;
                loop {
                    cursor = table.scan(cursor, |slot| {
                        visit(table.key_at(slot), table.value_at(slot));
                        seen += 1;
                    });
                    if cursor == 0 || steps_left == 0 || seen >= wanted {
                        break;
                    }
                    steps_left -= 1;
                }
                cursor
            }
        }
    }

    /// Bytes of the listpack Redis would hold, for a listpack hash.
    pub fn listpack_bytes(&self) -> Option<usize> {
        match self {
            HashValue::Listpack(lp) => Some(lp.bytes),
            HashValue::Table(_) => None,
        }
    }

    /// Redis's objectComputeSize for a hash: the listpack allocation, or the table's
    /// buckets plus the average of the first `samples` entries (all when 0) times the count.
    pub fn memory_size(&self, samples: usize) -> usize {
        use crate::memory::{alloc_size, sds_alloc, DICT_ENTRY, OBJECT_HEADER};
        match self {
            HashValue::Listpack(lp) => OBJECT_HEADER + alloc_size(lp.bytes),
            HashValue::Table(table) => {
                let (first, second) = table.bucket_counts();
                let limit = if samples == 0 { usize::MAX } else { samples };
                let (mut sampled, mut total) = (0usize, 0usize);
                for (field, value) in table.iter().take(limit) {
                    total += sds_alloc(field.len(), true) + sds_alloc(value.len(), true);
                    total += DICT_ENTRY;
                    sampled += 1;
                }
                let header = OBJECT_HEADER + DICT_STRUCT + 8 * (first + second);
                if sampled == 0 {
                    return header;
                }
                // Redis adds the estimate to the size as a double, then truncates the sum.
                (header as f64 + total as f64 / sampled as f64 * table.len() as f64) as usize
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: HashLimits = HashLimits {
        max_listpack_entries: 3,
        max_listpack_value: 8,
    };

    #[test]
    fn listpack_keeps_insertion_order_and_converts_on_size() {
        let mut hash = HashValue::new();
        assert!(!hash.set(b"b", b"1".to_vec(), LIMITS));
        assert!(!hash.set(b"a", b"2".to_vec(), LIMITS));
        assert!(hash.set(b"b", b"3".to_vec(), LIMITS));
        let fields: Vec<&[u8]> = hash.iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec![&b"b"[..], b"a"]);
        assert_eq!(hash.encoding(), "listpack");
        assert_eq!(hash.listpack_bytes(), Some(7 + 2 * 2 + 3 * 2));
        hash.set(b"c", b"4".to_vec(), LIMITS);
        assert_eq!(hash.encoding(), "listpack");
        hash.set(b"d", b"5".to_vec(), LIMITS);
        assert_eq!(hash.encoding(), "hashtable");
        assert_eq!(hash.get(b"b"), Some(&b"3"[..]));
        assert!(hash.delete(b"b"));
        assert_eq!(hash.len(), 3);
        assert_eq!(hash.encoding(), "hashtable");
    }

    #[test]
    fn long_values_convert() {
        let mut hash = HashValue::new();
        hash.set(b"f", b"123456789".to_vec(), LIMITS);
        assert_eq!(hash.encoding(), "hashtable");
        let mut hash = HashValue::new();
        hash.prepare_for([&b"short"[..], b"far too long"].into_iter(), LIMITS);
        assert_eq!(hash.encoding(), "hashtable");
    }
}
