//! Server configuration (CONFIG GET/SET).

/// The configuration parameters the engine acts on.
#[derive(Clone, Debug)]
pub struct Config {
    pub databases: usize,
    pub requirepass: Option<Vec<u8>>,
    /// Bytes; 0 means no limit.
    pub maxmemory: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            databases: 16,
            requirepass: None,
            maxmemory: 0,
        }
    }
}
