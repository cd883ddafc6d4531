//! Commands that move or duplicate a key: RENAME, RENAMENX, MOVE, COPY.

use super::{option_is, parse_db_index};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::Entry;

const SAME_OBJECT: &str = "ERR source and destination objects are the same";

pub(super) fn rename(srv: &mut Server, call: &mut Call) -> Reply {
    match rename_key(srv, call, false) {
        Ok(()) => Reply::ok(),
        Err(reply) => reply,
    }
}

pub(super) fn renamenx(srv: &mut Server, call: &mut Call) -> Reply {
    match rename_key(srv, call, true) {
        Ok(()) => Reply::Integer(1),
        Err(reply) => reply,
    }
}

/// RENAME and RENAMENX. The value and its expiry move to the new name; `Err` carries the
/// reply for every outcome other than a rename.
fn rename_key(srv: &mut Server, call: &mut Call, only_if_new: bool) -> Result<(), Reply> {
    let (db, now) = (call.db, call.now);
    let (from, to) = (call.arg(1), call.arg(2));
    if srv.lookup_write(db, from, now).is_none() {
        return Err(Reply::error(errors::NO_SUCH_KEY));
    }
    if from == to {
        return Err(if only_if_new {
            Reply::Integer(0)
        } else {
            Reply::ok()
        });
    }
    if srv.lookup_write(db, to, now).is_some() {
        if only_if_new {
            return Err(Reply::Integer(0));
        }
        srv.dbs[db].remove(to);
    }
    let Some((entry, expire)) = srv.dbs[db].take(from) else {
        return Err(Reply::error(errors::NO_SUCH_KEY));
    };
    srv.add_key(db, to, entry, expire);
    srv.key_modified(db, from);
    srv.key_modified(db, to);
    srv.notify_keyspace_event(class::GENERIC, "rename_from", from, db);
    srv.notify_keyspace_event(class::GENERIC, "rename_to", to, db);
    srv.add_dirty(1);
    Ok(())
}

pub(super) fn move_(srv: &mut Server, call: &mut Call) -> Reply {
    let (src, now) = (call.db, call.now);
    let dst = match parse_db_index(srv, call.arg(2)) {
        Ok(i) => i,
        Err(e) => return e,
    };
    if src == dst {
        return Reply::error(SAME_OBJECT);
    }
    let key = call.arg(1);
    if srv.lookup_write(src, key, now).is_none() || srv.lookup_write(dst, key, now).is_some() {
        return Reply::Integer(0);
    }
    let Some((entry, expire)) = srv.dbs[src].take(key) else {
        return Reply::Integer(0);
    };
    srv.add_key(dst, key, entry, expire);
    srv.key_modified(src, key);
    srv.key_modified(dst, key);
    srv.notify_keyspace_event(class::GENERIC, "move_from", key, src);
    srv.notify_keyspace_event(class::GENERIC, "move_to", key, dst);
    srv.add_dirty(1);
    Reply::Integer(1)
}

pub(super) fn copy(srv: &mut Server, call: &mut Call) -> Reply {
    let (src, now) = (call.db, call.now);
    let mut dst = src;
    let mut replace = false;
    let mut i = 3;
    while i < call.argc() {
        let arg = call.arg(i);
        if option_is(arg, "replace") {
            replace = true;
        } else if option_is(arg, "db") && i + 1 < call.argc() {
            dst = match parse_db_index(srv, call.arg(i + 1)) {
                Ok(d) => d,
                Err(e) => return e,
            };
            i += 1;
        } else {
            return errors::syntax();
        }
        i += 1;
    }
    let (from, to) = (call.arg(1), call.arg(2));
    if src == dst && from == to {
        return Reply::error(SAME_OBJECT);
    }
    let Some(source) = srv.lookup_read(src, from, now) else {
        return Reply::Integer(0);
    };
    // The copy is a new object: its access time starts now.
    let copy = Entry::new(source.value.clone(), now);
    let expire = srv.dbs[src].expire_at(from);
    if srv.lookup_write(dst, to, now).is_some() {
        if !replace {
            return Reply::Integer(0);
        }
        srv.dbs[dst].remove(to);
    }
    srv.add_key(dst, to, copy, expire);
    srv.key_modified(dst, to);
    srv.notify_keyspace_event(class::GENERIC, "copy_to", to, dst);
    srv.add_dirty(1);
    Reply::Integer(1)
}
