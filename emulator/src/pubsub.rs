//! The pub/sub registry: which clients listen to which channels, shard channels and
//! patterns, and the delivery of published messages.
//!
//! Each client also records its own subscriptions (`Client::channels`, ...); the registry
//! holds the reverse mapping so that PUBLISH reaches subscribers without scanning every
//! client. Both sides are updated together by the functions here.
//!
//! Confirmations and messages are built as `Reply::Push`: RESP3 clients receive push frames,
//! and the encoder turns them into the plain arrays RESP2 clients expect. Being pushes, they
//! are delivered even to clients that turned their replies off (as in Redis).

use std::collections::{BTreeMap, HashMap};

use crate::client::ClientId;
use crate::resp::Reply;
use crate::server::Server;

/// Channels live in two separate namespaces: classic ones and shard channels (SSUBSCRIBE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    Global,
    Shard,
}

impl ChannelKind {
    fn subscribe_word(self) -> &'static str {
        match self {
            ChannelKind::Global => "subscribe",
            ChannelKind::Shard => "ssubscribe",
        }
    }

    fn unsubscribe_word(self) -> &'static str {
        match self {
            ChannelKind::Global => "unsubscribe",
            ChannelKind::Shard => "sunsubscribe",
        }
    }

    fn message_word(self) -> &'static str {
        match self {
            ChannelKind::Global => "message",
            ChannelKind::Shard => "smessage",
        }
    }
}

/// Subscribers by channel and by pattern, each list in subscription order (the order in
/// which they receive a message).
#[derive(Default, Debug)]
pub struct PubSub {
    channels: HashMap<Vec<u8>, Vec<ClientId>>,
    shard_channels: HashMap<Vec<u8>, Vec<ClientId>>,
    patterns: BTreeMap<Vec<u8>, Vec<ClientId>>,
    /// Messages published by this server's own clients, kept for the host when it relays
    /// them elsewhere (other browser tabs); None when the host does not ask for them.
    relay: Option<Vec<(Vec<u8>, Vec<u8>)>>,
}

impl PubSub {
    fn channel_map(&mut self, kind: ChannelKind) -> &mut HashMap<Vec<u8>, Vec<ClientId>> {
        match kind {
            ChannelKind::Global => &mut self.channels,
            ChannelKind::Shard => &mut self.shard_channels,
        }
    }

    fn channel_map_ref(&self, kind: ChannelKind) -> &HashMap<Vec<u8>, Vec<ClientId>> {
        match kind {
            ChannelKind::Global => &self.channels,
            ChannelKind::Shard => &self.shard_channels,
        }
    }

    /// Channels with at least one subscriber that match `pattern` (all without one),
    /// sorted so that listings are stable.
    pub fn active_channels(&self, kind: ChannelKind, pattern: Option<&[u8]>) -> Vec<Vec<u8>> {
        let mut found: Vec<Vec<u8>> = self
            .channel_map_ref(kind)
            .keys()
            .filter(|c| pattern.is_none_or(|p| glob_match(p, c)))
            .cloned()
            .collect();
        found.sort();
        found
    }

    /// Number of clients subscribed to `channel`.
    pub fn subscriber_count(&self, kind: ChannelKind, channel: &[u8]) -> usize {
        self.channel_map_ref(kind).get(channel).map_or(0, Vec::len)
    }

    /// Number of distinct patterns with at least one subscriber.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }
}

fn remove_subscriber(list: &mut Vec<ClientId>, id: ClientId) {
    if let Some(pos) = list.iter().position(|&c| c == id) {
        list.remove(pos);
    }
}

impl Server {
    /// The number a subscription confirmation reports: channels and patterns for the classic
    /// namespace, shard channels alone for the shard one.
    fn subscription_count_for(&self, id: ClientId, kind: ChannelKind) -> i64 {
        let Some(client) = self.clients.get(&id) else {
            return 0;
        };
        let count = match kind {
            ChannelKind::Global => client.subscription_count(),
            ChannelKind::Shard => client.shard_channels.len(),
        };
        count as i64
    }

