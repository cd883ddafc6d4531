//! How much memory the data set would take in Redis: the numbers behind `used_memory`, MEMORY
//! USAGE and `maxmemory` eviction.
//!
//! The engine does not measure its own heap (that would depend on the host, the Rust allocator
//! and wasm). It models what Redis 7.0 (64-bit, jemalloc) allocates for the same data:
//!
//! * every allocation is rounded up to a jemalloc size class ([`alloc_size`]);
//! * a key costs its hash table entry (24 bytes, a 32-byte jemalloc block), its name as an
//!   `sds` string (header sized by length, plus the terminating NUL) and its value;
//! * a value costs what Redis's `objectComputeSize` reports for it ([`value_size`]): for strings,
//!   a 16-byte object header plus the string (`int` values live in the header, `embstr` shares
//!   one allocation with it, `raw` strings have their own `sds`);
//! * the server itself costs its startup allocations, each connected client its buffers, and
//!   each command that has run its latency histogram.
//!
//! Each [`Db`](crate::db::Db) keeps the sum of its keys' footprints up to date as keys are
//! inserted, removed or re-measured after an in-place change, so the total is known in O(1)
//! per command; hash table bucket arrays are derived from key counts.

use crate::db::Key;
use crate::server::Server;
use crate::types::{SetValue, SortedSet, StringValue, Value};

/// Bytes a Redis server has allocated once started, before any client or key (its
/// `used_memory_startup`).
pub const STARTUP_BYTES: usize = 876_192;

/// Bytes a running server holds beyond startup, clients and keys (what a fresh Redis 7.0
/// reports in `used_memory` at its first command, less that client's buffers).
pub const RUNTIME_BYTES: usize = 40_888;

/// One command's latency histogram (INFO latencystats), allocated the first time the command
/// runs while `latency-tracking` is on: 3072 64-bit counters and a header.
pub const LATENCY_HISTOGRAM_BYTES: usize = 24_688;

/// An idle client connection: its structure plus query and reply buffers (`tot-mem` in
/// CLIENT LIST).
pub const CLIENT_BYTES: usize = 22_272;

/// `sizeof(robj)`, Redis's object header.
pub const OBJECT_HEADER: usize = 16;

/// `sizeof(dictEntry)`, which MEMORY USAGE counts per key.
pub const DICT_ENTRY: usize = 24;

/// What the allocator hands out for a dictEntry (jemalloc has no 24-byte class).
pub const DICT_ENTRY_ALLOC: usize = 32;

/// Default number of nested elements MEMORY USAGE samples.
pub const DEFAULT_SAMPLES: usize = 5;

/// The jemalloc size class `n` bytes are rounded up to (8, 16, 32, 48, ... 128, then four
/// classes per doubling: 160, 192, 224, 256, 320, ...).
pub fn alloc_size(n: usize) -> usize {
    if n <= 8 {
        return 8;
    }
    if n <= 128 {
        return n.div_ceil(16) * 16;
    }
    // For n in (2^k, 2^(k+1)], classes are spaced 2^(k-2) apart.
    let k = usize::BITS - (n - 1).leading_zeros() - 1;
    let step = 1usize << (k - 2);
    n.div_ceil(step).saturating_mul(step)
}

/// Header bytes of an sds string holding `len` bytes (sdshdr5/8/16/32/64).
fn sds_header(len: usize, allow_type5: bool) -> usize {
    match len {
        0..=31 if allow_type5 && len > 0 => 1,
        0..=255 => 3,
        256..=65_535 => 5,
        _ if (len as u64) < (1u64 << 32) => 9,
        _ => 17,
    }
}

/// The allocation of an sds string created with exactly `len` bytes (key names use the
/// compact type-5 header when short).
pub fn sds_alloc(len: usize, allow_type5: bool) -> usize {
    alloc_size(sds_header(len, allow_type5) + len + 1)
}

/// Reserves room in `buf` for `additional` more bytes the way Redis grows an sds string
/// (`sdsMakeRoomFor`): when it has to grow, to twice the needed length (plus 1 MB past 1 MB),
/// rounded up to what the allocator hands out. Keeping a string's capacity like this makes
/// its reported memory follow Redis's after APPEND, SETRANGE or SETBIT.
pub fn grow_like_sds(buf: &mut Vec<u8>, additional: usize) {
    const MAX_PREALLOC: usize = 1024 * 1024;
    let len = buf.len();
    if buf.capacity() - len >= additional {
        return;
    }
    let needed = len.saturating_add(additional);
    let target = if needed < MAX_PREALLOC {
        needed.saturating_mul(2)
    } else {
        needed.saturating_add(MAX_PREALLOC)
    };
    let header = sds_header(target, false);
    let usable = alloc_size(target.saturating_add(header + 1)).saturating_sub(header + 1);
    buf.reserve_exact(usable.saturating_sub(len));
}

