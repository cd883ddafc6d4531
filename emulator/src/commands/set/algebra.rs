//! SINTER, SINTERCARD, SINTERSTORE, SMEMBERS, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE.
//!
//! Results are built the way Redis builds them (starting from an empty intset and adding
//! members one by one), which decides their encoding and so their order.

use super::{as_set, max_intset_entries, member_reply};
use crate::commands::string::{is_keyword, reply_of};
use crate::db::Db;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{SetValue, Value};
use crate::util::parse_i64;

/// What an intersection produces.
enum InterOutput<'a> {
    Reply,
    Store(&'a [u8]),
    Cardinality { limit: usize },
}

pub(super) fn smembers(srv: &mut Server, call: &mut Call) -> Reply {
    let keys = call.argv[1..2].to_vec();
    reply_of(intersect(srv, call, &keys, InterOutput::Reply))
}

pub(super) fn sinter(srv: &mut Server, call: &mut Call) -> Reply {
    let keys = call.argv[1..].to_vec();
    reply_of(intersect(srv, call, &keys, InterOutput::Reply))
}

pub(super) fn sinterstore(srv: &mut Server, call: &mut Call) -> Reply {
    let keys = call.argv[2..].to_vec();
    let dst = call.arg(1).to_vec();
    reply_of(intersect(srv, call, &keys, InterOutput::Store(&dst)))
}

pub(super) fn sintercard(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(sintercard_reply(srv, call))
}

fn sintercard_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let numkeys_error = || Reply::error("ERR numkeys should be greater than 0");
    let numkeys = parse_i64(call.arg(1)).ok_or_else(numkeys_error)?;
    if numkeys < 1 {
        return Err(numkeys_error());
    }
    let numkeys = numkeys as u64;
    if numkeys > call.argc() as u64 - 2 {
        return Err(Reply::error(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    let first_option = 2 + numkeys as usize;
    let mut limit = 0;
    let mut j = first_option;
    while j < call.argc() {
        if is_keyword(call.arg(j), "limit") && j + 1 < call.argc() {
            let negative = || Reply::error("ERR LIMIT can't be negative");
            let value = parse_i64(call.arg(j + 1)).ok_or_else(negative)?;
            limit = usize::try_from(value).map_err(|_| negative())?;
            j += 2;
        } else {
            return Err(errors::syntax());
        }
    }
    let keys = call.argv[2..first_option].to_vec();
    intersect(srv, call, &keys, InterOutput::Cardinality { limit })
}

/// Looks every key up for reading, as Redis does before computing: missing keys are None,
/// a key of another type is WRONGTYPE (even after a missing one).
fn look_up_sets(srv: &mut Server, call: &Call, keys: &[Vec<u8>]) -> Result<Vec<bool>, Reply> {
    let mut present = Vec::with_capacity(keys.len());
    for key in keys {
        match srv.lookup_read(call.db, key, call.now) {
            None => present.push(false),
            Some(entry) => {
                as_set(entry)?;
                present.push(true);
            }
        }
    }
    Ok(present)
}

fn sets_of<'a>(db: &'a Db, keys: &[Vec<u8>]) -> Vec<Option<&'a SetValue>> {
    keys.iter()
        .map(|k| db.get(k).and_then(|e| as_set(e).ok()))
        .collect()
}

fn intersect(
    srv: &mut Server,
    call: &Call,
    keys: &[Vec<u8>],
    output: InterOutput<'_>,
) -> Result<Reply, Reply> {
    let present = look_up_sets(srv, call, keys)?;
    let max = max_intset_entries(srv);
    if present.contains(&false) {
        return Ok(match output {
            InterOutput::Store(dst) => {
                if srv.delete_key(call.db, dst) {
                    srv.notify_keyspace_event(class::GENERIC, "del", dst, call.db);
                    srv.add_dirty(1);
                }
                Reply::Integer(0)
            }
            InterOutput::Cardinality { .. } => Reply::Integer(0),
            InterOutput::Reply => Reply::Set(Vec::new()),
        });
    }
    let db: &Db = srv.db(call.db);
    let mut sets: Vec<&SetValue> = sets_of(db, keys).into_iter().flatten().collect();
    sets.sort_by_key(|s| s.len());
    let Some((smallest, others)) = sets.split_first() else {
        return Ok(Reply::Set(Vec::new()));
    };
    let common = smallest
        .iter()
        .filter(|m| others.iter().all(|s| s.contains_member(*m)));
    match output {
        InterOutput::Reply => Ok(Reply::Set(common.map(member_reply).collect())),
        InterOutput::Cardinality { limit } => {
            let found = if limit > 0 {
                common.take(limit).count()
            } else {
                common.count()
            };
            Ok(Reply::Integer(found as i64))
        }
        InterOutput::Store(dst) => {
            let mut result = SetValue::empty();
            for member in common {
                result.add(&member.to_vec(), max);
            }
            Ok(store_result(srv, call, dst, result, "sinterstore"))
        }
    }
}

