//! Per-connection state.

use std::collections::{BTreeSet, VecDeque};

use crate::resp::{Protocol, Reply};

pub type ClientId = u64;

/// CLIENT REPLY modes. Pushed messages (pub/sub) are delivered whatever the mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReplyMode {
    #[default]
    On,
    Off,
    /// Set by CLIENT REPLY SKIP: becomes `Skip` once that command is done.
    SkipNext,
    /// Skip the replies of the current command only.
    Skip,
}

/// A key under WATCH.
#[derive(Debug, Clone)]
pub struct WatchedKey {
    pub db: usize,
    pub key: Vec<u8>,
    /// Whether the key was already logically expired when watched (then its expiry does not
    /// abort EXEC).
    pub expired_when_watched: bool,
}

/// A transaction being queued between MULTI and EXEC.
#[derive(Debug, Default)]
pub struct MultiState {
    pub queued: Vec<Vec<Vec<u8>>>,
    /// Set when a command failed to queue: EXEC then answers EXECABORT.
    pub aborted: bool,
    /// The union of the queued commands' flags (EXEC is refused under OOM if any may grow memory).
    pub flags: u32,
}

/// Redis's client types. The engine has no replication links, so no client is ever a
/// master or a replica, but those names are still accepted as filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientClass {
    Normal,
    Replica,
    Pubsub,
    Master,
}

impl ClientClass {
    /// Parses a type name as CLIENT LIST/KILL accept it (`slave` is an alias of `replica`).
    pub fn parse(name: &[u8]) -> Option<ClientClass> {
        let name = name.to_ascii_lowercase();
        match name.as_slice() {
            b"normal" => Some(ClientClass::Normal),
            b"slave" | b"replica" => Some(ClientClass::Replica),
            b"pubsub" => Some(ClientClass::Pubsub),
            b"master" => Some(ClientClass::Master),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Client {
    pub id: ClientId,
    pub name: Option<Vec<u8>>,
    pub db: usize,
    pub protocol: Protocol,
    /// Peer address as CLIENT LIST shows it.
    pub addr: String,
    pub laddr: String,
    pub created_ms: u64,
    pub last_interaction_ms: u64,
    /// The last command's full name (`client|list`), for CLIENT LIST's `cmd=`.
    pub last_command: &'static str,
    pub authenticated: bool,
    pub user: String,
    pub multi: Option<MultiState>,
    pub watched: Vec<WatchedKey>,
    /// Set when a watched key was touched: EXEC then fails.
    pub dirty_cas: bool,
    /// Pub/sub subscriptions; the server's registry holds the reverse mapping.
    pub channels: BTreeSet<Vec<u8>>,
    /// Patterns in subscription order, which is the order PUNSUBSCRIBE without arguments
    /// reports them in (Redis keeps them in a list too).
    pub patterns: Vec<Vec<u8>>,
    pub shard_channels: BTreeSet<Vec<u8>>,
    pub reply_mode: ReplyMode,
    pub no_evict: bool,
    pub no_touch: bool,
    /// Set by QUIT or CLIENT KILL: the host should close the connection after sending replies.
    pub closing: bool,
    /// Output for the host to drain: messages and replies caused by other clients (published
    /// messages, unblocked pops). A command's own extra output (SUBSCRIBE's confirmations, a
    /// message published to oneself) is queued here too, and `Server::execute` returns it
    /// with that command's reply.
    pub outbound: VecDeque<Reply>,
    /// Whether this client is hidden from CLIENT LIST and MONITOR (the UI's own inspector).
    pub internal: bool,
    /// Whether this is an observer (`Server::connect_observer`): its commands leave no trace.
    pub observer: bool,
    /// CLIENT TRACKING mode (client-side caching).
    pub tracking: crate::tracking::ClientTracking,
}

impl Client {
    pub fn new(id: ClientId, now_ms: u64, addr: String) -> Client {
        Client {
            id,
            name: None,
            db: 0,
            protocol: Protocol::Resp2,
            addr,
            laddr: "127.0.0.1:6379".into(),
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_command: "NULL",
            authenticated: false,
            user: "default".into(),
            multi: None,
            watched: Vec::new(),
            dirty_cas: false,
            channels: BTreeSet::new(),
            patterns: Vec::new(),
            shard_channels: BTreeSet::new(),
            reply_mode: ReplyMode::On,
            no_evict: false,
            no_touch: false,
            closing: false,
            outbound: VecDeque::new(),
            internal: false,
            observer: false,
            tracking: Default::default(),
        }
    }

    /// Number of channel and pattern subscriptions (what SUBSCRIBE replies count).
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// Whether the client is in RESP2's subscribed mode (only (P|S)SUBSCRIBE etc. allowed).
    pub fn in_pubsub_context(&self) -> bool {
        self.subscription_count() + self.shard_channels.len() > 0
    }

    /// The client class CLIENT LIST TYPE and CLIENT KILL TYPE filter on.
    pub fn class(&self) -> ClientClass {
        if self.in_pubsub_context() {
            ClientClass::Pubsub
        } else {
            ClientClass::Normal
        }
    }
}
