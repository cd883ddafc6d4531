//! The fuzz targets: functions from arbitrary bytes that must never panic, hang or disagree
//! with themselves. `fuzz/` hands them to libFuzzer (`scripts/fuzz.sh`); `tests/corpus.rs`
//! replays every input kept in `fuzz/corpus/` and `fuzz/regressions/` under `cargo test`.
//!
//! | target | what it exercises |
//! | --- | --- |
//! | `request_parser` | redis-emu's RESP and inline request parser, fed in pieces |
//! | `cli_split` | redis-cli's line splitter (every console keystroke) and its quoting |
//! | `restore_payload` | RESTORE of a DUMP payload, then reads, writes and an RDB reload |
//! | `rdb_load` | loading `dump.rdb` at startup, then saving and reloading it |
//! | `aof_load` | loading the multi-part AOF (manifest, base and incremental files) |
//! | `commands` | random commands over a small keyspace holding every type |

mod commands;
mod persistence;
mod protocol;

pub use commands::commands;
pub use persistence::{aof_load, rdb_load, restore_payload};
pub use protocol::{cli_split, request_parser};

/// The targets by name, for the corpus replay and for tools.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("request_parser", request_parser),
    ("cli_split", cli_split),
    ("restore_payload", restore_payload),
    ("rdb_load", rdb_load),
    ("aof_load", aof_load),
    ("commands", commands),
];

/// The host time every target runs at: fixed, so a failure reproduces.
pub(crate) const T0: u64 = 1_700_000_000_000;

/// Splits a command line on spaces (for the fixed commands the targets run).
pub(crate) fn words(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}
