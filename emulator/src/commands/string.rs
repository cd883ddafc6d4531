//! String commands: GET, SET and its variants, MGET/MSET, APPEND, ranges, counters, LCS.
//!
//! The helpers here (typed lookups, Redis's `setKey`, size checks) are shared with the bitmap
//! commands, which operate on the same string values.

mod bignum;
mod counter;
mod lcs;
pub(crate) mod long_double;
mod set;
#[cfg(test)]
mod tests;

use super::Handler;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{Entry, StringValue, Value};
use crate::util::parse_i64;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("append", append),
    ("decr", counter::decr),
    ("decrby", counter::decrby),
    ("get", get),
    ("getdel", getdel),
    ("getex", set::getex),
    ("getrange", getrange),
    ("getset", getset),
    ("incr", counter::incr),
    ("incrby", counter::incrby),
    ("incrbyfloat", counter::incrbyfloat),
    ("lcs", lcs::lcs),
    ("mget", mget),
    ("mset", mset),
    ("msetnx", msetnx),
    ("psetex", set::psetex),
    ("set", set::set),
    ("setex", set::setex),
    ("setnx", set::setnx),
    ("setrange", setrange),
    ("strlen", strlen),
    ("substr", getrange),
];

/// Redis's default `proto-max-bulk-len`: no command may build a string longer than this.
pub(super) const PROTO_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;

/// Either reply of a handler written with `?`: the success reply or an error reply.
pub(super) fn reply_of(result: Result<Reply, Reply>) -> Reply {
    result.unwrap_or_else(|err| err)
}

/// The string stored in an entry, or Redis's WRONGTYPE error.
pub(super) fn string_ref(entry: &Entry) -> Result<&StringValue, Reply> {
    #[allow(unreachable_patterns)]
    match &entry.value {
        Value::String(s) => Ok(s),
        _ => Err(errors::wrongtype()),
    }
}

pub(super) fn string_mut(entry: &mut Entry) -> Result<&mut StringValue, Reply> {
    #[allow(unreachable_patterns)]
    match &mut entry.value {
        Value::String(s) => Ok(s),
        _ => Err(errors::wrongtype()),
    }
}

/// Looks a key up for reading (with hit/miss statistics): None if missing, WRONGTYPE if it
/// holds another type.
pub(super) fn read_string<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a StringValue>, Reply> {
    match srv.lookup_read(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => string_ref(entry).map(Some),
    }
}

/// Redis's setKey: stores `value` under `key` (replacing whatever was there, after expiring a
/// stale key as its write lookup does), dropping any expiry unless `keep_ttl`.
pub(super) fn set_key(
    srv: &mut Server,
    call: &Call,
    key: &[u8],
    value: StringValue,
    keep_ttl: bool,
) {
    srv.lookup_write(call.db, key, call.now);
    srv.set_value(call.db, key, Value::String(value), keep_ttl, call.now);
    srv.notify_keyspace_event(class::STRING, "set", key, call.db);
}

/// Redis's checkStringLength: refuses to grow a string of `size` bytes by `append` bytes
/// beyond `proto-max-bulk-len`.
pub(super) fn check_string_length(size: u64, append: u64) -> Result<(), Reply> {
    match size.checked_add(append) {
        Some(total) if total <= PROTO_MAX_BULK_LEN => Ok(()),
        _ => Err(Reply::error(
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        )),
    }
}

/// Pads `data` with zero bytes up to `len`. Large sizes (up to 512 MB) are allowed, as in
/// Redis; if the host cannot provide the memory the command fails instead of aborting.
pub(super) fn grow_zeroed(data: &mut Vec<u8>, len: usize) -> Result<(), Reply> {
    if len > data.len() {
        data.try_reserve_exact(len - data.len())
            .map_err(|_| Reply::error(errors::OOM))?;
        data.resize(len, 0);
    }
    Ok(())
}

/// Whether an argument is `keyword` (any case). Redis compares options as C strings, so an
/// argument is read only up to its first NUL byte.
pub(super) fn is_keyword(arg: &[u8], keyword: &str) -> bool {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    arg[..end].eq_ignore_ascii_case(keyword.as_bytes())
}

/// An integer argument, or Redis's "not an integer" error.
pub(super) fn int_arg(arg: &[u8]) -> Result<i64, Reply> {
    parse_i64(arg).ok_or_else(errors::not_integer)
}

/// GET's reply for the key in argv[1]: its value, nil if missing, or WRONGTYPE.
fn get_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    Ok(match read_string(srv, call, call.arg(1))? {
        None => Reply::Null,
        Some(s) => Reply::Bulk(s.to_bytes()),
    })
}

fn get(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(get_reply(srv, call))
}

fn getdel(srv: &mut Server, call: &mut Call) -> Reply {
    let reply = match get_reply(srv, call) {
        Ok(reply) => reply,
        Err(e) => return e,
    };
    // Redis replies with the value before deleting (and notifying).
    srv.reply_here(call);
    if srv.delete_key(call.db, call.arg(1)) {
        srv.notify_keyspace_event(class::GENERIC, "del", call.arg(1), call.db);
        srv.add_dirty(1);
        let lazy = srv.config.lazyfree_lazy_user_del;
        srv.rewrite_argv_parts(&[deletion_command(lazy), call.arg(1)]);
    }
    reply
}

/// How a deletion is propagated: UNLINK when that kind of deletion is lazy.
pub(crate) fn deletion_command(lazy: bool) -> &'static [u8] {
    if lazy {
        b"UNLINK"
    } else {
        b"DEL"
    }
}

