//! XCLAIM and XAUTOCLAIM: moving pending entries to another consumer.

use std::ops::Bound;

use super::propagate::Effects;
use super::{c_text, entry_reply, id_arg, id_reply, now_ms, read_stream, start_arg, stream_at};
use crate::commands::string::reply_of;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::stream::{parse_full_id, ConsumerGroup, Nack, StreamId};
use crate::util::{eq_ignore_case, parse_i64};

fn nogroup(key: &[u8], group: &[u8]) -> Reply {
    Reply::error(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        c_text(key),
        c_text(group)
    ))
}

/// An integer argument with a command-specific error.
fn integer_or(arg: &[u8], message: &str) -> Result<i64, Reply> {
    parse_i64(arg).ok_or_else(|| Reply::error(format!("ERR {message}")))
}

/// Looks up (refreshing) or creates the claiming consumer; true if created.
fn ensure_consumer(group: &mut ConsumerGroup, name: &[u8], now: i64) -> bool {
    match group.consumers.get_mut(name) {
        Some(consumer) => {
            consumer.seen_time = now;
            false
        }
        None => group.create_consumer(name, now),
    }
}

/// Gives pending entry `id` to consumer `name`, delivered at `delivery_time`.
fn move_to(group: &mut ConsumerGroup, id: StreamId, name: &[u8], delivery_time: i64, count: u64) {
    let Some(owner) = group.consumers.get(name).map(|c| c.name.clone()) else {
        return;
    };
    if let Some(previous) = group.pel.get(&id).map(|n| n.consumer.clone()) {
        if *previous != *name {
            if let Some(c) = group.consumers.get_mut(&*previous) {
                c.pel.remove(&id);
            }
        }
    }
    group.pel.insert(
        id,
        Nack {
            delivery_time,
            delivery_count: count,
            consumer: owner,
        },
    );
    if let Some(c) = group.consumers.get_mut(name) {
        c.pel.insert(id);
    }
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms-unix-time]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
pub(super) fn xclaim(srv: &mut Server, call: &mut Call) -> Reply {
    // Each change is propagated as its own idempotent XCLAIM (see `super::propagate`).
    srv.prevent_propagation();
    reply_of(xclaim_inner(srv, call))
}

