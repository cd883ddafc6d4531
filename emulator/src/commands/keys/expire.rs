//! Key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.

use super::option_is;
use crate::commands::c_str;
use crate::errors;
use crate::keyspace::LookupFlags;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::parse_i64;

pub(super) fn expire(srv: &mut Server, call: &mut Call) -> Reply {
    let now = call.now as i64;
    set_expiry(srv, call, now, Unit::Seconds)
}

pub(super) fn pexpire(srv: &mut Server, call: &mut Call) -> Reply {
    let now = call.now as i64;
    set_expiry(srv, call, now, Unit::Milliseconds)
}

pub(super) fn expireat(srv: &mut Server, call: &mut Call) -> Reply {
    set_expiry(srv, call, 0, Unit::Seconds)
}

pub(super) fn pexpireat(srv: &mut Server, call: &mut Call) -> Reply {
    set_expiry(srv, call, 0, Unit::Milliseconds)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Milliseconds,
}

/// The NX | XX | GT | LT conditions.
#[derive(Default)]
struct Conditions {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn parse_conditions(args: &[Vec<u8>]) -> Result<Conditions, Reply> {
    let mut c = Conditions::default();
    for arg in args {
        if option_is(arg, "nx") {
            c.nx = true;
        } else if option_is(arg, "xx") {
            c.xx = true;
        } else if option_is(arg, "gt") {
            c.gt = true;
        } else if option_is(arg, "lt") {
            c.lt = true;
        } else {
            let option = String::from_utf8_lossy(c_str(arg)).replace(['\r', '\n'], " ");
            return Err(Reply::Error(format!("ERR Unsupported option {option}")));
        }
    }
    if c.nx && (c.xx || c.gt || c.lt) {
        return Err(Reply::error(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if c.gt && c.lt {
        return Err(Reply::error(
            "ERR GT and LT options at the same time are not compatible",
        ));
    }
    Ok(c)
}

/// The four EXPIRE commands: `base` is the current time for relative ones, 0 for absolute.
fn set_expiry(srv: &mut Server, call: &mut Call, base: i64, unit: Unit) -> Reply {
    let conditions = match parse_conditions(&call.argv[3..]) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let Some(mut when) = parse_i64(call.arg(2)) else {
        return errors::not_integer();
    };
    let invalid = || {
        Reply::Error(format!(
            "ERR invalid expire time in '{}' command",
            call.spec.name
        ))
    };
    if unit == Unit::Seconds {
        match when.checked_mul(1000) {
            Some(ms) => when = ms,
            None => return invalid(),
        }
    }
    if when > i64::MAX - base {
        return invalid();
    }
    when += base;

    let key = call.arg(1);
    if srv.lookup_write(call.db, key, call.now).is_none() {
        return Reply::Integer(0);
    }
    let current = srv.dbs[call.db].expire_at(key).map(|at| at as i64);
    if conditions.nx && current.is_some() {
        return Reply::Integer(0);
    }
    if conditions.xx && current.is_none() {
        return Reply::Integer(0);
    }
    // No expiry counts as an infinite one: GT never beats it, LT always does.
    if conditions.gt && current.is_none_or(|c| when <= c) {
        return Reply::Integer(0);
    }
    if conditions.lt && current.is_some_and(|c| when >= c) {
        return Reply::Integer(0);
    }

    if when <= call.now as i64 && !srv.aof.loading {
        // A deadline that has already passed deletes the key at once.
        srv.delete_key(call.db, key);
        srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
        let lazy = srv.config.lazyfree_lazy_expire;
        let name: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
        srv.rewrite_argv_parts(&[name, key]);
    } else {
        // Propagated as PEXPIREAT with the absolute time; the NX/XX/GT/LT options stay.
        let mut argv = call.argv.clone();
        if call.spec.name != "pexpireat" {
            if let Some(name) = argv.get_mut(0) {
                *name = b"PEXPIREAT".to_vec();
            }
        }
        if base != 0 || unit == Unit::Seconds {
            if let Some(time) = argv.get_mut(2) {
                *time = when.to_string().into_bytes();
            }
        }
        srv.rewrite_argv(argv);
        srv.dbs[call.db].set_expire(key, when as u64);
        // Redis replies before notifying `expire` (but after notifying `del` above).
        srv.reply_here(call);
        srv.key_modified(call.db, key);
        srv.notify_keyspace_event(class::GENERIC, "expire", key, call.db);
    }
    srv.add_dirty(1);
    Reply::Integer(1)
}

/// What the TTL family reports.
#[derive(Clone, Copy)]
struct TtlForm {
    milliseconds: bool,
    absolute: bool,
}

fn report_ttl(srv: &mut Server, call: &mut Call, form: TtlForm) -> Reply {
    let key = call.arg(1);
    if srv
        .lookup_read_flags(call.db, key, call.now, LookupFlags::NO_TOUCH)
        .is_none()
    {
        return Reply::Integer(-2);
    }
    let Some(at) = srv.dbs[call.db].expire_at(key) else {
        return Reply::Integer(-1);
    };
    let at = at as i64;
    let ttl = if form.absolute {
        at
    } else {
        at.saturating_sub(call.now as i64)
    }
    .max(0);
    if form.milliseconds {
        Reply::Integer(ttl)
    } else {
        // Rounded to the nearest second, without overflowing near the largest deadline.
        Reply::Integer(((ttl as u64 + 500) / 1000) as i64)
    }
}

pub(super) fn ttl(srv: &mut Server, call: &mut Call) -> Reply {
    let form = TtlForm {
        milliseconds: false,
        absolute: false,
    };
    report_ttl(srv, call, form)
}

pub(super) fn pttl(srv: &mut Server, call: &mut Call) -> Reply {
    let form = TtlForm {
        milliseconds: true,
        absolute: false,
    };
    report_ttl(srv, call, form)
}

pub(super) fn expiretime(srv: &mut Server, call: &mut Call) -> Reply {
    let form = TtlForm {
        milliseconds: false,
        absolute: true,
    };
    report_ttl(srv, call, form)
}

pub(super) fn pexpiretime(srv: &mut Server, call: &mut Call) -> Reply {
    let form = TtlForm {
        milliseconds: true,
        absolute: true,
    };
    report_ttl(srv, call, form)
}

pub(super) fn persist(srv: &mut Server, call: &mut Call) -> Reply {
    let key = call.arg(1);
    if srv.lookup_write(call.db, key, call.now).is_none() || !srv.dbs[call.db].persist(key) {
        return Reply::Integer(0);
    }
    srv.key_modified(call.db, key);
    srv.notify_keyspace_event(class::GENERIC, "persist", key, call.db);
    srv.add_dirty(1);
    Reply::Integer(1)
}
