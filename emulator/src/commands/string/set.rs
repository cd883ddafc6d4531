//! SET and its variants (SETNX, SETEX, PSETEX) and GETEX, which share Redis's parser of the
//! NX/XX/GET/KEEPTTL/PERSIST/EX/PX/EXAT/PXAT options and its expire time validation.

use super::{int_arg, is_keyword, read_string, reply_of, set_key};
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::StringValue;

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpireKind {
    /// Relative, seconds.
    Ex,
    /// Relative, milliseconds.
    Px,
    /// Absolute Unix time, seconds.
    ExAt,
    /// Absolute Unix time, milliseconds.
    PxAt,
}

impl ExpireKind {
    fn in_seconds(self) -> bool {
        matches!(self, ExpireKind::Ex | ExpireKind::ExAt)
    }

    fn is_absolute(self) -> bool {
        matches!(self, ExpireKind::ExAt | ExpireKind::PxAt)
    }
}

/// The options of one SET or GETEX call.
#[derive(Default)]
struct Options {
    only_if_missing: bool,
    only_if_exists: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    /// The expire option and the index of its argument.
    expire: Option<(ExpireKind, usize)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Set,
    GetEx,
}

/// Redis's parseExtendedStringArgumentsOrReply. Conflicting options are syntax errors;
/// repeating the same option is allowed (the last expire value wins).
fn parse_options(call: &Call, syntax: Syntax) -> Result<Options, Reply> {
    let mut opts = Options::default();
    let is_set = syntax == Syntax::Set;
    let mut j = if is_set { 3 } else { 2 };
    while j < call.argc() {
        let arg = call.arg(j);
        let has_next = j + 1 < call.argc();
        let expire_kind = opts.expire.map(|(kind, _)| kind);
        // An expire option may follow only itself, and neither KEEPTTL nor PERSIST.
        let expire_allowed = |kind: ExpireKind| {
            !opts.keep_ttl && !opts.persist && expire_kind.is_none_or(|k| k == kind) && has_next
        };
        if is_set && is_keyword(arg, "nx") && !opts.only_if_exists {
            opts.only_if_missing = true;
        } else if is_set && is_keyword(arg, "xx") && !opts.only_if_missing {
            opts.only_if_exists = true;
        } else if is_set && is_keyword(arg, "get") {
            opts.get = true;
        } else if is_set && is_keyword(arg, "keepttl") && !opts.persist && expire_kind.is_none() {
            opts.keep_ttl = true;
        } else if !is_set && is_keyword(arg, "persist") && expire_kind.is_none() && !opts.keep_ttl {
            opts.persist = true;
        } else if let Some(kind) = expire_keyword(arg).filter(|&k| expire_allowed(k)) {
            opts.expire = Some((kind, j + 1));
            j += 1;
        } else {
            return Err(crate::errors::syntax());
        }
        j += 1;
    }
    Ok(opts)
}

fn expire_keyword(arg: &[u8]) -> Option<ExpireKind> {
    [
        ("ex", ExpireKind::Ex),
        ("px", ExpireKind::Px),
        ("exat", ExpireKind::ExAt),
        ("pxat", ExpireKind::PxAt),
    ]
    .into_iter()
    .find(|(name, _)| is_keyword(arg, name))
    .map(|(_, kind)| kind)
}

/// Redis's getExpireMillisecondsOrReply: the absolute expiry time in milliseconds, refusing
/// non-positive times and overflows with "invalid expire time in '<command>' command".
fn expire_at_ms(call: &Call, kind: ExpireKind, arg: &[u8]) -> Result<i64, Reply> {
    let invalid = || {
        Reply::error(format!(
            "ERR invalid expire time in '{}' command",
            call.spec.name
        ))
    };
    let value = int_arg(arg)?;
    if value <= 0 || (kind.in_seconds() && value > i64::MAX / 1000) {
        return Err(invalid());
    }
    let mut ms = if kind.in_seconds() {
        value * 1000
    } else {
        value
    };
    if !kind.is_absolute() {
        ms = ms.wrapping_add(call.now as i64);
    }
    if ms <= 0 {
        return Err(invalid());
    }
    Ok(ms)
}

pub(super) fn set(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(
        parse_options(call, Syntax::Set)
            .and_then(|opts| set_generic(srv, call, &opts, call.arg(2), Reply::ok(), Reply::Null)),
    )
}

pub(super) fn setnx(srv: &mut Server, call: &mut Call) -> Reply {
    let opts = Options {
        only_if_missing: true,
        ..Options::default()
    };
    let value = call.arg(2);
    reply_of(set_generic(
        srv,
        call,
        &opts,
        value,
        Reply::Integer(1),
        Reply::Integer(0),
    ))
}

