//! ZPOPMIN, ZPOPMAX and ZMPOP. The popping itself (`pop`) is shared with the blocking
//! variants (BZPOPMIN, BZPOPMAX, BZMPOP), which call it once a key has elements.

use super::{as_zset, as_zset_mut, speaks_resp3};
use crate::commands::set::random::positive_count;
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::parse_i64;

/// Which end of the ordering to pop from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    Min,
    Max,
}

/// How popped elements are laid out in the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PopShape {
    /// `[member, score, ...]`: ZPOPMIN/ZPOPMAX in RESP2, or without a count.
    Flat,
    /// `[[member, score], ...]`: ZPOPMIN/ZPOPMAX with a count in RESP3.
    Nested,
    /// `[key, member, score]`: BZPOPMIN/BZPOPMAX, in both protocols.
    FlatWithKey,
    /// `[key, [[member, score], ...]]`: ZMPOP/BZMPOP, in both protocols.
    NestedWithKey,
}

/// Pops up to `count` (at least 1) elements from the sorted set at `key` in `db`, which the
/// caller has looked up for writing (`lookup_write`) and found to be a non-empty sorted set,
/// and builds the reply. Deletes
/// the key when it empties, and records the change (WATCH, dirty counter).
///
/// Keyspace events: `zpopmin` or `zpopmax`, then `del` if the key was emptied.
pub(crate) fn pop(
    srv: &mut Server,
    db: usize,
    key: &[u8],
    end: End,
    count: usize,
    shape: PopShape,
) -> Reply {
    let Some(zset) = srv.db(db).get_mut(key).and_then(|e| as_zset_mut(e).ok()) else {
        return Reply::NullArray;
    };
    let mut popped = Vec::with_capacity(count.min(zset.len()));
    while popped.len() < count {
        let next = match end {
            End::Min => zset.first(),
            End::Max => zset.last(),
        };
        let Some((member, score)) = next.map(|(m, s)| (m.to_vec(), s)) else {
            break;
        };
        zset.remove(&member);
        popped.push((member, score));
    }
    let emptied = zset.is_empty();
    if !popped.is_empty() {
        srv.add_dirty(popped.len() as u64);
        let event = match end {
            End::Min => "zpopmin",
            End::Max => "zpopmax",
        };
        srv.notify_keyspace_event(class::ZSET, event, key, db);
        srv.key_modified(db, key);
    }
    if emptied {
        srv.delete_key(db, key);
        srv.notify_keyspace_event(class::GENERIC, "del", key, db);
    }
    let pair = |(member, score): (Vec<u8>, f64)| [Reply::Bulk(member), Reply::Double(score)];
    let nested = |popped: Vec<(Vec<u8>, f64)>| {
        Reply::Array(
            popped
                .into_iter()
                .map(|p| Reply::Array(pair(p).to_vec()))
                .collect(),
        )
    };
    match shape {
        PopShape::Flat => Reply::Array(popped.into_iter().flat_map(pair).collect()),
        PopShape::Nested => nested(popped),
        PopShape::FlatWithKey => {
            let mut items = vec![Reply::bulk(key)];
            items.extend(popped.into_iter().flat_map(pair));
            Reply::Array(items)
        }
        PopShape::NestedWithKey => Reply::Array(vec![Reply::bulk(key), nested(popped)]),
    }
}

pub(super) fn zpopmin(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(zpop(srv, call, End::Min))
}

pub(super) fn zpopmax(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(zpop(srv, call, End::Max))
}

fn zpop(srv: &mut Server, call: &Call, end: End) -> Result<Reply, Reply> {
    if call.argc() > 3 {
        return Err(errors::syntax());
    }
    let count = match call.argc() {
        3 => Some(positive_count(call.arg(2))?),
        _ => None,
    };
    let key = call.arg(1);
    let Some(entry) = srv.lookup_write(call.db, key, call.now) else {
        return Ok(Reply::Array(Vec::new()));
    };
    as_zset(entry)?;
    if count == Some(0) {
        return Ok(Reply::Array(Vec::new()));
    }
    let shape = if count.is_some() && speaks_resp3(srv, call) {
        PopShape::Nested
    } else {
        PopShape::Flat
    };
    Ok(pop(srv, call.db, key, end, count.unwrap_or(1), shape))
}

pub(super) fn zmpop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(zmpop_reply(srv, call))
}

/// Parses `numkeys key... MIN|MAX [COUNT count]` starting at `numkeys_index`: the keys, the
/// end and the count (ZMPOP and BZMPOP).
pub(crate) fn parse_mpop_args(
    argv: &[Vec<u8>],
    numkeys_index: usize,
) -> Result<(Vec<Vec<u8>>, End, usize), Reply> {
    let numkeys_error = || Reply::error("ERR numkeys should be greater than 0");
    let numkeys = parse_i64(&argv[numkeys_index]).ok_or_else(numkeys_error)?;
    if numkeys < 1 {
        return Err(numkeys_error());
    }
    let where_index = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(numkeys_index + 1))
        .filter(|&i| i < argv.len())
        .ok_or_else(errors::syntax)?;
    let end = if is_keyword(&argv[where_index], "min") {
        End::Min
    } else if is_keyword(&argv[where_index], "max") {
        End::Max
    } else {
        return Err(errors::syntax());
    };
    let mut count = None;
    let mut j = where_index + 1;
    while j < argv.len() {
        if count.is_none() && is_keyword(&argv[j], "count") && j + 1 < argv.len() {
            let count_error = || Reply::error("ERR count should be greater than 0");
            let n = parse_i64(&argv[j + 1]).ok_or_else(count_error)?;
            if n < 1 {
                return Err(count_error());
            }
            count = Some(usize::try_from(n).unwrap_or(usize::MAX));
            j += 2;
        } else {
            return Err(errors::syntax());
        }
    }
    let keys = argv[numkeys_index + 1..where_index].to_vec();
    Ok((keys, end, count.unwrap_or(1)))
}

/// The ZPOPMIN/ZPOPMAX a pop is propagated as: with the number popped when a count was
/// given (`count` is None for BZPOPMIN/BZPOPMAX).
pub(super) fn pop_propagation(
    end: End,
    key: &[u8],
    count: Option<usize>,
    len: usize,
) -> Vec<Vec<u8>> {
    let name: &[u8] = match end {
        End::Min => b"ZPOPMIN",
        End::Max => b"ZPOPMAX",
    };
    let mut argv = vec![name.to_vec(), key.to_vec()];
    if let Some(count) = count {
        argv.push(count.min(len).to_string().into_bytes());
    }
    argv
}

fn zmpop_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let (keys, end, count) = parse_mpop_args(&call.argv, 1)?;
    for key in &keys {
        if let Some(entry) = srv.lookup_write(call.db, key, call.now) {
            let len = as_zset(entry)?.len();
            srv.rewrite_argv(pop_propagation(end, key, Some(count), len));
            return Ok(pop(srv, call.db, key, end, count, PopShape::NestedWithKey));
        }
    }
    Ok(Reply::NullArray)
}
