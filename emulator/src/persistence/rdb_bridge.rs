//! Where the AOF and the server's lifecycle meet the RDB format: the base file of a rewrite
//! with `aof-use-rdb-preamble yes`, an RDB base read back, the snapshot loaded at start and
//! the one saved at shutdown.

use super::rdb::{self, EncodeOptions, LoadLimits, LoadOptions};
use crate::server::Server;

/// The dataset as an RDB file marked `aof-base`, for an AOF base.
pub(crate) fn encode_for_aof(server: &mut Server, now: u64) -> Result<Vec<u8>, String> {
    let mut options = EncodeOptions::for_server(server, now);
    options.aof_base = true;
    Ok(rdb::encode_with(server, &options))
}

/// Loads an RDB found at the start of an AOF file, keeping keys whose expiry passed (later
/// commands may refer to them); returns the bytes it took.
pub(crate) fn load_for_aof(server: &mut Server, bytes: &[u8], now: u64) -> Result<usize, String> {
    let limits = LoadLimits::from_config(&server.config);
    let data = rdb::decode_with(bytes, &limits).map_err(|e| e.to_string())?;
    let aof_base = data.aux_field("aof-base") == Some(b"1".as_slice());
    let consumed = data.bytes;
    let summary = server
        .load_dataset_with(
            data,
            LoadOptions {
                drop_expired: false,
                ..LoadOptions::default()
            },
        )
        .map_err(|e| e.to_string())?;
    let mut lines = summary.log_lines(now);
    if aof_base {
        // Redis logs this right after the file's memory usage, before the key counts.
        let at = lines.len().saturating_sub(1);
        lines.insert(at, "RDB is base AOF".into());
    }
    for line in lines {
        server.log_notice(line);
    }
    Ok(consumed)
}

/// Loads `dbfilename` at start when the AOF is off (Redis's loadDataFromDisk).
pub(crate) fn load_rdb_on_start(server: &mut Server, now: u64) -> Result<(), String> {
    let started = (server.micros)();
    match server.load_from_disk() {
        Ok(None) => Ok(()),
        Ok(Some(summary)) => {
            for line in summary.log_lines(now) {
                server.log_notice(line);
            }
            let seconds = (server.micros)().saturating_sub(started) as f64 / 1_000_000.0;
            server.log_notice(format!("DB loaded from disk: {seconds:.3} seconds"));
            Ok(())
        }
        Err(e) => Err(format!("Fatal error loading the DB: {e}. Exiting.")),
    }
}

/// SAVE at shutdown.
pub(crate) fn save_rdb(server: &mut Server, now: u64) -> Result<(), String> {
    match server.save_snapshot(now) {
        Ok(_) => {
            server.log_notice("DB saved on disk".into());
            Ok(())
        }
        Err(e) => Err(format!(
            "Failed opening the temp RDB file temp-shutdown.rdb (in server root dir /): {e}"
        )),
    }
}
