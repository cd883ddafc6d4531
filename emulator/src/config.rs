//! Server configuration (CONFIG GET/SET).

/// The configuration parameters the engine acts on.
#[derive(Clone, Debug)]
pub struct Config {
    pub databases: usize,
    pub requirepass: Option<Vec<u8>>,
    /// Bytes; 0 means no limit.
    pub maxmemory: u64,
    pub set_max_intset_entries: i64,
    pub zset_max_listpack_entries: i64,
    pub zset_max_listpack_value: i64,
    pub hll_sparse_max_bytes: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            databases: 16,
            requirepass: None,
            maxmemory: 0,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            hll_sparse_max_bytes: 3000,
        }
    }
}
