//! ZADD (NX, XX, GT, LT, CH, INCR) and ZINCRBY.

use super::{as_zset_mut, listpack_limits};
use crate::commands::string::{is_keyword, reply_of};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::zset::ListpackLimits;
use crate::types::{SortedSet, Value};
use crate::util::parse_f64;

const NAN_ERROR: &str = "ERR resulting score is not a number (NaN)";

#[derive(Clone, Copy, Default)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
}

/// What adding one member did.
enum Outcome {
    Added(f64),
    Updated(f64),
    /// Present with the same score (or an increment of 0): nothing changed.
    Unchanged(f64),
    /// Refused by NX, XX, GT or LT.
    Skipped,
}

pub(super) fn zadd(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(zadd_generic(srv, call, false))
}

pub(super) fn zincrby(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(zadd_generic(srv, call, true))
}

/// A score argument (Redis's getDoubleFromObject).
pub(super) fn parse_score(arg: &[u8]) -> Result<f64, Reply> {
    parse_f64(arg).ok_or_else(errors::not_float)
}

fn zadd_generic(srv: &mut Server, call: &Call, zincrby: bool) -> Result<Reply, Reply> {
    let mut flags = AddFlags {
        incr: zincrby,
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut first_pair = 2;
    while first_pair < call.argc() {
        let opt = call.arg(first_pair);
        match () {
            _ if is_keyword(opt, "nx") => flags.nx = true,
            _ if is_keyword(opt, "xx") => flags.xx = true,
            _ if is_keyword(opt, "ch") => ch = true,
            _ if is_keyword(opt, "incr") => flags.incr = true,
            _ if is_keyword(opt, "gt") => flags.gt = true,
            _ if is_keyword(opt, "lt") => flags.lt = true,
            _ => break,
        }
        first_pair += 1;
    }
    let pairs = &call.argv[first_pair..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(errors::syntax());
    }
    if flags.nx && flags.xx {
        return Err(Reply::error(
            "ERR XX and NX options at the same time are not compatible",
        ));
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(Reply::error(
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if flags.incr && pairs.len() > 2 {
        return Err(Reply::error(
            "ERR INCR option supports a single increment-element pair",
        ));
    }
    let scores = pairs
        .chunks(2)
        .map(|pair| parse_score(&pair[0]))
        .collect::<Result<Vec<f64>, Reply>>()?;

    let key = call.arg(1);
    let limits = listpack_limits(srv);
    let mut tally = Tally::default();
    let mut failure = None;
    match srv.lookup_write(call.db, key, call.now) {
        Some(entry) => {
            let zset = as_zset_mut(entry)?;
            failure = tally.add_all(zset, pairs, &scores, flags, limits);
        }
        None if flags.xx => {}
        None => {
            let mut zset = SortedSet::for_first_member(pairs[1].len(), limits);
            failure = tally.add_all(&mut zset, pairs, &scores, flags, limits);
            srv.set_value(call.db, key, Value::ZSet(Box::new(zset)), false, call.now);
        }
    }
    let Tally {
        added,
        updated,
        processed,
        last_score,
    } = tally;
    // Redis replies (with the result or the NaN error) before notifying.
    srv.reply_here(call);
    if added + updated > 0 {
        srv.key_modified(call.db, key);
        let event = if flags.incr { "zincr" } else { "zadd" };
        srv.notify_keyspace_event(class::ZSET, event, key, call.db);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    srv.add_dirty((added + updated) as u64);
    Ok(if flags.incr {
        if processed > 0 {
            Reply::Double(last_score)
        } else {
            Reply::Null
        }
    } else {
        Reply::Integer(if ch { added + updated } else { added } as i64)
    })
}

/// What ZADD did to the members it was given.
#[derive(Default)]
struct Tally {
    added: usize,
    updated: usize,
    processed: usize,
    last_score: f64,
}

impl Tally {
    /// Adds every (score, member) pair in order; stops at the first error, which it returns.
    fn add_all(
        &mut self,
        zset: &mut SortedSet,
        pairs: &[Vec<u8>],
        scores: &[f64],
        flags: AddFlags,
        limits: ListpackLimits,
    ) -> Option<Reply> {
        for (pair, &score) in pairs.chunks(2).zip(scores) {
            match add_member(zset, &pair[1], score, flags, limits) {
                Ok(Outcome::Added(s)) => {
                    self.added += 1;
                    self.processed += 1;
                    self.last_score = s;
                }
                Ok(Outcome::Updated(s)) => {
                    self.updated += 1;
                    self.processed += 1;
                    self.last_score = s;
                }
                Ok(Outcome::Unchanged(s)) => {
                    self.processed += 1;
                    self.last_score = s;
                }
                Ok(Outcome::Skipped) => {}
                Err(e) => return Some(e),
            }
        }
        None
    }
}

/// Redis's zsetAdd for one member.
fn add_member(
    zset: &mut SortedSet,
    member: &[u8],
    score: f64,
    flags: AddFlags,
    limits: ListpackLimits,
) -> Result<Outcome, Reply> {
    match zset.score(member) {
        Some(current) => {
            if flags.nx {
                return Ok(Outcome::Skipped);
            }
            let score = if flags.incr {
                let sum = score + current;
                if sum.is_nan() {
                    return Err(Reply::error(NAN_ERROR));
                }
                sum
            } else {
                score
            };
            if (flags.lt && score >= current) || (flags.gt && score <= current) {
                return Ok(Outcome::Skipped);
            }
            if score == current {
                return Ok(Outcome::Unchanged(score));
            }
            zset.set_score(member, score);
            Ok(Outcome::Updated(score))
        }
        None if flags.xx => Ok(Outcome::Skipped),
        None => {
            zset.insert(member, score, limits);
            Ok(Outcome::Added(score))
        }
    }
}
