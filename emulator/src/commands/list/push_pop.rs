//! LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LMPOP, LMOVE and RPOPLPUSH.

use super::{
    add_list, elements_removed, new_list, parse_end, pop_event, pop_many, push_event, write_list,
};
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::list::End;
use crate::util::parse_i64;

pub(super) fn lpush(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(push(srv, call, End::Head, false))
}

pub(super) fn rpush(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(push(srv, call, End::Tail, false))
}

pub(super) fn lpushx(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(push(srv, call, End::Head, true))
}

pub(super) fn rpushx(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(push(srv, call, End::Tail, true))
}

/// Redis's pushGenericCommand; `only_existing` for the X variants.
fn push(srv: &mut Server, call: &Call, end: End, only_existing: bool) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let elements = &call.argv[2..];
    let len = match write_list(srv, call, key)? {
        Some(list) => {
            for element in elements {
                list.push(end, element.clone());
            }
            list.len()
        }
        None if only_existing => return Ok(Reply::Integer(0)),
        None => {
            let mut list = new_list(srv);
            for element in elements {
                list.push(end, element.clone());
            }
            let len = list.len();
            add_list(srv, call, key, list);
            len
        }
    };
    srv.reply_here(call);
    srv.add_dirty(elements.len() as u64);
    srv.key_modified(call.db, key);
    srv.notify_keyspace_event(class::LIST, push_event(end), key, call.db);
    Ok(Reply::Integer(len as i64))
}

pub(super) fn lpop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(pop(srv, call, End::Head))
}

pub(super) fn rpop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(pop(srv, call, End::Tail))
}

/// A count that must be zero or more, with Redis's message for anything else.
fn positive_count(arg: &[u8]) -> Result<usize, Reply> {
    parse_i64(arg)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Reply::error("ERR value is out of range, must be positive"))
}

/// Redis's popGenericCommand: one element as a bulk string, or with a count an array.
fn pop(srv: &mut Server, call: &Call, end: End) -> Result<Reply, Reply> {
    if call.argc() > 3 {
        return Err(Reply::error(errors::wrong_arity(call.spec.name)));
    }
    let count = match call.argc() {
        3 => Some(positive_count(call.arg(2))?),
        _ => None,
    };
    let key = call.arg(1);
    let Some(list) = write_list(srv, call, key)? else {
        return Ok(match count {
            Some(_) => Reply::NullArray,
            None => Reply::Null,
        });
    };
    let (reply, popped) = match count {
        Some(0) => return Ok(Reply::Array(Vec::new())),
        Some(count) => {
            let elements = pop_many(list, end, count);
            let popped = elements.len();
            (Reply::Array(elements), popped)
        }
        None => match list.pop(end) {
            Some(element) => (Reply::Bulk(element), 1),
            None => (Reply::Null, 0),
        },
    };
    srv.reply_here(call);
    elements_removed(srv, call.db, key, end, popped);
    Ok(reply)
}

/// LMPOP and BLMPOP's arguments after the timeout: the keys, the end and the count.
pub(super) struct MpopArgs {
    /// Index of the first key in argv.
    pub first_key: usize,
    pub numkeys: usize,
    pub end: End,
    pub count: usize,
}

/// Parses `numkeys key [key ...] LEFT|RIGHT [COUNT count]` with numkeys at `numkeys_index`,
/// as Redis's lmpopGenericCommand.
pub(super) fn parse_mpop(argv: &[Vec<u8>], numkeys_index: usize) -> Result<MpopArgs, Reply> {
    let numkeys = parse_i64(&argv[numkeys_index])
        .filter(|n| *n >= 1)
        .ok_or_else(|| Reply::error("ERR numkeys should be greater than 0"))?;
    let end_index = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(numkeys_index + 1))
        .filter(|&i| i < argv.len())
        .ok_or_else(errors::syntax)?;
    let end = parse_end(&argv[end_index])?;
    let mut count = None;
    let mut i = end_index + 1;
    while i < argv.len() {
        if count.is_none() && is_keyword(&argv[i], "count") && i + 1 < argv.len() {
            let n = parse_i64(&argv[i + 1])
                .filter(|n| *n >= 1)
                .ok_or_else(|| Reply::error("ERR count should be greater than 0"))?;
            count = Some(usize::try_from(n).unwrap_or(usize::MAX));
            i += 2;
        } else {
            return Err(errors::syntax());
        }
    }
    Ok(MpopArgs {
        first_key: numkeys_index + 1,
        numkeys: end_index - numkeys_index - 1,
        end,
        count: count.unwrap_or(1),
    })
}

