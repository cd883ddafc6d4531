//! HINCRBY and HINCRBYFLOAT. The float variant computes in x87 extended precision and
//! prints like INCRBYFLOAT (see `commands/string/long_double.rs`).

use super::with_hash_or_create;
use crate::commands::string::long_double::LongDouble;
use crate::commands::string::reply_of;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::parse_i64;

pub(super) fn hincrby(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(hincrby_reply(srv, call))
}

fn hincrby_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let increment = parse_i64(call.arg(3)).ok_or_else(errors::not_integer)?;
    let (key, field) = (call.arg(1), call.arg(2));
    let value = with_hash_or_create(srv, call, key, |hash, limits| {
        let current = match hash.get(field) {
            Some(bytes) => {
                parse_i64(bytes).ok_or_else(|| Reply::error("ERR hash value is not an integer"))?
            }
            None => 0,
        };
        let value = current
            .checked_add(increment)
            .ok_or_else(|| Reply::error(errors::OVERFLOW))?;
        hash.set(field, value.to_string().into_bytes(), limits);
        Ok(value)
    })?;
    srv.reply_here(call);
    srv.key_modified(call.db, key);
    srv.notify_keyspace_event(class::HASH, "hincrby", key, call.db);
    srv.add_dirty(1);
    Ok(Reply::Integer(value))
}

pub(super) fn hincrbyfloat(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(hincrbyfloat_reply(srv, call))
}

fn hincrbyfloat_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let increment = LongDouble::parse(call.arg(3)).ok_or_else(errors::not_float)?;
    if increment == LongDouble::Infinite {
        return Err(Reply::error("ERR value is NaN or Infinity"));
    }
    let (key, field) = (call.arg(1), call.arg(2));
    let text = with_hash_or_create(srv, call, key, |hash, limits| {
        let current = match hash.get(field) {
            Some(bytes) => LongDouble::parse(bytes)
                .ok_or_else(|| Reply::error("ERR hash value is not a float"))?,
            None => LongDouble::from_i64(0),
        };
        let sum = current
            .add(increment)
            .ok_or_else(|| Reply::error("ERR increment would produce NaN or Infinity"))?;
        let text = sum.to_human_string().into_bytes();
        hash.set(field, text.clone(), limits);
        Ok(text)
    })?;
    srv.reply_here(call);
    srv.key_modified(call.db, key);
    srv.notify_keyspace_event(class::HASH, "hincrbyfloat", key, call.db);
    srv.add_dirty(1);
    srv.rewrite_argv_parts(&[b"HSET", key, field, &text]);
    Ok(Reply::Bulk(text))
}
