//! List commands: pushes and pops at both ends, indexes and ranges, LINSERT, LREM, LTRIM,
//! LPOS, LMOVE, LMPOP and the blocking BLPOP family (with CLIENT UNBLOCK).
//!
//! Each command follows Redis 7.0's t_list.c: the order in which arguments are validated and
//! keys looked up (which decides which error wins), the keyspace events, the dirty counts.
//! A list whose last element goes is deleted.

mod blocking;
mod edit;
mod push_pop;

use super::string::reply_of;
use super::Handler;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::list::End;
use crate::types::{Entry, ListValue, Value};
use crate::util::parse_i64;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("lpush", push_pop::lpush),
    ("rpush", push_pop::rpush),
    ("lpushx", push_pop::lpushx),
    ("rpushx", push_pop::rpushx),
    ("lpop", push_pop::lpop),
    ("rpop", push_pop::rpop),
    ("lmpop", push_pop::lmpop),
    ("lmove", push_pop::lmove),
    ("rpoplpush", push_pop::rpoplpush),
    ("llen", llen),
    ("lindex", lindex),
    ("lrange", lrange),
    ("lset", edit::lset),
    ("linsert", edit::linsert),
    ("lrem", edit::lrem),
    ("ltrim", edit::ltrim),
    ("lpos", edit::lpos),
    ("blpop", blocking::blpop),
    ("brpop", blocking::brpop),
    ("blmpop", blocking::blmpop),
    ("blmove", blocking::blmove),
    ("brpoplpush", blocking::brpoplpush),
    ("client|unblock", blocking::client_unblock),
];

/// The list stored in an entry, or WRONGTYPE.
fn as_list(entry: &mut Entry) -> Result<&mut ListValue, Reply> {
    match &mut entry.value {
        Value::List(list) => Ok(list),
        _ => Err(errors::wrongtype()),
    }
}

/// Looks a key up for reading: None if missing, WRONGTYPE if not a list.
fn read_list<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a mut ListValue>, Reply> {
    match srv.lookup_read(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_list(entry).map(Some),
    }
}

/// Looks a key up for writing: None if missing, WRONGTYPE if not a list.
fn write_list<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a mut ListValue>, Reply> {
    match srv.lookup_write(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_list(entry).map(Some),
    }
}

/// A new list with the configured node size (`list-max-listpack-size`).
fn new_list(srv: &Server) -> ListValue {
    ListValue::new(srv.config.list_max_listpack_size)
}

/// Stores a list under a key known to be missing (Redis's dbAdd: clients blocked on the key
/// are signalled, `new` is published).
fn add_list(srv: &mut Server, call: &Call, key: &[u8], list: ListValue) {
    srv.add_key(
        call.db,
        key,
        Entry::new(Value::List(Box::new(list)), call.now),
        None,
    );
}

/// A LEFT / RIGHT argument (case-insensitive), or a syntax error.
fn parse_end(arg: &[u8]) -> Result<End, Reply> {
    if super::string::is_keyword(arg, "left") {
        Ok(End::Head)
    } else if super::string::is_keyword(arg, "right") {
        Ok(End::Tail)
    } else {
        Err(errors::syntax())
    }
}

/// An integer argument (Redis's getLongFromObjectOrReply).
fn int_arg(arg: &[u8]) -> Result<i64, Reply> {
    parse_i64(arg).ok_or_else(errors::not_integer)
}

fn pop_event(end: End) -> &'static str {
    match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    }
}

fn push_event(end: End) -> &'static str {
    match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    }
}

/// Redis's listElementsRemoved after popping `count` elements from `end`: the pop event, the
/// key deleted (with `del`) if the list is now empty, WATCH and the dirty counter.
fn elements_removed(srv: &mut Server, db: usize, key: &[u8], end: End, count: usize) {
    srv.notify_keyspace_event(class::LIST, pop_event(end), key, db);
    delete_if_empty(srv, db, key);
    srv.key_modified(db, key);
    srv.add_dirty(count as u64);
}

/// Deletes a key whose list became empty, publishing `del`.
fn delete_if_empty(srv: &mut Server, db: usize, key: &[u8]) {
    let empty =
        matches!(srv.dbs[db].get(key), Some(Entry { value: Value::List(l), .. }) if l.is_empty());
    if empty {
        srv.delete_key(db, key);
        srv.notify_keyspace_event(class::GENERIC, "del", key, db);
    }
}

/// The elements LRANGE-style start/end indexes select (negative ones count from the tail),
/// towards the head when `reverse`: Redis's addListRangeReply.
fn range_reply(list: &ListValue, start: i64, end: i64, reverse: bool) -> Reply {
    let len = list.len() as i64;
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end };
    if start > end || start >= len {
        return Reply::Array(Vec::new());
    }
    let end = end.min(len - 1);
    let count = (end - start + 1) as usize;
    let from = if reverse { end } else { start } as usize;
    Reply::Array(list.range(from, count, reverse).map(Reply::bulk).collect())
}

/// Pops up to `count` elements from one end, in the order they come off.
/// The non-blocking pop a list pop is propagated as.
pub(super) fn pop_command(end: End) -> &'static [u8] {
    match end {
        End::Head => b"LPOP",
        End::Tail => b"RPOP",
    }
}

/// LEFT or RIGHT, as LMOVE is propagated.
pub(super) fn end_word(end: End) -> &'static [u8] {
    match end {
        End::Head => b"LEFT",
        End::Tail => b"RIGHT",
    }
}

fn pop_many(list: &mut ListValue, end: End, count: usize) -> Vec<Reply> {
    let count = count.min(list.len());
    let mut popped = Vec::with_capacity(count);
    for _ in 0..count {
        match list.pop(end) {
            Some(element) => popped.push(Reply::Bulk(element)),
            None => break,
        }
    }
    popped
}

fn llen(srv: &mut Server, call: &mut Call) -> Reply {
    match read_list(srv, call, call.arg(1)) {
        Ok(list) => Reply::Integer(list.map_or(0, |l| l.len() as i64)),
        Err(e) => e,
    }
}

fn lindex(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let Some(list) = read_list(srv, call, call.arg(1))? else {
            return Ok(Reply::Null);
        };
        let index = int_arg(call.arg(2))?;
        Ok(list.get(index).map_or(Reply::Null, Reply::bulk))
    })())
}

fn lrange(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let start = int_arg(call.arg(2))?;
        let end = int_arg(call.arg(3))?;
        Ok(match read_list(srv, call, call.arg(1))? {
            None => Reply::Array(Vec::new()),
            Some(list) => range_reply(list, start, end, false),
        })
    })())
}
