//! DEBUG: the subcommands that make sense for an in-memory engine. Reaching them requires
//! `enable-debug-command` (checked before the command runs, see `monitor.rs`); subcommands
//! that crash or inspect C structures are not offered and get Redis's
//! unknown-subcommand error.

use super::{help_reply, subcommand_error};
use crate::errors;
use crate::memory;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{Entry, StringValue, Value};
use crate::util::{eq_ignore_case, parse_i64};

pub(super) fn debug(srv: &mut Server, call: &mut Call) -> Reply {
    let sub = call.arg(1);
    let argc = call.argc();
    if argc == 2 && eq_ignore_case(sub, "help") {
        help(call)
    } else if argc == 3 && eq_ignore_case(sub, "sleep") {
        sleep(srv, call)
    } else if argc == 3 && eq_ignore_case(sub, "set-active-expire") {
        srv.monitor.active_expire_enabled = c_atoi(call.arg(2)) != 0;
        Reply::ok()
    } else if argc == 3 && eq_ignore_case(sub, "object") {
        object(srv, call)
    } else if argc == 3 && eq_ignore_case(sub, "sdslen") {
        sdslen(srv, call)
    } else if (3..=5).contains(&argc) && eq_ignore_case(sub, "populate") {
        populate(srv, call)
    } else if argc == 3 && eq_ignore_case(sub, "error") {
        let text = String::from_utf8_lossy(call.arg(2)).replace(['\r', '\n'], " ");
        Reply::Error(text)
    } else if eq_ignore_case(sub, "reload") {
        reload(srv, call)
    } else if argc == 2 && eq_ignore_case(sub, "change-repl-id") {
        let seed = srv.eviction.random();
        srv.monitor.new_replication_id(seed);
        Reply::ok()
    } else {
        subcommand_error(call)
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the snapshot file, then loads it back in
/// place of the dataset.
fn reload(srv: &mut Server, call: &Call) -> Reply {
    let mut options = crate::persistence::rdb::LoadOptions::default();
    let mut save = true;
    for opt in &call.argv[2..] {
        if eq_ignore_case(opt, "merge") {
            options.allow_duplicates = true;
        } else if eq_ignore_case(opt, "noflush") {
            options.flush = false;
        } else if eq_ignore_case(opt, "nosave") {
            save = false;
        } else {
            return Reply::error(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
            );
        }
    }
    if save && srv.save_snapshot(call.now).is_err() {
        return Reply::error("ERR");
    }
    if srv.reload_snapshot(options).is_err() {
        return Reply::error("ERR Error trying to load the RDB dump, check server logs.");
    }
    Reply::ok()
}

fn help(call: &Call) -> Reply {
    help_reply(
        call.arg(0),
        &[
            "CHANGE-REPL-ID",
            "    Change the replication IDs of the instance.",
            "    Dangerous: should be used only for testing the replication subsystem.",
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate Redis errors.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas. Cluster slots are not respected so keys not belonging to the",
            "    current node can be created in cluster mode.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an exception and kill the server.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "    Examples:",
            "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
            "      the database.",
            "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
            "      existing RDB file.",
            "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
            "      file to the database.",
            "SDSLEN <key>",
            "    Show low level SDS string info representing `key` and value.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
        ],
    )
}

/// C's `atoi`: optional spaces and sign, then digits; anything else stops the number.
fn c_atoi(s: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(s);
    let t = text.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |acc, d| {
            acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
    if neg {
        -n
    } else {
        n
    }
}

/// C's `strtod` on a prefix (no error reporting): "1.5x" is 1.5, "abc" is 0.
fn c_strtod(s: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(s);
    let t = text.trim_start();
    let mut end = 0;
    let mut seen_digit = false;
    for (i, c) in t.char_indices() {
        let ok = c.is_ascii_digit()
            || (i == 0 && (c == '-' || c == '+'))
            || (c == '.' && !t[..i].contains('.'));
        if !ok {
            break;
        }
        seen_digit |= c.is_ascii_digit();
        end = i + 1;
    }
    if !seen_digit {
        return 0.0;
    }
    t[..end].parse().unwrap_or(0.0)
}

/// DEBUG SLEEP seconds: the server is busy for that long. The engine cannot stop the host,
/// so the time passes on the engine clock instead, and the command's duration reflects it.
fn sleep(srv: &mut Server, call: &Call) -> Reply {
    // A billion seconds is far beyond anything observable; it keeps the counters in range.
    let seconds = c_strtod(call.arg(2)).min(1e9);
    let micros = (seconds * 1_000_000.0) as i64;
    if micros > 0 {
        let micros = micros as u64;
        srv.advance_clock(micros / 1000);
        srv.monitor.add_busy_us(micros);
    }
    Reply::ok()
}

/// What Redis's `rdbSavedObjectLen` gives for a string: a length prefix and the bytes, or a
/// compact integer encoding. (Redis may LZF-compress strings over 20 bytes when saving; the
/// uncompressed length is reported here.)
fn serialized_len(value: &Value) -> usize {
    fn length_prefix(n: usize) -> usize {
        match n {
            0..=63 => 1,
            64..=16383 => 2,
            _ if (n as u64) <= u64::from(u32::MAX) => 5,
            _ => 9,
        }
    }
    fn integer_len(n: i64) -> Option<usize> {
        if i8::try_from(n).is_ok() {
            Some(2)
        } else if i16::try_from(n).is_ok() {
            Some(3)
        } else if i32::try_from(n).is_ok() {
            Some(5)
        } else {
            None
        }
    }
    // rdbSaveRawString: short canonical integers get an integer encoding.
    let raw_string_len = |bytes: &[u8]| {
        let as_int = if bytes.len() <= 11 {
            crate::util::parse_i64(bytes)
        } else {
            None
        };
        match as_int.and_then(integer_len) {
            Some(n) => n,
            None => length_prefix(bytes.len()) + bytes.len(),
        }
    };
    match value {
        Value::String(s) => raw_string_len(&s.to_bytes()),
        // A quicklist is saved node by node: container type, then the listpack as a blob.
        Value::List(list) => {
            length_prefix(list.node_count())
                + list
                    .node_bytes()
                    .map(|bytes| 1 + length_prefix(bytes) + bytes)
                    .sum::<usize>()
        }
        Value::Hash(hash) => match hash.listpack_bytes() {
            Some(bytes) => length_prefix(bytes) + bytes,
            None => {
                length_prefix(hash.len())
                    + hash
                        .iter()
                        .map(|(field, value)| raw_string_len(field) + raw_string_len(value))
                        .sum::<usize>()
            }
        },
        // Compact encodings are saved as one blob; others element by element (sorted set
        // scores as 8-byte binary doubles).
        Value::Set(set) => match &**set {
            crate::types::SetValue::IntSet(ints) => {
                let blob = 8 + ints.width() * ints.values().len();
                length_prefix(blob) + blob
            }
            _ => {
                length_prefix(set.len())
                    + set
                        .iter()
                        .map(|m| raw_string_len(&m.to_vec()))
                        .sum::<usize>()
            }
        },
        // A stream is saved node by node (16-byte master ID, then the listpack as a blob),
        // then its counters and IDs, then each group with its PEL and consumers.
        Value::Stream(stream) => {
            let nodes = length_prefix(stream.node_count())
                + stream
                    .node_byte_sizes()
                    .map(|bytes| 1 + 16 + length_prefix(bytes) + bytes)
                    .sum::<usize>();
            let groups = stream
                .groups
                .iter()
                .map(|(name, group)| {
                    raw_string_len(name)
                        + 4 * 9
                        + length_prefix(group.pel.len())
                        + group.pel.len() * (16 + 8 + 9)
                        + length_prefix(group.consumers.len())
                        + group
                            .consumers
                            .iter()
                            .map(|(name, c)| {
                                raw_string_len(name)
                                    + 8
                                    + length_prefix(c.pel.len())
                                    + 16 * c.pel.len()
                            })
                            .sum::<usize>()
                })
                .sum::<usize>();
            nodes + 9 * 8 + length_prefix(stream.groups.len()) + groups
        }
        Value::ZSet(zset) if zset.is_listpack() => {
            let blob = crate::memory::zset_listpack_bytes(zset);
            length_prefix(blob) + blob
        }
        Value::ZSet(zset) => {
            length_prefix(zset.len())
                + zset
                    .iter()
                    .map(|(m, _)| raw_string_len(m) + 8)
                    .sum::<usize>()
        }
    }
}

/// Whether Redis would share this value's object (small integers, when eviction does not
/// need per-key access data).
fn is_shared(srv: &Server, value: &Value) -> bool {
    let policy = srv.config.policy();
    let per_key_data = srv.config.maxmemory != 0 && (policy.is_lru() || policy.is_lfu());
    matches!(value, Value::String(StringValue::Int(n)) if (0..10_000).contains(n)) && !per_key_data
}

fn object(srv: &mut Server, call: &Call) -> Reply {
    let now = call.now;
    let lfu = srv.config.policy().is_lfu();
    let decay = srv.config.lfu_decay_time;
    let Some(entry) = srv.db(call.db).get(call.arg(2)) else {
        return Reply::error(errors::NO_SUCH_KEY);
    };
    let entry: Entry = entry.clone();
    let refcount = if is_shared(srv, &entry.value) {
        i32::MAX
    } else {
        1
    };
    // The 24-bit field Redis keeps per object: access time in seconds, or under LFU the
    // minute of the last decrement and the access counter.
    let lru = if lfu {
        (((entry.last_access_ms / 60_000) & 0xffff) << 8)
            | u64::from(crate::eviction::lfu_decayed(&entry, now, decay))
    } else {
        (entry.last_access_ms / 1000) & 0xff_ffff
    };
    let idle = now.saturating_sub(entry.last_access_ms) / 1000;
    // Objects have no address here; show a stable, pointer-like identity instead.
    let address = 0x7f00_0000_0000u64 | (entry.mem as u64 * 0x10 + idle % 0x1000);
    let extra = match &entry.value {
        Value::List(list) => list.debug_fields(),
        _ => String::new(),
    };
    Reply::Simple(format!(
        "Value at:0x{address:x} refcount:{refcount} encoding:{} serializedlength:{} lru:{lru} lru_seconds_idle:{idle}{extra}",
        entry.value.encoding(),
        serialized_len(&entry.value),
    ))
}

fn sdslen(srv: &mut Server, call: &Call) -> Reply {
    let key = call.arg(2);
    let Some(entry) = srv.db(call.db).get(key) else {
        return Reply::error(errors::NO_SUCH_KEY);
    };
    let s = match &entry.value {
        Value::String(s) if !matches!(s, StringValue::Int(_)) => s,
        _ => return Reply::error("ERR Not an sds encoded string."),
    };
    let key_alloc = memory::key_size(key);
    let (value_avail, value_alloc) = if s.is_embstr() {
        (
            0,
            memory::alloc_size(memory::OBJECT_HEADER + 3 + s.len() + 1) - memory::OBJECT_HEADER,
        )
    } else {
        let room = s.capacity();
        (room - s.len(), memory::sds_alloc(room, false))
    };
    Reply::Simple(format!(
        "key_sds_len:{}, key_sds_avail:0, key_zmalloc: {key_alloc}, val_sds_len:{}, val_sds_avail:{value_avail}, val_zmalloc: {value_alloc}",
        key.len(),
        s.len(),
    ))
}

/// DEBUG POPULATE count [prefix] [size]: creates `prefix:N` string keys (`value:N`, padded
/// with zero bytes or cut to `size`), skipping names that exist.
fn populate(srv: &mut Server, call: &Call) -> Reply {
    const NOT_POSITIVE: &str = "ERR value is out of range, must be positive";
    let positive = |arg: &[u8]| parse_i64(arg).filter(|n| *n >= 0);
    let Some(count) = positive(call.arg(2)) else {
        return Reply::error(NOT_POSITIVE);
    };
    let size = if call.argc() == 5 {
        match positive(call.arg(4)) {
            Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            None => return Reply::error(NOT_POSITIVE),
        }
    } else {
        None
    };
    let prefix: Vec<u8> = if call.argc() >= 4 {
        super::c_str(call.arg(3)).to_vec()
    } else {
        b"key".to_vec()
    };
    for j in 0..count {
        let mut key = prefix.clone();
        key.extend_from_slice(format!(":{j}").as_bytes());
        // Redis formats the name into a 128-byte buffer.
        key.truncate(127);
        if srv.lookup_write(call.db, &key, call.now).is_some() {
            continue;
        }
        let text = format!("value:{j}").into_bytes();
        let value = match size {
            None | Some(0) => text,
            Some(n) => {
                let mut v = vec![0u8; n];
                let k = n.min(text.len());
                v[..k].copy_from_slice(&text[..k]);
                v
            }
        };
        srv.set_value(
            call.db,
            &key,
            Value::String(StringValue::new(value)),
            false,
            call.now,
        );
    }
    Reply::ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_parsing() {
        assert_eq!(c_atoi(b" 12x"), 12);
        assert_eq!(c_atoi(b"-3"), -3);
        assert_eq!(c_atoi(b"abc"), 0);
        assert_eq!(c_strtod(b"1.5x"), 1.5);
        assert_eq!(c_strtod(b"abc"), 0.0);
        assert_eq!(c_strtod(b".25"), 0.25);
    }

    #[test]
    fn serialized_lengths() {
        let s = |v: &str| serialized_len(&Value::String(StringValue::new(v.as_bytes().to_vec())));
        assert_eq!(s("12"), 2);
        assert_eq!(s("1000"), 3);
        assert_eq!(s("100000"), 5);
        assert_eq!(s("hello"), 6);
        assert_eq!(s(&"x".repeat(100)), 102);
    }
}
