//! ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD. Inputs may be sets (every
//! member scoring 1) as well as sorted sets.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{listpack_limits, pairs_reply, speaks_resp3};
use crate::commands::string::{int_arg, is_keyword, reply_of};
use crate::db::Db;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::zset::ListpackLimits;
use crate::types::{SortedSet, Value};
use crate::util::parse_f64;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    fn apply(self, target: &mut f64, value: f64) {
        match self {
            Aggregate::Sum => {
                *target += value;
                // inf + -inf: Redis's convention is 0.
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => {
                if value < *target {
                    *target = value;
                }
            }
            Aggregate::Max => {
                if value > *target {
                    *target = value;
                }
            }
        }
    }
}

pub(super) fn zunion(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(generic(srv, call, 1, Op::Union, false))
}

pub(super) fn zunionstore(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(generic(srv, call, 2, Op::Union, false))
}

pub(super) fn zinter(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(generic(srv, call, 1, Op::Inter, false))
}

pub(super) fn zinterstore(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(generic(srv, call, 2, Op::Inter, false))
}

pub(super) fn zintercard(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(generic(srv, call, 1, Op::Inter, true))
}

pub(super) fn zdiff(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(generic(srv, call, 1, Op::Diff, false))
}

pub(super) fn zdiffstore(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(generic(srv, call, 2, Op::Diff, false))
}

/// One input: a missing key (empty), a set or a sorted set, with its weight.
struct Source<'a> {
    key: &'a [u8],
    value: Option<&'a Value>,
    weight: f64,
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self.value {
            Some(Value::Set(s)) => s.len(),
            Some(Value::ZSet(z)) => z.len(),
            _ => 0,
        }
    }

    /// The members and scores in the input's own order.
    fn entries(&self) -> Box<dyn Iterator<Item = (Cow<'_, [u8]>, f64)> + '_> {
        match self.value {
            Some(Value::Set(s)) => Box::new(s.iter().map(|m| {
                let bytes = match m {
                    crate::types::set::SetMember::Bytes(b) => Cow::Borrowed(b),
                    other => Cow::Owned(other.to_vec()),
                };
                (bytes, 1.0)
            })),
            Some(Value::ZSet(z)) => Box::new(z.iter().map(|(m, s)| (Cow::Borrowed(m), s))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self.value {
            Some(Value::Set(s)) => s.contains(member).then_some(1.0),
            Some(Value::ZSet(z)) => z.score(member),
            _ => None,
        }
    }

    /// Whether two inputs are the same stored value (the same key given twice).
    fn same_as(&self, other: &Source<'_>) -> bool {
        self.value.is_some() && other.value.is_some() && self.key == other.key
    }
}

/// Parsed options.
struct Options {
    weights: Option<Vec<f64>>,
    aggregate: Aggregate,
    withscores: bool,
    limit: usize,
}

fn generic(
    srv: &mut Server,
    call: &Call,
    numkeys_index: usize,
    op: Op,
    cardinality_only: bool,
) -> Result<Reply, Reply> {
    let dst = (numkeys_index == 2).then(|| call.arg(1));
    let setnum = int_arg(call.arg(numkeys_index))?;
    if setnum < 1 {
        return Err(Reply::error(format!(
            "ERR at least 1 input key is needed for '{}' command",
            call.spec.name
        )));
    }
    let first_key = numkeys_index + 1;
    if setnum as u64 > (call.argc() - first_key) as u64 {
        return Err(errors::syntax());
    }
    let keys = &call.argv[first_key..first_key + setnum as usize];
    for key in keys {
        if let Some(entry) = srv.lookup_read(call.db, key, call.now) {
            if !matches!(entry.value, Value::Set(_) | Value::ZSet(_)) {
                return Err(errors::wrongtype());
            }
        }
    }
    let options = parse_options(
        call,
        first_key + keys.len(),
        keys.len(),
        op,
        dst.is_some(),
        cardinality_only,
    )?;
    let resp3 = speaks_resp3(srv, call);
    let limits = listpack_limits(srv);

    let db: &Db = srv.db(call.db);
    let mut sources: Vec<Source<'_>> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| Source {
            key,
            value: db.get(key).map(|e| &e.value),
            weight: options
                .weights
                .as_ref()
                .and_then(|w| w.get(i).copied())
                .unwrap_or(1.0),
        })
        .collect();
    if op != Op::Diff {
        sources.sort_by_key(Source::len);
    }

    if cardinality_only {
        let found = intersection(&sources, options.aggregate, Some(options.limit), |_, _| {});
        return Ok(Reply::Integer(found as i64));
    }
    let mut result = SortedSet::new(false);
    match op {
        Op::Inter => {
            intersection(&sources, options.aggregate, None, |member, score| {
                result.insert(member, score, limits);
            });
        }
        Op::Union => union(&sources, options.aggregate, &mut result, limits),
        Op::Diff => difference(&sources, &mut result, limits),
    }

    match dst {
        Some(dst) => {
            let len = result.len();
            if len > 0 {
                let longest = result.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
                result.shrink_if_fits(limits, longest);
                srv.lookup_write(call.db, dst, call.now);
                srv.set_value(call.db, dst, Value::ZSet(Box::new(result)), false, call.now);
                let event = match op {
                    Op::Union => "zunionstore",
                    Op::Inter => "zinterstore",
                    Op::Diff => "zdiffstore",
                };
                srv.notify_keyspace_event(class::ZSET, event, dst, call.db);
                srv.add_dirty(1);
            } else if srv.delete_key(call.db, dst) {
                srv.notify_keyspace_event(class::GENERIC, "del", dst, call.db);
                srv.add_dirty(1);
            }
            Ok(Reply::Integer(len as i64))
        }
        None if options.withscores => Ok(pairs_reply(result.iter(), resp3)),
        None => Ok(Reply::Array(
            result.iter().map(|(m, _)| Reply::bulk(m)).collect(),
        )),
    }
}

