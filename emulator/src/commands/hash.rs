//! Hash commands: HSET/HMSET/HSETNX, HGET/HMGET/HGETALL/HKEYS/HVALS, HDEL, HEXISTS, HLEN,
//! HSTRLEN, HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN, following Redis 7.0's t_hash.c.
//!
//! Small hashes are listpack-encoded and keep their fields in insertion order, so their
//! replies list fields exactly as Redis's do; hash-table-encoded ones list them in table
//! order, which differs from Redis's (whose order depends on a random hash seed anyway).

mod incr;
mod random;
mod scan;

use super::Handler;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::hash::HashLimits;
use crate::types::{Entry, HashValue, Value};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("hset", hset),
    ("hmset", hset),
    ("hsetnx", hsetnx),
    ("hget", hget),
    ("hmget", hmget),
    ("hgetall", hgetall),
    ("hkeys", hkeys),
    ("hvals", hvals),
    ("hdel", hdel),
    ("hexists", hexists),
    ("hlen", hlen),
    ("hstrlen", hstrlen),
    ("hincrby", incr::hincrby),
    ("hincrbyfloat", incr::hincrbyfloat),
    ("hrandfield", random::hrandfield),
    ("hscan", scan::hscan),
];

/// The hash stored in an entry, or WRONGTYPE.
fn as_hash(entry: &mut Entry) -> Result<&mut HashValue, Reply> {
    match &mut entry.value {
        Value::Hash(hash) => Ok(hash),
        _ => Err(errors::wrongtype()),
    }
}

/// Looks a key up for reading: None if missing, WRONGTYPE if not a hash.
fn read_hash<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a mut HashValue>, Reply> {
    match srv.lookup_read(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_hash(entry).map(Some),
    }
}

/// Looks a key up for writing: None if missing, WRONGTYPE if not a hash.
fn write_hash<'a>(
    srv: &'a mut Server,
    call: &Call,
    key: &[u8],
) -> Result<Option<&'a mut HashValue>, Reply> {
    match srv.lookup_write(call.db, key, call.now) {
        None => Ok(None),
        Some(entry) => as_hash(entry).map(Some),
    }
}

/// The encoding thresholds from the configuration.
fn limits(srv: &Server) -> HashLimits {
    let size = |n: i64| usize::try_from(n).unwrap_or(0);
    HashLimits {
        max_listpack_entries: size(srv.config.hash_max_listpack_entries),
        max_listpack_value: size(srv.config.hash_max_listpack_value),
    }
}

/// Applies `update` to the hash at `key`, creating the hash first if the key is missing
/// (Redis's hashTypeLookupWriteOrCreate; a new key is added with dbAdd once filled, which
/// nothing can observe in between).
fn with_hash_or_create<T>(
    srv: &mut Server,
    call: &Call,
    key: &[u8],
    update: impl FnOnce(&mut HashValue, HashLimits) -> Result<T, Reply>,
) -> Result<T, Reply> {
    let limits = limits(srv);
    if let Some(hash) = write_hash(srv, call, key)? {
        return update(hash, limits);
    }
    let mut hash = HashValue::new();
    let result = update(&mut hash, limits)?;
    if !hash.is_empty() {
        srv.add_key(
            call.db,
            key,
            Entry::new(Value::Hash(Box::new(hash)), call.now),
            None,
        );
    }
    Ok(result)
}

/// HSET and HMSET: field/value pairs; HSET replies how many fields were new, HMSET OK.
fn hset(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() % 2 == 1 {
        return Reply::error(errors::wrong_arity(call.spec.name));
    }
    let key = call.arg(1);
    let pairs = &call.argv[2..];
    let created = with_hash_or_create(srv, call, key, |hash, limits| {
        hash.prepare_for(pairs.iter().map(Vec::as_slice), limits);
        let mut created = 0;
        for pair in pairs.chunks(2) {
            if let [field, value] = pair {
                if !hash.set(field, value.clone(), limits) {
                    created += 1;
                }
            }
        }
        Ok(created)
    });
    let created = match created {
        Ok(n) => n,
        Err(e) => return e,
    };
    srv.reply_here(call);
    srv.key_modified(call.db, key);
    srv.notify_keyspace_event(class::HASH, "hset", key, call.db);
    srv.add_dirty(pairs.len() as u64 / 2);
    if call.spec.name == "hset" {
        Reply::Integer(created)
    } else {
        Reply::ok()
    }
}

