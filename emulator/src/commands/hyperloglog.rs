//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. Sketches are string
//! values in Redis's byte format (see `types::hll`).
//!
//! Keyspace events Redis fires (for when notifications exist): `pfadd` for PFADD when a
//! register changed or the key was created, and for PFMERGE.

use super::string::{is_keyword, reply_of, string_mut, string_ref};
use super::Handler;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::hll::{self, Corrupt};
use crate::types::{Entry, StringValue, Value};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("pfadd", pfadd),
    ("pfcount", pfcount),
    ("pfdebug", pfdebug),
    ("pfmerge", pfmerge),
    ("pfselftest", pfselftest),
];

const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

fn corrupt(_: Corrupt) -> Reply {
    Reply::error(CORRUPT)
}

fn sparse_max_bytes(srv: &Server) -> usize {
    usize::try_from(srv.config.hll_sparse_max_bytes).unwrap_or(0)
}

/// Redis's isHLLObjectOrReply: a string (not integer-encoded) in a valid sketch format.
fn check_hll(entry: &Entry) -> Result<(), Reply> {
    let value = string_ref(entry)?;
    match value {
        StringValue::Int(_) => Err(Reply::error(NOT_HLL)),
        s if hll::is_valid(&s.bytes()) => Ok(()),
        _ => Err(Reply::error(NOT_HLL)),
    }
}

/// The sketch's bytes for editing in place (Redis's dbUnshareStringValue makes it `raw`).
fn sketch_mut(entry: &mut Entry) -> Result<&mut Vec<u8>, Reply> {
    check_hll(entry)?;
    Ok(string_mut(entry)?.make_raw())
}

fn sketch(entry: &Entry) -> Result<&[u8], Reply> {
    check_hll(entry)?;
    match string_ref(entry)? {
        StringValue::Bytes { data, .. } => Ok(data),
        StringValue::Inline(inline) => Ok(inline.as_slice()),
        StringValue::Int(_) => Err(Reply::error(NOT_HLL)),
    }
}

fn pfadd(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(pfadd_reply(srv, call))
}

fn pfadd_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let max = sparse_max_bytes(srv);
    let mut changed = 0u64;
    match srv.lookup_write(call.db, key, call.now) {
        Some(entry) => {
            let sketch = sketch_mut(entry)?;
            for element in &call.argv[2..] {
                // A corrupt sketch keeps the edits made before the error, as in Redis.
                if hll::add(sketch, element, max).map_err(corrupt)? {
                    changed += 1;
                }
            }
            if changed > 0 {
                hll::invalidate_cache(sketch);
            }
        }
        None => {
            let mut sketch = hll::new_sparse();
            changed += 1;
            for element in &call.argv[2..] {
                if hll::add(&mut sketch, element, max).map_err(corrupt)? {
                    changed += 1;
                }
            }
            hll::invalidate_cache(&mut sketch);
            let value = Value::String(StringValue::raw(sketch));
            srv.set_value(call.db, key, value, false, call.now);
        }
    }
    if changed > 0 {
        srv.key_modified(call.db, key);
        srv.notify_keyspace_event(class::STRING, "pfadd", key, call.db);
        srv.add_dirty(changed);
    }
    Ok(Reply::Integer((changed > 0) as i64))
}

fn pfcount(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(if call.argc() > 2 {
        pfcount_union(srv, call)
    } else {
        pfcount_one(srv, call)
    })
}

/// The cardinality of one sketch: from its cache if current, otherwise computed and cached
/// (which writes to the value, as Redis does).
fn pfcount_one(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let Some(entry) = srv.lookup_read(call.db, key, call.now) else {
        return Ok(Reply::Integer(0));
    };
    let sketch = sketch_mut(entry)?;
    if let Some(cached) = hll::cached_count(sketch) {
        return Ok(Reply::Integer(cached as i64));
    }
    let count = hll::count(sketch).map_err(corrupt)?;
    hll::store_count(sketch, count);
    // The value was written to (and may have become `raw`): its memory is re-measured.
    srv.note_write(call.db, key);
    srv.key_modified(call.db, key);
    srv.add_dirty(1);
    Ok(Reply::Integer(count as i64))
}