fn parse_options(
    call: &Call,
    first: usize,
    setnum: usize,
    op: Op,
    store: bool,
    cardinality_only: bool,
) -> Result<Options, Reply> {
    let mut options = Options {
        weights: None,
        aggregate: Aggregate::Sum,
        withscores: false,
        limit: 0,
    };
    let mut j = first;
    while j < call.argc() {
        let remaining = call.argc() - j;
        let opt = call.arg(j);
        let combinable = op != Op::Diff && !cardinality_only;
        if combinable && remaining > setnum && is_keyword(opt, "weights") {
            let weights = call.argv[j + 1..j + 1 + setnum]
                .iter()
                .map(|w| {
                    parse_f64(w).ok_or_else(|| Reply::error("ERR weight value is not a float"))
                })
                .collect::<Result<Vec<f64>, Reply>>()?;
            options.weights = Some(weights);
            j += 1 + setnum;
        } else if combinable && remaining >= 2 && is_keyword(opt, "aggregate") {
            let which = call.arg(j + 1);
            options.aggregate = if is_keyword(which, "sum") {
                Aggregate::Sum
            } else if is_keyword(which, "min") {
                Aggregate::Min
            } else if is_keyword(which, "max") {
                Aggregate::Max
            } else {
                return Err(errors::syntax());
            };
            j += 2;
        } else if !store && !cardinality_only && is_keyword(opt, "withscores") {
            options.withscores = true;
            j += 1;
        } else if cardinality_only && remaining >= 2 && is_keyword(opt, "limit") {
            let negative = || Reply::error("ERR LIMIT can't be negative");
            let limit = crate::util::parse_i64(call.arg(j + 1)).ok_or_else(negative)?;
            options.limit = usize::try_from(limit).map_err(|_| negative())?;
            j += 2;
        } else {
            return Err(errors::syntax());
        }
    }
    Ok(options)
}

/// Members of the first (smallest) input present in all the others, with their combined
/// scores, passed to `found`. Stops after `limit` when counting; returns how many.
fn intersection(
    sources: &[Source<'_>],
    aggregate: Aggregate,
    limit: Option<usize>,
    mut found: impl FnMut(&[u8], f64),
) -> usize {
    let Some((first, others)) = sources.split_first() else {
        return 0;
    };
    let mut count = 0;
    for (member, score) in first.entries() {
        let mut total = first.weight * score;
        if total.is_nan() {
            total = 0.0;
        }
        let mut in_all = true;
        for other in others {
            let value = if other.same_as(first) {
                Some(score)
            } else {
                other.score(&member)
            };
            match value {
                Some(v) => aggregate.apply(&mut total, v * other.weight),
                None => {
                    in_all = false;
                    break;
                }
            }
        }
        if in_all {
            count += 1;
            found(&member, total);
            if limit.is_some_and(|l| l > 0 && count >= l) {
                break;
            }
        }
    }
    count
}

fn union(
    sources: &[Source<'_>],
    aggregate: Aggregate,
    result: &mut SortedSet,
    limits: ListpackLimits,
) {
    let mut totals: HashMap<Vec<u8>, f64> = HashMap::new();
    let mut order: Vec<Vec<u8>> = Vec::new();
    for source in sources {
        for (member, score) in source.entries() {
            let mut value = source.weight * score;
            if value.is_nan() {
                value = 0.0;
            }
            match totals.get_mut(&*member) {
                Some(total) => aggregate.apply(total, value),
                None => {
                    totals.insert(member.to_vec(), value);
                    order.push(member.into_owned());
                }
            }
        }
    }
    for member in order {
        if let Some(&score) = totals.get(&member) {
            result.insert(&member, score, limits);
        }
    }
}

fn difference(sources: &[Source<'_>], result: &mut SortedSet, limits: ListpackLimits) {
    let Some((first, others)) = sources.split_first() else {
        return;
    };
    if first.len() == 0 || others.iter().any(|o| o.same_as(first)) {
        return;
    }
    // Redis estimates the work of two algorithms and picks the cheaper one.
    let first_work = sources.len() * first.len() / 2;
    let all_work: usize = sources.iter().map(Source::len).sum();
    if first_work <= all_work {
        for (member, score) in first.entries() {
            if !others.iter().any(|o| o.score(&member).is_some()) {
                result.insert(&member, score, limits);
            }
        }
    } else {
        for (member, score) in first.entries() {
            result.insert(&member, score, limits);
        }
        for other in others {
            for (member, _) in other.entries() {
                result.remove(&member);
                if result.is_empty() {
                    return;
                }
            }
        }
    }
}
