//! BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH, and CLIENT UNBLOCK.
//!
//! With an element available these behave as their non-blocking forms. Otherwise the client
//! blocks (see `crate::blocking`) until a list is pushed to one of its keys, and is then
//! served from that key as Redis 7.0's serveClientBlockedOnList does: the key that became
//! ready is used, whatever the order of the keys in the command. Inside MULTI a blocking
//! command cannot block and answers as if it timed out (scripts may not call them at all).

use super::push_pop::{parse_mpop, pop_from_first, transfer};
use super::{elements_removed, parse_end, pop_event, pop_many, write_list};
use crate::blocking::{deadline_after, parse_timeout, BlockRequest, TimeoutUnit};
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::list::End;
use crate::util::parse_i64;

pub(super) fn blpop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(blocking_pop(srv, call, End::Head))
}

pub(super) fn brpop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(blocking_pop(srv, call, End::Tail))
}

/// Makes the client wait on `keys` for `timeout_ms` (0: forever); the NullArray returned
/// with it is the timeout reply.
fn block(call: &mut Call, keys: Vec<Vec<u8>>, timeout_ms: u64) -> Reply {
    call.block = Some(BlockRequest {
        keys,
        deadline: deadline_after(call.now, timeout_ms),
        serve: Some(serve),
    });
    Reply::NullArray
}

/// BLPOP / BRPOP key [key ...] timeout.
fn blocking_pop(srv: &mut Server, call: &mut Call, end: End) -> Result<Reply, Reply> {
    let last = call.argc() - 1;
    let timeout = parse_timeout(call.arg(last), TimeoutUnit::Seconds)?;
    let keys = &call.argv[1..last];
    for key in keys {
        let Some(list) = write_list(srv, call, key)? else {
            continue;
        };
        let Some(element) = list.pop(end) else {
            continue;
        };
        srv.reply_here(call);
        elements_removed(srv, call.db, key, end, 1);
        srv.rewrite_argv_parts(&[super::pop_command(end), key]);
        return Ok(Reply::Array(vec![Reply::bulk(key), Reply::Bulk(element)]));
    }
    if call.nested {
        return Ok(Reply::NullArray);
    }
    let keys = keys.to_vec();
    Ok(block(call, keys, timeout))
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count].
pub(super) fn blmpop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let args = parse_mpop(&call.argv, 2)?;
        let timeout = parse_timeout(call.arg(1), TimeoutUnit::Seconds)?;
        let keys = &call.argv[args.first_key..args.first_key + args.numkeys];
        if let Some(reply) = pop_from_first(srv, call, keys, args.end, args.count)? {
            return Ok(reply);
        }
        if call.nested {
            return Ok(Reply::NullArray);
        }
        let keys = keys.to_vec();
        Ok(block(call, keys, timeout))
    })())
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
pub(super) fn blmove(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let from = parse_end(call.arg(3))?;
        let to = parse_end(call.arg(4))?;
        let timeout = parse_timeout(call.arg(5), TimeoutUnit::Seconds)?;
        blocking_move(srv, call, from, to, timeout)
    })())
}

/// BRPOPLPUSH source destination timeout.
pub(super) fn brpoplpush(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let timeout = parse_timeout(call.arg(3), TimeoutUnit::Seconds)?;
        blocking_move(srv, call, End::Tail, End::Head, timeout)
    })())
}

/// Redis's blmoveGenericCommand.
fn blocking_move(
    srv: &mut Server,
    call: &mut Call,
    from: End,
    to: End,
    timeout: u64,
) -> Result<Reply, Reply> {
    if write_list(srv, call, call.arg(1))?.is_some() {
        // Propagated as the non-blocking form, with the arguments as given.
        let mut argv = call.argv.clone();
        argv.pop();
        if let Some(name) = argv.first_mut() {
            *name = if call.spec.name == "blmove" {
                b"LMOVE".to_vec()
            } else {
                b"RPOPLPUSH".to_vec()
            };
        }
        srv.rewrite_argv(argv);
        return super::push_pop::move_element(srv, call, from, to);
    }
    if call.nested {
        // Unlike the other blocking commands, a null bulk string here.
        return Ok(Reply::Null);
    }
    let keys = vec![call.arg(1).to_vec()];
    Ok(block(call, keys, timeout))
}

