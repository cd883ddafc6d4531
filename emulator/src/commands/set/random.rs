//! SPOP and SRANDMEMBER, with Redis's strategies for large counts (which decide the order of
//! the reply and, for SPOP, the encoding of what remains).

use std::collections::HashSet;

use super::algebra::union;
use super::{as_set, as_set_mut, max_intset_entries, member_reply};
use crate::commands::string::reply_of;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{random, SetValue};
use crate::util::parse_i64;

/// SPOP with a count uses the "rebuild" strategy once the members left would be fewer than
/// a fifth of those popped (Redis's SPOP_MOVE_STRATEGY_MUL).
const SPOP_MOVE_STRATEGY_MUL: usize = 5;
/// SRANDMEMBER copies the set and removes from it when asked for more than a third of it.
const SRANDMEMBER_SUB_STRATEGY_MUL: usize = 3;

/// Redis's getPositiveLongFromObjectOrReply with its default message, which it also gives
/// for arguments that are not integers at all.
pub(crate) fn positive_count(arg: &[u8]) -> Result<usize, Reply> {
    parse_i64(arg)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Reply::error("ERR value is out of range, must be positive"))
}

/// A count between -LONG_MAX and LONG_MAX (SRANDMEMBER, ZRANDMEMBER, HRANDFIELD).
pub(crate) fn signed_count(arg: &[u8]) -> Result<i64, Reply> {
    let n = parse_i64(arg).ok_or_else(errors::not_integer)?;
    if n == i64::MIN {
        return Err(Reply::error(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    Ok(n)
}

/// The most elements a reply with repetitions (a negative count) may hold here. Redis has no
/// such limit and would build a reply of any size; an engine sharing a browser tab refuses
/// beyond this with Redis's out-of-memory error rather than exhausting the page's memory.
pub(crate) const MAX_REPEATED_PICKS: usize = 1 << 24;

/// Room for `n` replies, or Redis's out-of-memory error when there cannot be.
pub(crate) fn reply_buffer<T>(n: usize) -> Result<Vec<T>, Reply> {
    let mut items = Vec::new();
    if n > MAX_REPEATED_PICKS || items.try_reserve_exact(n).is_err() {
        return Err(Reply::error(errors::OOM));
    }
    Ok(items)
}

pub(super) fn spop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(match call.argc() {
        2 => spop_one(srv, call),
        3 => spop_count(srv, call),
        _ => Err(errors::syntax()),
    })
}

fn spop_one(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let Some(entry) = srv.lookup_write(call.db, key, call.now) else {
        return Ok(Reply::Null);
    };
    let set = as_set_mut(entry)?;
    let member = set.pop_random().unwrap_or_default();
    let emptied = set.is_empty();
    srv.notify_keyspace_event(class::SET, "spop", key, call.db);
    if emptied {
        srv.delete_key(call.db, key);
        srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
    }
    srv.key_modified(call.db, key);
    srv.add_dirty(1);
    srv.rewrite_argv_parts(&[b"SREM", key, &member]);
    Ok(Reply::Bulk(member))
}

fn spop_count(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let count = positive_count(call.arg(2))?;
    let key = call.arg(1);
    let max = max_intset_entries(srv);
    let Some(entry) = srv.lookup_write(call.db, key, call.now) else {
        return Ok(Reply::Set(Vec::new()));
    };
    let set = as_set_mut(entry)?;
    if count == 0 {
        return Ok(Reply::Set(Vec::new()));
    }
    let size = set.len();
    // Notifications go out as Redis sends them: `spop` first.
    let all = (count >= size).then(|| union(&[Some(&*set)], max));
    srv.notify_keyspace_event(class::SET, "spop", key, call.db);
    let Some(set) = srv
        .db(call.db)
        .get_mut(key)
        .and_then(|e| as_set_mut(e).ok())
    else {
        return Ok(Reply::Set(Vec::new()));
    };
    let reply: Vec<Reply> = if let Some(all) = all {
        // The whole set, in the order of a one-set SUNION.
        let reply = all.iter().map(member_reply).collect();
        srv.delete_key(call.db, key);
        srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
        reply
    } else if (size - count).saturating_mul(SPOP_MOVE_STRATEGY_MUL) > count {
        (0..count)
            .filter_map(|_| set.pop_random())
            .map(Reply::Bulk)
            .collect()
    } else {
        // Move the members that stay into a new set, then return what is left of the old.
        let mut kept: Option<SetValue> = None;
        for _ in 0..size - count {
            let Some(member) = set.pop_random() else {
                break;
            };
            kept.get_or_insert_with(|| SetValue::for_first_member(&member))
                .add(&member, max);
        }
        let reply = set.iter().map(member_reply).collect();
        if let Some(kept) = kept {
            *set = kept;
        }
        reply
    };
    srv.key_modified(call.db, key);
    srv.add_dirty(count.min(size) as u64);
    if count >= size {
        srv.rewrite_argv_parts(&[b"DEL", key]);
    } else {
        // Each popped member is propagated as its own SREM (they become a transaction).
        for member in &reply {
            if let Reply::Bulk(member) = member {
                srv.also_propagate(
                    call.db,
                    vec![b"SREM".to_vec(), key.to_vec(), member.clone()],
                );
            }
        }
        srv.prevent_propagation();
    }
    Ok(Reply::Set(reply))
}

pub(super) fn srandmember(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(match call.argc() {
        2 => srandmember_one(srv, call),
        3 => srandmember_count(srv, call),
        _ => Err(errors::syntax()),
    })
}

fn srandmember_one(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let Some(entry) = srv.lookup_read(call.db, call.arg(1), call.now) else {
        return Ok(Reply::Null);
    };
    let set = as_set(entry)?;
    Ok(set.random().map_or(Reply::Null, member_reply))
}

fn srandmember_count(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let requested = signed_count(call.arg(2))?;
    let Some(entry) = srv.lookup_read(call.db, call.arg(1), call.now) else {
        return Ok(Reply::Array(Vec::new()));
    };
    let set = as_set(entry)?;
    let count = usize::try_from(requested.unsigned_abs()).unwrap_or(usize::MAX);
    if count == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let size = set.len();
    // Negative counts allow repetitions: independent picks.
    if requested < 0 || count == 1 {
        let mut items = reply_buffer(count)?;
        for _ in 0..count {
            items.extend(set.random().map(member_reply));
        }
        return Ok(Reply::Array(items));
    }
    if count >= size {
        return Ok(Reply::Array(set.iter().map(member_reply).collect()));
    }
    let chosen: Vec<Vec<u8>> = if count.saturating_mul(SRANDMEMBER_SUB_STRATEGY_MUL) > size {
        let mut all: Vec<Vec<u8>> = set.iter().map(|m| m.to_vec()).collect();
        while all.len() > count {
            all.swap_remove(random::below(all.len()));
        }
        all
    } else {
        let mut seen = HashSet::with_capacity(count);
        let mut picked = Vec::with_capacity(count);
        while picked.len() < count {
            let Some(member) = set.random().map(|m| m.to_vec()) else {
                break;
            };
            if seen.insert(member.clone()) {
                picked.push(member);
            }
        }
        picked
    };
    Ok(Reply::Array(chosen.into_iter().map(Reply::Bulk).collect()))
}
