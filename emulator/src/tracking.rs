//! Client-side caching (CLIENT TRACKING): which clients may hold which keys in a local cache,
//! and the invalidation messages Redis sends them when those keys change (Redis's
//! `tracking.c`).
//!
//! In the default mode the server remembers the keys each tracking client read and, when one
//! changes, tells those clients once and forgets the key. In broadcasting (BCAST) mode nothing
//! is remembered per client: every change to a key under a subscribed prefix is collected,
//! and the collected keys go out together when the event loop is about to sleep
//! ([`Server::before_sleep`]).
//!
//! Messages reach a RESP3 client as `invalidate` pushes; a RESP2 client can only receive them
//! through a redirection to a client in pub/sub mode, as messages of `__redis__:invalidate`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::client::ClientId;
use crate::commands::spec::{flags, CommandSpec};
use crate::resp::{Protocol, Reply};
use crate::scripting::SCRIPT_CLIENT_ID;
use crate::server::Server;

/// The pub/sub channel a RESP2 redirection target receives invalidations on.
pub const INVALIDATION_CHANNEL: &[u8] = b"__redis__:invalidate";

/// A client's tracking mode: Redis's `CLIENT_TRACKING*` flags and redirection.
#[derive(Debug, Default, Clone)]
pub struct ClientTracking {
    pub on: bool,
    /// The client that receives this client's invalidations (0: the client itself). Kept when
    /// tracking is turned off, as Redis keeps it.
    pub redirect: ClientId,
    /// Set when the redirection target disconnected.
    pub broken_redirect: bool,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// CLIENT CACHING YES (with OPTIN) or NO (with OPTOUT) for the next command.
    pub caching: bool,
    /// The prefixes of a BCAST client (the empty prefix means every key).
    pub prefixes: BTreeSet<Vec<u8>>,
}

/// The options of one CLIENT TRACKING ON.
#[derive(Debug, Default)]
pub struct TrackingOptions {
    pub redirect: ClientId,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    pub prefixes: Vec<Vec<u8>>,
}

/// What an invalidation message says.
#[derive(Debug, Clone)]
enum Invalidation {
    /// One key changed.
    Key(Vec<u8>),
    /// These keys changed (a BCAST prefix's batch).
    Keys(Vec<Vec<u8>>),
    /// Every key: a database was flushed (a null in place of the key list).
    All,
}

/// The keys changed under one BCAST prefix since the last broadcast, and its subscribers.
#[derive(Debug, Default)]
struct Broadcast {
    /// Each key with the client that changed it last (None: the server, by expiry or
    /// eviction), so that NOLOOP subscribers are not told of their own changes.
    keys: BTreeMap<Vec<u8>, Option<ClientId>>,
    clients: BTreeSet<ClientId>,
}

/// A remembered key: the clients that may cache it, and its place in `Tracking::order`.
#[derive(Debug)]
struct TrackedKey {
    position: usize,
    clients: BTreeSet<ClientId>,
}

/// The server's tracking state.
#[derive(Debug, Default)]
pub struct Tracking {
    /// Whether any client ever enabled tracking (Redis creates its tables then; INFO and
    /// invalidation have nothing to do before).
    active: bool,
    /// The tracking table: key → clients that read it.
    table: HashMap<Vec<u8>, TrackedKey>,
    /// The table's keys in an array, to pick one at random in O(1) when the table is over
    /// `tracking-table-max-keys`.
    order: Vec<Vec<u8>>,
    /// Client ids across the table, stale ones included (INFO's `tracking_total_items`).
    total_items: u64,
    /// BCAST prefixes, in byte order.
    prefixes: BTreeMap<Vec<u8>, Broadcast>,
    /// Invalidations for the client whose command is running, sent after its reply.
    /// Each for the client it is about (a busy script's caller's wait beyond its command).
    pending: Vec<(ClientId, Invalidation)>,
    /// Clients with tracking on (INFO's `tracking_clients`).
    pub(crate) clients: usize,
    /// The client whose command is running at top level (Redis's `current_client`).
    pub(crate) current: Option<ClientId>,
    /// Consecutive table trims that could not get under the limit (each tries harder).
    trims_over_limit: u32,
}

impl Tracking {
    pub(crate) fn total_keys(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn total_items(&self) -> u64 {
        self.total_items
    }

    pub(crate) fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }

