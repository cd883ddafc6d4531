//! Where the AOF and the server's lifecycle meet the RDB format: the base file of a rewrite
//! with `aof-use-rdb-preamble yes`, an RDB base read back, the snapshot loaded at start and
//! the one saved at shutdown.

use crate::server::Server;

const UNAVAILABLE: &str = "RDB format not available";

/// The dataset as an RDB file, for an AOF base.
pub(crate) fn encode_for_aof(_server: &mut Server, _now: u64) -> Result<Vec<u8>, String> {
    Err(UNAVAILABLE.into())
}

/// Loads an RDB found at the start of an AOF file; returns the bytes it took.
pub(crate) fn load_for_aof(
    _server: &mut Server,
    _bytes: &[u8],
    _now: u64,
) -> Result<usize, String> {
    Err(UNAVAILABLE.into())
}

/// Loads `dbfilename` at start when the AOF is off.
pub(crate) fn load_rdb_on_start(_server: &mut Server, _now: u64) -> Result<(), String> {
    Ok(())
}

/// SAVE at shutdown.
pub(crate) fn save_rdb(_server: &mut Server, _now: u64) -> Result<(), String> {
    Err(UNAVAILABLE.into())
}