/// Stores a computed set (or deletes the destination when it is empty) and replies with
/// its size, as the STORE variants do; `event` is the keyspace event of a store.
fn store_result(srv: &mut Server, call: &Call, dst: &[u8], result: SetValue, event: &str) -> Reply {
    let len = result.len();
    if len > 0 {
        srv.lookup_write(call.db, dst, call.now);
        srv.set_value(call.db, dst, Value::Set(Box::new(result)), false, call.now);
        srv.notify_keyspace_event(class::SET, event, dst, call.db);
        srv.add_dirty(1);
    } else if srv.delete_key(call.db, dst) {
        srv.notify_keyspace_event(class::GENERIC, "del", dst, call.db);
        srv.add_dirty(1);
    }
    Reply::Integer(len as i64)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Diff,
}

pub(super) fn sunion(srv: &mut Server, call: &mut Call) -> Reply {
    let keys = call.argv[1..].to_vec();
    reply_of(union_or_diff(srv, call, &keys, None, Op::Union))
}

pub(super) fn sunionstore(srv: &mut Server, call: &mut Call) -> Reply {
    let keys = call.argv[2..].to_vec();
    let dst = call.arg(1).to_vec();
    reply_of(union_or_diff(srv, call, &keys, Some(&dst), Op::Union))
}

pub(super) fn sdiff(srv: &mut Server, call: &mut Call) -> Reply {
    let keys = call.argv[1..].to_vec();
    reply_of(union_or_diff(srv, call, &keys, None, Op::Diff))
}

pub(super) fn sdiffstore(srv: &mut Server, call: &mut Call) -> Reply {
    let keys = call.argv[2..].to_vec();
    let dst = call.arg(1).to_vec();
    reply_of(union_or_diff(srv, call, &keys, Some(&dst), Op::Diff))
}

/// The union or difference of the sets at `keys`, replied or stored at `dst`.
fn union_or_diff(
    srv: &mut Server,
    call: &Call,
    keys: &[Vec<u8>],
    dst: Option<&[u8]>,
    op: Op,
) -> Result<Reply, Reply> {
    look_up_sets(srv, call, keys)?;
    let max = max_intset_entries(srv);
    let db: &Db = srv.db(call.db);
    let sets = sets_of(db, keys);
    let result = match op {
        Op::Union => union(&sets, max),
        Op::Diff => difference(keys, &sets, max),
    };
    let event = match op {
        Op::Union => "sunionstore",
        Op::Diff => "sdiffstore",
    };
    match dst {
        Some(dst) => Ok(store_result(srv, call, dst, result, event)),
        None => Ok(Reply::Set(result.iter().map(member_reply).collect())),
    }
}

pub(super) fn union(sets: &[Option<&SetValue>], max: usize) -> SetValue {
    let mut result = SetValue::empty();
    for set in sets.iter().flatten() {
        for member in set.iter() {
            result.add(&member.to_vec(), max);
        }
    }
    result
}

fn difference(keys: &[Vec<u8>], sets: &[Option<&SetValue>], max: usize) -> SetValue {
    let mut result = SetValue::empty();
    let Some(Some(first)) = sets.first() else {
        return result;
    };
    // A later key naming the first set again empties the result.
    if keys
        .iter()
        .skip(1)
        .zip(sets.iter().skip(1))
        .any(|(k, s)| s.is_some() && *k == keys[0])
    {
        return result;
    }
    // Redis picks between two algorithms by estimated work; they can leave the result in
    // different encodings, so the choice is reproduced.
    let present = sets.iter().flatten();
    let first_work = present.clone().count() * first.len() / 2;
    let all_work: usize = present.map(|s| s.len()).sum();
    let others: Vec<&SetValue> = sets.iter().skip(1).flatten().copied().collect();
    if first_work <= all_work {
        for member in first.iter() {
            if !others.iter().any(|s| s.contains_member(member)) {
                result.add(&member.to_vec(), max);
            }
        }
    } else {
        for member in first.iter() {
            result.add(&member.to_vec(), max);
        }
        for set in &others {
            for member in set.iter() {
                result.remove(&member.to_vec());
            }
            if result.is_empty() {
                break;
            }
        }
    }
    result
}
