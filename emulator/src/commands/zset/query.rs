//! ZRANGE and its older forms (ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX,
//! ZREVRANGEBYLEX), ZRANGESTORE, ZCOUNT and ZLEXCOUNT.

use super::ranges::{LexRange, ScoreRange};
use super::{as_zset, listpack_limits, pairs_reply, read_zset, speaks_resp3};
use crate::commands::string::{int_arg, is_keyword, reply_of};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::skiplist::RangeSpec;
use crate::types::{SortedSet, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Not given yet (ZRANGE and ZRANGESTORE accept BYSCORE / BYLEX).
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Not given yet (ZRANGE and ZRANGESTORE accept REV).
    Auto,
    Forward,
    Reverse,
}

pub(super) fn zrange(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(range_generic(
        srv,
        call,
        1,
        None,
        Kind::Auto,
        Direction::Auto,
    ))
}

pub(super) fn zrangestore(srv: &mut Server, call: &mut Call) -> Reply {
    let dst = call.arg(1).to_vec();
    reply_of(range_generic(
        srv,
        call,
        2,
        Some(&dst),
        Kind::Auto,
        Direction::Auto,
    ))
}

pub(super) fn zrevrange(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(range_generic(
        srv,
        call,
        1,
        None,
        Kind::Rank,
        Direction::Reverse,
    ))
}

pub(super) fn zrangebyscore(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(range_generic(
        srv,
        call,
        1,
        None,
        Kind::Score,
        Direction::Forward,
    ))
}

pub(super) fn zrevrangebyscore(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(range_generic(
        srv,
        call,
        1,
        None,
        Kind::Score,
        Direction::Reverse,
    ))
}

pub(super) fn zrangebylex(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(range_generic(
        srv,
        call,
        1,
        None,
        Kind::Lex,
        Direction::Forward,
    ))
}

pub(super) fn zrevrangebylex(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(range_generic(
        srv,
        call,
        1,
        None,
        Kind::Lex,
        Direction::Reverse,
    ))
}

/// A parsed range of any kind.
enum Range {
    Rank { start: i64, end: i64 },
    Score(ScoreRange),
    Lex(LexRange),
}

