//! Stream commands (Redis 7.0's t_stream.c).
//!
//! Keyspace events Redis fires: `xadd`, `xtrim` (XTRIM, and XADD when it trimmed), `xdel`,
//! `xsetid`, `xgroup-create`, `xgroup-setid`, `xgroup-destroy`, `xgroup-createconsumer` (also
//! when XREADGROUP, XCLAIM or XAUTOCLAIM create a consumer), `xgroup-delconsumer`.

mod add;
mod claim;
mod group;
mod info;
mod propagate;
mod range;
mod read;

use std::collections::HashMap;

use super::Handler;
use crate::client::ClientId;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::stream::{parse_full_id, Fields, Stream, StreamId};
use crate::types::{Entry, Value};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("xack", group::xack),
    ("xadd", add::xadd),
    ("xautoclaim", claim::xautoclaim),
    ("xclaim", claim::xclaim),
    ("xdel", add::xdel),
    ("xgroup|create", group::xgroup),
    ("xgroup|createconsumer", group::xgroup),
    ("xgroup|delconsumer", group::xgroup),
    ("xgroup|destroy", group::xgroup),
    ("xgroup|help", group::xgroup),
    ("xgroup|setid", group::xgroup),
    ("xinfo|consumers", info::xinfo),
    ("xinfo|groups", info::xinfo),
    ("xinfo|help", info::xinfo),
    ("xinfo|stream", info::xinfo),
    ("xlen", range::xlen),
    ("xpending", group::xpending),
    ("xrange", range::xrange),
    ("xread", read::xread),
    ("xreadgroup", read::xread),
    ("xrevrange", range::xrevrange),
    ("xsetid", add::xsetid),
    ("xtrim", add::xtrim),
];

/// The IDs each blocked XREAD client waits to see entries after, one per key.
pub(crate) type StreamWaits = HashMap<ClientId, Vec<StreamId>>;

pub(crate) const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// The stream stored in an entry, or WRONGTYPE.
pub(crate) fn as_stream(entry: &mut Entry) -> Result<&mut Stream, Reply> {
    match &mut entry.value {
        Value::Stream(s) => Ok(s),
        _ => Err(errors::wrongtype()),
    }
}

/// Looks a stream up for reading: None if missing, WRONGTYPE if not a stream.
fn read_stream<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a mut Stream>, Reply> {
    match srv.lookup_read(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_stream(entry).map(Some),
    }
}

/// Looks a stream up for writing: None if missing, WRONGTYPE if not a stream.
fn write_stream<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a mut Stream>, Reply> {
    match srv.lookup_write(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_stream(entry).map(Some),
    }
}

/// A stream the caller just looked up or created (no statistics or events).
fn stream_at<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a mut Stream> {
    match srv.db(db).get_mut(key).map(|e| &mut e.value) {
        Some(Value::Stream(s)) => Some(s),
        _ => None,
    }
}

/// An ID argument (`-` and `+` allowed unless `strict`).
fn id_arg(arg: &[u8], missing_seq: u64, strict: bool) -> Result<StreamId, Reply> {
    parse_full_id(arg, missing_seq, strict).ok_or_else(|| Reply::error(INVALID_ID))
}

/// A range bound: an ID, or `(ID` for an exclusive one. Returns the ID and whether it is
/// exclusive.
fn interval_arg(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), Reply> {
    if arg.len() > 1 && arg[0] == b'(' {
        return Ok((id_arg(&arg[1..], missing_seq, true)?, true));
    }
    Ok((id_arg(arg, missing_seq, false)?, false))
}

/// A start bound, moved past an exclusive ID.
fn start_arg(arg: &[u8]) -> Result<StreamId, Reply> {
    match interval_arg(arg, 0)? {
        (id, false) => Ok(id),
        (id, true) => id
            .next()
            .ok_or_else(|| Reply::error("ERR invalid start ID for the interval")),
    }
}

/// An end bound, moved before an exclusive ID.
fn end_arg(arg: &[u8]) -> Result<StreamId, Reply> {
    match interval_arg(arg, u64::MAX)? {
        (id, false) => Ok(id),
        (id, true) => id
            .prev()
            .ok_or_else(|| Reply::error("ERR invalid end ID for the interval")),
    }
}

fn integer_arg(arg: &[u8]) -> Result<i64, Reply> {
    crate::util::parse_i64(arg).ok_or_else(errors::not_integer)
}

fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

/// An entry as the range commands send it: `[id, [field, value, ...]]`.
fn entry_reply(id: StreamId, fields: &Fields) -> Reply {
    Reply::Array(vec![
        id_reply(id),
        Reply::Array(fields.iter().map(Reply::bulk).collect()),
    ])
}

/// The consumer-group errors name the key and group as C strings.
fn c_text(arg: &[u8]) -> String {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    String::from_utf8_lossy(&arg[..end]).into_owned()
}

/// The engine time as Redis's signed millisecond clock.
fn now_ms(call: &Call) -> i64 {
    i64::try_from(call.now).unwrap_or(i64::MAX)
}