fn xclaim_inner(srv: &mut Server, call: &mut Call) -> Result<Reply, Reply> {
    let key = call.argv[1].clone();
    let group_name = call.argv[2].clone();
    let has_group =
        read_stream(srv, call, &key)?.is_some_and(|s| s.groups.contains_key(&group_name));
    if !has_group {
        return Err(nogroup(&key, &group_name));
    }
    let min_idle = integer_or(call.arg(4), "Invalid min-idle-time argument for XCLAIM")?.max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < call.argc() {
        match parse_full_id(call.arg(j), 0, true) {
            Some(id) => ids.push(id),
            None => break,
        }
        j += 1;
    }
    let now = now_ms(call);
    let (mut force, mut justid) = (false, false);
    let mut delivery_time: Option<i64> = None;
    let mut retry_count: Option<i64> = None;
    let mut last_id = StreamId::MIN;
    while j < call.argc() {
        let more = call.argc() - 1 - j;
        let opt = call.arg(j);
        if eq_ignore_case(opt, "force") {
            force = true;
        } else if eq_ignore_case(opt, "justid") {
            justid = true;
        } else if eq_ignore_case(opt, "idle") && more > 0 {
            j += 1;
            let idle = integer_or(call.arg(j), "Invalid IDLE option argument for XCLAIM")?;
            delivery_time = Some(now.wrapping_sub(idle));
        } else if eq_ignore_case(opt, "time") && more > 0 {
            j += 1;
            delivery_time = Some(integer_or(
                call.arg(j),
                "Invalid TIME option argument for XCLAIM",
            )?);
        } else if eq_ignore_case(opt, "retrycount") && more > 0 {
            j += 1;
            retry_count = Some(integer_or(
                call.arg(j),
                "Invalid RETRYCOUNT option argument for XCLAIM",
            )?);
        } else if eq_ignore_case(opt, "lastid") && more > 0 {
            j += 1;
            last_id = id_arg(call.arg(j), 0, true)?;
        } else {
            return Err(Reply::error(format!(
                "ERR Unrecognized XCLAIM option '{}'",
                c_text(opt)
            )));
        }
        j += 1;
    }
    let delivery_time = match delivery_time {
        Some(t) if t >= 0 && t <= now => t,
        _ => now,
    };
    let consumer = call.argv[3].clone();
    let mut effects = Effects::new(srv);
    let Some(stream) = stream_at(srv, call.db, &key) else {
        return Err(nogroup(&key, &group_name));
    };
    let exists: Vec<bool> = ids.iter().map(|id| stream.contains(*id)).collect();
    let Some(group) = stream.groups.get_mut(&group_name) else {
        return Err(nogroup(&key, &group_name));
    };
    // A group position moved by LASTID alone is propagated as XGROUP SETID; each XCLAIM
    // propagated carries it otherwise.
    let mut position_moved = false;
    if last_id > group.last_id {
        group.last_id = last_id;
        position_moved = true;
    }
    let mut created = false;
    let mut consumer_ready = false;
    let mut claimed = Vec::new();
    let mut dropped = 0u64;
    // The IDs are the arguments from the sixth on; they propagate as they were written.
    for (n, (id, exists)) in ids.into_iter().zip(exists).enumerate() {
        let id_text = call.argv.get(5 + n).map_or(&[][..], Vec::as_slice);
        if !exists {
            // A pending entry whose message is gone is dropped from the PEL, and the
            // propagated XCLAIM (of an entry missing there too) drops it on replay.
            if let Some(nack) = group.pel.get(&id) {
                effects.claim(&key, &group_name, id_text, nack, group.last_id);
                position_moved = false;
                dropped += 1;
                group.ack(id);
            }
            continue;
        }
        let current = group
            .pel
            .get(&id)
            .map(|n| (n.delivery_time, n.delivery_count));
        let (previous_time, previous_count) = match current {
            Some(found) => (Some(found.0), found.1),
            // FORCE creates the pending entry without an owner, so it is never too fresh.
            None if force => (None, 1),
            None => continue,
        };
        if let Some(time) = previous_time {
            if min_idle != 0 && now.saturating_sub(time) < min_idle {
                continue;
            }
        }
        if !consumer_ready {
            created |= ensure_consumer(group, &consumer, now);
            consumer_ready = true;
        }
        let count = match retry_count {
            Some(n) if n >= 0 => n as u64,
            _ if !justid => previous_count.saturating_add(1),
            _ => previous_count,
        };
        move_to(group, id, &consumer, delivery_time, count);
        if let Some(nack) = group.pel.get(&id) {
            effects.claim(&key, &group_name, id_text, nack, group.last_id);
        }
        position_moved = false;
        claimed.push(id);
    }
    if position_moved {
        effects.group_position(&key, &group_name, group);
        dropped += 1;
    }
    let out: Vec<Reply> = claimed
        .into_iter()
        .map(|id| match (justid, stream.get(id)) {
            (false, Some(fields)) => entry_reply(id, fields),
            _ => id_reply(id),
        })
        .collect();
    let db = call.db;
    if created {
        srv.add_dirty(1);
        srv.notify_keyspace_event(class::STREAM, "xgroup-createconsumer", &key, db);
    }
    srv.add_dirty(out.len() as u64 + dropped);
    effects.send(srv, db);
    Ok(Reply::Array(out))
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
pub(super) fn xautoclaim(srv: &mut Server, call: &mut Call) -> Reply {
    // Each change is propagated as its own idempotent XCLAIM (see `super::propagate`).
    srv.prevent_propagation();
    reply_of(xautoclaim_inner(srv, call))
}

fn xautoclaim_inner(srv: &mut Server, call: &mut Call) -> Result<Reply, Reply> {
    const ATTEMPTS_FACTOR: i64 = 10;
    let min_idle = integer_or(call.arg(4), "Invalid min-idle-time argument for XAUTOCLAIM")?.max(0);
    let start = start_arg(call.arg(5))?;
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < call.argc() {
        let more = call.argc() - 1 - j;
        let opt = call.arg(j);
        if eq_ignore_case(opt, "count") && more > 0 {
            let max = i64::MAX / 16;
            count = match parse_i64(call.arg(j + 1)) {
                Some(n) if (1..=max).contains(&n) => n,
                _ => return Err(Reply::error("ERR COUNT must be > 0")),
            };
            j += 1;
        } else if eq_ignore_case(opt, "justid") {
            justid = true;
        } else {
            return Err(errors::syntax());
        }
        j += 1;
    }
    let key = call.argv[1].clone();
    let group_name = call.argv[2].clone();
    let has_group =
        read_stream(srv, call, &key)?.is_some_and(|s| s.groups.contains_key(&group_name));
    if !has_group {
        return Err(nogroup(&key, &group_name));
    }
    // Redis allocates room for `count` deleted IDs up front and fails if it cannot.
    if count > (1i64 << 36) {
        return Err(Reply::error(
            "ERR Insufficient memory, failed allocating transient memory, COUNT too high.",
        ));
    }
    let now = now_ms(call);
    let consumer = call.argv[3].clone();
    let mut effects = Effects::new(srv);
    let Some(stream) = stream_at(srv, call.db, &key) else {
        return Err(nogroup(&key, &group_name));
    };
    // Which pending entries still have their message is decided as the walk reaches them.
    let mut attempts = count.saturating_mul(ATTEMPTS_FACTOR);
    let mut cursor = Bound::Included(start);
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut created = false;
    let mut consumer_ready = false;
    let next_id;
    loop {
        let next = stream.groups.get(&group_name).and_then(|g| {
            g.pel
                .range((cursor, Bound::Unbounded))
                .next()
                .map(|(id, _)| *id)
        });
        if attempts == 0 || count == 0 {
            next_id = next.unwrap_or(StreamId::MIN);
            break;
        }
        attempts -= 1;
        let Some(id) = next else {
            next_id = StreamId::MIN;
            break;
        };
        cursor = Bound::Excluded(id);
        let exists = stream.contains(id);
        let Some(group) = stream.groups.get_mut(&group_name) else {
            next_id = StreamId::MIN;
            break;
        };
        if !exists {
            // Propagated as an XCLAIM by the current owner, which drops it on replay too.
            if let Some(nack) = group.pel.get(&id) {
                effects.claim(&key, &group_name, &id.to_bytes(), nack, group.last_id);
            }
            group.ack(id);
            deleted.push(id);
            count -= 1;
            continue;
        }
        let Some(nack) = group.pel.get(&id) else {
            continue;
        };
        let previous_count = nack.delivery_count;
        if min_idle != 0 && now.saturating_sub(nack.delivery_time) < min_idle {
            continue;
        }
        if !consumer_ready {
            created |= ensure_consumer(group, &consumer, now);
            consumer_ready = true;
        }
        let delivery_count = if justid {
            previous_count
        } else {
            previous_count.saturating_add(1)
        };
        move_to(group, id, &consumer, now, delivery_count);
        if let Some(nack) = group.pel.get(&id) {
            effects.claim(&key, &group_name, &id.to_bytes(), nack, group.last_id);
        }
        claimed.push(id);
        count -= 1;
    }
    let out: Vec<Reply> = claimed
        .into_iter()
        .map(|id| match (justid, stream.get(id)) {
            (false, Some(fields)) => entry_reply(id, fields),
            _ => id_reply(id),
        })
        .collect();
    let dirty = (out.len() + deleted.len()) as u64;
    let db = call.db;
    if created {
        srv.add_dirty(1);
        srv.notify_keyspace_event(class::STREAM, "xgroup-createconsumer", &key, db);
    }
    srv.add_dirty(dirty);
    effects.send(srv, db);
    Ok(Reply::Array(vec![
        id_reply(next_id),
        Reply::Array(out),
        Reply::Array(deleted.into_iter().map(id_reply).collect()),
    ]))
}
