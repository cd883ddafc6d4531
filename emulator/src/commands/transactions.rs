//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Between MULTI and EXEC the dispatcher queues commands (see `Server::process`); a command that
//! fails to queue (unknown, wrong arity, OOM...) dooms the transaction, and EXEC then answers
//! EXECABORT. WATCHed keys touched by anyone, or expired, before EXEC make EXEC answer null.

use std::collections::VecDeque;

use super::{lookup, Handler, Lookup};
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("multi", multi),
    ("exec", exec),
    ("discard", discard),
    ("watch", watch),
    ("unwatch", unwatch),
];

fn multi(srv: &mut Server, call: &mut Call) -> Reply {
    let client = srv.client_mut(call.client);
    if client.multi.is_some() {
        return Reply::error("ERR MULTI calls can not be nested");
    }
    client.multi = Some(Default::default());
    Reply::ok()
}

fn discard(srv: &mut Server, call: &mut Call) -> Reply {
    let client = srv.client_mut(call.client);
    if client.multi.take().is_none() {
        return Reply::error("ERR DISCARD without MULTI");
    }
    srv.unwatch_all(call.client);
    Reply::ok()
}

fn watch(srv: &mut Server, call: &mut Call) -> Reply {
    if srv.client_mut(call.client).multi.is_some() {
        return Reply::error("ERR WATCH inside MULTI is not allowed");
    }
    for key in &call.argv[1..] {
        let db = call.db;
        let expired = srv.key_is_expired(db, key, call.now);
        srv.watch_key(call.client, db, key, expired);
    }
    Reply::ok()
}

fn unwatch(srv: &mut Server, call: &mut Call) -> Reply {
    srv.unwatch_all(call.client);
    Reply::ok()
}

fn exec(srv: &mut Server, call: &mut Call) -> Reply {
    let client = srv.client_mut(call.client);
    let Some(state) = client.multi.take() else {
        return Reply::error("ERR EXEC without MULTI");
    };
    if state.aborted {
        srv.unwatch_all(call.client);
        return Reply::error(errors::EXECABORT);
    }
    let watch_failed = client.dirty_cas || srv.watched_key_expired(call.client, call.now);
    srv.unwatch_all(call.client);
    if watch_failed {
        return Reply::NullArray;
    }
    let replies = Vec::with_capacity(state.queued.len());
    run_queued(srv, call, replies, state.queued.into())
}

/// Runs a transaction's queued commands in order after the `replies` of those already run.
/// When one of them leaves a busy script, the rest wait for the script's end
/// (`Server::run_busy_script` goes on from there) and the reply is only a placeholder.
pub(crate) fn run_queued(
    srv: &mut Server,
    call: &Call,
    mut replies: Vec<Reply>,
    mut queued: VecDeque<Vec<Vec<u8>>>,
) -> Reply {
    while let Some(argv) = queued.pop_front() {
        // Every queued command was looked up when it was queued; a lookup cannot fail now.
        let Lookup::Found(command) = lookup(&argv) else {
            continue;
        };
        // A command may have changed the selected db (SELECT inside the transaction).
        let db = srv.client_mut(call.client).db;
        let mut inner = Call {
            client: call.client,
            argv,
            db,
            spec: command.spec,
            now: call.now,
            block: None,
            nested: true,
        };
        let reply = srv.call(command, &mut inner);
        if srv.scripting.busy_caller() == Some(call.client) {
            srv.scripting.suspend_transaction(replies, queued);
            return Reply::Null;
        }
        replies.push(reply);
    }
    Reply::Array(replies)
}

impl Server {
    /// Whether a key the client watches has expired since WATCH (Redis aborts EXEC then, even if
    /// the key was not yet reclaimed).
    fn watched_key_expired(&self, client: crate::ClientId, now: u64) -> bool {
        let Some(c) = self.clients.get(&client) else {
            return false;
        };
        c.watched
            .iter()
            .any(|w| !w.expired_when_watched && self.key_is_expired(w.db, &w.key, now))
    }
}