/// Pops up to `count` elements from the first non-empty list among `keys`, replying
/// `[key, [elements]]`; None if every key is missing.
pub(super) fn pop_from_first(
    srv: &mut Server,
    call: &Call,
    keys: &[Vec<u8>],
    end: End,
    count: usize,
) -> Result<Option<Reply>, Reply> {
    for key in keys {
        let Some(list) = write_list(srv, call, key)? else {
            continue;
        };
        if list.is_empty() {
            continue;
        }
        let elements = pop_many(list, end, count);
        let popped = elements.len();
        srv.reply_here(call);
        elements_removed(srv, call.db, key, end, popped);
        // LMPOP and BLMPOP are propagated as LPOP/RPOP with the number popped.
        let popped_text = popped.to_string();
        srv.rewrite_argv_parts(&[super::pop_command(end), key, popped_text.as_bytes()]);
        return Ok(Some(Reply::Array(vec![
            Reply::bulk(key),
            Reply::Array(elements),
        ])));
    }
    Ok(None)
}

pub(super) fn lmpop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let args = parse_mpop(&call.argv, 1)?;
        let keys = &call.argv[args.first_key..args.first_key + args.numkeys];
        Ok(pop_from_first(srv, call, keys, args.end, args.count)?.unwrap_or(Reply::NullArray))
    })())
}

pub(super) fn lmove(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let from = parse_end(call.arg(3))?;
        let to = parse_end(call.arg(4))?;
        move_element(srv, call, from, to)
    })())
}

pub(super) fn rpoplpush(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(move_element(srv, call, End::Tail, End::Head))
}

/// Redis's lmoveGenericCommand: pops from the source (argv[1]) and pushes onto the
/// destination (argv[2]), which must be a list or missing. Replies with the element, or
/// null if the source is missing.
pub(super) fn move_element(
    srv: &mut Server,
    call: &Call,
    from: End,
    to: End,
) -> Result<Reply, Reply> {
    let (source, destination) = (call.arg(1), call.arg(2));
    if write_list(srv, call, source)?.is_none() {
        return Ok(Reply::Null);
    }
    Ok(match transfer(srv, call, source, destination, from, to)? {
        Some(element) => {
            srv.add_dirty(1);
            Reply::Bulk(element)
        }
        None => Reply::Null,
    })
}

/// Moves one element from a non-empty source list to a destination that must be a list or
/// missing (WRONGTYPE otherwise, with nothing moved). Publishes the push, the pop and the
/// source's deletion, in Redis's order.
pub(super) fn transfer(
    srv: &mut Server,
    call: &Call,
    source: &[u8],
    destination: &[u8],
    from: End,
    to: End,
) -> Result<Option<Vec<u8>>, Reply> {
    let destination_exists = write_list(srv, call, destination)?.is_some();
    let Some(element) = write_list(srv, call, source)?.and_then(|list| list.pop(from)) else {
        return Ok(None);
    };
    // Redis's lmoveHandlePush.
    if destination_exists {
        if let Some(list) = write_list(srv, call, destination)? {
            list.push(to, element.clone());
        }
    } else {
        let mut list = new_list(srv);
        list.push(to, element.clone());
        add_list(srv, call, destination, list);
    }
    srv.key_modified(call.db, destination);
    srv.notify_keyspace_event(class::LIST, push_event(to), destination, call.db);
    // Redis replies with the element between the push and the pop events.
    srv.reply_here(call);
    srv.notify_keyspace_event(class::LIST, pop_event(from), source, call.db);
    super::delete_if_empty(srv, call.db, source);
    srv.key_modified(call.db, source);
    Ok(Some(element))
}
