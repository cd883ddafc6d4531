//! XADD, XTRIM, XDEL and XSETID.

use super::{id_arg, id_reply, integer_arg, stream_at, write_stream, INVALID_ID};
use crate::commands::string::reply_of;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::stream::{
    parse_id, AppendError, NodeLimits, ParsedId, Stream, StreamId, Trim, TrimStrategy,
};
use crate::types::{Entry, Value};
use crate::util::eq_ignore_case;

/// XADD and XTRIM's options.
#[derive(Default)]
struct AddTrimArgs {
    trim: Option<Trim>,
    /// The position of the trimming threshold (after MAXLEN / MINID and any `~` or `=`).
    threshold_pos: usize,
    /// The ID argument's position (XADD), past the options.
    id_pos: usize,
    /// The ID given to XADD; None for `*`.
    id: Option<ParsedId>,
    no_mkstream: bool,
}

/// Redis's streamParseAddOrTrimArgsOrReply.
fn parse_add_trim_args(srv: &Server, argv: &[Vec<u8>], xadd: bool) -> Result<AddTrimArgs, Reply> {
    let mut args = AddTrimArgs::default();
    let mut strategy: Option<TrimStrategy> = None;
    let mut approx = false;
    let mut limit: i64 = 0;
    let mut limit_given = false;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = &argv[i];
        if xadd && opt.first() == Some(&b'*') && opt.get(1).is_none_or(|&b| b == 0) {
            break;
        } else if (eq_ignore_case(opt, "maxlen") || eq_ignore_case(opt, "minid")) && more > 0 {
            if strategy.is_some() {
                return Err(Reply::error(
                    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            approx = false;
            let next = argv[i + 1].as_slice();
            if more >= 2 && next == b"~" {
                approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            args.threshold_pos = i + 1;
            let value = &argv[i + 1];
            strategy = Some(if eq_ignore_case(opt, "maxlen") {
                let max = integer_arg(value)?;
                if max < 0 {
                    return Err(Reply::error("ERR The MAXLEN argument must be >= 0."));
                }
                TrimStrategy::MaxLen(max as u64)
            } else {
                TrimStrategy::MinId(id_arg(value, 0, true)?)
            });
            i += 1;
        } else if eq_ignore_case(opt, "limit") && more > 0 {
            limit = integer_arg(&argv[i + 1])?;
            if limit < 0 {
                return Err(Reply::error("ERR The LIMIT argument must be >= 0."));
            }
            limit_given = true;
            i += 1;
        } else if xadd && eq_ignore_case(opt, "nomkstream") {
            args.no_mkstream = true;
        } else if xadd {
            args.id = Some(parse_id(opt, 0, true, true).ok_or_else(|| Reply::error(INVALID_ID))?);
            break;
        } else {
            return Err(errors::syntax());
        }
        i += 1;
    }
    args.id_pos = i;
    if limit != 0 && strategy.is_none() {
        return Err(Reply::error(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && strategy.is_none() {
        return Err(Reply::error(
            "ERR syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if limit_given {
        if !approx {
            return Err(Reply::error(
                "ERR syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if approx {
        // Redis bounds the work of approximate trimming to 100 nodes' worth.
        limit = srv.config.stream_node_max_entries.saturating_mul(100);
        if limit <= 0 {
            limit = 10_000;
        }
        limit = limit.min(1_000_000);
    } else {
        limit = 0;
    }
    args.trim = strategy.map(|strategy| Trim {
        strategy,
        approx,
        limit: limit as u64,
    });
    Ok(args)
}

/// What an approximate trim propagates instead of `~ threshold` (Redis's
/// streamRewriteApproxSpecifier and streamRewriteTrimArgument): `= length` for MAXLEN, and for
/// MINID `= first ID` (counting deleted entries still held, the maximal ID when none is), so
/// that replaying removes exactly what was removed here.
fn exact_threshold(stream: &Stream, trim: Option<Trim>) -> Option<Vec<u8>> {
    let trim = trim.filter(|t| t.approx)?;
    Some(match trim.strategy {
        TrimStrategy::MaxLen(_) => stream.len().to_string().into_bytes(),
        TrimStrategy::MinId(_) => stream.first_held_id().unwrap_or(StreamId::MAX).to_bytes(),
    })
}

/// The command line to propagate with the approximate threshold (if any) made exact.
fn with_exact_threshold(argv: &[Vec<u8>], pos: usize, threshold: Option<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut argv = argv.to_vec();
    if let Some(threshold) = threshold {
        if let Some(specifier) = pos.checked_sub(1).and_then(|p| argv.get_mut(p)) {
            *specifier = b"=".to_vec();
        }
        if let Some(arg) = argv.get_mut(pos) {
            *arg = threshold;
        }
    }
    argv
}

fn node_limits(srv: &Server) -> NodeLimits {
    NodeLimits {
        max_entries: srv.config.stream_node_max_entries,
        max_bytes: srv.config.stream_node_max_bytes,
    }
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [...]
pub(super) fn xadd(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(xadd_inner(srv, call))
}

fn xadd_inner(srv: &mut Server, call: &mut Call) -> Result<Reply, Reply> {
    let args = parse_add_trim_args(srv, &call.argv, true)?;
    let field_pos = args.id_pos + 1;
    let pairs = call.argc().saturating_sub(field_pos);
    if call.argc() < field_pos + 2 || pairs % 2 == 1 {
        return Err(Reply::error(errors::wrong_arity(call.spec.name)));
    }
    if args.id == Some(ParsedId::Id(StreamId::MIN)) {
        return Err(Reply::error(
            "ERR The ID specified in XADD must be greater than 0-0",
        ));
    }
    let (db, key) = (call.db, call.argv[1].clone());
    if write_stream(srv, call, &key)?.is_none() {
        if args.no_mkstream {
            return Ok(Reply::Null);
        }
        srv.add_key(
            db,
            &key,
            Entry::new(Value::Stream(Box::new(Stream::new())), call.now),
            None,
        );
    }
    let limits = node_limits(srv);
    let Some(stream) = stream_at(srv, db, &key) else {
        return Ok(Reply::Null);
    };
    if stream.last_id == StreamId::MAX {
        return Err(Reply::error(
            "ERR The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let id = match args.id {
        None => stream.next_auto_id(call.now),
        Some(ParsedId::Id(id)) => Some(id),
        Some(ParsedId::MsOnly(ms)) if ms == stream.last_id.ms => {
            if stream.last_id.seq == u64::MAX {
                // Redis fails here without saying why; the reply falls back to its last case.
                return Err(Reply::error("ERR Elements are too large to be stored"));
            }
            stream.last_id.next()
        }
        Some(ParsedId::MsOnly(ms)) => Some(StreamId::new(ms, 0)),
    };
    let fields: Box<[Vec<u8>]> = call.argv[field_pos..].to_vec().into_boxed_slice();
    let appended = match id {
        Some(id) => stream.append(id, fields, limits).map(|()| id),
        None => Err(AppendError::IdTooSmall),
    };
    let id =
        match appended {
            Ok(id) => id,
            Err(AppendError::IdTooSmall) => return Err(Reply::error(
                "ERR The ID specified in XADD is equal or smaller than the target stream top item",
            )),
            Err(AppendError::TooLarge) => {
                return Err(Reply::error("ERR Elements are too large to be stored"))
            }
        };
    let trimmed = args.trim.map_or(0, |trim| stream.trim(trim));
    // Propagated with the effective trimming threshold and the ID actually used.
    let threshold = exact_threshold(stream, args.trim);
    if srv.propagation_wanted() {
        let mut argv = with_exact_threshold(&call.argv, args.threshold_pos, threshold);
        if !matches!(args.id, Some(ParsedId::Id(_))) {
            if let Some(arg) = argv.get_mut(args.id_pos) {
                *arg = id.to_bytes();
            }
        }
        srv.rewrite_argv(argv);
    }
    srv.reply_here(call);
    srv.key_modified(db, &key);
    srv.notify_keyspace_event(class::STREAM, "xadd", &key, db);
    srv.add_dirty(1);
    if trimmed > 0 {
        srv.notify_keyspace_event(class::STREAM, "xtrim", &key, db);
    }
    srv.signal_key_as_ready(db, &key);
    Ok(id_reply(id))
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
pub(super) fn xtrim(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let args = parse_add_trim_args(srv, &call.argv, false)?;
        let key = call.argv[1].clone();
        let Some(stream) = write_stream(srv, call, &key)? else {
            return Ok(Reply::Integer(0));
        };
        let deleted = args.trim.map_or(0, |trim| stream.trim(trim));
        // Redis publishes the event before replying.
        if deleted > 0 {
            let threshold = exact_threshold(stream, args.trim);
            if srv.propagation_wanted() {
                let argv = with_exact_threshold(&call.argv, args.threshold_pos, threshold);
                srv.rewrite_argv(argv);
            }
            srv.notify_keyspace_event(class::STREAM, "xtrim", &key, call.db);
            srv.key_modified(call.db, &key);
            srv.add_dirty(deleted);
        }
        Ok(Reply::Integer(deleted as i64))
    })())
}

/// XDEL key id [id ...]
pub(super) fn xdel(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let key = call.argv[1].clone();
        let Some(stream) = write_stream(srv, call, &key)? else {
            return Ok(Reply::Integer(0));
        };
        let ids = call.argv[2..]
            .iter()
            .map(|arg| id_arg(arg, 0, true))
            .collect::<Result<Vec<_>, _>>()?;
        let mut deleted = 0u64;
        let mut first_deleted = false;
        for id in ids {
            if stream.delete(id) {
                if id == stream.first_id {
                    first_deleted = true;
                }
                if id > stream.max_deleted_entry_id {
                    stream.max_deleted_entry_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if stream.is_empty() {
                stream.first_id = StreamId::MIN;
            } else if first_deleted {
                stream.refresh_first_id();
            }
            srv.key_modified(call.db, &key);
            srv.notify_keyspace_event(class::STREAM, "xdel", &key, call.db);
            srv.add_dirty(deleted);
        }
        Ok(Reply::Integer(deleted as i64))
    })())
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
pub(super) fn xsetid(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let id = id_arg(call.arg(2), 0, true)?;
        let mut entries_added: Option<u64> = None;
        let mut max_deleted = StreamId::MIN;
        let mut i = 3;
        while i < call.argc() {
            let more = call.argc() - 1 - i;
            let opt = call.arg(i);
            if eq_ignore_case(opt, "entriesadded") && more > 0 {
                let n = integer_arg(call.arg(i + 1))?;
                if n < 0 {
                    return Err(Reply::error("ERR entries_added must be positive"));
                }
                entries_added = Some(n as u64);
            } else if eq_ignore_case(opt, "maxdeletedid") && more > 0 {
                max_deleted = id_arg(call.arg(i + 1), 0, true)?;
                if id < max_deleted {
                    return Err(Reply::error(
                        "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                    ));
                }
            } else {
                return Err(errors::syntax());
            }
            i += 2;
        }
        let key = call.argv[1].clone();
        let Some(stream) = write_stream(srv, call, &key)? else {
            return Err(Reply::error(errors::NO_SUCH_KEY));
        };
        if let Some(top) = stream.last_entry_id() {
            if id < top {
                return Err(Reply::error(
                    "ERR The ID specified in XSETID is smaller than the target stream top item",
                ));
            }
            if entries_added.is_some_and(|n| (stream.len() as u64) > n) {
                return Err(Reply::error(
                    "ERR The entries_added specified in XSETID is smaller than the target stream length",
                ));
            }
        }
        stream.last_id = id;
        if let Some(n) = entries_added {
            stream.entries_added = n;
        }
        if !max_deleted.is_zero() {
            stream.max_deleted_entry_id = max_deleted;
        }
        // Redis leaves WATCH alone here (no signalModifiedKey).
        srv.reply_here(call);
        srv.add_dirty(1);
        srv.notify_keyspace_event(class::STREAM, "xsetid", &key, call.db);
        Ok(Reply::ok())
    })())
}
