//! BZPOPMIN, BZPOPMAX and BZMPOP.
//!
//! With an element available these pop as ZPOPMIN/ZPOPMAX/ZMPOP do, with the key name in the
//! reply. Otherwise the client blocks (see `crate::blocking`) until a sorted set is created at
//! one of its keys, and is served from that key (Redis's serveClientsBlockedOnSortedSetKey).
//! Inside MULTI or a script the commands cannot block and answer as if they timed out.

use super::as_zset;
use super::pop::{parse_mpop_args, pop, End, PopShape};
use crate::blocking::{deadline_after, parse_timeout, BlockRequest, TimeoutUnit};
use crate::commands::string::reply_of;
use crate::resp::Reply;
use crate::server::{Call, Server};

pub(super) fn bzpopmin(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(blocking_pop(srv, call, End::Min))
}

pub(super) fn bzpopmax(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(blocking_pop(srv, call, End::Max))
}

/// BZPOPMIN / BZPOPMAX key [key ...] timeout: `[key, member, score]`.
fn blocking_pop(srv: &mut Server, call: &mut Call, end: End) -> Result<Reply, Reply> {
    let last = call.argc() - 1;
    let timeout = parse_timeout(call.arg(last), TimeoutUnit::Seconds)?;
    let keys = call.argv[1..last].to_vec();
    pop_or_block(srv, call, keys, end, 1, PopShape::FlatWithKey, timeout)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: `[key, [[member, score]...]]`.
/// The arguments are checked before the timeout, as Redis does.
pub(super) fn bzmpop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let (keys, end, count) = parse_mpop_args(&call.argv, 2)?;
        let timeout = parse_timeout(call.arg(1), TimeoutUnit::Seconds)?;
        pop_or_block(
            srv,
            call,
            keys,
            end,
            count,
            PopShape::NestedWithKey,
            timeout,
        )
    })())
}

/// Pops from the first non-empty sorted set among `keys` (a key of another type before it is
/// WRONGTYPE), or blocks on all of them; the NullArray returned when blocking is the timeout
/// reply.
fn pop_or_block(
    srv: &mut Server,
    call: &mut Call,
    keys: Vec<Vec<u8>>,
    end: End,
    count: usize,
    shape: PopShape,
    timeout_ms: u64,
) -> Result<Reply, Reply> {
    for key in &keys {
        let Some(entry) = srv.lookup_write(call.db, key, call.now) else {
            continue;
        };
        let len = as_zset(entry)?.len();
        if len == 0 {
            continue;
        }
        srv.rewrite_argv(propagated_pop(end, key, count, shape, len));
        return Ok(pop(srv, call.db, key, end, count, shape));
    }
    if call.nested {
        return Ok(Reply::NullArray);
    }
    call.block = Some(BlockRequest {
        keys,
        deadline: deadline_after(call.now, timeout_ms),
        serve: Some(serve),
    });
    Ok(Reply::NullArray)
}

/// Serves a client blocked in one of these commands from `key`, which was just created: only
/// a sorted set serves it (a key of another type leaves it waiting).
fn serve(srv: &mut Server, call: &mut Call, key: &[u8]) -> Option<Reply> {
    let entry = srv.lookup_write(call.db, key, call.now)?;
    let len = as_zset(entry).ok()?.len();
    if len == 0 {
        return None;
    }
    let (end, count, shape) = match call.spec.name {
        "bzpopmin" => (End::Min, 1, PopShape::FlatWithKey),
        "bzpopmax" => (End::Max, 1, PopShape::FlatWithKey),
        "bzmpop" => {
            let (_, end, count) = parse_mpop_args(&call.argv, 2).ok()?;
            (end, count, PopShape::NestedWithKey)
        }
        _ => return None,
    };
    srv.also_propagate(call.db, propagated_pop(end, key, count, shape, len));
    Some(pop(srv, call.db, key, end, count, shape))
}

/// BZPOPMIN/BZPOPMAX are propagated without a count, BZMPOP with the number popped.
fn propagated_pop(end: End, key: &[u8], count: usize, shape: PopShape, len: usize) -> Vec<Vec<u8>> {
    let count = (shape == PopShape::NestedWithKey).then_some(count);
    super::pop::pop_propagation(end, key, count, len)
}