pub(super) fn setex(srv: &mut Server, call: &mut Call) -> Reply {
    set_with_expire(srv, call, ExpireKind::Ex)
}

pub(super) fn psetex(srv: &mut Server, call: &mut Call) -> Reply {
    set_with_expire(srv, call, ExpireKind::Px)
}

/// SETEX / PSETEX key time value.
fn set_with_expire(srv: &mut Server, call: &Call, kind: ExpireKind) -> Reply {
    let opts = Options {
        expire: Some((kind, 2)),
        ..Options::default()
    };
    reply_of(set_generic(
        srv,
        call,
        &opts,
        call.arg(3),
        Reply::ok(),
        Reply::Null,
    ))
}

/// Redis's setGenericCommand: validates the expire time, answers GET's part, honours NX/XX,
/// then stores the value and its expiry.
fn set_generic(
    srv: &mut Server,
    call: &Call,
    opts: &Options,
    value: &[u8],
    ok_reply: Reply,
    abort_reply: Reply,
) -> Result<Reply, Reply> {
    let expire_at = match opts.expire {
        Some((kind, index)) => Some(expire_at_ms(call, kind, call.arg(index))?),
        None => None,
    };
    let key = call.arg(1);
    let old_value = if opts.get {
        Some(match read_string(srv, call, key)? {
            Some(s) => Reply::Bulk(s.to_bytes()),
            None => Reply::Null,
        })
    } else {
        None
    };
    if old_value.is_some() {
        // With GET, Redis replies with the old value before setting (and notifying).
        srv.reply_here(call);
    }
    let found = srv.lookup_write(call.db, key, call.now).is_some();
    if (opts.only_if_missing && found) || (opts.only_if_exists && !found) {
        return Ok(old_value.unwrap_or(abort_reply));
    }
    set_key(srv, call, key, StringValue::copied(value), opts.keep_ttl);
    srv.add_dirty(1);
    if let Some(at) = expire_at {
        // A time already past is stored as is: the key then expires at its next access.
        srv.db(call.db).set_expire(key, at as u64);
        srv.notify_keyspace_event(class::GENERIC, "expire", key, call.db);
        // Propagated with the absolute time, whatever form the expiry was given in.
        let at = at.to_string();
        srv.rewrite_argv_parts(&[b"SET", key, value, b"PXAT", at.as_bytes()]);
    } else if opts.get {
        // GET changes nothing: it is left out of what is propagated.
        let argv = call
            .argv
            .iter()
            .enumerate()
            .filter(|(i, arg)| *i < 3 || !super::is_keyword(arg, "get"))
            .map(|(_, arg)| arg.clone())
            .collect();
        srv.rewrite_argv(argv);
    }
    Ok(old_value.unwrap_or(ok_reply))
}

pub(super) fn getex(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(getex_reply(srv, call))
}

fn getex_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let opts = parse_options(call, Syntax::GetEx)?;
    let key = call.arg(1);
    let Some(s) = read_string(srv, call, key)? else {
        return Ok(Reply::Null);
    };
    let value = s.to_bytes();
    let expire = match opts.expire {
        Some((kind, index)) => Some((kind, expire_at_ms(call, kind, call.arg(index))?)),
        None => None,
    };
    // Redis replies with the value before changing the expiry (and notifying).
    srv.reply_here(call);
    match expire {
        Some((kind, at)) if kind.is_absolute() && at as u64 <= call.now && !srv.aof.loading => {
            srv.delete_key(call.db, key);
            srv.notify_keyspace_event(class::GENERIC, "del", key, call.db);
            srv.add_dirty(1);
            let lazy = srv.config.lazyfree_lazy_expire;
            srv.rewrite_argv_parts(&[super::deletion_command(lazy), key]);
        }
        Some((_, at)) => {
            srv.db(call.db).set_expire(key, at as u64);
            srv.key_modified(call.db, key);
            srv.notify_keyspace_event(class::GENERIC, "expire", key, call.db);
            srv.add_dirty(1);
            let at = at.to_string();
            srv.rewrite_argv_parts(&[b"PEXPIREAT", key, at.as_bytes()]);
        }
        None if opts.persist && srv.db(call.db).persist(key) => {
            srv.key_modified(call.db, key);
            srv.notify_keyspace_event(class::GENERIC, "persist", key, call.db);
            srv.add_dirty(1);
            srv.rewrite_argv_parts(&[b"PERSIST", key]);
        }
        None => {}
    }
    Ok(Reply::Bulk(value))
}