    fn forget_key(&mut self, key: &[u8]) -> Option<BTreeSet<ClientId>> {
        let removed = self.table.remove(key)?;
        let last = self.order.len() - 1;
        self.order.swap(removed.position, last);
        self.order.pop();
        if let Some(moved) = self.order.get(removed.position) {
            if let Some(entry) = self.table.get_mut(moved) {
                entry.position = removed.position;
            }
        }
        self.total_items -= removed.clients.len() as u64;
        Some(removed.clients)
    }

    fn remember(&mut self, key: &[u8], id: ClientId) {
        let entry = match self.table.get_mut(key) {
            Some(entry) => entry,
            None => {
                self.order.push(key.to_vec());
                self.table.entry(key.to_vec()).or_insert(TrackedKey {
                    position: self.order.len() - 1,
                    clients: BTreeSet::new(),
                })
            }
        };
        if entry.clients.insert(id) {
            self.total_items += 1;
        }
    }
}

/// Whether two prefixes would invalidate some key twice (one starts the other).
fn overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// A prefix as Redis's `%s` prints it (up to a NUL byte).
fn printed(prefix: &[u8]) -> String {
    let end = prefix.iter().position(|&b| b == 0).unwrap_or(prefix.len());
    String::from_utf8_lossy(&prefix[..end]).into_owned()
}

impl Server {
    /// CLIENT TRACKING ON: checks the options against each other and the client's mode, then
    /// enables tracking. Err is the error reply when tracking was not enabled. Ok(Some) is an
    /// error Redis 7.0 reports and still enables tracking (an overlap between two given
    /// prefixes other than the first): it then sends the error and `+OK`.
    pub(crate) fn enable_tracking(
        &mut self,
        id: ClientId,
        options: TrackingOptions,
    ) -> Result<Option<String>, String> {
        let current = &self.client_mut(id).tracking;
        if !options.bcast && !options.prefixes.is_empty() {
            return Err("ERR PREFIX option requires BCAST mode to be enabled".into());
        }
        if current.on && current.bcast != options.bcast {
            return Err(
                "ERR You can't switch BCAST mode on/off before disabling tracking for \
                        this client, and then re-enabling it with a different mode."
                    .into(),
            );
        }
        if options.bcast && (options.optin || options.optout) {
            return Err("ERR OPTIN and OPTOUT are not compatible with BCAST".into());
        }
        if options.optin && options.optout {
            return Err("ERR You can't specify both OPTIN mode and OPTOUT mode".into());
        }
        if (options.optin && current.optout) || (options.optout && current.optin) {
            return Err(
                "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for \
                        this client, and then re-enabling it with a different mode."
                    .into(),
            );
        }
        let mut reported = None;
        if options.bcast {
            match prefix_collision(&current.prefixes, &options.prefixes) {
                Some((message, false)) => return Err(message),
                Some((message, true)) => reported = Some(message),
                None => {}
            }
        }
        let client = self.client_mut(id);
        let was_on = client.tracking.on;
        let t = &mut client.tracking;
        t.on = true;
        t.broken_redirect = false;
        t.redirect = options.redirect;
        t.bcast = options.bcast;
        t.optin = options.optin;
        t.optout = options.optout;
        t.noloop = options.noloop;
        let mut prefixes = options.prefixes;
        if options.bcast && prefixes.is_empty() {
            prefixes.push(Vec::new());
        }
        for prefix in &prefixes {
            client.tracking.prefixes.insert(prefix.clone());
        }
        if !was_on {
            self.tracking.clients += 1;
        }
        self.tracking.active = true;
        for prefix in prefixes {
            self.tracking
                .prefixes
                .entry(prefix)
                .or_default()
                .clients
                .insert(id);
        }
        Ok(reported)
    }

