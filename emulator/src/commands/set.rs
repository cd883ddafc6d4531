//! Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SMOVE, the set algebra
//! (SINTER, SUNION, SDIFF and their STORE and CARD forms), SPOP, SRANDMEMBER and SSCAN.
//!
//! Keyspace events Redis fires (for when notifications exist): `sadd`, `srem`, `spop`,
//! `sinterstore`, `sunionstore`, `sdiffstore` on the key, plus `del` when a command empties a
//! set or stores an empty result over an existing key.

mod algebra;
pub(crate) mod random;
pub(super) mod scan;

use super::string::reply_of;
use super::Handler;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::set::SetMember;
use crate::types::{Entry, SetValue, Value};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("sadd", sadd),
    ("scard", scard),
    ("sdiff", algebra::sdiff),
    ("sdiffstore", algebra::sdiffstore),
    ("sinter", algebra::sinter),
    ("sintercard", algebra::sintercard),
    ("sinterstore", algebra::sinterstore),
    ("sismember", sismember),
    ("smembers", algebra::smembers),
    ("smismember", smismember),
    ("smove", smove),
    ("spop", random::spop),
    ("srandmember", random::srandmember),
    ("srem", srem),
    ("sscan", scan::sscan),
    ("sunion", algebra::sunion),
    ("sunionstore", algebra::sunionstore),
];

/// The set stored in an entry, or WRONGTYPE.
pub(super) fn as_set(entry: &Entry) -> Result<&SetValue, Reply> {
    match &entry.value {
        Value::Set(set) => Ok(set),
        _ => Err(errors::wrongtype()),
    }
}

fn as_set_mut(entry: &mut Entry) -> Result<&mut SetValue, Reply> {
    match &mut entry.value {
        Value::Set(set) => Ok(set),
        _ => Err(errors::wrongtype()),
    }
}

/// `set-max-intset-entries` as a count.
pub(super) fn max_intset_entries(srv: &Server) -> usize {
    usize::try_from(srv.config.set_max_intset_entries).unwrap_or(0)
}

pub(super) fn member_reply(member: SetMember<'_>) -> Reply {
    Reply::Bulk(member.to_vec())
}

/// Looks a set up for reading (with hit/miss statistics): None if missing.
fn read_set<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a SetValue>, Reply> {
    match srv.lookup_read(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_set(entry).map(Some),
    }
}

fn sadd(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(sadd_reply(srv, call))
}

fn sadd_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let max = max_intset_entries(srv);
    let key = call.arg(1);
    let members = &call.argv[2..];
    let added = match srv.lookup_write(call.db, key, call.now) {
        Some(entry) => {
            let set = as_set_mut(entry)?;
            members.iter().filter(|m| set.add(m, max)).count()
        }
        None => {
            let mut set = SetValue::for_first_member(call.arg(2));
            let added = members.iter().filter(|m| set.add(m, max)).count();
            srv.set_value(call.db, key, Value::Set(Box::new(set)), false, call.now);
            added
        }
    };
    if added > 0 {
        srv.key_modified(call.db, key);
        srv.notify_keyspace_event(class::SET, "sadd", key, call.db);
    }
    srv.add_dirty(added as u64);
    Ok(Reply::Integer(added as i64))
}

fn srem(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(srem_reply(srv, call))
}

fn srem_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let Some(entry) = srv.lookup_write(call.db, key, call.now) else {
        return Ok(Reply::Integer(0));
    };
    let set = as_set_mut(entry)?;
    let mut removed = 0;
    for member in &call.argv[2..] {
        if set.remove(member) {
            removed += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    let emptied = set.is_empty();
    if removed > 0 {
        if emptied {
            srv.delete_key(call.db, key);
        }
        srv.key_modified(call.db, key);
        srv.notify_keyspace_event(class::SET, "srem", key, call.db);
        if emptied {
            srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
        }
        srv.add_dirty(removed);
    }
    Ok(Reply::Integer(removed as i64))
}

fn smove(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(smove_reply(srv, call))
}

fn smove_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let (src, dst, member) = (call.arg(1), call.arg(2), call.arg(3));
    let is_set = |e: &mut Entry| matches!(e.value, Value::Set(_));
    let src_is_set = srv.lookup_write(call.db, src, call.now).map(is_set);
    let dst_is_set = srv.lookup_write(call.db, dst, call.now).map(is_set);
    match src_is_set {
        None => return Ok(Reply::Integer(0)),
        Some(false) => return Err(errors::wrongtype()),
        Some(true) => {}
    }
    if dst_is_set == Some(false) {
        return Err(errors::wrongtype());
    }
    let db = srv.db(call.db);
    let Some(src_set) = db.get_mut(src).and_then(|e| as_set_mut(e).ok()) else {
        return Ok(Reply::Integer(0));
    };
    if src == dst {
        return Ok(Reply::Integer(src_set.contains(member) as i64));
    }
    if !src_set.remove(member) {
        return Ok(Reply::Integer(0));
    }
    let emptied = src_set.is_empty();
    srv.notify_keyspace_event(class::SET, "srem", src, call.db);
    if emptied {
        srv.delete_key(call.db, src);
        srv.notify_keyspace_event(class::GENERIC, "del", src, call.db);
    }
    srv.key_modified(call.db, src);
    srv.add_dirty(1);
    let max = max_intset_entries(srv);
    let added = match srv
        .db(call.db)
        .get_mut(dst)
        .and_then(|e| as_set_mut(e).ok())
    {
        Some(dst_set) => dst_set.add(member, max),
        None => {
            let mut set = SetValue::for_first_member(member);
            set.add(member, max);
            srv.set_value(call.db, dst, Value::Set(Box::new(set)), false, call.now);
            true
        }
    };
    if added {
        srv.add_dirty(1);
        srv.key_modified(call.db, dst);
        srv.notify_keyspace_event(class::SET, "sadd", dst, call.db);
    }
    Ok(Reply::Integer(1))
}

fn sismember(srv: &mut Server, call: &mut Call) -> Reply {
    match read_set(srv, call, call.arg(1)) {
        Ok(set) => Reply::Integer(set.is_some_and(|s| s.contains(call.arg(2))) as i64),
        Err(e) => e,
    }
}

fn smismember(srv: &mut Server, call: &mut Call) -> Reply {
    match read_set(srv, call, call.arg(1)) {
        Ok(set) => Reply::Array(
            call.argv[2..]
                .iter()
                .map(|m| Reply::Integer(set.is_some_and(|s| s.contains(m)) as i64))
                .collect(),
        ),
        Err(e) => e,
    }
}

fn scard(srv: &mut Server, call: &mut Call) -> Reply {
    match read_set(srv, call, call.arg(1)) {
        Ok(set) => Reply::Integer(set.map_or(0, |s| s.len() as i64)),
        Err(e) => e,
    }
}
