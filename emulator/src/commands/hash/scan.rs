//! HSCAN key cursor [MATCH pattern] [COUNT count] (Redis's scanGenericCommand for hashes).

use super::read_hash;
use crate::commands::set::scan::{parse_cursor, scan_reply};
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::glob;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::parse_i64;

pub(super) fn hscan(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(hscan_reply(srv, call))
}

fn hscan_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let cursor = parse_cursor(call.arg(2))?;
    let Some(hash) = read_hash(srv, call, call.arg(1))? else {
        return Ok(scan_reply(0, Vec::new()));
    };
    // Options are checked only once the key is known to be a hash, as in Redis.
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 3;
    while i < call.argc() {
        let has_value = i + 1 < call.argc();
        if is_keyword(call.arg(i), "count") && has_value {
            count = parse_i64(call.arg(i + 1)).ok_or_else(errors::not_integer)?;
            if count < 1 {
                return Err(errors::syntax());
            }
        } else if is_keyword(call.arg(i), "match") && has_value {
            let p = call.arg(i + 1);
            // A lone `*` matches everything: no filtering at all.
            pattern = (p != b"*").then_some(p);
        } else {
            return Err(errors::syntax());
        }
        i += 2;
    }
    // A hash table is walked bucket by bucket until COUNT fields were seen, looking at no
    // more than ten times as many buckets (counted in returned items, two per field).
    let wanted = usize::try_from(count).unwrap_or(usize::MAX);
    let max_steps = wanted.saturating_mul(20);
    let mut items = Vec::new();
    let next = hash.scan(cursor, wanted, max_steps, |field, value| {
        if pattern.is_none_or(|p| glob::matches(p, field, false)) {
            items.push(Reply::bulk(field));
            items.push(Reply::bulk(value));
        }
    });
    Ok(scan_reply(next, items))
}
