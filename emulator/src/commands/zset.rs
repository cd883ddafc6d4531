//! Sorted set commands.
//!
//! Keyspace events Redis fires (for when notifications exist): `zadd` / `zincr` (ZADD, ZADD
//! INCR, ZINCRBY), `zrem`, `zremrangebyrank`, `zremrangebyscore`, `zremrangebylex`,
//! `zpopmin` / `zpopmax` (also for ZMPOP and the blocking pops), `zunionstore`, `zinterstore`, `zdiffstore`,
//! `zrangestore` on the key, plus `del` when a command empties a sorted set or stores an
//! empty result over an existing key.

mod add;
mod algebra;
mod blocking;
pub(crate) mod pop;
mod query;
mod random;
mod ranges;
mod remove;
mod scan;

use super::string::reply_of;
use super::Handler;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::zset::ListpackLimits;
use crate::types::{Entry, SortedSet, Value};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("bzmpop", blocking::bzmpop),
    ("bzpopmax", blocking::bzpopmax),
    ("bzpopmin", blocking::bzpopmin),
    ("zadd", add::zadd),
    ("zcard", zcard),
    ("zcount", query::zcount),
    ("zdiff", algebra::zdiff),
    ("zdiffstore", algebra::zdiffstore),
    ("zincrby", add::zincrby),
    ("zinter", algebra::zinter),
    ("zintercard", algebra::zintercard),
    ("zinterstore", algebra::zinterstore),
    ("zlexcount", query::zlexcount),
    ("zmpop", pop::zmpop),
    ("zmscore", zmscore),
    ("zpopmax", pop::zpopmax),
    ("zpopmin", pop::zpopmin),
    ("zrandmember", random::zrandmember),
    ("zrange", query::zrange),
    ("zrangebylex", query::zrangebylex),
    ("zrangebyscore", query::zrangebyscore),
    ("zrangestore", query::zrangestore),
    ("zrank", zrank),
    ("zrem", zrem),
    ("zremrangebylex", remove::zremrangebylex),
    ("zremrangebyrank", remove::zremrangebyrank),
    ("zremrangebyscore", remove::zremrangebyscore),
    ("zrevrange", query::zrevrange),
    ("zrevrangebylex", query::zrevrangebylex),
    ("zrevrangebyscore", query::zrevrangebyscore),
    ("zrevrank", zrevrank),
    ("zscan", scan::zscan),
    ("zscore", zscore),
    ("zunion", algebra::zunion),
    ("zunionstore", algebra::zunionstore),
];

/// The sorted set stored in an entry, or WRONGTYPE.
pub(crate) fn as_zset(entry: &Entry) -> Result<&SortedSet, Reply> {
    match &entry.value {
        Value::ZSet(z) => Ok(z),
        _ => Err(errors::wrongtype()),
    }
}

pub(crate) fn as_zset_mut(entry: &mut Entry) -> Result<&mut SortedSet, Reply> {
    match &mut entry.value {
        Value::ZSet(z) => Ok(z),
        _ => Err(errors::wrongtype()),
    }
}

/// The configured listpack limits.
pub(crate) fn listpack_limits(srv: &Server) -> ListpackLimits {
    ListpackLimits {
        max_entries: usize::try_from(srv.config.zset_max_listpack_entries).unwrap_or(0),
        max_value: usize::try_from(srv.config.zset_max_listpack_value).unwrap_or(0),
    }
}

/// Looks a sorted set up for reading (with hit/miss statistics): None if missing.
fn read_zset<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a SortedSet>, Reply> {
    match srv.lookup_read(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_zset(entry).map(Some),
    }
}

/// A member and score as replies: flat in RESP2, and in RESP3 too when `flat` (the caller
/// wraps pairs in arrays when it wants RESP3's nested form).
fn member_score(member: &[u8], score: f64) -> [Reply; 2] {
    [Reply::bulk(member), Reply::Double(score)]
}

/// Replies for member/score pairs: a flat array, or an array of two-element arrays when
/// `nested` (what RESP3 clients get from WITHSCORES).
fn pairs_reply<'a>(pairs: impl Iterator<Item = (&'a [u8], f64)>, nested: bool) -> Reply {
    let mut items = Vec::new();
    for (member, score) in pairs {
        let pair = member_score(member, score);
        if nested {
            items.push(Reply::Array(pair.to_vec()));
        } else {
            items.extend(pair);
        }
    }
    Reply::Array(items)
}

/// Whether the client speaks RESP3 (WITHSCORES replies nest pairs then).
fn speaks_resp3(srv: &Server, call: &Call) -> bool {
    srv.protocol(call.client) == crate::resp::Protocol::Resp3
}

fn zcard(srv: &mut Server, call: &mut Call) -> Reply {
    match read_zset(srv, call, call.arg(1)) {
        Ok(z) => Reply::Integer(z.map_or(0, |z| z.len() as i64)),
        Err(e) => e,
    }
}

fn zscore(srv: &mut Server, call: &mut Call) -> Reply {
    match read_zset(srv, call, call.arg(1)) {
        Ok(z) => z
            .and_then(|z| z.score(call.arg(2)))
            .map_or(Reply::Null, Reply::Double),
        Err(e) => e,
    }
}

fn zmscore(srv: &mut Server, call: &mut Call) -> Reply {
    match read_zset(srv, call, call.arg(1)) {
        Ok(z) => Reply::Array(
            call.argv[2..]
                .iter()
                .map(|m| {
                    z.and_then(|z| z.score(m))
                        .map_or(Reply::Null, Reply::Double)
                })
                .collect(),
        ),
        Err(e) => e,
    }
}

fn zrank(srv: &mut Server, call: &mut Call) -> Reply {
    rank_reply(srv, call, false)
}

fn zrevrank(srv: &mut Server, call: &mut Call) -> Reply {
    rank_reply(srv, call, true)
}

fn rank_reply(srv: &mut Server, call: &Call, reverse: bool) -> Reply {
    match read_zset(srv, call, call.arg(1)) {
        Ok(z) => z
            .and_then(|z| z.rank(call.arg(2), reverse))
            .map_or(Reply::Null, |r| Reply::Integer(r as i64)),
        Err(e) => e,
    }
}

fn zrem(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(zrem_reply(srv, call))
}

fn zrem_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let Some(entry) = srv.lookup_write(call.db, key, call.now) else {
        return Ok(Reply::Integer(0));
    };
    let zset = as_zset_mut(entry)?;
    let mut removed = 0;
    for member in &call.argv[2..] {
        if zset.remove(member).is_some() {
            removed += 1;
        }
        if zset.is_empty() {
            break;
        }
    }
    let emptied = zset.is_empty();
    if emptied {
        srv.delete_key(call.db, key);
    }
    if removed > 0 {
        srv.notify_keyspace_event(class::ZSET, "zrem", key, call.db);
        if emptied {
            srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
        }
        srv.key_modified(call.db, key);
        srv.add_dirty(removed);
    }
    Ok(Reply::Integer(removed as i64))
}
