//! The values stored under keys.

pub mod hash;
pub mod hll;
pub mod list;
pub mod listpack;
pub mod random;
pub mod set;
pub mod skiplist;
pub mod string;
pub mod zset;

pub use hash::HashValue;
pub use list::ListValue;
pub use set::SetValue;
pub use string::StringValue;
pub use zset::SortedSet;

/// A key's value.
#[derive(Clone, Debug)]
pub enum Value {
    String(StringValue),
    List(ListValue),
    Hash(HashValue),
    Set(SetValue),
    ZSet(SortedSet),
}

impl Value {
    /// The name TYPE reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// The encoding OBJECT ENCODING reports (Redis 7.0 names).
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::String(s) => s.encoding(),
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
        }
    }
}

/// A stored key's value plus the bookkeeping eviction and OBJECT need.
#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Value,
    /// Last access time in engine milliseconds (for OBJECT IDLETIME and LRU eviction).
    pub last_access_ms: u64,
    /// Redis's logarithmic access counter (for OBJECT FREQ and LFU eviction).
    pub lfu_counter: u8,
    /// Modelled memory footprint, kept by the `Db` holding the entry (see `memory.rs`).
    pub mem: usize,
}

impl Entry {
    pub fn new(value: Value, now_ms: u64) -> Entry {
        // Redis starts new keys at LFU_INIT_VAL so they are not evicted at once.
        Entry {
            value,
            last_access_ms: now_ms,
            lfu_counter: 5,
            mem: 0,
        }
    }
}
