//! HRANDFIELD key [count [WITHVALUES]], with Redis 7.0's four strategies: repeated picks for
//! a negative count, the whole hash when the count covers it, removal of random fields when
//! the count is close to the size, and unique picks otherwise.

use std::collections::HashSet;

use super::read_hash;
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::resp::{Protocol, Reply};
use crate::server::{Call, Server};
use crate::types::random;
use crate::types::HashValue;
use crate::util::parse_i64;

/// A picked field and its value.
type Pick = (Vec<u8>, Vec<u8>);

/// The most fields a reply with repetitions (a negative count) may hold here. Redis has no
/// such limit and builds a reply of any size; an engine sharing a browser tab answers with
/// Redis's out-of-memory error beyond it rather than exhausting the page's memory.
const MAX_REPEATED_PICKS: u64 = 1 << 24;

pub(super) fn hrandfield(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(hrandfield_reply(srv, call))
}

fn hrandfield_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    if call.argc() < 3 {
        return Ok(match read_hash(srv, call, call.arg(1))? {
            Some(hash) => match hash.random_pair(random::next_u64()) {
                Some((field, _)) => Reply::bulk(field),
                None => Reply::Null,
            },
            None => Reply::Null,
        });
    }
    let count = parse_i64(call.arg(2)).ok_or_else(errors::not_integer)?;
    if count == i64::MIN {
        return Err(Reply::error(
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ));
    }
    if call.argc() > 4 || (call.argc() == 4 && !is_keyword(call.arg(3), "withvalues")) {
        return Err(errors::syntax());
    }
    let with_values = call.argc() == 4;
    if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(Reply::error("ERR value is out of range"));
    }
    let resp3 = srv.protocol(call.client) == Protocol::Resp3;
    let Some(hash) = read_hash(srv, call, call.arg(1))? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let shape = Shape { with_values, resp3 };
    let picks = if count == 0 {
        Vec::new()
    } else if count < 0 || count == 1 {
        repeated_picks(hash, count.unsigned_abs())?
    } else {
        unique_picks(hash, count.unsigned_abs())
    };
    Ok(shape.reply(picks))
}

/// How picked fields are replied: fields alone, or with values (flat in RESP2, as pairs in
/// RESP3).
struct Shape {
    with_values: bool,
    resp3: bool,
}

impl Shape {
    fn reply(&self, picks: Vec<Pick>) -> Reply {
        let mut items = Vec::with_capacity(picks.len() * if self.with_values { 2 } else { 1 });
        for (field, value) in picks {
            if !self.with_values {
                items.push(Reply::Bulk(field));
            } else if self.resp3 {
                items.push(Reply::Array(vec![Reply::Bulk(field), Reply::Bulk(value)]));
            } else {
                items.push(Reply::Bulk(field));
                items.push(Reply::Bulk(value));
            }
        }
        Reply::Array(items)
    }
}

/// `count` independent picks, repetitions allowed.
fn repeated_picks(hash: &HashValue, count: u64) -> Result<Vec<Pick>, Reply> {
    if count > MAX_REPEATED_PICKS {
        return Err(Reply::error(errors::OOM));
    }
    let mut picks = Vec::new();
    picks
        .try_reserve_exact(count as usize)
        .map_err(|_| Reply::error(errors::OOM))?;
    for _ in 0..count {
        if let Some((field, value)) = hash.random_pair(random::next_u64()) {
            picks.push((field.to_vec(), value.to_vec()));
        }
    }
    Ok(picks)
}

/// `count` distinct fields (all of them if the hash has no more).
fn unique_picks(hash: &HashValue, count: u64) -> Vec<Pick> {
    let size = hash.len();
    let all = || {
        hash.iter()
            .map(|(f, v)| (f.to_vec(), v.to_vec()))
            .collect::<Vec<_>>()
    };
    let Ok(count) = usize::try_from(count) else {
        return all();
    };
    if count >= size {
        return all();
    }
    if count.saturating_mul(3) > size {
        // Close to the whole hash: drop random fields until `count` remain.
        let mut picks = all();
        while picks.len() > count {
            picks.swap_remove(random::below(picks.len()));
        }
        return picks;
    }
    if hash.is_listpack() {
        // Selection sampling: each field is kept with the probability that leaves exactly
        // `count`, so the picks come out in the hash's order, as from Redis's listpack.
        let mut picks = Vec::with_capacity(count);
        let mut left = size;
        for (field, value) in hash.iter() {
            if random::below(left) < count - picks.len() {
                picks.push((field.to_vec(), value.to_vec()));
                if picks.len() == count {
                    break;
                }
            }
            left -= 1;
        }
        return picks;
    }
    let mut seen = HashSet::with_capacity(count);
    let mut picks = Vec::with_capacity(count);
    while picks.len() < count {
        let Some((field, value)) = hash.random_pair(random::next_u64()) else {
            break;
        };
        if seen.insert(field.to_vec()) {
            picks.push((field.to_vec(), value.to_vec()));
        }
    }
    picks
}
