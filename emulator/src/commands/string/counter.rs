//! INCR, DECR, INCRBY, DECRBY and INCRBYFLOAT. Counters keep the key's expiry: Redis
//! overwrites the value in place.

use super::long_double::LongDouble;
use super::{int_arg, reply_of, string_mut};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{StringValue, Value};

pub(super) fn incr(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(add_to_integer(srv, call, 1))
}

pub(super) fn decr(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(add_to_integer(srv, call, -1))
}

pub(super) fn incrby(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(int_arg(call.arg(2)).and_then(|by| add_to_integer(srv, call, by)))
}

pub(super) fn decrby(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(int_arg(call.arg(2)).and_then(|by| {
        // -i64::MIN does not exist.
        let negated = by
            .checked_neg()
            .ok_or_else(|| Reply::error("ERR decrement would overflow"))?;
        add_to_integer(srv, call, negated)
    }))
}

/// Redis's incrDecrCommand: the key (0 if missing) must hold a 64-bit integer, and the result
/// must fit in one.
fn add_to_integer(srv: &mut Server, call: &Call, increment: i64) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let overflow = || Reply::error(errors::OVERFLOW);
    let value = match srv.lookup_write(call.db, key, call.now) {
        Some(entry) => {
            let s = string_mut(entry)?;
            let current = s.as_i64().ok_or_else(errors::not_integer)?;
            let value = current.checked_add(increment).ok_or_else(overflow)?;
            *s = StringValue::from_int(value);
            srv.key_modified(call.db, key);
            value
        }
        None => {
            let value = increment;
            let stored = Value::String(StringValue::from_int(value));
            srv.set_value(call.db, key, stored, false, call.now);
            value
        }
    };
    srv.notify_keyspace_event(class::STRING, "incrby", key, call.db);
    srv.add_dirty(1);
    Ok(Reply::Integer(value))
}

pub(super) fn incrbyfloat(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(incrbyfloat_reply(srv, call))
}

/// Adds in x87 extended precision and stores the sum as Redis prints it (`%.17Lf` without
/// trailing zeros), as a plain string: `INCRBYFLOAT k 1` stores "1" embstr-encoded, not int.
fn incrbyfloat_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let key = call.arg(1);
    let parse = |bytes: &[u8]| LongDouble::parse(bytes).ok_or_else(errors::not_float);
    let entry = srv.lookup_write(call.db, key, call.now);
    let current = match entry.as_deref() {
        None => LongDouble::from_i64(0),
        Some(entry) => match super::string_ref(entry)? {
            StringValue::Int(n) => LongDouble::from_i64(*n),
            s => parse(&s.bytes())?,
        },
    };
    let increment = parse(call.arg(2))?;
    let sum = current
        .add(increment)
        .ok_or_else(|| Reply::error("ERR increment would produce NaN or Infinity"))?;
    let text = sum.to_human_string().into_bytes();
    let value = StringValue::unencoded(text.clone());
    match srv.lookup_write(call.db, key, call.now) {
        Some(entry) => {
            entry.value = Value::String(value);
            srv.key_modified(call.db, key);
        }
        None => srv.set_value(call.db, key, Value::String(value), false, call.now),
    }
    srv.notify_keyspace_event(class::STRING, "incrbyfloat", key, call.db);
    srv.add_dirty(1);
    // Propagated as the value it produced, so that float formatting can never differ.
    srv.rewrite_argv_parts(&[b"SET", key, &text, b"KEEPTTL"]);
    Ok(Reply::Bulk(text))
}
