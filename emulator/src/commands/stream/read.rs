//! XREAD and XREADGROUP, including blocking (see `crate::blocking`): a client waiting on
//! streams is offered a key whenever it is created or XADD appends to it, and is served if
//! the stream's last ID passed the one it waits after (for a group, the group's last
//! delivered ID).

use super::propagate::Effects;
use super::{c_text, entry_reply, id_arg, id_reply, integer_arg, now_ms, stream_at};
use crate::blocking::{deadline_after, parse_timeout, BlockRequest, TimeoutUnit};
use crate::commands::string::reply_of;
use crate::errors;
use crate::notify::class;
use crate::resp::{Protocol, Reply};
use crate::server::{Call, Server};
use crate::types::stream::{ConsumerGroup, Stream, StreamId};
use crate::types::Value;
use crate::util::eq_ignore_case;

/// Entries a blocked client gets at most when it gave no COUNT.
const BLOCKED_DEFAULT_COUNT: usize = 1000;

/// XREAD / XREADGROUP's arguments.
struct ReadArgs {
    timeout_ms: Option<u64>,
    count: usize,
    /// Position of the first key.
    streams_at: usize,
    streams: usize,
    group: Option<(Vec<u8>, Vec<u8>)>,
    noack: bool,
}

fn parse_read_args(call: &Call) -> Result<ReadArgs, Reply> {
    let xreadgroup = call.spec.name == "xreadgroup";
    let mut args = ReadArgs {
        timeout_ms: None,
        count: 0,
        streams_at: 0,
        streams: 0,
        group: None,
        noack: false,
    };
    let argc = call.argc();
    let mut i = 1;
    while i < argc {
        let more = argc - i - 1;
        let opt = call.arg(i);
        if eq_ignore_case(opt, "block") && more > 0 {
            if call.client == crate::scripting::SCRIPT_CLIENT_ID {
                return Err(Reply::error(format!(
                    "ERR {} command is not allowed with BLOCK option from scripts",
                    c_text(call.arg(0))
                )));
            }
            i += 1;
            args.timeout_ms = Some(parse_timeout(call.arg(i), TimeoutUnit::Milliseconds)?);
        } else if eq_ignore_case(opt, "count") && more > 0 {
            i += 1;
            args.count = usize::try_from(integer_arg(call.arg(i))?).unwrap_or(0);
        } else if eq_ignore_case(opt, "streams") && more > 0 {
            args.streams_at = i + 1;
            let rest = argc - args.streams_at;
            if !rest.is_multiple_of(2) {
                return Err(Reply::error(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            args.streams = rest / 2;
            break;
        } else if eq_ignore_case(opt, "group") && more >= 2 {
            if !xreadgroup {
                return Err(Reply::error(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            args.group = Some((call.arg(i + 1).to_vec(), call.arg(i + 2).to_vec()));
            i += 2;
        } else if eq_ignore_case(opt, "noack") {
            if !xreadgroup {
                return Err(Reply::error(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            args.noack = true;
        } else {
            return Err(errors::syntax());
        }
        i += 1;
    }
    if args.streams_at == 0 {
        return Err(errors::syntax());
    }
    if xreadgroup && args.group.is_none() {
        return Err(Reply::error("ERR Missing GROUP option for XREADGROUP"));
    }
    Ok(args)
}

/// XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]
/// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key [...] id [...]
pub(super) fn xread(srv: &mut Server, call: &mut Call) -> Reply {
    // What a group read changes is propagated as the XCLAIM / XGROUP commands recreating it.
    srv.prevent_propagation();
    reply_of(xread_inner(srv, call))
}

fn xread_inner(srv: &mut Server, call: &mut Call) -> Result<Reply, Reply> {
    let args = parse_read_args(call)?;
    let xreadgroup = args.group.is_some();
    let (db, now) = (call.db, call.now);
    // Resolve the IDs (and check the keys and groups), key by key.
    let mut ids: Vec<StreamId> = Vec::with_capacity(args.streams);
    for n in 0..args.streams {
        let key = call.argv[args.streams_at + n].clone();
        let id_text = call.argv[args.streams_at + args.streams + n].clone();
        let stream = match srv.lookup_read(db, &key, now) {
            None => None,
            Some(entry) => Some(super::as_stream(entry)?),
        };
        if let Some((group, _)) = &args.group {
            if stream
                .as_ref()
                .is_none_or(|s| !s.groups.contains_key(group))
            {
                return Err(Reply::error(format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    c_text(&key),
                    c_text(group)
                )));
            }
        }
        let id = if id_text == b"$" {
            if xreadgroup {
                return Err(Reply::error(
                    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
                ));
            }
            stream.map_or(StreamId::MIN, |s| s.last_id)
        } else if id_text == b">" {
            if !xreadgroup {
                return Err(Reply::error(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
                ));
            }
            StreamId::MAX
        } else {
            id_arg(&id_text, 0, true)?
        };
        ids.push(id);
    }

    // Serve what can be served now.
    let protocol = srv
        .clients
        .get(&call.client)
        .map_or(Protocol::Resp2, |c| c.protocol);
    let mut served: Vec<(Reply, Reply)> = Vec::new();
    let mut effects = Effects::new(srv);
    for (n, &after) in ids.iter().enumerate() {
        let key = call.argv[args.streams_at + n].clone();
        let Some(stream) = srv
            .lookup_read(db, &key, now)
            .and_then(|e| match &mut e.value {
                Value::Stream(s) => Some(s),
                _ => None,
            })
        else {
            continue;
        };
        let (start, history) = match &args.group {
            Some(_) if after != StreamId::MAX => (after, true),
            Some((group, _)) => {
                let last = stream
                    .groups
                    .get(group)
                    .map_or(StreamId::MAX, |g| g.last_id);
                match stream.last_entry_id() {
                    Some(top) if top > last => (last, false),
                    _ => continue,
                }
            }
            None => match stream.last_entry_id() {
                Some(top) if top > after => (after, false),
                _ => continue,
            },
        };
        let entries = match &args.group {
            None => read_range(stream, start, args.count),
            Some((group, consumer)) => {
                let read = GroupRead {
                    group,
                    consumer,
                    noack: args.noack,
                    history,
                    count: args.count,
                };
                let entries = read_group(srv, call, &key, start, &read, &mut effects);
                srv.add_dirty(1);
                entries
            }
        };
        served.push((Reply::bulk(&key), entries));
    }
    effects.send(srv, db);
    if !served.is_empty() {
        return Ok(streams_reply(served, protocol));
    }
    let Some(timeout) = args.timeout_ms else {
        return Ok(Reply::NullArray);
    };
    if call.nested {
        return Ok(Reply::NullArray);
    }
    let keys: Vec<Vec<u8>> = call.argv[args.streams_at..args.streams_at + args.streams].to_vec();
    // Forget what clients no longer blocked (timed out, unblocked, gone) waited for.
    let stale: Vec<_> = srv
        .stream_waits
        .keys()
        .filter(|id| !srv.is_blocked(**id))
        .copied()
        .collect();
    for id in stale {
        srv.stream_waits.remove(&id);
    }
    srv.stream_waits.insert(call.client, ids);
    call.block = Some(BlockRequest {
        keys,
        deadline: deadline_after(now, timeout),
        serve: Some(serve),
    });
    Ok(Reply::NullArray)
}

/// The reply naming each stream served: a map in RESP3, pairs in RESP2.
fn streams_reply(served: Vec<(Reply, Reply)>, protocol: Protocol) -> Reply {
    if protocol == Protocol::Resp2 {
        Reply::Array(
            served
                .into_iter()
                .map(|(key, entries)| Reply::Array(vec![key, entries]))
                .collect(),
        )
    } else {
        Reply::Map(served)
    }
}

/// Entries after `after`, at most `count` (0: all).
fn read_range(stream: &Stream, after: StreamId, count: usize) -> Reply {
    let Some(start) = after.next() else {
        return Reply::Array(Vec::new());
    };
    let limit = if count == 0 { usize::MAX } else { count };
    Reply::Array(
        stream
            .range(start, StreamId::MAX)
            .take(limit)
            .map(|(id, f)| entry_reply(*id, f))
            .collect(),
    )
}

struct GroupRead<'a> {
    group: &'a [u8],
    consumer: &'a [u8],
    noack: bool,
    history: bool,
    count: usize,
}

/// Serves a consumer from a group: its own pending entries after `after` (history), or new
/// entries after `after`, which become pending for it (unless NOACK) and move the group's
/// last delivered ID. The consumer is created if needed.
fn read_group(
    srv: &mut Server,
    call: &Call,
    key: &[u8],
    after: StreamId,
    read: &GroupRead,
    effects: &mut Effects,
) -> Reply {
    let now = now_ms(call);
    let db = call.db;
    let Some(stream) = stream_at(srv, db, key) else {
        return Reply::Array(Vec::new());
    };
    let Some(group) = stream.groups.get_mut(read.group) else {
        return Reply::Array(Vec::new());
    };
    let created = match group.consumers.get_mut(read.consumer) {
        Some(consumer) => {
            consumer.seen_time = now;
            false
        }
        None => group.create_consumer(read.consumer, now),
    };
    if created && read.noack {
        // No XCLAIM will name this consumer.
        effects.consumer_created(key, read.group, read.consumer);
    }
    let reply = match after.next() {
        None => Reply::Array(Vec::new()),
        Some(start) if read.history => history_reply(stream, read, start, now),
        Some(start) => deliver_new(stream, key, read, start, now, effects),
    };
    if created {
        srv.add_dirty(1);
        srv.notify_keyspace_event(class::STREAM, "xgroup-createconsumer", key, db);
    }
    reply
}

/// The consumer's pending entries from `start`: each delivered again (or `[id, nil]` when
/// the entry is gone).
fn history_reply(stream: &mut Stream, read: &GroupRead, start: StreamId, now: i64) -> Reply {
    let limit = if read.count == 0 {
        usize::MAX
    } else {
        read.count
    };
    let Some(group) = stream.groups.get(read.group) else {
        return Reply::Array(Vec::new());
    };
    let ids: Vec<StreamId> = group
        .consumers
        .get(read.consumer)
        .map(|c| c.pel.range(start..).take(limit).copied().collect())
        .unwrap_or_default();
    let mut out = Vec::with_capacity(ids.len());
    let mut redelivered = Vec::new();
    for id in ids {
        match stream.get(id) {
            Some(fields) => {
                out.push(entry_reply(id, fields));
                redelivered.push(id);
            }
            None => out.push(Reply::Array(vec![id_reply(id), Reply::NullArray])),
        }
    }
    if let Some(group) = stream.groups.get_mut(read.group) {
        for id in redelivered {
            if let Some(nack) = group.pel.get_mut(&id) {
                nack.delivery_time = now;
                nack.delivery_count = nack.delivery_count.saturating_add(1);
            }
        }
    }
    Reply::Array(out)
}

/// New entries from `start` for the group (Redis's streamReplyWithRange with a group). Each
/// entry made pending propagates as an XCLAIM; a NOACK read that moved the group propagates
/// its new position.
fn deliver_new(
    stream: &mut Stream,
    key: &[u8],
    read: &GroupRead,
    start: StreamId,
    now: i64,
    effects: &mut Effects,
) -> Reply {
    let limit = if read.count == 0 {
        usize::MAX
    } else {
        read.count
    };
    let ids: Vec<StreamId> = stream
        .range(start, StreamId::MAX)
        .take(limit)
        .map(|(id, _)| *id)
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    let mut moved = false;
    for id in ids {
        moved |= advance_group(stream, read.group, id);
        if let Some(fields) = stream.get(id) {
            out.push(entry_reply(id, fields));
        }
        if !read.noack {
            if let Some(group) = stream.groups.get_mut(read.group) {
                group.assign(id, read.consumer, now, 1);
                if let Some(nack) = group.pel.get(&id) {
                    effects.claim(key, read.group, &id.to_bytes(), nack, group.last_id);
                }
            }
        }
    }
    if moved && read.noack {
        if let Some(group) = stream.groups.get(read.group) {
            effects.group_position(key, read.group, group);
        }
    }
    Reply::Array(out)
}

/// Moves a group's last delivered ID to `id` if it is past it, keeping its read counter.
/// Returns whether it moved.
fn advance_group(stream: &mut Stream, group_name: &[u8], id: StreamId) -> bool {
    let Some(group) = stream.groups.get(group_name) else {
        return false;
    };
    if id <= group.last_id {
        return false;
    }
    let entries_read = match group.entries_read {
        Some(n) if !stream.has_tombstones_from(id) => Some(n.wrapping_add(1)),
        current if stream.entries_added == 0 => current,
        _ => stream.estimate_entries_read(id).map(|n| n as i64),
    };
    if let Some(group) = stream.groups.get_mut(group_name) {
        group.entries_read = entries_read;
        group.last_id = id;
    }
    true
}

/// Offers `key` to a client blocked in XREAD or XREADGROUP.
fn serve(srv: &mut Server, call: &mut Call, key: &[u8]) -> Option<Reply> {
    let args = parse_read_args(call).ok()?;
    let position = (0..args.streams).find(|&n| call.argv[args.streams_at + n] == key)?;
    let protocol = srv
        .clients
        .get(&call.client)
        .map_or(Protocol::Resp2, |c| c.protocol);
    let count = if args.count == 0 {
        BLOCKED_DEFAULT_COUNT
    } else {
        args.count
    };
    let holds_stream = srv
        .db(call.db)
        .get(key)
        .is_some_and(|e| matches!(e.value, Value::Stream(_)));
    let entries = match &args.group {
        None => {
            let after = *srv.stream_waits.get(&call.client)?.get(position)?;
            let stream = stream_at(srv, call.db, key)?;
            if stream.last_id <= after {
                return None;
            }
            let entries = read_range(stream, after, count);
            srv.stream_waits.remove(&call.client);
            entries
        }
        Some((group, consumer)) => {
            // The key is signalled when its stream is deleted or replaced by another type.
            if !holds_stream {
                return Some(Reply::error("UNBLOCKED the stream key no longer exists"));
            }
            let stream = stream_at(srv, call.db, key)?;
            let Some(last) = stream.groups.get(group).map(|g: &ConsumerGroup| g.last_id) else {
                return Some(Reply::error(
                    "NOGROUP the consumer group this client was blocked on no longer exists",
                ));
            };
            if stream.last_id <= last {
                return None;
            }
            let read = GroupRead {
                group,
                consumer,
                noack: args.noack,
                history: false,
                count,
            };
            let mut effects = Effects::new(srv);
            let entries = read_group(srv, call, key, last, &read, &mut effects);
            effects.send(srv, call.db);
            entries
        }
    };
    Some(streams_reply(vec![(Reply::bulk(key), entries)], protocol))
}
