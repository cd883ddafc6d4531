//! Generic key commands (Redis group "generic"): DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, EXPIRE,
//! TTL, OBJECT, ...

mod dump;
mod expire;
mod object;
mod relocate;
pub(crate) mod scan;

use super::{c_str, Handler};
use crate::errors;
use crate::keyspace::LookupFlags;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::parse_i64;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("del", del),
    ("unlink", unlink),
    ("exists", exists),
    ("touch", touch),
    ("type", type_),
    ("randomkey", randomkey),
    ("keys", scan::keys),
    ("scan", scan::scan),
    ("rename", relocate::rename),
    ("renamenx", relocate::renamenx),
    ("move", relocate::move_),
    ("copy", relocate::copy),
    ("expire", expire::expire),
    ("pexpire", expire::pexpire),
    ("expireat", expire::expireat),
    ("pexpireat", expire::pexpireat),
    ("ttl", expire::ttl),
    ("pttl", expire::pttl),
    ("expiretime", expire::expiretime),
    ("pexpiretime", expire::pexpiretime),
    ("persist", expire::persist),
    ("dump", dump::dump),
    ("restore", dump::restore),
    ("object|encoding", object::encoding),
    ("object|refcount", object::refcount),
    ("object|idletime", object::idletime),
    ("object|freq", object::freq),
    ("object|help", object::help),
];

/// Whether an argument names an option. Redis compares with `strcasecmp`, which stops at a
/// NUL byte, so `"count\0junk"` is still COUNT.
fn option_is(arg: &[u8], keyword: &str) -> bool {
    c_str(arg).eq_ignore_ascii_case(keyword.as_bytes())
}

/// Redis's getIntFromObjectOrReply: a 32-bit signed integer argument.
fn parse_int_arg(arg: &[u8]) -> Result<i32, Reply> {
    let value = parse_i64(arg).ok_or_else(errors::not_integer)?;
    i32::try_from(value).map_err(|_| {
        Reply::error("ERR value is out of range, value must between -2147483648 and 2147483647")
    })
}

/// A database index argument as MOVE and COPY parse it (as SELECT would).
fn parse_db_index(srv: &Server, arg: &[u8]) -> Result<usize, Reply> {
    let index = parse_int_arg(arg)?;
    usize::try_from(index)
        .ok()
        .filter(|&i| i < srv.dbs.len())
        .ok_or_else(|| Reply::error(errors::DB_INDEX))
}

/// DEL and UNLINK (values are freed at once either way: there is no background thread).
fn delete_keys(srv: &mut Server, call: &mut Call) -> Reply {
    let mut deleted = 0;
    for key in &call.argv[1..] {
        srv.expire_if_needed(call.db, key, call.now);
        if srv.delete_key(call.db, key) {
            srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
            srv.add_dirty(1);
            deleted += 1;
        }
    }
    Reply::Integer(deleted)
}

fn del(srv: &mut Server, call: &mut Call) -> Reply {
    delete_keys(srv, call)
}

fn unlink(srv: &mut Server, call: &mut Call) -> Reply {
    delete_keys(srv, call)
}

fn exists(srv: &mut Server, call: &mut Call) -> Reply {
    let mut count = 0;
    for key in &call.argv[1..] {
        if srv
            .lookup_read_flags(call.db, key, call.now, LookupFlags::NO_TOUCH)
            .is_some()
        {
            count += 1;
        }
    }
    Reply::Integer(count)
}

fn touch(srv: &mut Server, call: &mut Call) -> Reply {
    let mut count = 0;
    for key in &call.argv[1..] {
        if srv.lookup_read(call.db, key, call.now).is_some() {
            count += 1;
        }
    }
    Reply::Integer(count)
}

fn type_(srv: &mut Server, call: &mut Call) -> Reply {
    let name = srv
        .lookup_read_flags(call.db, call.arg(1), call.now, LookupFlags::NO_TOUCH)
        .map_or("none", |entry| entry.value.type_name());
    Reply::simple(name)
}

fn randomkey(srv: &mut Server, call: &mut Call) -> Reply {
    // Keys drawn but found expired are deleted and another is drawn, as in Redis.
    loop {
        let Some(key) = srv.dbs[call.db].random_key().map(<[u8]>::to_vec) else {
            return Reply::Null;
        };
        if !srv.expire_if_needed(call.db, &key, call.now) {
            return Reply::Bulk(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::server::Server;

    fn run(srv: &mut Server, client: u64, line: &str) -> crate::resp::Reply {
        let argv = line
            .split_whitespace()
            .map(|w| w.as_bytes().to_vec())
            .collect();
        srv.execute(client, argv, 1_000).remove(0)
    }

    #[test]
    fn deadlines_travel_to_other_databases() {
        let mut srv = Server::new();
        let client = srv.connect(1_000);
        run(&mut srv, client, "SET k v");
        run(&mut srv, client, "PEXPIREAT k 4102444800000");
        run(&mut srv, client, "COPY k c DB 2");
        run(&mut srv, client, "MOVE k 3");
        assert_eq!(srv.dbs[2].expire_at(b"c"), Some(4_102_444_800_000));
        assert_eq!(srv.dbs[3].expire_at(b"k"), Some(4_102_444_800_000));
        assert!(srv.dbs[0].is_empty());
        assert_eq!(srv.dbs[0].volatile_len(), 0);
        // REPLACE drops the old deadline with the old value.
        run(&mut srv, client, "SET c v");
        run(&mut srv, client, "COPY c c DB 2 REPLACE");
        assert_eq!(srv.dbs[2].expire_at(b"c"), None);
        assert_eq!(srv.dbs[2].volatile_len(), 0);
    }
}
