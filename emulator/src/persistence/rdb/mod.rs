//! RDB, Redis's snapshot format, as Redis 7.0 writes it (version 10) and reads it (versions 1
//! to 10).
//!
//! A file is the magic `REDIS0010`, auxiliary fields (`redis-ver`, `ctime`...), the function
//! libraries, then per non-empty database a SELECTDB and a RESIZEDB record followed by its
//! keys (each optionally preceded by its expiry and its LRU idle time or LFU counter), an EOF
//! byte and a CRC-64 of everything before it. Values are saved in the encoding their object
//! has in memory (a small hash as its listpack, a large one field by field), so that loading
//! is fast; the loader also accepts every older encoding (ziplists, zipmaps, quicklists of
//! ziplists, sorted sets with textual scores).
//!
//! DUMP payloads reuse the value format: the type byte and the value, the RDB version (2
//! bytes) and a CRC-64 (8 bytes), all little-endian.
//!
//! Streams (RDB types 15 and 19) are read and written in `stream.rs`.

mod decode;
mod encode;
mod legacy;
mod listpack;
mod load;
mod read;
mod stream;
mod write;

use std::fmt;

use crate::config::Config;
use crate::types::Value;

pub use decode::{decode, decode_value, decode_with};
pub use encode::{encode, encode_value, encode_with, EncodeOptions};
pub use load::{LoadOptions, LoadSummary};

/// The `redis-ver` written in files.
pub const REDIS_VERSION: &str = "7.0.15";

/// The format version Redis 7.0 writes.
pub const RDB_VERSION: u16 = 10;

/// Value types (the byte before a key).
pub(crate) mod kind {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
}

/// Records other than keys (the byte where a value type would be).
pub(crate) mod opcode {
    pub const FUNCTION2: u8 = 245;
    pub const FUNCTION: u8 = 246;
    pub const MODULE_AUX: u8 = 247;
    pub const IDLE: u8 = 248;
    pub const FREQ: u8 = 249;
    pub const AUX: u8 = 250;
    pub const RESIZEDB: u8 = 251;
    pub const EXPIRETIME_MS: u8 = 252;
    pub const EXPIRETIME: u8 = 253;
    pub const SELECTDB: u8 = 254;
    pub const EOF: u8 = 255;
}

/// Why a file or payload cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RdbError {
    /// The data ends before the format says it does.
    UnexpectedEof,
    /// The file does not start with `REDIS`.
    WrongSignature,
    /// A version this loader does not know (newer than 10, or 0).
    UnsupportedVersion(u32),
    /// The CRC-64 at the end does not match the content.
    WrongChecksum { expected: u64, found: u64 },
    /// A byte that is neither a known value type nor an opcode.
    UnknownType(u8),
    /// A SELECTDB beyond the configured number of databases.
    TooManyDatabases(u64),
    /// Module values and module auxiliary data: no modules are loaded here.
    ModuleNotSupported,
    /// A function library that does not load.
    Function(String),
    /// Inconsistent content (what Redis reports as a corrupt RDB).
    Corrupt(String),
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RdbError::UnexpectedEof => f.write_str("Unexpected EOF reading RDB file"),
            RdbError::WrongSignature => f.write_str("Wrong signature trying to load DB from file"),
            RdbError::UnsupportedVersion(v) => write!(f, "Can't handle RDB format version {v}"),
            RdbError::WrongChecksum { expected, found } => write!(
                f,
                "Wrong RDB checksum expected: ({expected:x}) but got ({found:x}). Aborting now."
            ),
            RdbError::UnknownType(t) => write!(f, "Unknown RDB encoding type {t}"),
            RdbError::TooManyDatabases(db) => write!(
                f,
                "FATAL: Data file was created with a Redis server configured to handle more \
                 than {db} databases."
            ),
            RdbError::ModuleNotSupported => {
                f.write_str("The RDB file contains module data I can't load: no modules")
            }
            RdbError::Function(msg) => write!(f, "Failed loading library, {msg}"),
            RdbError::Corrupt(msg) => write!(f, "Internal error in RDB reading: {msg}"),
        }
    }
}

impl std::error::Error for RdbError {}

/// The encoding thresholds that decide what encoding a loaded value gets (Redis applies its
/// configuration while loading, so a file saved under other settings is converted).
#[derive(Clone, Copy, Debug)]
pub struct LoadLimits {
    pub databases: usize,
    pub list_max_listpack_size: i64,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
}

impl LoadLimits {
    pub fn from_config(config: &Config) -> LoadLimits {
        let size = |v: i64| usize::try_from(v).unwrap_or(0);
        LoadLimits {
            databases: config.databases,
            list_max_listpack_size: config.list_max_listpack_size,
            hash_max_listpack_entries: size(config.hash_max_listpack_entries),
            hash_max_listpack_value: size(config.hash_max_listpack_value),
            set_max_intset_entries: size(config.set_max_intset_entries),
            zset_max_listpack_entries: size(config.zset_max_listpack_entries),
            zset_max_listpack_value: size(config.zset_max_listpack_value),
        }
    }
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits::from_config(&Config::default())
    }
}

/// One key read from a file.
#[derive(Clone, Debug)]
pub struct LoadedKey {
    pub db: usize,
    pub key: Vec<u8>,
    pub value: Value,
    /// Absolute expiry in Unix milliseconds.
    pub expire_at_ms: Option<i64>,
    /// Seconds since the last access (saved under an LRU policy).
    pub idle_seconds: Option<u64>,
    /// The LFU counter (saved under an LFU policy).
    pub lfu_freq: Option<u8>,
}

/// A whole file, decoded.
#[derive(Clone, Debug, Default)]
pub struct LoadedDataset {
    /// The format version the file declares.
    pub version: u32,
    /// Auxiliary fields in file order (`redis-ver`, `ctime`, `used-mem`...).
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// Function library codes, in file order.
    pub functions: Vec<Vec<u8>>,
    /// Keys in file order.
    pub keys: Vec<LoadedKey>,
    /// Keys skipped because their value was empty (Redis skips them too, with a warning).
    pub empty_keys_skipped: u64,
    /// The file's size in bytes.
    pub bytes: usize,
}

impl LoadedDataset {
    /// The value of an auxiliary field.
    pub fn aux_field(&self, name: &str) -> Option<&[u8]> {
        self.aux
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_slice())
    }
}

/// A DUMP payload for a value: its type, its serialization, the RDB version and a CRC-64.
pub fn dump_payload(value: &Value, options: &EncodeOptions) -> Vec<u8> {
    let mut out = Vec::new();
    encode_value(value, options, &mut out);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crate::persistence::crc64::crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Redis's verifyDumpPayload: the footer's version is at most ours and its CRC-64 matches.
pub fn verify_payload(payload: &[u8]) -> bool {
    let Some(footer) = payload.len().checked_sub(10) else {
        return false;
    };
    let version = u16::from_le_bytes([payload[footer], payload[footer + 1]]);
    if version > RDB_VERSION {
        return false;
    }
    let mut crc = [0u8; 8];
    crc.copy_from_slice(&payload[footer + 2..]);
    crate::persistence::crc64::crc64(0, &payload[..footer + 2]) == u64::from_le_bytes(crc)
}

#[cfg(test)]
mod tests;