fn getset(srv: &mut Server, call: &mut Call) -> Reply {
    let reply = match get_reply(srv, call) {
        Ok(reply) => reply,
        Err(e) => return e,
    };
    // Redis replies with the old value before setting (and notifying).
    srv.reply_here(call);
    let value = StringValue::copied(call.arg(2));
    set_key(srv, call, call.arg(1), value, false);
    srv.add_dirty(1);
    srv.rewrite_argv_parts(&[b"SET", call.arg(1), call.arg(2)]);
    reply
}

fn mget(srv: &mut Server, call: &mut Call) -> Reply {
    let values = call.argv[1..]
        .iter()
        .map(|key| match read_string(srv, call, key) {
            Ok(Some(s)) => Reply::Bulk(s.to_bytes()),
            _ => Reply::Null,
        })
        .collect();
    Reply::Array(values)
}

fn mset(srv: &mut Server, call: &mut Call) -> Reply {
    mset_generic(srv, call, false)
}

fn msetnx(srv: &mut Server, call: &mut Call) -> Reply {
    mset_generic(srv, call, true)
}

fn mset_generic(srv: &mut Server, call: &Call, only_new: bool) -> Reply {
    if call.argc().is_multiple_of(2) {
        return Reply::error(errors::wrong_arity(call.spec.name));
    }
    if only_new {
        let any_exists = call.argv[1..]
            .iter()
            .step_by(2)
            .any(|key| srv.lookup_write(call.db, key, call.now).is_some());
        if any_exists {
            return Reply::Integer(0);
        }
    }
    for pair in call.argv[1..].chunks(2) {
        if let [key, value] = pair {
            set_key(srv, call, key, StringValue::copied(value), false);
        }
    }
    srv.add_dirty((call.argc() as u64 - 1) / 2);
    if only_new {
        Reply::Integer(1)
    } else {
        Reply::ok()
    }
}

fn append(srv: &mut Server, call: &mut Call) -> Reply {
    let (key, suffix) = (call.arg(1), call.arg(2));
    let len = match srv.lookup_write(call.db, key, call.now) {
        None => {
            let value = StringValue::new(suffix.to_vec());
            let len = value.len();
            srv.set_value(call.db, key, Value::String(value), false, call.now);
            len
        }
        Some(entry) => {
            let s = match string_mut(entry) {
                Ok(s) => s,
                Err(e) => return e,
            };
            if let Err(e) = check_string_length(s.len() as u64, suffix.len() as u64) {
                return e;
            }
            let data = s.make_raw();
            data.extend_from_slice(suffix);
            let len = data.len();
            srv.key_modified(call.db, key);
            len
        }
    };
    srv.notify_keyspace_event(class::STRING, "append", call.arg(1), call.db);
    srv.add_dirty(1);
    Reply::Integer(len as i64)
}

fn strlen(srv: &mut Server, call: &mut Call) -> Reply {
    match read_string(srv, call, call.arg(1)) {
        Ok(s) => Reply::Integer(s.map_or(0, |s| s.len() as i64)),
        Err(e) => e,
    }
}

/// GETRANGE and its old name SUBSTR.
fn getrange(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(getrange_reply(srv, call))
}

fn getrange_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let start = int_arg(call.arg(2))?;
    let end = int_arg(call.arg(3))?;
    let Some(s) = read_string(srv, call, call.arg(1))? else {
        return Ok(Reply::bulk(""));
    };
    let bytes = s.bytes();
    Ok(match clamp_range(start, end, bytes.len() as i64) {
        Some((from, to)) => Reply::bulk(bytes.get(from..=to).unwrap_or_default()),
        None => Reply::bulk(""),
    })
}

/// Resolves Redis's inclusive `start`/`end` indexes (negative ones count from the end) over
/// `len` items to valid indexes, or None for an empty range.
pub(super) fn clamp_range(start: i64, end: i64, len: i64) -> Option<(usize, usize)> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end }.max(0).min(len - 1);
    if start > end || len == 0 {
        return None;
    }
    Some((start as usize, end as usize))
}

fn setrange(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(setrange_reply(srv, call))
}

fn setrange_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let offset = int_arg(call.arg(2))?;
    if offset < 0 {
        return Err(Reply::error("ERR offset is out of range"));
    }
    let offset = offset as u64;
    let (key, patch) = (call.arg(1), call.arg(3));
    let len = match srv.lookup_write(call.db, key, call.now) {
        None => {
            if patch.is_empty() {
                return Ok(Reply::Integer(0));
            }
            check_string_length(offset, patch.len() as u64)?;
            let mut data = Vec::new();
            write_at(&mut data, offset as usize, patch)?;
            let len = data.len();
            srv.set_value(
                call.db,
                key,
                Value::String(StringValue::raw(data)),
                false,
                call.now,
            );
            len
        }
        Some(entry) => {
            let s = string_mut(entry)?;
            if patch.is_empty() {
                return Ok(Reply::Integer(s.len() as i64));
            }
            check_string_length(offset, patch.len() as u64)?;
            let data = s.make_raw();
            write_at(data, offset as usize, patch)?;
            let len = data.len();
            srv.key_modified(call.db, key);
            len
        }
    };
    srv.notify_keyspace_event(class::STRING, "setrange", call.arg(1), call.db);
    srv.add_dirty(1);
    Ok(Reply::Integer(len as i64))
}

/// Copies `patch` into `data` at `offset`, zero-padding `data` as needed.
fn write_at(data: &mut Vec<u8>, offset: usize, patch: &[u8]) -> Result<(), Reply> {
    let end = offset + patch.len();
    grow_zeroed(data, end)?;
    if let Some(dest) = data.get_mut(offset..end) {
        dest.copy_from_slice(patch);
    }
    Ok(())
}
