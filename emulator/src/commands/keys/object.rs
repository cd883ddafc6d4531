//! OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP.

use crate::commands::c_str;
use crate::eviction::lfu_decayed;
use crate::keyspace::LookupFlags;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{Entry, StringValue, Value};

/// Integers Redis keeps as shared objects (OBJ_SHARED_INTEGERS): values 0..=9999.
const SHARED_INTEGERS: i64 = 10_000;
/// The reference count Redis reports for shared objects (OBJ_SHARED_REFCOUNT, INT_MAX).
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// Whether maxmemory-policy is one of the LFU policies.
fn lfu_policy(srv: &Server) -> bool {
    srv.config.policy().is_lfu()
}

/// Whether small integers are shared objects: Redis stops sharing them when a maxmemory
/// limit is set with an LRU or LFU policy, which need per-object access data. (Redis decides
/// when the value is stored; this looks at the configuration when asked.)
fn integers_shared(srv: &Server) -> bool {
    let policy = srv.config.policy();
    srv.config.maxmemory == 0 || !(policy.is_lru() || policy.is_lfu())
}

/// OBJECT's lookup: no access-time update and no `keymiss` event, but a keyspace hit or
/// miss is counted.
fn find<'a>(srv: &'a mut Server, call: &Call) -> Option<&'a mut Entry> {
    srv.lookup_read_flags(
        call.db,
        call.arg(2),
        call.now,
        LookupFlags::NO_TOUCH_NO_NOTIFY,
    )
}

pub(super) fn encoding(srv: &mut Server, call: &mut Call) -> Reply {
    match find(srv, call) {
        Some(entry) => Reply::bulk(entry.value.encoding()),
        None => Reply::Null,
    }
}

pub(super) fn refcount(srv: &mut Server, call: &mut Call) -> Reply {
    let shared = integers_shared(srv);
    match find(srv, call) {
        Some(entry) => Reply::Integer(match &entry.value {
            Value::String(StringValue::Int(n)) if shared && (0..SHARED_INTEGERS).contains(n) => {
                SHARED_REFCOUNT
            }
            _ => 1,
        }),
        None => Reply::Null,
    }
}

pub(super) fn idletime(srv: &mut Server, call: &mut Call) -> Reply {
    let lfu = lfu_policy(srv);
    let now = call.now;
    let Some(entry) = find(srv, call) else {
        return Reply::Null;
    };
    if lfu {
        return Reply::error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    // Redis's LRU clock ticks in whole seconds.
    let idle = (now / 1000).saturating_sub(entry.last_access_ms / 1000);
    Reply::Integer(i64::try_from(idle).unwrap_or(i64::MAX))
}

pub(super) fn freq(srv: &mut Server, call: &mut Call) -> Reply {
    let lfu = lfu_policy(srv);
    let decay_minutes = srv.config.lfu_decay_time;
    let now = call.now;
    let Some(entry) = find(srv, call) else {
        return Reply::Null;
    };
    if !lfu {
        return Reply::error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    // The counter as decayed by the time since the last access (Redis's LFUDecrAndReturn).
    Reply::Integer(i64::from(lfu_decayed(entry, now, decay_minutes)))
}

pub(super) fn help(_srv: &mut Server, call: &mut Call) -> Reply {
    const LINES: &[&str] = &[
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    ];
    let command = String::from_utf8_lossy(c_str(call.arg(0))).to_uppercase();
    let mut reply = vec![Reply::Simple(format!(
        "{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ))];
    reply.extend(LINES.iter().map(|line| Reply::simple(line)));
    reply.push(Reply::simple("HELP"));
    reply.push(Reply::simple("    Prints this help."));
    Reply::Array(reply)
}
