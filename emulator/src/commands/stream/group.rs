//! XGROUP, XACK and XPENDING.

use super::{c_text, end_arg, id_arg, id_reply, integer_arg, read_stream, start_arg, write_stream};
use crate::commands::introspection::{help_reply, subcommand_syntax_error};
use crate::commands::string::reply_of;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::stream::{ConsumerGroup, Stream, StreamId};
use crate::types::{Entry, Value};
use crate::util::eq_ignore_case;

const XGROUP_HELP: &[&str] = &[
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
];

/// XGROUP CREATE | SETID | DESTROY | CREATECONSUMER | DELCONSUMER | HELP
pub(super) fn xgroup(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(xgroup_inner(srv, call))
}

fn xgroup_inner(srv: &mut Server, call: &mut Call) -> Result<Reply, Reply> {
    let sub = call.arg(1).to_ascii_lowercase();
    let argc = call.argc();
    let mut mkstream = false;
    let mut entries_read: i64 = -1;
    let mut exists = false;
    if argc >= 4 {
        let create = sub == b"create";
        let setid = sub == b"setid";
        let mut i = 5;
        while i < argc {
            if create && eq_ignore_case(call.arg(i), "mkstream") {
                mkstream = true;
                i += 1;
            } else if (create || setid)
                && eq_ignore_case(call.arg(i), "entriesread")
                && i + 1 < argc
            {
                entries_read = integer_arg(call.arg(i + 1))?;
                if entries_read < 0 && entries_read != -1 {
                    return Err(Reply::error(
                        "ERR value for ENTRIESREAD must be positive or -1",
                    ));
                }
                i += 2;
            } else {
                return Err(Reply::error(subcommand_syntax_error(call)));
            }
        }
        let key = call.argv[2].clone();
        exists = write_stream(srv, call, &key)?.is_some();
    }
    let (db, key) = (call.db, call.argv.get(2).cloned().unwrap_or_default());
    let group_name = call.argv.get(3).cloned().unwrap_or_default();
    if argc >= 4 && !mkstream {
        if !exists {
            return Err(Reply::error(
                "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
            ));
        }
        let has_group =
            super::stream_at(srv, db, &key).is_some_and(|s| s.groups.contains_key(&group_name));
        if !has_group
            && matches!(
                sub.as_slice(),
                b"setid" | b"createconsumer" | b"delconsumer"
            )
        {
            return Err(Reply::error(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                c_text(&group_name),
                c_text(&key)
            )));
        }
    }
    let entries_read = (entries_read != -1).then_some(entries_read);
    match sub.as_slice() {
        b"help" if argc == 2 => Ok(help_reply(call, XGROUP_HELP)),
        b"create" if (5..=8).contains(&argc) => {
            let last_id = if call.arg(4) == b"$" {
                super::stream_at(srv, db, &key).map_or(StreamId::MIN, |s| s.last_id)
            } else {
                id_arg(call.arg(4), 0, true)?
            };
            if !exists {
                let stream = Value::Stream(Box::new(Stream::new()));
                srv.add_key(db, &key, Entry::new(stream, call.now), None);
                srv.key_modified(db, &key);
            }
            let Some(stream) = super::stream_at(srv, db, &key) else {
                return Err(errors::wrongtype());
            };
            if stream.groups.contains_key(&group_name) {
                return Err(Reply::error("BUSYGROUP Consumer Group name already exists"));
            }
            stream
                .groups
                .insert(group_name, ConsumerGroup::new(last_id, entries_read));
            srv.reply_here(call);
            srv.add_dirty(1);
            srv.notify_keyspace_event(class::STREAM, "xgroup-create", &key, db);
            Ok(Reply::ok())
        }
        b"setid" if argc == 5 || argc == 7 => {
            let Some(stream) = super::stream_at(srv, db, &key) else {
                return Err(errors::wrongtype());
            };
            let last_id = if call.arg(4) == b"$" {
                stream.last_id
            } else {
                id_arg(call.arg(4), 0, false)?
            };
            if let Some(group) = stream.groups.get_mut(&group_name) {
                group.last_id = last_id;
                group.entries_read = entries_read;
            }
            srv.reply_here(call);
            srv.add_dirty(1);
            srv.notify_keyspace_event(class::STREAM, "xgroup-setid", &key, db);
            Ok(Reply::ok())
        }
        b"destroy" if argc == 4 => {
            let Some(stream) = super::stream_at(srv, db, &key) else {
                return Err(errors::wrongtype());
            };
            if stream.groups.remove(&group_name).is_none() {
                return Ok(Reply::Integer(0));
            }
            srv.reply_here(call);
            srv.add_dirty(1);
            srv.notify_keyspace_event(class::STREAM, "xgroup-destroy", &key, db);
            // Clients blocked reading from the group learn it is gone.
            srv.signal_key_as_ready(db, &key);
            Ok(Reply::Integer(1))
        }
        b"createconsumer" if argc == 5 => {
            let now = super::now_ms(call);
            let created = super::stream_at(srv, db, &key)
                .and_then(|s| s.groups.get_mut(&group_name))
                .is_some_and(|g| g.create_consumer(call.arg(4), now));
            if created {
                srv.add_dirty(1);
                srv.notify_keyspace_event(class::STREAM, "xgroup-createconsumer", &key, db);
            }
            Ok(Reply::Integer(i64::from(created)))
        }
        b"delconsumer" if argc == 5 => {
            let deleted = super::stream_at(srv, db, &key)
                .and_then(|s| s.groups.get_mut(&group_name))
                .and_then(|g| g.delete_consumer(call.arg(4)));
            let Some(pending) = deleted else {
                return Ok(Reply::Integer(0));
            };
            srv.add_dirty(1);
            srv.notify_keyspace_event(class::STREAM, "xgroup-delconsumer", &key, db);
            Ok(Reply::Integer(pending as i64))
        }
        _ => Err(Reply::error(subcommand_syntax_error(call))),
    }
}

