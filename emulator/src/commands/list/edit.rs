//! LSET, LINSERT, LREM, LTRIM and LPOS.

use super::{delete_if_empty, int_arg, read_list, write_list};
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::parse_i64;

pub(super) fn lset(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(lset_reply(srv, call))
}

fn lset_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let list = write_list(srv, call, key)?.ok_or_else(|| Reply::error(errors::NO_SUCH_KEY))?;
    let index = int_arg(call.arg(2))?;
    if !list.set(index, call.arg(3).to_vec()) {
        return Err(Reply::error(errors::OUT_OF_RANGE));
    }
    srv.reply_here(call);
    srv.key_modified(call.db, key);
    srv.notify_keyspace_event(class::LIST, "lset", key, call.db);
    srv.add_dirty(1);
    Ok(Reply::ok())
}

pub(super) fn linsert(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(linsert_reply(srv, call))
}

fn linsert_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let after = if is_keyword(call.arg(2), "after") {
        true
    } else if is_keyword(call.arg(2), "before") {
        false
    } else {
        return Err(errors::syntax());
    };
    let key = call.arg(1);
    let Some(list) = write_list(srv, call, key)? else {
        return Ok(Reply::Integer(0));
    };
    let pivot = call.arg(3);
    let Some(position) = list.iter().position(|e| e == pivot) else {
        return Ok(Reply::Integer(-1));
    };
    list.insert(position, call.arg(4).to_vec(), after);
    let len = list.len();
    srv.key_modified(call.db, key);
    srv.notify_keyspace_event(class::LIST, "linsert", key, call.db);
    srv.add_dirty(1);
    Ok(Reply::Integer(len as i64))
}

pub(super) fn lrem(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(lrem_reply(srv, call))
}

fn lrem_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let count = int_arg(call.arg(2))?;
    let key = call.arg(1);
    let Some(list) = write_list(srv, call, key)? else {
        return Ok(Reply::Integer(0));
    };
    // A negative count removes from the tail; 0 removes every match.
    let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    let removed = list.remove_matching(call.arg(3), limit, count < 0);
    if removed > 0 {
        srv.key_modified(call.db, key);
        srv.notify_keyspace_event(class::LIST, "lrem", key, call.db);
    }
    delete_if_empty(srv, call.db, key);
    srv.add_dirty(removed as u64);
    Ok(Reply::Integer(removed as i64))
}

pub(super) fn ltrim(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(ltrim_reply(srv, call))
}

fn ltrim_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let start = int_arg(call.arg(2))?;
    let end = int_arg(call.arg(3))?;
    let key = call.arg(1);
    let Some(list) = write_list(srv, call, key)? else {
        return Ok(Reply::ok());
    };
    let len = list.len() as i64;
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end };
    let (from_head, from_tail) = if start > end || start >= len {
        (len, 0)
    } else {
        (start, len - end.min(len - 1) - 1)
    };
    list.delete_range(0, from_head as usize);
    let remaining = list.len();
    list.delete_range(remaining - from_tail as usize, from_tail as usize);
    srv.notify_keyspace_event(class::LIST, "ltrim", key, call.db);
    delete_if_empty(srv, call.db, key);
    srv.key_modified(call.db, key);
    srv.add_dirty((from_head + from_tail) as u64);
    Ok(Reply::ok())
}

/// LPOS's options: which match to start from (negative: from the tail), how many to return
/// (None: just one, as an integer), how many elements to look at (0: all).
struct LposOptions {
    rank: i64,
    count: Option<i64>,
    maxlen: i64,
}

fn parse_lpos_options(argv: &[Vec<u8>]) -> Result<LposOptions, Reply> {
    let mut options = LposOptions {
        rank: 1,
        count: None,
        maxlen: 0,
    };
    // A non-negative integer, with the option's own message for anything else.
    let non_negative = |arg: &[u8], message: &str| {
        parse_i64(arg)
            .filter(|n| *n >= 0)
            .ok_or_else(|| Reply::error(format!("ERR {message}")))
    };
    let mut i = 3;
    while i < argv.len() {
        let has_value = i + 1 < argv.len();
        let option = &argv[i];
        if is_keyword(option, "rank") && has_value {
            options.rank = int_arg(&argv[i + 1])?;
            if options.rank == 0 {
                return Err(Reply::error(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                ));
            }
        } else if is_keyword(option, "count") && has_value {
            options.count = Some(non_negative(&argv[i + 1], "COUNT can't be negative")?);
        } else if is_keyword(option, "maxlen") && has_value {
            options.maxlen = non_negative(&argv[i + 1], "MAXLEN can't be negative")?;
        } else {
            return Err(errors::syntax());
        }
        i += 2;
    }
    Ok(options)
}

pub(super) fn lpos(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(lpos_reply(srv, call))
}

fn lpos_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let LposOptions {
        rank,
        count,
        maxlen,
    } = parse_lpos_options(&call.argv)?;
    // Redis negates the rank in C's wrapping arithmetic: a rank of i64::MIN stays negative,
    // so every match qualifies.
    let (rank, from_tail) = if rank < 0 {
        (rank.wrapping_neg(), true)
    } else {
        (rank, false)
    };
    let Some(list) = read_list(srv, call, call.arg(1))? else {
        return Ok(match count {
            Some(_) => Reply::Array(Vec::new()),
            None => Reply::Null,
        });
    };
    let element = call.arg(2);
    let len = list.len() as i64;
    let elements: Box<dyn Iterator<Item = &[u8]>> = if from_tail {
        Box::new(list.iter().rev())
    } else {
        Box::new(list.iter())
    };
    let mut found = Vec::new();
    let mut matches: i64 = 0;
    for (index, candidate) in (0i64..).zip(elements) {
        if maxlen != 0 && index >= maxlen {
            break;
        }
        if candidate != element {
            continue;
        }
        matches += 1;
        let position = if from_tail { len - index - 1 } else { index };
        if matches < rank {
            continue;
        }
        match count {
            None => return Ok(Reply::Integer(position)),
            Some(count) => {
                found.push(Reply::Integer(position));
                if count != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= count {
                    break;
                }
            }
        }
    }
    Ok(match count {
        Some(_) => Reply::Array(found),
        None => Reply::Null,
    })
}