/// A key name as stored in the keyspace.
pub fn key_size(key: &[u8]) -> usize {
    sds_alloc(key.len(), true)
}

/// Redis's `objectComputeSize`: the bytes of a value, sampling at most `samples` nested
/// elements of aggregates (0 means all).
pub fn value_size(value: &Value, samples: usize) -> usize {
    match value {
        Value::String(s) => string_size(s),
        Value::List(l) => l.memory_size(samples),
        Value::Hash(h) => h.memory_size(samples),
        Value::Set(s) => set_size(s, samples),
        Value::ZSet(z) => zset_size(z, samples),
        // Node allocations depend on stream-node-max-bytes; the default is assumed.
        Value::Stream(s) => s.memory_size(samples, 4096),
    }
}

/// `sizeof(dict)` in Redis 7.0.
const DICT: usize = 56;

/// A hash table's header and bucket array, plus `len` elements estimated from the average of
/// the sampled ones (all when `samples` is 0), as objectComputeSize does.
fn table_size(len: usize, sampled: impl Iterator<Item = usize>, samples: usize) -> usize {
    let limit = if samples == 0 { usize::MAX } else { samples };
    let (mut total, mut count) = (0usize, 0usize);
    for size in sampled.take(limit) {
        total += size;
        count += 1;
    }
    let elements = if count == 0 {
        0
    } else {
        (total as f64 / count as f64 * len as f64) as usize
    };
    DICT + 8 * table_slots(len) + elements
}

fn set_size(set: &SetValue, samples: usize) -> usize {
    match set {
        SetValue::IntSet(ints) => {
            OBJECT_HEADER + alloc_size(8 + ints.width() * ints.values().len())
        }
        SetValue::Table(table) => {
            let members = table.iter().map(|m| DICT_ENTRY + sds_alloc(m.len(), true));
            OBJECT_HEADER + table_size(table.len(), members, samples)
        }
    }
}

fn zset_size(zset: &SortedSet, samples: usize) -> usize {
    if zset.is_listpack() {
        return OBJECT_HEADER + alloc_size(zset_listpack_bytes(zset));
    }
    // zset, zskiplist, then the skiplist header node with its 32 levels.
    let fixed = 16 + 32 + alloc_size(24 + 16 * 32);
    let nodes = zset
        .node_shapes()
        .map(|(len, level)| sds_alloc(len, true) + DICT_ENTRY + alloc_size(24 + 16 * level));
    OBJECT_HEADER + fixed + table_size(zset.len(), nodes, samples)
}

/// The bytes of the listpack Redis would hold for a small sorted set: header (total bytes,
/// element count), member and score entries, end marker.
pub fn zset_listpack_bytes(zset: &SortedSet) -> usize {
    let entries: usize = zset
        .iter()
        .map(|(member, score)| listpack_entry(member) + listpack_score_entry(score))
        .sum();
    6 + entries + 1
}

/// Bytes of a listpack entry holding `bytes` (integers in canonical form are stored as such).
fn listpack_entry(bytes: &[u8]) -> usize {
    match crate::util::parse_i64(bytes) {
        Some(n) => listpack_int_entry(n),
        None => {
            let len = bytes.len();
            let encoded = len
                + match len {
                    0..=63 => 1,
                    64..=4095 => 2,
                    _ => 5,
                };
            encoded + listpack_backlen(encoded)
        }
    }
}

fn listpack_int_entry(n: i64) -> usize {
    let encoded = match n {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    };
    encoded + listpack_backlen(encoded)
}

/// A score entry: an integer when the score is integral (within ±2^62), its `%.17g` text
/// otherwise.
fn listpack_score_entry(score: f64) -> usize {
    const HALF_RANGE: f64 = (i64::MAX / 2) as f64;
    if score.is_finite() && score.fract() == 0.0 && score.abs() <= HALF_RANGE {
        listpack_int_entry(score as i64)
    } else {
        listpack_entry(crate::resp::format_double(score).as_bytes())
    }
}