    /// Subscribes a client to a channel (again is harmless) and returns the confirmation.
    pub(crate) fn subscribe_channel(
        &mut self,
        id: ClientId,
        channel: &[u8],
        kind: ChannelKind,
    ) -> Reply {
        if let Some(client) = self.clients.get_mut(&id) {
            let added = match kind {
                ChannelKind::Global => client.channels.insert(channel.to_vec()),
                ChannelKind::Shard => client.shard_channels.insert(channel.to_vec()),
            };
            if added {
                self.pubsub
                    .channel_map(kind)
                    .entry(channel.to_vec())
                    .or_default()
                    .push(id);
            }
        }
        Reply::Push(vec![
            Reply::bulk(kind.subscribe_word()),
            Reply::bulk(channel),
            Reply::Integer(self.subscription_count_for(id, kind)),
        ])
    }

    /// Unsubscribes a client from a channel; returns the confirmation (sent even when the
    /// client was not subscribed).
    pub(crate) fn unsubscribe_channel(
        &mut self,
        id: ClientId,
        channel: &[u8],
        kind: ChannelKind,
    ) -> Reply {
        self.remove_channel_subscription(id, channel, kind);
        self.unsubscribe_confirmation(id, kind.unsubscribe_word(), Some(channel), kind)
    }

    fn remove_channel_subscription(&mut self, id: ClientId, channel: &[u8], kind: ChannelKind) {
        let removed = match self.clients.get_mut(&id) {
            Some(client) => match kind {
                ChannelKind::Global => client.channels.remove(channel),
                ChannelKind::Shard => client.shard_channels.remove(channel),
            },
            None => false,
        };
        if !removed {
            return;
        }
        let map = self.pubsub.channel_map(kind);
        if let Some(list) = map.get_mut(channel) {
            remove_subscriber(list, id);
            // Channels nobody listens to are forgotten, so PUBSUB CHANNELS omits them.
            if list.is_empty() {
                map.remove(channel);
            }
        }
    }

    fn unsubscribe_confirmation(
        &self,
        id: ClientId,
        word: &str,
        name: Option<&[u8]>,
        kind: ChannelKind,
    ) -> Reply {
        Reply::Push(vec![
            Reply::bulk(word),
            name.map_or(Reply::Null, Reply::bulk),
            Reply::Integer(self.subscription_count_for(id, kind)),
        ])
    }

    /// Unsubscribes a client from every channel of a namespace. Returns one confirmation per
    /// channel, or a single one with a null channel if there was none.
    pub(crate) fn unsubscribe_all_channels(
        &mut self,
        id: ClientId,
        kind: ChannelKind,
    ) -> Vec<Reply> {
        let channels: Vec<Vec<u8>> = match self.clients.get(&id) {
            Some(client) => match kind {
                ChannelKind::Global => client.channels.iter().cloned().collect(),
                ChannelKind::Shard => client.shard_channels.iter().cloned().collect(),
            },
            None => Vec::new(),
        };
        if channels.is_empty() {
            return vec![self.unsubscribe_confirmation(id, kind.unsubscribe_word(), None, kind)];
        }
        channels
            .iter()
            .map(|channel| self.unsubscribe_channel(id, channel, kind))
            .collect()
    }

    /// Subscribes a client to a pattern and returns the confirmation.
    pub(crate) fn subscribe_pattern(&mut self, id: ClientId, pattern: &[u8]) -> Reply {
        if let Some(client) = self.clients.get_mut(&id) {
            if !client.patterns.iter().any(|p| p == pattern) {
                client.patterns.push(pattern.to_vec());
                self.pubsub
                    .patterns
                    .entry(pattern.to_vec())
                    .or_default()
                    .push(id);
            }
        }
        Reply::Push(vec![
            Reply::bulk("psubscribe"),
            Reply::bulk(pattern),
            Reply::Integer(self.subscription_count_for(id, ChannelKind::Global)),
        ])
    }