fn hsetnx(srv: &mut Server, call: &mut Call) -> Reply {
    let (key, field, value) = (call.arg(1), call.arg(2), call.arg(3));
    let set = with_hash_or_create(srv, call, key, |hash, limits| {
        if hash.contains(field) {
            return Ok(false);
        }
        hash.prepare_for([field, value].into_iter(), limits);
        hash.set(field, value.to_vec(), limits);
        Ok(true)
    });
    match set {
        Ok(false) => Reply::Integer(0),
        Ok(true) => {
            srv.reply_here(call);
            srv.key_modified(call.db, key);
            srv.notify_keyspace_event(class::HASH, "hset", key, call.db);
            srv.add_dirty(1);
            Reply::Integer(1)
        }
        Err(e) => e,
    }
}

fn hget(srv: &mut Server, call: &mut Call) -> Reply {
    match read_hash(srv, call, call.arg(1)) {
        Ok(Some(hash)) => hash.get(call.arg(2)).map_or(Reply::Null, Reply::bulk),
        Ok(None) => Reply::Null,
        Err(e) => e,
    }
}

fn hmget(srv: &mut Server, call: &mut Call) -> Reply {
    let hash = match read_hash(srv, call, call.arg(1)) {
        Ok(hash) => hash,
        Err(e) => return e,
    };
    let values = call.argv[2..]
        .iter()
        .map(|field| match hash.as_ref().and_then(|h| h.get(field)) {
            Some(value) => Reply::bulk(value),
            None => Reply::Null,
        })
        .collect();
    Reply::Array(values)
}

/// HGETALL: a map of fields to values (RESP2: a flat array).
fn hgetall(srv: &mut Server, call: &mut Call) -> Reply {
    match read_hash(srv, call, call.arg(1)) {
        Ok(Some(hash)) => Reply::Map(
            hash.iter()
                .map(|(f, v)| (Reply::bulk(f), Reply::bulk(v)))
                .collect(),
        ),
        Ok(None) => Reply::Map(Vec::new()),
        Err(e) => e,
    }
}

fn hkeys(srv: &mut Server, call: &mut Call) -> Reply {
    match read_hash(srv, call, call.arg(1)) {
        Ok(Some(hash)) => Reply::Array(hash.iter().map(|(f, _)| Reply::bulk(f)).collect()),
        Ok(None) => Reply::Array(Vec::new()),
        Err(e) => e,
    }
}

fn hvals(srv: &mut Server, call: &mut Call) -> Reply {
    match read_hash(srv, call, call.arg(1)) {
        Ok(Some(hash)) => Reply::Array(hash.iter().map(|(_, v)| Reply::bulk(v)).collect()),
        Ok(None) => Reply::Array(Vec::new()),
        Err(e) => e,
    }
}

fn hdel(srv: &mut Server, call: &mut Call) -> Reply {
    let key = call.arg(1);
    let hash = match write_hash(srv, call, key) {
        Ok(Some(hash)) => hash,
        Ok(None) => return Reply::Integer(0),
        Err(e) => return e,
    };
    let mut deleted = 0u64;
    for field in &call.argv[2..] {
        if hash.delete(field) {
            deleted += 1;
            if hash.is_empty() {
                break;
            }
        }
    }
    let emptied = hash.is_empty();
    if deleted > 0 {
        if emptied {
            srv.delete_key(call.db, key);
        }
        srv.key_modified(call.db, key);
        srv.notify_keyspace_event(class::HASH, "hdel", key, call.db);
        if emptied {
            srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
        }
        srv.add_dirty(deleted);
    }
    Reply::Integer(deleted as i64)
}

fn hexists(srv: &mut Server, call: &mut Call) -> Reply {
    match read_hash(srv, call, call.arg(1)) {
        Ok(hash) => Reply::Integer(i64::from(hash.is_some_and(|h| h.contains(call.arg(2))))),
        Err(e) => e,
    }
}

fn hlen(srv: &mut Server, call: &mut Call) -> Reply {
    match read_hash(srv, call, call.arg(1)) {
        Ok(hash) => Reply::Integer(hash.map_or(0, |h| h.len() as i64)),
        Err(e) => e,
    }
}

fn hstrlen(srv: &mut Server, call: &mut Call) -> Reply {
    match read_hash(srv, call, call.arg(1)) {
        Ok(hash) => Reply::Integer(
            hash.and_then(|h| h.get(call.arg(2)))
                .map_or(0, |v| v.len() as i64),
        ),
        Err(e) => e,
    }
}