/// XACK key group id [id ...]
pub(super) fn xack(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of((|| {
        let key = call.argv[1].clone();
        let Some(stream) = read_stream(srv, call, &key)? else {
            return Ok(Reply::Integer(0));
        };
        if !stream.groups.contains_key(call.arg(2)) {
            return Ok(Reply::Integer(0));
        }
        let ids = call.argv[3..]
            .iter()
            .map(|arg| id_arg(arg, 0, true))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(group) = stream.groups.get_mut(call.arg(2)) else {
            return Ok(Reply::Integer(0));
        };
        let acknowledged = ids.into_iter().filter(|id| group.ack(*id)).count();
        srv.add_dirty(acknowledged as u64);
        Ok(Reply::Integer(acknowledged as i64))
    })())
}

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
pub(super) fn xpending(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(xpending_inner(srv, call))
}

fn xpending_inner(srv: &mut Server, call: &mut Call) -> Result<Reply, Reply> {
    let argc = call.argc();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(errors::syntax());
    }
    let mut range = None;
    if argc >= 6 {
        let mut at = 3;
        let mut min_idle = 0i64;
        if eq_ignore_case(call.arg(3), "idle") {
            min_idle = integer_arg(call.arg(4))?;
            if argc < 8 {
                return Err(errors::syntax());
            }
            at += 2;
        }
        let count = usize::try_from(integer_arg(call.arg(at + 2))?).unwrap_or(0);
        let start = start_arg(call.arg(at))?;
        let end = end_arg(call.arg(at + 1))?;
        let consumer = call.argv.get(at + 3).cloned();
        range = Some((min_idle, start, end, count, consumer));
    }
    let key = call.argv[1].clone();
    let now = super::now_ms(call);
    let stream = read_stream(srv, call, &key)?;
    let Some(group) = stream.and_then(|s| s.groups.get(call.arg(2))) else {
        return Err(Reply::error(format!(
            "NOGROUP No such key '{}' or consumer group '{}'",
            c_text(&key),
            c_text(call.arg(2))
        )));
    };
    let Some((min_idle, start, end, count, consumer)) = range else {
        return Ok(pending_summary(group));
    };
    let ids: Box<dyn Iterator<Item = &StreamId>> = match &consumer {
        Some(name) => match group.consumers.get(name.as_slice()) {
            Some(c) => Box::new(c.pel.range(start..)),
            None => return Ok(Reply::Array(Vec::new())),
        },
        None => Box::new(group.pel.range(start..).map(|(id, _)| id)),
    };
    let mut out = Vec::new();
    for id in ids {
        if out.len() >= count || *id > end {
            break;
        }
        let Some(nack) = group.pel.get(id) else {
            continue;
        };
        let idle = now.saturating_sub(nack.delivery_time);
        if min_idle != 0 && idle < min_idle {
            continue;
        }
        out.push(Reply::Array(vec![
            id_reply(*id),
            Reply::bulk(&*nack.consumer),
            Reply::Integer(idle.max(0)),
            Reply::Integer(nack.delivery_count as i64),
        ]));
    }
    Ok(Reply::Array(out))
}

/// XPENDING's summary: count, smallest and largest pending IDs, and pending per consumer.
fn pending_summary(group: &ConsumerGroup) -> Reply {
    let (Some((first, _)), Some((last, _))) =
        (group.pel.first_key_value(), group.pel.last_key_value())
    else {
        return Reply::Array(vec![
            Reply::Integer(0),
            Reply::Null,
            Reply::Null,
            Reply::NullArray,
        ]);
    };
    let consumers = group
        .consumers
        .iter()
        .filter(|(_, c)| !c.pel.is_empty())
        .map(|(name, c)| {
            Reply::Array(vec![
                Reply::bulk(name),
                Reply::Bulk(c.pel.len().to_string().into_bytes()),
            ])
        })
        .collect();
    Reply::Array(vec![
        Reply::Integer(group.pel.len() as i64),
        id_reply(*first),
        id_reply(*last),
        Reply::Array(consumers),
    ])
}