/// Redis's zrangeGenericCommand. `key_index` is the source key's position; `store` the
/// destination of ZRANGESTORE.
fn range_generic(
    srv: &mut Server,
    call: &Call,
    key_index: usize,
    store: Option<&[u8]>,
    mut kind: Kind,
    mut direction: Direction,
) -> Result<Reply, Reply> {
    let mut withscores = false;
    let (mut offset, mut count) = (0, -1);
    let mut j = key_index + 3;
    while j < call.argc() {
        let opt = call.arg(j);
        let args_left = call.argc() - j - 1;
        if store.is_none() && is_keyword(opt, "withscores") {
            withscores = true;
        } else if is_keyword(opt, "limit") && args_left >= 2 {
            offset = int_arg(call.arg(j + 1))?;
            count = int_arg(call.arg(j + 2))?;
            j += 2;
        } else if direction == Direction::Auto && is_keyword(opt, "rev") {
            direction = Direction::Reverse;
        } else if kind == Kind::Auto && is_keyword(opt, "bylex") {
            kind = Kind::Lex;
        } else if kind == Kind::Auto && is_keyword(opt, "byscore") {
            kind = Kind::Score;
        } else {
            return Err(errors::syntax());
        }
        j += 1;
    }
    let reverse = direction == Direction::Reverse;
    if kind == Kind::Auto {
        kind = Kind::Rank;
    }
    // Redis tells "no LIMIT" by the count -1, so `LIMIT 5 -1` passes with rank ranges.
    if count != -1 && kind == Kind::Rank {
        return Err(Reply::error(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && kind == Kind::Lex {
        return Err(Reply::error(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let (mut min, mut max) = (call.arg(key_index + 1), call.arg(key_index + 2));
    if reverse && kind != Kind::Rank {
        std::mem::swap(&mut min, &mut max);
    }
    let range = match kind {
        Kind::Score => Range::Score(ScoreRange::parse(min, max)?),
        Kind::Lex => Range::Lex(LexRange::parse(min, max)?),
        _ => Range::Rank {
            start: int_arg(min)?,
            end: int_arg(max)?,
        },
    };

    let resp3 = speaks_resp3(srv, call);
    let limits = listpack_limits(srv);
    let key = call.arg(key_index);
    let Some(entry) = srv.lookup_read(call.db, key, call.now) else {
        return Ok(match store {
            Some(dst) => store_range(srv, call, dst, None),
            None => Reply::Array(Vec::new()),
        });
    };
    let zset = as_zset(entry)?;
    let (selected, expected_len) = match &range {
        Range::Rank { start, end } => {
            let (start, len) = rank_window(*start, *end, zset.len());
            let items: Vec<(&[u8], f64)> = zset.iter_from_rank(start, reverse).take(len).collect();
            (items, Some(len))
        }
        Range::Score(r) => (select_in(zset, r, reverse, offset, count), None),
        Range::Lex(r) => (select_in(zset, r, reverse, offset, count), None),
    };
    match store {
        None => Ok(pairs_or_members(selected.into_iter(), withscores, resp3)),
        Some(dst) => {
            // ZRANGESTORE starts a listpack unless the rank range alone is too long, then
            // adds members one by one, converting as ZADD would.
            let starts_listpack = expected_len.is_none_or(|n| n <= limits.max_entries);
            let mut result = SortedSet::new(starts_listpack);
            for (member, score) in selected {
                result.insert(member, score, limits);
            }
            Ok(store_range(srv, call, dst, Some(result)))
        }
    }
}

/// The first 0-based rank and the number of elements of Redis's inclusive `start..end`
/// (negative indexes count from the end) over `len` elements.
pub(super) fn rank_window(start: i64, end: i64, len: usize) -> (usize, usize) {
    let len = len as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return (0, 0);
    }
    if end >= len {
        end = len - 1;
    }
    (start as usize, (end - start + 1) as usize)
}

/// The elements in range after skipping `offset`, at most `count` of them (all if
/// negative). A negative offset selects nothing, as in Redis.
fn select_in<'a, R: RangeSpec>(
    zset: &'a SortedSet,
    range: &R,
    reverse: bool,
    offset: i64,
    count: i64,
) -> Vec<(&'a [u8], f64)> {
    if offset < 0 || (offset > 0 && offset as u64 >= zset.len() as u64) {
        return Vec::new();
    }
    let take = usize::try_from(count).unwrap_or(usize::MAX);
    zset.iter_from_range(range, reverse)
        .skip(offset as usize)
        .take_while(|&(member, score)| {
            if reverse {
                range.above_min(score, member)
            } else {
                range.below_max(score, member)
            }
        })
        .take(take)
        .collect()
}

/// A range reply: members, or members with scores (pairs nested for RESP3 clients).
fn pairs_or_members<'a>(
    items: impl Iterator<Item = (&'a [u8], f64)>,
    withscores: bool,
    resp3: bool,
) -> Reply {
    if withscores {
        pairs_reply(items, resp3)
    } else {
        Reply::Array(items.map(|(m, _)| Reply::bulk(m)).collect())
    }
}

/// Stores ZRANGESTORE's result (deleting the destination when empty) and replies with its
/// size.
fn store_range(srv: &mut Server, call: &Call, dst: &[u8], result: Option<SortedSet>) -> Reply {
    match result.filter(|z| !z.is_empty()) {
        Some(zset) => {
            let len = zset.len();
            srv.lookup_write(call.db, dst, call.now);
            srv.set_value(call.db, dst, Value::ZSet(Box::new(zset)), false, call.now);
            srv.notify_keyspace_event(class::ZSET, "zrangestore", dst, call.db);
            srv.add_dirty(1);
            Reply::Integer(len as i64)
        }
        None => {
            if srv.delete_key(call.db, dst) {
                srv.notify_keyspace_event(class::GENERIC, "del", dst, call.db);
                srv.add_dirty(1);
            }
            Reply::Integer(0)
        }
    }
}

pub(super) fn zcount(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(ScoreRange::parse(call.arg(2), call.arg(3)).and_then(|r| count_reply(srv, call, &r)))
}

pub(super) fn zlexcount(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(LexRange::parse(call.arg(2), call.arg(3)).and_then(|r| count_reply(srv, call, &r)))
}

fn count_reply<R: RangeSpec>(srv: &mut Server, call: &Call, range: &R) -> Result<Reply, Reply> {
    let zset = read_zset(srv, call, call.arg(1))?;
    Ok(Reply::Integer(zset.map_or(0, |z| z.count_in(range)) as i64))
}
