//! Connection commands: PING, ECHO, SELECT, HELLO, AUTH, CLIENT, ...

use super::Handler;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};

pub(super) const HANDLERS: &[(&str, Handler)] = &[("ping", ping), ("echo", echo)];

fn ping(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() > 2 {
        return Reply::error(errors::wrong_arity("ping"));
    }
    let client = srv.client_mut(call.client);
    if client.protocol == crate::resp::Protocol::Resp2 && client.in_pubsub_context() {
        let payload = if call.argc() == 2 {
            call.arg(1).to_vec()
        } else {
            Vec::new()
        };
        return Reply::Array(vec![Reply::bulk("pong"), Reply::Bulk(payload)]);
    }
    match call.argc() {
        1 => Reply::simple("PONG"),
        _ => Reply::bulk(call.arg(1)),
    }
}

fn echo(_srv: &mut Server, call: &mut Call) -> Reply {
    Reply::bulk(call.arg(1))
}
