//! XRANGE, XREVRANGE and XLEN.

use super::{end_arg, entry_reply, integer_arg, read_stream, start_arg};
use crate::commands::string::reply_of;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::eq_ignore_case;

/// XRANGE key start end [COUNT count]
pub(super) fn xrange(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(range(srv, call, false))
}

/// XREVRANGE key end start [COUNT count]
pub(super) fn xrevrange(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(range(srv, call, true))
}

fn range(srv: &mut Server, call: &mut Call, rev: bool) -> Result<Reply, Reply> {
    let (start_pos, end_pos) = if rev { (3, 2) } else { (2, 3) };
    let start = start_arg(call.arg(start_pos))?;
    let end = end_arg(call.arg(end_pos))?;
    let mut count: Option<usize> = None;
    let mut j = 4;
    while j < call.argc() {
        if eq_ignore_case(call.arg(j), "count") && j + 1 < call.argc() {
            let n = integer_arg(call.arg(j + 1))?;
            count = Some(usize::try_from(n).unwrap_or(0));
            j += 2;
        } else {
            return Err(errors::syntax());
        }
    }
    let key = call.argv[1].clone();
    let Some(stream) = read_stream(srv, call, &key)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let limit = match count {
        Some(0) => return Ok(Reply::NullArray),
        Some(n) => n,
        None => usize::MAX,
    };
    let entries = stream.range(start, end);
    let out: Vec<Reply> = if rev {
        entries
            .rev()
            .take(limit)
            .map(|(id, f)| entry_reply(*id, f))
            .collect()
    } else {
        entries
            .take(limit)
            .map(|(id, f)| entry_reply(*id, f))
            .collect()
    };
    Ok(Reply::Array(out))
}

/// XLEN key
pub(super) fn xlen(srv: &mut Server, call: &mut Call) -> Reply {
    let key = call.argv[1].clone();
    match read_stream(srv, call, &key) {
        Ok(Some(stream)) => Reply::Integer(stream.len() as i64),
        Ok(None) => Reply::Integer(0),
        Err(e) => e,
    }
}