    /// Unsubscribes a client from a pattern and returns the confirmation.
    pub(crate) fn unsubscribe_pattern(&mut self, id: ClientId, pattern: &[u8]) -> Reply {
        self.remove_pattern_subscription(id, pattern);
        self.unsubscribe_confirmation(id, "punsubscribe", Some(pattern), ChannelKind::Global)
    }

    fn remove_pattern_subscription(&mut self, id: ClientId, pattern: &[u8]) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        let Some(pos) = client.patterns.iter().position(|p| p == pattern) else {
            return;
        };
        client.patterns.remove(pos);
        if let Some(list) = self.pubsub.patterns.get_mut(pattern) {
            remove_subscriber(list, id);
            if list.is_empty() {
                self.pubsub.patterns.remove(pattern);
            }
        }
    }

    /// Unsubscribes a client from every pattern, in subscription order; a single
    /// confirmation with a null pattern if there was none.
    pub(crate) fn unsubscribe_all_patterns(&mut self, id: ClientId) -> Vec<Reply> {
        let patterns = self
            .clients
            .get(&id)
            .map(|c| c.patterns.clone())
            .unwrap_or_default();
        if patterns.is_empty() {
            return vec![self.unsubscribe_confirmation(
                id,
                "punsubscribe",
                None,
                ChannelKind::Global,
            )];
        }
        patterns
            .iter()
            .map(|pattern| self.unsubscribe_pattern(id, pattern))
            .collect()
    }

    /// Drops every subscription of a client without confirmations (RESET, disconnection).
    pub(crate) fn drop_subscriptions(&mut self, id: ClientId) {
        let Some(client) = self.clients.get(&id) else {
            return;
        };
        let channels: Vec<Vec<u8>> = client.channels.iter().cloned().collect();
        let shard_channels: Vec<Vec<u8>> = client.shard_channels.iter().cloned().collect();
        let patterns = client.patterns.clone();
        for channel in &channels {
            self.remove_channel_subscription(id, channel, ChannelKind::Global);
        }
        for channel in &shard_channels {
            self.remove_channel_subscription(id, channel, ChannelKind::Shard);
        }
        for pattern in &patterns {
            self.remove_pattern_subscription(id, pattern);
        }
    }

    /// Delivers a message to the subscribers of `channel` and, for classic channels, to the
    /// subscribers of matching patterns. Returns the number of deliveries (a client
    /// subscribed both to the channel and to a matching pattern counts twice, as in Redis).
    ///
    /// Messages go to each receiver's outbound queue; for the publishing client itself,
    /// `execute` then sends them ahead of the command's reply.
    pub(crate) fn publish(&mut self, channel: &[u8], message: &[u8], kind: ChannelKind) -> usize {
        let mut receivers = 0;
        let direct: Vec<ClientId> = self
            .pubsub
            .channel_map_ref(kind)
            .get(channel)
            .cloned()
            .unwrap_or_default();
        for id in direct {
            let push = Reply::Push(vec![
                Reply::bulk(kind.message_word()),
                Reply::bulk(channel),
                Reply::bulk(message),
            ]);
            if let Some(client) = self.clients.get_mut(&id) {
                client.outbound.push_back(push);
                receivers += 1;
            }
        }
        if kind == ChannelKind::Shard {
            return receivers;
        }
        let matching: Vec<(Vec<u8>, Vec<ClientId>)> = self
            .pubsub
            .patterns
            .iter()
            .filter(|(pattern, _)| glob_match(pattern, channel))
            .map(|(pattern, ids)| (pattern.clone(), ids.clone()))
            .collect();
        for (pattern, ids) in matching {
            for id in ids {
                let push = Reply::Push(vec![
                    Reply::bulk("pmessage"),
                    Reply::bulk(&pattern),
                    Reply::bulk(channel),
                    Reply::bulk(message),
                ]);
                if let Some(client) = self.clients.get_mut(&id) {
                    client.outbound.push_back(push);
                    receivers += 1;
                }
            }
        }
        receivers
    }

    /// PUBLISH on behalf of a client of this server: delivers, and keeps the message for
    /// the host to relay if it asked for that.
    pub(crate) fn publish_local(&mut self, channel: &[u8], message: &[u8]) -> usize {
        if let Some(relay) = self.pubsub.relay.as_mut() {
            relay.push((channel.to_vec(), message.to_vec()));
        }
        self.publish(channel, message, ChannelKind::Global)
    }

    /// Delivers a message published outside this server (for example in another browser
    /// tab running its own engine) to this server's subscribers, without recording it for
    /// relay, so it is not echoed back. Returns the number of deliveries.
    pub fn publish_external(&mut self, channel: &[u8], message: &[u8]) -> usize {
        self.publish(channel, message, ChannelKind::Global)
    }

    /// Starts (or stops) keeping the messages this server's clients PUBLISH, for a host that
    /// relays them to other servers with `publish_external`.
    pub fn set_publish_relay(&mut self, enabled: bool) {
        self.pubsub.relay = enabled.then(Vec::new);
    }

    /// The (channel, message) pairs published by this server's clients since the last call,
    /// when relaying is enabled.
    pub fn take_published(&mut self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.pubsub
            .relay
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The subscription registry, for inspection (PUBSUB, the UI).
    pub fn pubsub(&self) -> &PubSub {
        &self.pubsub
    }
}

