//! XINFO STREAM | GROUPS | CONSUMERS | HELP.

use super::{c_text, entry_reply, id_reply, integer_arg, now_ms, read_stream};
use crate::commands::introspection::{help_reply, subcommand_syntax_error};
use crate::commands::string::reply_of;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::stream::{ConsumerGroup, Stream};
use crate::util::eq_ignore_case;

const XINFO_HELP: &[&str] = &[
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
];

fn field(name: &str) -> Reply {
    Reply::bulk(name)
}

fn nullable(value: Option<i64>) -> Reply {
    value.map_or(Reply::Null, Reply::Integer)
}

pub(super) fn xinfo(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(xinfo_inner(srv, call))
}

fn xinfo_inner(srv: &mut Server, call: &mut Call) -> Result<Reply, Reply> {
    if eq_ignore_case(call.arg(1), "help") {
        if call.argc() != 2 {
            return Err(Reply::error(subcommand_syntax_error(call)));
        }
        return Ok(help_reply(call, XINFO_HELP));
    }
    if call.argc() < 3 {
        return Err(Reply::error(subcommand_syntax_error(call)));
    }
    let key = call.argv[2].clone();
    let now = now_ms(call);
    let Some(stream) = read_stream(srv, call, &key)? else {
        return Err(Reply::error(errors::NO_SUCH_KEY));
    };
    let sub = call.arg(1);
    if eq_ignore_case(sub, "consumers") && call.argc() == 4 {
        let Some(group) = stream.groups.get(call.arg(3)) else {
            return Err(Reply::error(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                c_text(call.arg(3)),
                c_text(&key)
            )));
        };
        let consumers = group
            .consumers
            .iter()
            .map(|(name, c)| {
                Reply::Map(vec![
                    (field("name"), Reply::bulk(name)),
                    (field("pending"), Reply::Integer(c.pel.len() as i64)),
                    (
                        field("idle"),
                        Reply::Integer(now.saturating_sub(c.seen_time).max(0)),
                    ),
                ])
            })
            .collect();
        Ok(Reply::Array(consumers))
    } else if eq_ignore_case(sub, "groups") && call.argc() == 3 {
        let groups = stream
            .groups
            .iter()
            .map(|(name, group)| {
                Reply::Map(vec![
                    (field("name"), Reply::bulk(name)),
                    (
                        field("consumers"),
                        Reply::Integer(group.consumers.len() as i64),
                    ),
                    (field("pending"), Reply::Integer(group.pel.len() as i64)),
                    (field("last-delivered-id"), id_reply(group.last_id)),
                    (field("entries-read"), nullable(group.entries_read)),
                    (field("lag"), nullable(stream.group_lag(group))),
                ])
            })
            .collect();
        Ok(Reply::Array(groups))
    } else if eq_ignore_case(sub, "stream") {
        stream_info(call, stream)
    } else {
        Err(Reply::error(subcommand_syntax_error(call)))
    }
}

fn stream_info(call: &Call, stream: &Stream) -> Result<Reply, Reply> {
    let options = &call.argv[3..];
    let mut count: i64 = 10;
    let full = !options.is_empty();
    if full {
        if options.len() != 1 && options.len() != 3 || !eq_ignore_case(&options[0], "full") {
            return Err(Reply::error(subcommand_syntax_error(call)));
        }
        if options.len() == 3 {
            if !eq_ignore_case(&options[1], "count") {
                return Err(Reply::error(subcommand_syntax_error(call)));
            }
            count = integer_arg(&options[2])?;
            if count < 0 {
                count = 10;
            }
        }
    }
    let mut map = vec![
        (field("length"), Reply::Integer(stream.len() as i64)),
        (
            field("radix-tree-keys"),
            Reply::Integer(stream.node_count() as i64),
        ),
        (
            field("radix-tree-nodes"),
            Reply::Integer(stream.radix_tree_nodes() as i64),
        ),
        (field("last-generated-id"), id_reply(stream.last_id)),
        (
            field("max-deleted-entry-id"),
            id_reply(stream.max_deleted_entry_id),
        ),
        (
            field("entries-added"),
            Reply::Integer(stream.entries_added as i64),
        ),
        (field("recorded-first-entry-id"), id_reply(stream.first_id)),
    ];
    if !full {
        map.push((field("groups"), Reply::Integer(stream.groups.len() as i64)));
        let first = stream
            .first_entry()
            .map_or(Reply::Null, |(id, f)| entry_reply(*id, f));
        let last = stream
            .last_entry()
            .map_or(Reply::Null, |(id, f)| entry_reply(*id, f));
        map.push((field("first-entry"), first));
        map.push((field("last-entry"), last));
        return Ok(Reply::Map(map));
    }
    let limit = if count == 0 {
        usize::MAX
    } else {
        count as usize
    };
    let entries = stream
        .range(
            crate::types::stream::StreamId::MIN,
            crate::types::stream::StreamId::MAX,
        )
        .take(limit)
        .map(|(id, f)| entry_reply(*id, f))
        .collect();
    map.push((field("entries"), Reply::Array(entries)));
    let groups = stream
        .groups
        .iter()
        .map(|(name, group)| group_full(stream, name, group, limit))
        .collect();
    map.push((field("groups"), Reply::Array(groups)));
    Ok(Reply::Map(map))
}

fn group_full(stream: &Stream, name: &[u8], group: &ConsumerGroup, limit: usize) -> Reply {
    let pending = group
        .pel
        .iter()
        .take(limit)
        .map(|(id, nack)| {
            Reply::Array(vec![
                id_reply(*id),
                Reply::bulk(&*nack.consumer),
                Reply::Integer(nack.delivery_time),
                Reply::Integer(nack.delivery_count as i64),
            ])
        })
        .collect();
    let consumers = group
        .consumers
        .iter()
        .map(|(consumer_name, consumer)| {
            let pending = consumer
                .pel
                .iter()
                .take(limit)
                .filter_map(|id| group.pel.get(id).map(|nack| (id, nack)))
                .map(|(id, nack)| {
                    Reply::Array(vec![
                        id_reply(*id),
                        Reply::Integer(nack.delivery_time),
                        Reply::Integer(nack.delivery_count as i64),
                    ])
                })
                .collect();
            Reply::Map(vec![
                (field("name"), Reply::bulk(consumer_name)),
                (field("seen-time"), Reply::Integer(consumer.seen_time)),
                (
                    field("pel-count"),
                    Reply::Integer(consumer.pel.len() as i64),
                ),
                (field("pending"), Reply::Array(pending)),
            ])
        })
        .collect();
    Reply::Map(vec![
        (field("name"), Reply::bulk(name)),
        (field("last-delivered-id"), id_reply(group.last_id)),
        (field("entries-read"), nullable(group.entries_read)),
        (field("lag"), nullable(stream.group_lag(group))),
        (field("pel-count"), Reply::Integer(group.pel.len() as i64)),
        (field("pending"), Reply::Array(pending)),
        (field("consumers"), Reply::Array(consumers)),
    ])
}
