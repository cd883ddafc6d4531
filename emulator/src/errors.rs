//! Redis's shared error replies, copied as facts from Redis 7.0's behaviour.

use crate::resp::Reply;

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const SYNTAX: &str = "ERR syntax error";
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
pub const NO_SUCH_KEY: &str = "ERR no such key";
pub const OUT_OF_RANGE: &str = "ERR index out of range";
pub const DB_INDEX: &str = "ERR DB index is out of range";
pub const NOAUTH: &str = "NOAUTH Authentication required.";
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";
/// The text of Redis's `shared.bgsaveerr`, for the two forms below.
macro_rules! misconf_rdb_text {
    () => {
        "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
    };
}
/// Writes refused while the last background save failed (`stop-writes-on-bgsave-error`).
pub const MISCONF_RDB: &str = misconf_rdb_text!();
/// The same refusal as a script's `redis.call` raises it (the leading `-` keeps the code).
pub const MISCONF_RDB_IN_SCRIPT: &str = concat!("-", misconf_rdb_text!());
pub const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";

pub fn wrong_arity(full_name: &str) -> String {
    format!("ERR wrong number of arguments for '{full_name}' command")
}

pub fn wrongtype() -> Reply {
    Reply::error(WRONGTYPE)
}

pub fn syntax() -> Reply {
    Reply::error(SYNTAX)
}

pub fn not_integer() -> Reply {
    Reply::error(NOT_INTEGER)
}

pub fn not_float() -> Reply {
    Reply::error(NOT_FLOAT)
}