/// Serves a client blocked in one of the list commands from `key`, which was just created:
/// only a list serves it (a key of another type leaves it waiting).
fn serve(srv: &mut Server, call: &mut Call, key: &[u8]) -> Option<Reply> {
    match write_list(srv, call, key) {
        Ok(Some(list)) if !list.is_empty() => {}
        _ => return None,
    }
    Some(match call.spec.name {
        "blpop" => serve_pop(srv, call, key, End::Head),
        "brpop" => serve_pop(srv, call, key, End::Tail),
        "blmpop" => serve_mpop(srv, call, key),
        "blmove" => {
            let from = parse_end(call.arg(3)).ok()?;
            let to = parse_end(call.arg(4)).ok()?;
            serve_move(srv, call, key, from, to)
        }
        "brpoplpush" => serve_move(srv, call, key, End::Tail, End::Head),
        _ => return None,
    })
}

/// BLPOP / BRPOP served: `[key, element]`. Redis counts no change here (the push that made
/// the key ready did), and WATCH was already triggered by that push.
fn serve_pop(srv: &mut Server, call: &Call, key: &[u8], end: End) -> Reply {
    let element = match write_list(srv, call, key) {
        Ok(Some(list)) => list.pop(end),
        _ => None,
    };
    let Some(element) = element else {
        return Reply::NullArray;
    };
    srv.reply_here(call);
    srv.also_propagate(
        call.db,
        vec![super::pop_command(end).to_vec(), key.to_vec()],
    );
    srv.notify_keyspace_event(class::LIST, pop_event(end), key, call.db);
    super::delete_if_empty(srv, call.db, key);
    Reply::Array(vec![Reply::bulk(key), Reply::Bulk(element)])
}

/// BLMPOP served: `[key, [elements]]`, as LMPOP replies.
fn serve_mpop(srv: &mut Server, call: &Call, key: &[u8]) -> Reply {
    let Ok(args) = parse_mpop(&call.argv, 2) else {
        return Reply::NullArray;
    };
    let elements = match write_list(srv, call, key) {
        Ok(Some(list)) => pop_many(list, args.end, args.count),
        _ => Vec::new(),
    };
    let popped = elements.len();
    let argv = vec![
        super::pop_command(args.end).to_vec(),
        key.to_vec(),
        popped.to_string().into_bytes(),
    ];
    srv.also_propagate(call.db, argv);
    srv.reply_here(call);
    elements_removed(srv, call.db, key, args.end, popped);
    Reply::Array(vec![Reply::bulk(key), Reply::Array(elements)])
}

/// BLMOVE / BRPOPLPUSH served: the element, or WRONGTYPE if the destination is not a list
/// (the client is released with the error and nothing moves).
fn serve_move(srv: &mut Server, call: &Call, key: &[u8], from: End, to: End) -> Reply {
    let destination = call.arg(2).to_vec();
    match transfer(srv, call, key, &destination, from, to) {
        // Redis counts no change for a served move.
        Ok(Some(element)) => {
            let argv = if call.spec.name == "brpoplpush" {
                vec![b"RPOPLPUSH".to_vec(), key.to_vec(), destination]
            } else {
                vec![
                    b"LMOVE".to_vec(),
                    key.to_vec(),
                    destination,
                    super::end_word(from).to_vec(),
                    super::end_word(to).to_vec(),
                ]
            };
            srv.also_propagate(call.db, argv);
            Reply::Bulk(element)
        }
        Ok(None) => Reply::Null,
        Err(error) => error,
    }
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: releases a client blocked in a blocking command,
/// with its timeout reply or an UNBLOCKED error. Replies 1 if the client was blocked.
pub(super) fn client_unblock(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() > 4 {
        return Reply::Error(crate::commands::introspection::subcommand_syntax_error(
            call,
        ));
    }
    let with_error = match call.argv.get(3) {
        None => false,
        Some(reason) if is_keyword(reason, "timeout") => false,
        Some(reason) if is_keyword(reason, "error") => true,
        Some(_) => {
            return Reply::error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        }
    };
    let Some(id) = parse_i64(call.arg(2)) else {
        return errors::not_integer();
    };
    let unblocked = u64::try_from(id).is_ok_and(|id| srv.unblock_by_request(id, with_error));
    if unblocked && with_error {
        // The error reply is sent while CLIENT UNBLOCK runs, and Redis 7.0 counts it against
        // CLIENT UNBLOCK as a failed call.
        srv.stats
            .commands
            .entry(call.spec.name)
            .or_default()
            .failed_calls += 1;
    }
    Reply::Integer(i64::from(unblocked))
}
