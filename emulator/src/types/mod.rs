//! The values stored under keys.

pub mod geohash;
pub mod hash;
pub mod hll;
pub mod list;
pub mod listpack;
pub mod random;
pub mod set;
pub mod skiplist;
pub mod stream;
pub mod string;
pub mod zset;

pub use hash::HashValue;
pub use list::ListValue;
pub use set::SetValue;
pub use stream::Stream;
pub use string::StringValue;
pub use zset::SortedSet;

/// A key's value.
///
/// Every key holds one, so it is kept to 32 bytes (see the test below): strings live in
/// place, aggregates behind a `Box` (as Redis keeps every value behind an object pointer).
#[derive(Clone, Debug)]
pub enum Value {
    String(StringValue),
    List(Box<ListValue>),
    Hash(Box<HashValue>),
    Set(Box<SetValue>),
    ZSet(Box<SortedSet>),
    Stream(Box<Stream>),
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
            Value::Stream(_) => "stream",
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
            Value::Stream(s) => s.encoding(),
        }
    }
}

/// A stored key's value plus the bookkeeping eviction and OBJECT need.
///
/// Kept to 48 bytes (a 32-byte value and 16 bytes of bookkeeping): one is stored per key.
#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Value,
    /// Last access time in engine milliseconds (for OBJECT IDLETIME and LRU eviction).
    pub last_access_ms: u64,
    /// Modelled memory footprint, kept by the `Db` holding the entry (see `memory.rs`);
    /// `u32::MAX` stands for "this much or more" (the `Db` then measures the value itself).
    pub mem: u32,
    /// Redis's logarithmic access counter (for OBJECT FREQ and LFU eviction).
    pub lfu_counter: u8,
}

impl Entry {
    pub fn new(value: Value, now_ms: u64) -> Entry {
        // Redis starts new keys at LFU_INIT_VAL so they are not evicted at once.
        Entry {
            value,
            last_access_ms: now_ms,
            mem: 0,
            lfu_counter: 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key holds one entry: a variant that makes `Value` bigger than 32 bytes costs
    /// every key in the database (large values belong behind a `Box`).
    #[test]
    fn entries_stay_small() {
        assert_eq!(std::mem::size_of::<Value>(), 32);
        assert_eq!(std::mem::size_of::<Entry>(), 48);
    }
}
