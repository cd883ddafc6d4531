//! String commands: SET, GET, INCR, APPEND, ...

use super::Handler;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{StringValue, Value};

pub(super) const HANDLERS: &[(&str, Handler)] = &[("get", get), ("set", set)];

fn get(srv: &mut Server, call: &mut Call) -> Reply {
    match srv.lookup_read(call.db, call.arg(1), call.now) {
        None => Reply::Null,
        Some(entry) => match &entry.value {
            Value::String(s) => Reply::Bulk(s.to_bytes()),
            #[allow(unreachable_patterns)]
            _ => errors::wrongtype(),
        },
    }
}

fn set(srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() != 3 {
        return errors::syntax();
    }
    let key = call.arg(1).to_vec();
    srv.set_value(
        call.db,
        &key,
        Value::String(StringValue::new(call.arg(2).to_vec())),
        false,
        call.now,
    );
    srv.add_dirty(1);
    Reply::ok()
}