fn listpack_backlen(encoded: usize) -> usize {
    match encoded {
        0..=127 => 1,
        128..=16_382 => 2,
        16_383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

fn string_size(s: &StringValue) -> usize {
    match s {
        StringValue::Int(_) => OBJECT_HEADER,
        // One allocation: header, sdshdr8, bytes and NUL.
        _ if s.is_embstr() => alloc_size(OBJECT_HEADER + 3 + s.len() + 1),
        // Strings grown in place keep their spare room, as sds strings do. A string created
        // at its exact size keeps the compact header short sds strings start with.
        _ => {
            let room = s.capacity();
            let exact = room == s.len();
            alloc_size(sds_header(room, exact) + room + 1) + OBJECT_HEADER
        }
    }
}

/// What MEMORY USAGE reports for a key: value, key name and its hash table entry.
pub fn usage(key: &[u8], value: &Value, samples: usize) -> usize {
    value_size(value, samples) + key_size(key) + DICT_ENTRY
}

/// The bytes a key adds to `used_memory`: hash table entry block, key name and value.
pub fn footprint(key: &[u8], value: &Value) -> usize {
    DICT_ENTRY_ALLOC + key_size(key) + value_size(value, DEFAULT_SAMPLES)
}

/// Slots of a Redis hash table holding `len` entries (a power of two, at least 4).
pub fn table_slots(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        len.next_power_of_two().max(4)
    }
}

/// Bucket arrays of a database's key and expiry tables, plus the expiry entries.
pub fn db_overhead(keys: usize, volatile: usize) -> usize {
    (table_slots(keys) + table_slots(volatile)) * 8 + volatile * DICT_ENTRY_ALLOC
}

/// Memory bookkeeping the server keeps between commands.
#[derive(Debug, Default)]
pub struct MemoryState {
    /// Highest `used_memory` seen.
    pub peak: usize,
    /// Connected clients that count in `used_memory` (all but internal ones), kept up to date
    /// as clients connect and disconnect.
    pub(crate) counted_clients: usize,
    /// Keys looked up for writing during the current command, re-measured after it: the
    /// first `touched_len` entries. The buffers are reused from command to command.
    touched: Vec<Touched>,
    touched_len: usize,
    /// What `used_memory` depended on when the peak was last brought up to date: the
    /// keyspace growth count and the numbers of clients and latency histograms. While they
    /// stay the same, used memory cannot have grown past the peak.
    peak_checked_at: Option<(u64, usize, usize)>,
}

thread_local! {
    /// Counts changes that may make any database's modelled memory grow (see
    /// `note_keyspace_growth`). Shared by the servers of a thread: another server's growth
    /// only makes a server check its peak once more than needed.
    static KEYSPACE_GROWTH: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Records that a database's modelled memory may have grown (a key stored or re-measured,
/// an expiry added), so the memory peak is checked after the command.
pub(crate) fn note_keyspace_growth() {
    KEYSPACE_GROWTH.with(|g| g.set(g.get().wrapping_add(1)));
}

/// A key written by the current command, and where it was found.
#[derive(Debug)]
struct Touched {
    db: usize,
    key: Key,
    slot: crate::dict::Slot,
}

/// Key buffers kept for reuse, and the longest key they keep room for.
const TOUCHED_KEEP: usize = 64;
const TOUCHED_KEEP_CAPACITY: usize = 256;

impl Server {
    /// Notes that a key may change in place, so its footprint is re-measured after the
    /// command.
    pub(crate) fn note_write(&mut self, db: usize, key: &[u8]) {
        self.note_write_at(db, key, crate::dict::NIL);
    }

    /// `note_write` for a key just found at `slot` (which saves looking it up again).
    pub(crate) fn note_write_at(&mut self, db: usize, key: &[u8], slot: crate::dict::Slot) {
        let m = &mut self.memory;
        let noted = &m.touched[..m.touched_len];
        // Commands often look the same key up more than once (SET's checks, then its write).
        if noted.last().is_some_and(|t| t.db == db && t.key == key) {
            return;
        }
        match m.touched.get_mut(m.touched_len) {
            Some(t) => {
                t.db = db;
                t.key.clear();
                t.key.extend_from_slice(key);
                t.slot = slot;
            }
            None => m.touched.push(Touched {
                db,
                key: key.to_vec(),
                slot,
            }),
        }
        m.touched_len += 1;
    }

    /// Re-measures the keys written by the last command and updates the memory peak.
    pub(crate) fn settle_memory(&mut self) {
        if self.memory.touched_len > 0 {
            self.remeasure_touched();
        }
        let inputs = (
            KEYSPACE_GROWTH.with(|g| g.get()),
            self.memory.counted_clients,
            self.monitor.histogram_count(),
        );
        if self.memory.peak_checked_at != Some(inputs) {
            let used = self.used_memory();
            self.memory.peak = self.memory.peak.max(used);
            self.memory.peak_checked_at = Some(inputs);
        }
    }

    fn remeasure_touched(&mut self) {
        let mut touched = std::mem::take(&mut self.memory.touched);
        let len = std::mem::take(&mut self.memory.touched_len);
        for t in touched.iter_mut().take(len) {
            if let Some(d) = self.dbs.get_mut(t.db) {
                d.remeasure_hinted(&t.key, t.slot);
            }
            if t.key.capacity() > TOUCHED_KEEP_CAPACITY {
                t.key = Vec::new();
            }
        }
        touched.truncate(TOUCHED_KEEP);
        self.memory.touched = touched;
    }
}

/// Redis's `bytesToHuman` (`941.41K`, `1.13M`, `0B`).
pub fn human_bytes(n: u64) -> String {
    const K: f64 = 1024.0;
    let d = n as f64;
    if n < 1024 {
        format!("{n}B")
    } else if d < K * K {
        format!("{:.2}K", d / K)
    } else if d < K * K * K {
        format!("{:.2}M", d / (K * K))
    } else if d < K * K * K * K {
        format!("{:.2}G", d / (K * K * K))
    } else if d < K * K * K * K * K {
        format!("{:.2}T", d / (K * K * K * K))
    } else if d < K * K * K * K * K * K {
        format!("{:.2}P", d / (K * K * K * K * K))
    } else {
        format!("{n}B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> Value {
        Value::String(StringValue::new(s.as_bytes().to_vec()))
    }

    #[test]
    fn size_classes_are_jemallocs() {
        let cases = [
            (1, 8),
            (9, 16),
            (17, 32),
            (33, 48),
            (129, 160),
            (160, 160),
            (161, 192),
            (257, 320),
            (70_010, 81_920),
        ];
        for (n, class) in cases {
            assert_eq!(alloc_size(n), class, "{n}");
        }
    }

    #[test]
    fn memory_usage_matches_redis_for_strings() {
        // Values measured with MEMORY USAGE on Redis 7.0 (key "k" unless noted).
        let cases: &[(&[u8], &str, usize)] = &[
            (b"k", "", 64),
            (b"k", "aaaaaaaaaaaa", 64),
            (b"k", "aaaaaaaaaaaaa", 80),
            (b"k", &"a".repeat(44), 96),
            (b"k", &"a".repeat(45), 112),
            (b"k", &"a".repeat(200), 272),
            (b"k", &"a".repeat(300), 368),
            (b"k", &"a".repeat(70_000), 81_968),
            (b"k", "123456789", 48),
            (b"bbbbbbbbbb", "x", 72),
            (&[b'b'; 31], "x", 104),
            (&[b'b'; 32], "x", 104),
            (&[b'b'; 100], "x", 168),
        ];
        for (key, value, want) in cases {
            assert_eq!(
                usage(key, &string(value), DEFAULT_SAMPLES),
                *want,
                "key len {} value len {}",
                key.len(),
                value.len()
            );
        }
    }

    #[test]
    fn growth_follows_sds() {
        // "aaa", then APPEND "b" then 60 more bytes: Redis reports 64, then 208.
        let mut data = b"aaa".to_vec();
        grow_like_sds(&mut data, 1);
        data.push(b'b');
        let value = |d: &Vec<u8>| Value::String(StringValue::raw(d.clone()));
        let mut v = value(&data);
        if let Value::String(StringValue::Bytes { data: d, .. }) = &mut v {
            d.reserve_exact(data.capacity() - d.len());
        }
        assert_eq!(usage(b"k", &v, DEFAULT_SAMPLES), 64);
        grow_like_sds(&mut data, 60);
        data.extend_from_slice(&[b'c'; 60]);
        let mut v = value(&data);
        if let Value::String(StringValue::Bytes { data: d, .. }) = &mut v {
            d.reserve_exact(data.capacity() - d.len());
        }
        assert_eq!(usage(b"k", &v, DEFAULT_SAMPLES), 208);
        // SETBIT on a new key creates 13 exact bytes.
        assert_eq!(usage(b"b", &value(&vec![0; 13]), DEFAULT_SAMPLES), 64);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(0), "0B");
        assert_eq!(human_bytes(964_008), "941.41K");
        assert_eq!(human_bytes(1_187_880), "1.13M");
    }
}
