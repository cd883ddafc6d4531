//! Pub/sub commands: SUBSCRIBE, PUBLISH, PUBSUB, ...
//!
//! The (un)subscribe commands answer with one confirmation per channel: all but the last
//! are queued on the client's outbound queue, which `Server::execute` sends ahead of the
//! returned one.

use super::introspection::help_reply;
use super::Handler;
use crate::client::ClientId;
use crate::pubsub::ChannelKind;
use crate::resp::Reply;
use crate::server::{Call, Server};

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("subscribe", subscribe),
    ("unsubscribe", unsubscribe),
    ("psubscribe", psubscribe),
    ("punsubscribe", punsubscribe),
    ("ssubscribe", ssubscribe),
    ("sunsubscribe", sunsubscribe),
    ("publish", publish),
    ("spublish", spublish),
    ("pubsub|channels", pubsub_channels),
    ("pubsub|numsub", pubsub_numsub),
    ("pubsub|numpat", pubsub_numpat),
    ("pubsub|shardchannels", pubsub_shardchannels),
    ("pubsub|shardnumsub", pubsub_shardnumsub),
    ("pubsub|help", pubsub_help),
];

/// Sends every confirmation but the last through the outbound queue and returns the last.
fn confirmations(srv: &mut Server, id: ClientId, mut replies: Vec<Reply>) -> Reply {
    let last = replies.pop().unwrap_or(Reply::NullArray);
    if let Some(client) = srv.clients.get_mut(&id) {
        client.outbound.extend(replies);
    }
    last
}

fn subscribe_channels(srv: &mut Server, call: &Call, kind: ChannelKind) -> Reply {
    let replies = call.argv[1..]
        .iter()
        .map(|channel| srv.subscribe_channel(call.client, channel, kind))
        .collect();
    confirmations(srv, call.client, replies)
}

fn unsubscribe_channels(srv: &mut Server, call: &Call, kind: ChannelKind) -> Reply {
    let replies = if call.argc() == 1 {
        srv.unsubscribe_all_channels(call.client, kind)
    } else {
        call.argv[1..]
            .iter()
            .map(|channel| srv.unsubscribe_channel(call.client, channel, kind))
            .collect()
    };
    confirmations(srv, call.client, replies)
}

fn subscribe(srv: &mut Server, call: &mut Call) -> Reply {
    subscribe_channels(srv, call, ChannelKind::Global)
}

fn unsubscribe(srv: &mut Server, call: &mut Call) -> Reply {
    unsubscribe_channels(srv, call, ChannelKind::Global)
}

fn ssubscribe(srv: &mut Server, call: &mut Call) -> Reply {
    // Inside EXEC a client may not block; Redis lets SUBSCRIBE through for backward
    // compatibility but not the newer SSUBSCRIBE.
    if call.nested {
        return Reply::error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    }
    subscribe_channels(srv, call, ChannelKind::Shard)
}

fn sunsubscribe(srv: &mut Server, call: &mut Call) -> Reply {
    unsubscribe_channels(srv, call, ChannelKind::Shard)
}

fn psubscribe(srv: &mut Server, call: &mut Call) -> Reply {
    let replies = call.argv[1..]
        .iter()
        .map(|pattern| srv.subscribe_pattern(call.client, pattern))
        .collect();
    confirmations(srv, call.client, replies)
}

fn punsubscribe(srv: &mut Server, call: &mut Call) -> Reply {
    let replies = if call.argc() == 1 {
        srv.unsubscribe_all_patterns(call.client)
    } else {
        call.argv[1..]
            .iter()
            .map(|pattern| srv.unsubscribe_pattern(call.client, pattern))
            .collect()
    };
    confirmations(srv, call.client, replies)
}

fn publish(srv: &mut Server, call: &mut Call) -> Reply {
    let receivers = srv.publish_local(call.arg(1), call.arg(2));
    Reply::Integer(receivers as i64)
}

fn spublish(srv: &mut Server, call: &mut Call) -> Reply {
    let receivers = srv.publish(call.arg(1), call.arg(2), ChannelKind::Shard);
    Reply::Integer(receivers as i64)
}

/// Redis's reply when PUBSUB's subcommand got the wrong number of arguments.
fn subcommand_syntax_error(call: &Call) -> Reply {
    Reply::error(super::introspection::subcommand_syntax_error(call))
}

fn list_channels(srv: &Server, call: &Call, kind: ChannelKind) -> Reply {
    if call.argc() > 3 {
        return subcommand_syntax_error(call);
    }
    let pattern = call.argv.get(2).map(Vec::as_slice);
    let channels = srv.pubsub().active_channels(kind, pattern);
    Reply::Array(channels.into_iter().map(Reply::Bulk).collect())
}

fn count_subscribers(srv: &Server, call: &Call, kind: ChannelKind) -> Reply {
    let mut out = Vec::with_capacity((call.argc() - 2) * 2);
    for channel in &call.argv[2..] {
        let count = srv.pubsub().subscriber_count(kind, channel);
        out.push(Reply::bulk(channel));
        out.push(Reply::Integer(count as i64));
    }
    Reply::Array(out)
}

fn pubsub_channels(srv: &mut Server, call: &mut Call) -> Reply {
    list_channels(srv, call, ChannelKind::Global)
}

fn pubsub_shardchannels(srv: &mut Server, call: &mut Call) -> Reply {
    list_channels(srv, call, ChannelKind::Shard)
}

fn pubsub_numsub(srv: &mut Server, call: &mut Call) -> Reply {
    count_subscribers(srv, call, ChannelKind::Global)
}

fn pubsub_shardnumsub(srv: &mut Server, call: &mut Call) -> Reply {
    count_subscribers(srv, call, ChannelKind::Shard)
}

fn pubsub_numpat(srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::Integer(srv.pubsub().pattern_count() as i64)
}

fn pubsub_help(_srv: &mut Server, call: &mut Call) -> Reply {
    help_reply(
        call,
        &[
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ],
    )
}