/// Redis's glob matching (`stringmatchlen`), case-sensitive.
pub(crate) fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    crate::glob::matches(pattern, text, false)
}

/// `glob_match` ignoring ASCII case (COMMAND LIST FILTERBY PATTERN).
pub(crate) fn glob_match_nocase(pattern: &[u8], text: &[u8]) -> bool {
    crate::glob::matches(pattern, text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_redis() {
        let yes: &[(&str, &str)] = &[
            ("*", "abc"),
            ("a*", "a"),
            ("h?llo", "hello"),
            ("h*llo", "heeeello"),
            ("h[ae]llo", "hallo"),
            ("h[^e]llo", "hallo"),
            ("h[a-b]llo", "hbllo"),
            ("h[b-a]llo", "hallo"),
            ("a\\*b", "a*b"),
            ("[abc", "b"),
            ("news.*", "news.tech"),
            ("*.*.x", "a.b.c.x"),
            ("a**b", "ab"),
            ("[\\]]", "]"),
            ("[a-]", "]"),
            ("\\", "\\"),
        ];
        for (p, t) in yes {
            assert!(glob_match(p.as_bytes(), t.as_bytes()), "{p} ~ {t}");
        }
        // As in Redis, a pattern never matches an empty subject (PSUBSCRIBE * misses PUBLISH "").
        let no: &[(&str, &str)] = &[
            ("*", ""),
            ("?", ""),
            ("a", "A"),
            ("h[^e]llo", "hello"),
            ("h[a-b]llo", "hcllo"),
            ("a\\*b", "axb"),
            ("[]", "a"),
            ("news.*", "news"),
            ("*a", "b"),
            ("[a-]", "-"),
        ];
        for (p, t) in no {
            assert!(!glob_match(p.as_bytes(), t.as_bytes()), "{p} !~ {t}");
        }
        assert!(glob_match_nocase(b"CLIENT|L*", b"client|list"));
        assert!(glob_match_nocase(b"[A-C]", b"b"));
    }

    #[test]
    fn glob_is_fast_on_pathological_patterns() {
        let pattern = "a*".repeat(5000) + "b";
        let text = "a".repeat(10000);
        assert!(!glob_match(pattern.as_bytes(), text.as_bytes()));
    }
}