/// Merges the registers of the sketches at `keys` (missing keys count as empty); also says
/// whether any of them was dense.
fn merged_registers(
    srv: &mut Server,
    call: &Call,
    keys: &[Vec<u8>],
) -> Result<(Vec<u8>, bool), Reply> {
    let mut max = vec![0u8; hll::REGISTERS];
    let mut any_dense = false;
    for key in keys {
        let Some(entry) = srv.lookup_read(call.db, key, call.now) else {
            continue;
        };
        let sketch = sketch(entry)?;
        any_dense |= hll::is_dense(sketch);
        hll::merge_into(&mut max, sketch).map_err(corrupt)?;
    }
    Ok((max, any_dense))
}

fn pfcount_union(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let (max, _) = merged_registers(srv, call, &call.argv[1..])?;
    Ok(Reply::Integer(hll::count_registers(&max) as i64))
}

fn pfmerge(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(pfmerge_reply(srv, call))
}

fn pfmerge_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    // The destination is merged in too.
    let (max, any_dense) = merged_registers(srv, call, &call.argv[1..])?;
    let key = call.arg(1);
    let sparse_max = sparse_max_bytes(srv);
    let write = |sketch: &mut Vec<u8>| -> Result<(), Reply> {
        if any_dense {
            hll::sparse_to_dense(sketch).map_err(corrupt)?;
        }
        for (index, &value) in max.iter().enumerate() {
            if value > 0 {
                // The sketch was validated by the merge: this cannot fail.
                let _ = hll::raise_register(sketch, index, value, sparse_max);
            }
        }
        hll::invalidate_cache(sketch);
        Ok(())
    };
    match srv.lookup_write(call.db, key, call.now) {
        Some(entry) => write(string_mut(entry)?.make_raw())?,
        None => {
            let mut sketch = hll::new_sparse();
            write(&mut sketch)?;
            let value = Value::String(StringValue::raw(sketch));
            srv.set_value(call.db, key, value, false, call.now);
        }
    }
    srv.key_modified(call.db, key);
    // Redis reports a merge as a mass add.
    srv.notify_keyspace_event(class::STRING, "pfadd", key, call.db);
    srv.add_dirty(1);
    Ok(Reply::ok())
}

fn pfdebug(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(pfdebug_reply(srv, call))
}

fn pfdebug_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let subcommand = call.arg(1);
    let Some(entry) = srv.lookup_write(call.db, call.arg(2), call.now) else {
        return Err(Reply::error("ERR The specified key does not exist"));
    };
    let sketch = sketch_mut(entry)?;
    if is_keyword(subcommand, "getreg") {
        let converted = hll::sparse_to_dense(sketch).map_err(corrupt)?;
        let registers = hll::dense_registers(sketch);
        if converted {
            srv.add_dirty(1);
        }
        Ok(Reply::Array(
            registers
                .into_iter()
                .map(|r| Reply::Integer(r.into()))
                .collect(),
        ))
    } else if is_keyword(subcommand, "decode") {
        if hll::is_dense(sketch) {
            return Err(Reply::error("ERR HLL encoding is not sparse"));
        }
        Ok(Reply::bulk(hll::decode_sparse(sketch)))
    } else if is_keyword(subcommand, "encoding") {
        Ok(Reply::simple(if hll::is_dense(sketch) {
            "dense"
        } else {
            "sparse"
        }))
    } else if is_keyword(subcommand, "todense") {
        let converted = hll::sparse_to_dense(sketch).map_err(corrupt)?;
        if converted {
            srv.add_dirty(1);
        }
        Ok(Reply::Integer(converted as i64))
    } else {
        let name = subcommand.split(|&b| b == 0).next().unwrap_or_default();
        Err(Reply::error(format!(
            "ERR Unknown PFDEBUG subcommand '{}'",
            String::from_utf8_lossy(name)
        )))
    }
}

fn pfselftest(srv: &mut Server, _call: &mut Call) -> Reply {
    match hll::self_test(sparse_max_bytes(srv)) {
        Ok(()) => Reply::ok(),
        Err(failure) => Reply::error(format!("ERR {failure}")),
    }
}