    /// CLIENT TRACKING OFF, RESET and disconnection. The client's entries in the tracking
    /// table are left to go when their keys are invalidated, as in Redis (removing them
    /// would cost a scan of the table).
    pub(crate) fn disable_tracking(&mut self, id: ClientId) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        let t = &mut client.tracking;
        for prefix in std::mem::take(&mut t.prefixes) {
            if let Some(state) = self.tracking.prefixes.get_mut(&prefix) {
                state.clients.remove(&id);
                if state.clients.is_empty() {
                    self.tracking.prefixes.remove(&prefix);
                }
            }
        }
        if t.on {
            self.tracking.clients -= 1;
            *t = ClientTracking {
                redirect: t.redirect,
                ..ClientTracking::default()
            };
        }
    }

    /// After a read-only command: remembers the keys it read for the client that will be
    /// told when they change (the script's caller for a script's commands). Redis's
    /// trackingRememberKeys, called from call().
    pub(crate) fn track_keys_read(
        &mut self,
        client: ClientId,
        spec: &'static CommandSpec,
        argv: &[Vec<u8>],
    ) {
        if self.tracking.clients == 0
            || !spec.has_flag(flags::READONLY)
            || matches!(spec.name, "eval_ro" | "evalsha_ro" | "fcall_ro")
        {
            return;
        }
        let caller = match client {
            SCRIPT_CLIENT_ID => match self.tracking.current {
                Some(caller) => caller,
                None => return,
            },
            id => id,
        };
        let Some(t) = self.clients.get(&caller).map(|c| &c.tracking) else {
            return;
        };
        if !t.on || t.bcast || (t.optin && !t.caching) || (t.optout && t.caching) {
            return;
        }
        if spec.has_flag(flags::PUBSUB) {
            return;
        }
        for position in crate::commands::key_positions(spec, argv) {
            if let Some(key) = argv.get(position) {
                self.tracking.remember(key, caller);
            }
        }
    }

    /// A key changed (Redis's trackingInvalidateKey): tells the clients that may cache it,
    /// and queues it for BCAST subscribers of a matching prefix. `by` is the client that
    /// changed it, None when the server did (expiry, eviction). `broadcast` is false when
    /// the key did not change but leaves the table for room.
    pub(crate) fn invalidate_tracked_key(
        &mut self,
        key: &[u8],
        by: Option<ClientId>,
        broadcast: bool,
    ) {
        if !self.tracking.active {
            return;
        }
        if broadcast {
            for (prefix, state) in self.tracking.prefixes.iter_mut() {
                if key.starts_with(prefix) {
                    state.keys.insert(key.to_vec(), by);
                }
            }
        }
        let Some(clients) = self.tracking.forget_key(key) else {
            return;
        };
        let in_command = self.propagation_depth() > 0;
        for id in clients {
            let Some(t) = self.clients.get(&id).map(|c| &c.tracking) else {
                continue;
            };
            if !t.on || t.bcast {
                continue;
            }
            let own = self.tracking.current == Some(id);
            if own && t.noloop {
                continue;
            }
            // A running client hears of its own changes after its reply.
            if own && in_command {
                self.tracking
                    .pending
                    .push((id, Invalidation::Key(key.to_vec())));
            } else {
                self.send_invalidation(id, &Invalidation::Key(key.to_vec()));
            }
        }
    }

    /// A database was flushed: every tracking client is told that all keys are invalid, and
    /// the table is emptied (Redis's trackingInvalidateKeysOnFlush).
    pub(crate) fn invalidate_all_tracked_keys(&mut self) {
        if self.tracking.clients > 0 {
            let tracking: Vec<ClientId> = self
                .clients
                .values()
                .filter(|c| c.tracking.on)
                .map(|c| c.id)
                .collect();
            for id in tracking {
                if self.tracking.current == Some(id) {
                    self.tracking.pending.push((id, Invalidation::All));
                } else {
                    self.send_invalidation(id, &Invalidation::All);
                }
            }
        }
        if self.tracking.active {
            self.tracking.table.clear();
            self.tracking.order.clear();
            self.tracking.total_items = 0;
        }
    }

    /// Sends client `id` the invalidations its own command caused, once its reply is out.
    pub(crate) fn send_pending_invalidations(&mut self, id: ClientId) {
        if self.tracking.pending.is_empty() {
            return;
        }
        let (own, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.tracking.pending)
            .into_iter()
            .partition(|(target, _)| *target == id);
        self.tracking.pending = others;
        for (_, message) in own {
            self.send_invalidation(id, &message);
        }
    }

    /// Whether invalidations wait for the end of a command.
    pub(crate) fn invalidations_pending(&self) -> bool {
        !self.tracking.pending.is_empty()
    }

    /// Keeps the tracking table within `tracking-table-max-keys` by invalidating keys at
    /// random, trying harder each time it stays over (Redis's trackingLimitUsedSlots).
    pub(crate) fn limit_tracking_table(&mut self) {
        let max = usize::try_from(self.config.tracking_table_max_keys).unwrap_or(usize::MAX);
        if !self.tracking.active || max == 0 {
            return;
        }
        if self.tracking.table.len() <= max {
            self.tracking.trims_over_limit = 0;
            return;
        }
        let effort = 100 * (self.tracking.trims_over_limit + 1);
        for _ in 0..effort {
            if self.tracking.order.is_empty() {
                break;
            }
            let pick = crate::types::random::next_u64() as usize % self.tracking.order.len();
            let key = self.tracking.order[pick].clone();
            self.invalidate_tracked_key(&key, None, false);
            if self.tracking.table.len() <= max {
                self.tracking.trims_over_limit = 0;
                return;
            }
        }
        self.tracking.trims_over_limit += 1;
    }

    /// Sends each BCAST subscriber the keys changed under its prefixes since the last time
    /// (Redis's trackingBroadcastInvalidationMessages, run before the event loop sleeps).
    pub(crate) fn broadcast_invalidations(&mut self) {
        if !self.tracking.active || self.tracking.clients == 0 {
            return;
        }
        let mut messages = Vec::new();
        for state in self.tracking.prefixes.values_mut() {
            if state.keys.is_empty() {
                continue;
            }
            let keys = std::mem::take(&mut state.keys);
            for &id in &state.clients {
                let noloop = self.clients.get(&id).is_some_and(|c| c.tracking.noloop);
                let list: Vec<Vec<u8>> = keys
                    .iter()
                    .filter(|(_, by)| !noloop || **by != Some(id))
                    .map(|(key, _)| key.clone())
                    .collect();
                if !list.is_empty() {
                    messages.push((id, Invalidation::Keys(list)));
                }
            }
        }
        for (id, message) in messages {
            self.send_invalidation(id, &message);
        }
    }

    /// Whether any client ever turned tracking on (before that, writes have nothing to tell).
    pub(crate) fn tracking_active(&self) -> bool {
        self.tracking.active
    }

    /// The client that changes keys right now, as Redis's signalModifiedKey sees it: a
    /// script's commands run as the script client.
    pub(crate) fn modifying_client(&self) -> Option<ClientId> {
        if self.clients.contains_key(&SCRIPT_CLIENT_ID) {
            Some(SCRIPT_CLIENT_ID)
        } else {
            self.tracking.current
        }
    }

    /// Delivers one invalidation for tracking client `id`: to the client it redirects to, if
    /// any; as a RESP3 push, or as a pub/sub message to a RESP2 redirection target that is
    /// subscribed. Anything else cannot carry it and it is dropped, as in Redis.
    fn send_invalidation(&mut self, id: ClientId, message: &Invalidation) {
        let Some(redirect) = self.clients.get(&id).map(|c| c.tracking.redirect) else {
            return;
        };
        let mut target = id;
        let redirected = redirect != 0;
        if redirected {
            let reachable = self.clients.get(&redirect).is_some_and(|c| !c.internal);
            let client = self.client_mut(id);
            if !reachable {
                client.tracking.broken_redirect = true;
                if client.protocol == Protocol::Resp3 {
                    client.outbound.push_back(Reply::Push(vec![
                        Reply::bulk("tracking-redir-broken"),
                        Reply::Integer(i64::try_from(redirect).unwrap_or(i64::MAX)),
                    ]));
                }
                return;
            }
            target = redirect;
        }
        let receiver = self.client_mut(target);
        let keys = match message {
            Invalidation::Key(key) => Reply::Array(vec![Reply::Bulk(key.clone())]),
            Invalidation::Keys(keys) => {
                Reply::Array(keys.iter().map(|k| Reply::Bulk(k.clone())).collect())
            }
            Invalidation::All => Reply::Null,
        };
        let push = if receiver.protocol == Protocol::Resp3 {
            Reply::Push(vec![Reply::bulk("invalidate"), keys])
        } else if redirected && receiver.in_pubsub_context() {
            Reply::Push(vec![
                Reply::bulk("message"),
                Reply::bulk(INVALIDATION_CHANNEL),
                keys,
            ])
        } else {
            return;
        };
        receiver.outbound.push_back(push);
    }
}

/// Redis 7.0's checkPrefixCollisionsOrReply: a new prefix overlapping one the client has is
/// refused; one overlapping another new prefix is refused when it is the first, and only
/// reported otherwise (`true`), as Redis's check then goes on to enable tracking.
fn prefix_collision(existing: &BTreeSet<Vec<u8>>, new: &[Vec<u8>]) -> Option<(String, bool)> {
    for (i, prefix) in new.iter().enumerate() {
        if let Some(old) = existing.iter().find(|old| overlap(old, prefix)) {
            return Some((
                format!(
                    "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a \
                     single client must not overlap.",
                    printed(prefix),
                    printed(old)
                ),
                false,
            ));
        }
        if let Some(other) = new[i + 1..].iter().find(|other| overlap(prefix, other)) {
            return Some((
                format!(
                    "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for \
                     a single client must not overlap.",
                    printed(prefix),
                    printed(other)
                ),
                i > 0,
            ));
        }
    }
    None
}
