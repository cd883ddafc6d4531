//! ZRANDMEMBER, with Redis's strategies for each kind of count.

use std::collections::HashSet;

use super::{as_zset, pairs_reply, speaks_resp3};
use crate::commands::set::random::{reply_buffer, signed_count};
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{random, SortedSet};

/// Above a third of the set, picking is done by removing from a full copy.
const ZRANDMEMBER_SUB_STRATEGY_MUL: usize = 3;

pub(super) fn zrandmember(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(zrandmember_reply(srv, call))
}

fn zrandmember_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    if call.argc() < 3 {
        let Some(entry) = srv.lookup_read(call.db, call.arg(1), call.now) else {
            return Ok(Reply::Null);
        };
        let zset = as_zset(entry)?;
        return Ok(zset.random().map_or(Reply::Null, |(m, _)| Reply::bulk(m)));
    }
    let requested = signed_count(call.arg(2))?;
    let withscores = match call.argc() {
        3 => false,
        4 if is_keyword(call.arg(3), "withscores") => true,
        _ => return Err(errors::syntax()),
    };
    // The reply holds twice as many items: Redis refuses counts that could overflow that.
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&requested) {
        return Err(Reply::error("ERR value is out of range"));
    }
    let resp3 = speaks_resp3(srv, call);
    let Some(entry) = srv.lookup_read(call.db, call.arg(1), call.now) else {
        return Ok(Reply::Array(Vec::new()));
    };
    let zset = as_zset(entry)?;
    let count = usize::try_from(requested.unsigned_abs()).unwrap_or(usize::MAX);
    if count == 0 {
        return Ok(Reply::Array(Vec::new()));
    }
    let reply = |items: Vec<(&[u8], f64)>| {
        if withscores {
            pairs_reply(items.into_iter(), resp3)
        } else {
            Reply::Array(items.into_iter().map(|(m, _)| Reply::bulk(m)).collect())
        }
    };
    let size = zset.len();
    // Negative counts allow repetitions: independent picks.
    if requested < 0 || count == 1 {
        let mut items = reply_buffer(count)?;
        for _ in 0..count {
            items.extend(zset.random());
        }
        return Ok(reply(items));
    }
    if count >= size {
        // The whole set, highest score first: Redis walks sorted sets from the end here.
        return Ok(reply(zset.iter_from_rank(0, true).collect()));
    }
    Ok(reply(distinct_picks(zset, count)))
}

/// `count` distinct random elements, fewer than the set holds.
fn distinct_picks(zset: &SortedSet, count: usize) -> Vec<(&[u8], f64)> {
    let size = zset.len();
    if count.saturating_mul(ZRANDMEMBER_SUB_STRATEGY_MUL) > size {
        let mut all: Vec<(&[u8], f64)> = zset.iter().collect();
        while all.len() > count {
            all.swap_remove(random::below(all.len()));
        }
        return all;
    }
    if zset.is_listpack() {
        // Redis samples a listpack in one ordered pass.
        let mut needed = count;
        let mut picked = Vec::with_capacity(count);
        for (left, item) in (1..=size).rev().zip(zset.iter()) {
            if random::below(left) < needed {
                picked.push(item);
                needed -= 1;
            }
        }
        return picked;
    }
    let mut seen = HashSet::with_capacity(count);
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count {
        let Some(item) = zset.random() else {
            break;
        };
        if seen.insert(item.0) {
            picked.push(item);
        }
    }
    picked
}
