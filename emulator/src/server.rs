//! The engine's public API: a `Server` owns all state; hosts connect clients, pass command
//! argument vectors with the current time, and drain replies and pushed messages.
//!
//! ```
//! use emulator::{Server, Reply};
//! let mut server = Server::new();
//! let client = server.connect(0);
//! let replies = server.execute(client, vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()], 0);
//! assert_eq!(replies, vec![Reply::ok()]);
//! ```
//!
//! Command processing follows Redis's `processCommand`: lookup and arity, authentication,
//! MULTI restrictions, memory limit, subscribed-mode restrictions, queueing inside MULTI, then
//! the call itself with its statistics.

use std::collections::BTreeMap;

use crate::client::{Client, ClientId, ReplyMode};
use crate::clock::Clock;
pub use crate::command_stats::{CommandStats, CommandStatsTable};
use crate::commands::{self, flags, Command, CommandSpec, Lookup};
use crate::config::Config;
use crate::db::Db;
use crate::errors;
use crate::pubsub::PubSub;
use crate::resp::{Protocol, Reply};
use crate::scripting::PendingCommand;

/// Largest argument buffer handed back for reuse (see `Server::take_spare_argv`).
const SPARE_ARG_CAPACITY: usize = 4096;

/// One command being executed.
pub struct Call {
    pub client: ClientId,
    pub argv: Vec<Vec<u8>>,
    /// The client's selected database when the command started.
    pub db: usize,
    pub spec: &'static CommandSpec,
    /// Engine time in milliseconds; fixed for the whole command, as Redis caches `mstime`.
    pub now: u64,
    /// True inside EXEC or a script, where blocking commands must not block.
    pub nested: bool,
    /// Set by a blocking command that has to wait (see `blocking.rs`); the reply the command
    /// returns is then the one the client gets if it times out.
    pub block: Option<BlockRequest>,
}

impl Call {
    pub fn arg(&self, i: usize) -> &[u8] {
        &self.argv[i]
    }

    pub fn argc(&self) -> usize {
        self.argv.len()
    }
}

pub use crate::blocking::BlockRequest;

/// Counters INFO reports.
#[derive(Default, Debug, Clone)]
pub struct Stats {
    pub total_connections: u64,
    pub total_commands: u64,
    pub expired_keys: u64,
    /// Running estimate of the share of volatile keys that are expired but not yet deleted.
    pub expired_stale_perc: f64,
    /// Active expiry cycles that stopped on their time or work limit.
    pub expired_time_cap_reached_count: u64,
    /// Microseconds spent in active expiry cycles (by the host's microsecond clock).
    pub expire_cycle_time_used_us: u64,
    pub evicted_keys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub rejected_connections: u64,
    /// Per command full name: calls, microseconds, rejected calls, failed calls.
    pub commands: CommandStatsTable,
    /// Per error code (`ERR`, `WRONGTYPE`, ...): count.
    pub errors: BTreeMap<String, u64>,
    pub total_error_replies: u64,
}

/// The whole engine.
pub struct Server {
    pub(crate) dbs: Vec<Db>,
    pub(crate) clients: BTreeMap<ClientId, Client>,
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    pub(crate) stats: Stats,
    next_client_id: ClientId,
    next_client_port: u32,
    /// Engine time at start, for INFO's uptime.
    pub(crate) started_ms: u64,
    /// Changes since the last save (INFO's `rdb_changes_since_last_save`, and `save` rules).
    pub(crate) dirty: u64,
    /// Pub/sub subscriptions by channel and pattern.
    pub(crate) pubsub: PubSub,
    pub(crate) watches: crate::watch::WatchRegistry,
    /// A microsecond counter supplied by the host, for command timing (INFO commandstats).
    pub(crate) micros: Box<dyn Fn() -> u64>,
    /// Where the active expiry cycle resumes, and when the key jobs last ran.
    pub(crate) active_expire: crate::keyspace::ActiveExpireState,
    /// Modelled memory: peak and keys to re-measure (see `memory.rs`).
    pub(crate) memory: crate::memory::MemoryState,
    /// maxmemory eviction state (see `eviction.rs`).
    pub(crate) eviction: crate::eviction::EvictionState,
    /// Slow log, latency histograms and I/O counters (see `commands/server`).
    pub(crate) monitor: crate::commands::server::Monitor,
    /// Blocked clients and the keys they wait on (see `blocking.rs`).
    pub(crate) blocking: crate::blocking::Blocking,
    /// The IDs XREAD clients blocked after (`$` resolved when they blocked).
    pub(crate) stream_waits: crate::commands::stream::StreamWaits,
    /// Where the running command placed its reply among the pushes it queued for its own
    /// client (see `reply_here`).
    reply_slot: Option<usize>,
    /// EVAL's script cache, FUNCTION's libraries and their Lua interpreters.
    pub(crate) scripting: crate::scripting::Scripting,
    /// MONITOR clients and the lines waiting for them.
    pub(crate) monitoring: crate::commands::server::Monitoring,
    /// The last command's arguments once it is done (see `take_spare_argv`).
    spare_argv: Option<Vec<Vec<u8>>>,
    /// Counts successful CONFIG SETs, for hosts that keep the configuration between runs.
    pub(crate) config_generation: u64,
    /// Whether the running command comes from an observer (see `connect_observer`).
    pub(crate) observer_running: bool,
    /// CLIENT PAUSE in force, if any.
    pub(crate) pause: Option<crate::pause::Pause>,
    /// The id the next observer gets (counting down from below the script client's).
    next_observer_id: ClientId,
    /// The append-only file's state.
    pub(crate) aof: crate::persistence::aof::Aof,
    /// Commands waiting to be propagated to the AOF (see `propagate.rs`).
    pub(crate) propagation: crate::propagate::Propagation,
    /// Log lines not yet taken by the host (see `lifecycle.rs`).
    pub(crate) log: Vec<String>,
    /// Set by SHUTDOWN: the host should close every connection.
    pub(crate) stopped: bool,
    /// Snapshot state and the disk it goes to (see `persistence`).
    pub(crate) snapshot: crate::persistence::SnapshotState,
    /// Client-side caching: tracked keys, BCAST prefixes (see `tracking.rs`).
    pub(crate) tracking: crate::tracking::Tracking,
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
}

impl Server {
    /// A server with Redis's default configuration.
    pub fn new() -> Server {
        let config = Config::default();
        let dbs = (0..config.databases).map(|_| Db::default()).collect();
        Server {
            dbs,
            clients: BTreeMap::new(),
            config,
            clock: Clock::default(),
            stats: Stats::default(),
            next_client_id: 1,
            next_client_port: 50000,
            started_ms: 0,
            dirty: 0,
            pubsub: PubSub::default(),
            watches: Default::default(),
            micros: Box::new(|| 0),
            active_expire: Default::default(),
            memory: Default::default(),
            eviction: Default::default(),
            monitor: Default::default(),
            blocking: Default::default(),
            stream_waits: Default::default(),
            reply_slot: None,
            scripting: Default::default(),
            monitoring: Default::default(),
            spare_argv: None,
            observer_running: false,
            pause: None,
            config_generation: 0,
            next_observer_id: crate::scripting::SCRIPT_CLIENT_ID - 1,
            aof: crate::persistence::aof::Aof::new(),
            propagation: Default::default(),
            log: Vec::new(),
            stopped: false,
            snapshot: Default::default(),
            tracking: Default::default(),
        }
    }

    /// Supplies a monotonic microsecond counter used to time commands.
    pub fn set_micros_source(&mut self, micros: Box<dyn Fn() -> u64>) {
        self.micros = micros;
    }

    // ----- clients -----

    /// Connects a new client at host time `now_ms` and returns its id.
    pub fn connect(&mut self, now_ms: u64) -> ClientId {
        let port = self.next_client_port;
        self.next_client_port = if port >= 65000 { 50000 } else { port + 1 };
        self.connect_from(now_ms, format!("127.0.0.1:{port}"))
    }

    /// Connects a client whose peer address is known (the TCP host passes it).
    pub fn connect_from(&mut self, now_ms: u64, addr: String) -> ClientId {
        let now = self.tick_clock(now_ms);
        if self.started_ms == 0 {
            self.started_ms = now;
        }
        let id = self.next_client_id;
        self.next_client_id += 1;
        let mut client = Client::new(id, now, addr);
        client.authenticated = self.config.requirepass.is_none();
        self.memory.counted_clients += usize::from(!client.internal);
        self.clients.insert(id, client);
        self.stats.total_connections += 1;
        id
    }

    /// Admits a TCP connection from `addr` (`ip:port`), accepted on the host's `local`
    /// address (CLIENT LIST's `laddr`), or refuses it as redis-server does: past `maxclients`
    /// connected clients, or from a peer other than `127.0.0.1`/`::1` while `protected-mode`
    /// is on and the default user has no password. A refusal counts in
    /// `rejected_connections`; the host writes its error line and closes the connection.
    pub fn accept_connection(
        &mut self,
        now_ms: u64,
        addr: String,
        local: String,
    ) -> Result<ClientId, crate::admission::Refusal> {
        use crate::admission::{is_loopback_peer, Refusal};
        if self.memory.counted_clients as i64 >= self.config.maxclients {
            self.stats.rejected_connections += 1;
            return Err(Refusal::MaxClients);
        }
        if self.config.protected_mode
            && !self.default_user_has_password()
            && !is_loopback_peer(&addr)
        {
            // Redis has already created the client when it checks, so the refused connection
            // used up a client id, and it is not counted as a connection received.
            self.next_client_id += 1;
            self.stats.rejected_connections += 1;
            return Err(Refusal::ProtectedMode);
        }
        let id = self.connect_from(now_ms, addr);
        if let Some(client) = self.clients.get_mut(&id) {
            client.laddr = local;
        }
        Ok(id)
    }

    /// Connects an observer: a client of the host itself (the key browser, challenge checks)
    /// that the learner never sees. It is absent from CLIENT LIST, INFO and MONITOR, takes no
    /// client id from the learner's sequence, and its commands leave no trace in statistics,
    /// key access times or keyspace hit counts. Its writes are real writes.
    pub fn connect_observer(&mut self, now_ms: u64) -> ClientId {
        let now = self.tick_clock(now_ms);
        let id = self.next_observer_id;
        self.next_observer_id -= 1;
        let mut client = Client::new(id, now, "internal".into());
        client.authenticated = true;
        client.internal = true;
        client.observer = true;
        self.clients.insert(id, client);
        id
    }

    /// Disconnects a client, releasing its subscriptions, watches and blocks.
    pub fn disconnect(&mut self, id: ClientId) {
        self.drop_subscriptions(id);
        self.unwatch_all(id);
        self.forget_blocked(id);
        self.stop_monitoring(id);
        self.disable_tracking(id);
        if let Some(client) = self.clients.remove(&id) {
            self.memory.counted_clients -= usize::from(!client.internal);
        }
    }

    pub fn client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(&id)
    }

    pub(crate) fn client_mut(&mut self, id: ClientId) -> &mut Client {
        self.clients
            .get_mut(&id)
            .expect("commands run for connected clients")
    }

    /// The protocol a client speaks, for encoding its replies.
    pub fn protocol(&self, id: ClientId) -> Protocol {
        self.clients
            .get(&id)
            .map(|c| c.protocol)
            .unwrap_or_default()
    }

    /// Replies and pushes for `id` caused by other clients' commands (messages, unblocked pops).
    pub fn take_outbound(&mut self, id: ClientId) -> Vec<Reply> {
        match self.clients.get_mut(&id) {
            Some(c) => c.outbound.drain(..).collect(),
            None => Vec::new(),
        }
    }

    /// Clients the host has to act on: pushes waiting in `take_outbound`, or a connection to
    /// close. Lets a host check after running commands without polling every client.
    pub fn clients_needing_attention(&self) -> impl Iterator<Item = ClientId> + '_ {
        self.clients
            .values()
            .filter(|c| c.closing || !c.outbound.is_empty())
            .map(|c| c.id)
    }

    /// Number of connected clients. A host compares it with its own connection count to notice
    /// clients the engine disconnected itself (CLIENT KILL of another client).
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// Whether the host should close this client's connection (after QUIT or CLIENT KILL).
    pub fn is_closing(&self, id: ClientId) -> bool {
        self.clients.get(&id).is_none_or(|c| c.closing)
    }

    // ----- time -----

    pub(crate) fn tick_clock(&mut self, host_ms: u64) -> u64 {
        let now = self.clock.update(host_ms);
        #[cfg(target_arch = "wasm32")]
        crate::wasm_libc::set_clock_ms(now);
        now
    }

    /// Engine time (host time plus the learner's fast-forward), in milliseconds.
    pub fn now_ms(&mut self) -> u64 {
        self.clock.now()
    }

    /// Moves engine time forward by `ms` (TTL countdowns, idle times); call `tick` afterwards.
    pub fn advance_clock(&mut self, ms: u64) {
        self.clock.advance(ms);
    }

    pub fn pause_clock(&mut self) {
        self.clock.pause();
    }

    pub fn resume_clock(&mut self) {
        self.clock.resume();
    }

    pub fn clock_paused(&self) -> bool {
        self.clock.is_paused()
    }

    /// Runs time-driven work due at host time `now_ms`: active expiry and blocking timeouts.
    pub fn tick(&mut self, now_ms: u64) {
        if self.scripting.busy.is_some() {
            // Redis runs no timers while a script is busy: only the script and clients.
            self.run_busy_script(now_ms);
            return;
        }
        let now = self.tick_clock(now_ms);
        self.keys_cron(now);
        self.flush_propagation_outside_call();
        self.aof_cron(now);
        self.close_idle_clients(now);
        self.time_out_blocked_clients(now);
        self.clients_paused(now);
        self.handle_blocked_clients(now);
        self.snapshot_cron(now);
        if self.tracking.clients > 0 {
            self.limit_tracking_table();
        }
        self.before_sleep();
    }

    /// The work Redis does before its event loop sleeps: BCAST tracking clients receive the
    /// keys changed under their prefixes since the last time, in one message per prefix.
    /// A host calls it once it has run the commands it had read (a pipeline's commands then
    /// share one message, as on Redis); `tick` calls it too.
    pub fn before_sleep(&mut self) {
        // While a script is busy Redis's event loop does not get this far.
        if self.scripting.busy.is_none() {
            self.broadcast_invalidations();
        }
    }

    /// The host time at which `tick` next has work to do, if any.
    pub fn next_deadline(&self) -> Option<u64> {
        if self.scripting.busy.is_some() {
            // The busy script's next slice is due at once.
            return self.clock.to_host_time(self.clock.last_now());
        }
        let next = [
            self.next_keys_cron(),
            self.next_idle_timeout(),
            self.next_block_timeout(),
            self.next_pause_end(),
            self.next_aof_deadline(),
            self.next_snapshot_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()?;
        self.clock.to_host_time(next)
    }

    // ----- commands -----

    /// Executes one command for client `id` at host time `now_ms` and returns its replies:
    /// usually one, none while the client is blocked or has CLIENT REPLY OFF, several when
    /// the command also pushed messages to its own client.
    ///
    /// A command sends output other than its reply (SUBSCRIBE confirms every channel, a
    /// subscriber receives its own PUBLISH) by queueing it on its client's `outbound`
    /// queue: what it queued there is returned here, ahead of its reply, as Redis writes it.
    ///
    /// A blocked client's commands are held until it is unblocked; they then run and their
    /// replies go to its `outbound` queue, after the reply that unblocked it.
    pub fn execute(&mut self, id: ClientId, argv: Vec<Vec<u8>>, now_ms: u64) -> Vec<Reply> {
        let mut replies = Vec::new();
        self.execute_into(id, argv, now_ms, &mut replies);
        replies
    }

    /// `execute`, appending the replies to `replies` (a host can reuse one vector for all
    /// commands).
    pub fn execute_into(
        &mut self,
        id: ClientId,
        argv: Vec<Vec<u8>>,
        now_ms: u64,
        replies: &mut Vec<Reply>,
    ) {
        if argv.is_empty() || !self.clients.contains_key(&id) || self.stopped {
            return;
        }
        let now = self.tick_clock(now_ms);
        let Some(argv) = self.hold_if_blocked(id, argv) else {
            return;
        };
        self.execute_now_into(id, argv, now, replies);
        self.handle_blocked_clients(now);
    }

    /// Runs one command at engine time `now` and returns its replies: pushes it queued for
    /// its own client first, unless it placed its reply ahead of some (`reply_here`).
    pub(crate) fn execute_now(&mut self, id: ClientId, argv: Vec<Vec<u8>>, now: u64) -> Vec<Reply> {
        let mut replies = Vec::new();
        self.execute_now_into(id, argv, now, &mut replies);
        replies
    }

    /// `execute_now`, appending the replies to `replies`.
    fn execute_now_into(
        &mut self,
        id: ClientId,
        argv: Vec<Vec<u8>>,
        now: u64,
        replies: &mut Vec<Reply>,
    ) {
        let request_bytes = crate::commands::server::request_len(&argv);
        let queued_before = self.clients.get(&id).map_or(0, |c| c.outbound.len());
        self.reply_slot = None;
        self.observer_running = self.clients.get(&id).is_some_and(|c| c.observer);
        let caller = self.tracking.current.replace(id);
        let reply = self.process(id, argv, now);
        self.observer_running = false;
        // A BGSAVE is written once its command is done.
        self.finish_background_save();
        let mut slot = self.reply_slot.take();
        if self.invalidations_pending() {
            // Invalidations of keys the command changed itself follow its reply.
            if let Some(client) = self.clients.get(&id).filter(|_| reply.is_some()) {
                slot.get_or_insert(client.outbound.len());
            }
            self.send_pending_invalidations(id);
        }
        self.tracking.current = caller;
        let first = replies.len();
        // One lookup of the client serves every step after the command (they run per command).
        let protocol = match self.clients.get_mut(&id) {
            Some(c) => {
                // CLIENT CACHING applies to the next command, or the next transaction.
                if c.multi.is_none() && !c.last_command.starts_with("client") {
                    c.tracking.caching = false;
                }
                if c.outbound.len() > queued_before {
                    replies.extend(c.outbound.drain(queued_before..));
                }
                if let Some(reply) = reply.and_then(|r| apply_reply_mode(c, r)) {
                    let pushed = replies.len() - first;
                    let at = slot.map_or(pushed, |s| s.saturating_sub(queued_before).min(pushed));
                    replies.insert(first + at, reply);
                }
                c.protocol
            }
            None => {
                replies.extend(reply);
                Protocol::default()
            }
        };
        self.flush_monitor_feed();
        self.count_io(protocol, request_bytes, &replies[first..]);
    }

    /// Notes that the running command's reply goes out at this point: pushes it queues for
    /// its own client from now on (keyspace events, which Redis publishes after the reply in
    /// many commands) follow the reply. Only top-level commands place their reply; within
    /// EXEC or a script the pushes precede the whole reply.
    pub(crate) fn reply_here(&mut self, call: &Call) {
        if !call.nested {
            self.reply_slot = self.clients.get(&call.client).map(|c| c.outbound.len());
        }
    }

    /// Takes the position `reply_here` recorded (for replies delivered outside `execute`).
    pub(crate) fn take_reply_slot(&mut self) -> Option<usize> {
        self.reply_slot.take()
    }

    /// Applies CLIENT REPLY to a reply on its way out (pushed messages are never silenced),
    /// then moves a pending CLIENT REPLY SKIP on to the next command.
    pub(crate) fn finish_reply(&mut self, id: ClientId, reply: Option<Reply>) -> Vec<Reply> {
        let Some(reply) = reply else {
            return Vec::new();
        };
        match self.clients.get_mut(&id) {
            Some(client) => apply_reply_mode(client, reply).into_iter().collect(),
            None => vec![reply],
        }
    }

    /// Redis's processCommand. Returns None when the client blocked.
    fn process(&mut self, id: ClientId, argv: Vec<Vec<u8>>, now: u64) -> Option<Reply> {
        let lookup = commands::lookup(&argv);
        // CLIENT LIST's idle time and `cmd=`: Redis records every command read, unknown
        // ones as NULL.
        let client = self.client_mut(id);
        client.last_interaction_ms = now;
        client.last_command = match &lookup {
            Lookup::Found(c) => c.spec.name,
            Lookup::Unknown(_) => "NULL",
        };
        // What the checks below need to know about the client (none of them changes it).
        let authenticated = client.authenticated;
        let in_multi = client.multi.is_some();
        let queued_flags = client.multi.as_ref().map_or(0, |m| m.flags);
        let subscribed_resp2 = client.protocol == Protocol::Resp2 && client.in_pubsub_context();
        let db = client.db;
        let command = match lookup {
            Lookup::Found(c) => c,
            Lookup::Unknown(err) => return Some(self.reject(id, None, err)),
        };
        let spec = command.spec;
        if !spec.arity_ok(argv.len()) {
            return Some(self.reject(id, Some(spec), errors::wrong_arity(spec.name)));
        }
        if let Some(err) = self.refuse_protected_command(id, spec) {
            return Some(self.reject(id, Some(spec), err));
        }
        if !authenticated && !spec.has_flag(flags::NO_AUTH) {
            return Some(self.reject(id, Some(spec), errors::NOAUTH.into()));
        }
        if in_multi && spec.has_flag(flags::NO_MULTI) {
            return Some(self.reject(
                id,
                Some(spec),
                "ERR Command not allowed inside a transaction".into(),
            ));
        }
        // Redis runs no eviction while a script is busy.
        let busy = self.scripting.busy.is_some();
        if !busy {
            if let Some(err) = self.check_memory(spec, in_multi, queued_flags) {
                return Some(self.reject(id, Some(spec), err));
            }
        }
        if self.tracking.clients > 0 && !busy {
            self.limit_tracking_table();
        }
        if self.writes_denied_by_disk_error() && denied_on_disk_error(spec, queued_flags) {
            return Some(self.reject(id, Some(spec), errors::MISCONF_RDB.to_string()));
        }
        if subscribed_resp2 && !allowed_in_pubsub(spec) {
            let err = format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.name
            );
            return Some(self.reject(id, Some(spec), err));
        }
        if let Some(err) = self.refuse_monitor_keyspace_access(id, spec) {
            return Some(self.reject(id, Some(spec), err));
        }
        if let Some(busy) = self.scripting.busy_error() {
            if !spec.has_flag(flags::ALLOW_BUSY) {
                return Some(self.reject(id, Some(spec), busy.to_string()));
            }
        }
        if self.pause.is_some() {
            let command_flags = self.command_flags(spec, &argv);
            if self.pause_holds(id, spec.name, command_flags, queued_flags, now) {
                self.postpone(id, argv);
                return None;
            }
        }
        if in_multi && !runs_inside_multi(spec) {
            let command_flags = self.command_flags(spec, &argv);
            if let Some(multi) = self.client_mut(id).multi.as_mut() {
                // EXEC is refused under OOM if any queued command may grow memory.
                multi.flags |= command_flags;
                multi.queued.push(argv);
            }
            return Some(Reply::simple("QUEUED"));
        }
        let mut call = Call {
            client: id,
            argv,
            db,
            spec,
            now,
            nested: false,
            block: None,
        };
        let reply = self.call(command, &mut call);
        if self.scripting.busy_caller() == Some(id) {
            // Its script is busy: the reply comes when the script ends.
            return None;
        }
        if call.block.is_some() {
            self.block_client(&mut call, reply);
            return None;
        }
        // Big arguments are freed at once rather than held until the host takes them.
        if call
            .argv
            .iter()
            .all(|arg| arg.capacity() <= SPARE_ARG_CAPACITY)
        {
            self.spare_argv = Some(std::mem::take(&mut call.argv));
        }
        Some(reply)
    }

    /// The argument vector of the last command that ran, handed back so that a host can
    /// reuse its buffers for the next command (None if the engine kept it).
    pub fn take_spare_argv(&mut self) -> Option<Vec<Vec<u8>>> {
        self.spare_argv.take()
    }

    /// Rejects a command before it runs: counts it and, inside MULTI, dooms the transaction.
    fn reject(&mut self, id: ClientId, spec: Option<&'static CommandSpec>, err: String) -> Reply {
        if let Some(spec) = spec {
            self.stats
                .commands
                .entry(spec.name)
                .or_default()
                .rejected_calls += 1;
        }
        let err = match self.clients.get_mut(&id) {
            // A rejected EXEC (wrong arity, OOM...) discards the transaction, naming the reason;
            // Redis does this even when no MULTI is open.
            Some(client) if spec.is_some_and(|s| s.name == "exec") => {
                client.multi = None;
                self.unwatch_all(id);
                let reason = err.strip_prefix("ERR ").unwrap_or(&err);
                format!("EXECABORT Transaction discarded because of: {reason}")
            }
            Some(client) => {
                if let Some(multi) = client.multi.as_mut() {
                    multi.aborted = true;
                }
                err
            }
            None => err,
        };
        self.count_error(&err);
        Reply::Error(err)
    }

    /// Redis's getCommandFlags: a command's own flags, except that a script or function which
    /// declares flags (an EVAL shebang, a function's `flags`) has them decide whether it may
    /// write, needs memory or may run on stale data (Redis's scriptFlagsToCmdFlags).
    pub(crate) fn command_flags(&self, spec: &CommandSpec, argv: &[Vec<u8>]) -> u32 {
        let Some(declared) = self
            .scripting
            .declared_flags(spec.name, argv)
            .filter(|d| !d.compat)
        else {
            return spec.flags;
        };
        let mut command_flags =
            spec.flags & !(flags::STALE | flags::DENYOOM | flags::WRITE | flags::MAY_REPLICATE);
        if !(declared.allow_oom || declared.no_writes) {
            command_flags |= flags::DENYOOM;
        }
        if !declared.no_writes {
            command_flags |= flags::WRITE;
        }
        if declared.allow_stale {
            command_flags |= flags::STALE;
        }
        command_flags
    }

    /// Runs a command's handler and records its statistics. Used for top-level commands, for
    /// each command of EXEC, and for commands called from scripts.
    pub(crate) fn call(&mut self, command: Command, call: &mut Call) -> Reply {
        let start = (self.micros)();
        let frame = self.enter_call();
        let reply = (command.handler)(self, call);
        if let Some(busy) = self.scripting.busy.as_mut().filter(|b| b.pending.is_none()) {
            // The handler's script went past busy-reply-threshold: the command ends when the
            // script does (`run_busy_script`).
            busy.pending = Some(PendingCommand::new(command, call, frame, start));
            let elapsed_ms = (self.micros)().saturating_sub(start) / 1000;
            self.log_slow_script(elapsed_ms);
            return reply;
        }
        if let Some(transaction) = self
            .scripting
            .suspended_exec
            .as_mut()
            .filter(|t| t.pending.is_none())
        {
            // EXEC waits for a busy script among its commands.
            transaction.pending = Some(PendingCommand::new(command, call, frame, start));
            return reply;
        }
        self.finish_call(command, call, reply, frame, start)
    }

    /// What `call` does once a command's handler is done (for a busy script, once the script
    /// is): key tracking, propagation, statistics, MONITOR and the slow log.
    pub(crate) fn finish_call(
        &mut self,
        command: Command,
        call: &Call,
        reply: Reply,
        frame: crate::propagate::CallFrame,
        start: u64,
    ) -> Reply {
        self.track_keys_read(call.client, command.spec, &call.argv);
        let blocked = call.block.is_some();
        self.leave_call(frame, call, command.spec.name, blocked);
        if self.observer_running {
            self.settle_memory();
            return reply;
        }
        // DEBUG SLEEP makes a command take engine time without blocking the host.
        let elapsed = (self.micros)().saturating_sub(start) + self.monitor.take_busy_us();
        // A command that blocks counts as called, as in Redis 7.0.
        let stats = self.stats.commands.by_number(command.number);
        stats.calls += 1;
        stats.usec += elapsed;
        self.stats.total_commands += 1;
        if let Reply::Error(e) = &reply {
            stats.failed_calls += 1;
            let e = e.clone();
            self.count_error(&e);
        }
        self.feed_monitors(command.spec, call);
        self.after_call(command.spec, call, elapsed);
        reply
    }

    pub(crate) fn count_error(&mut self, err: &str) {
        let code = err.split(' ').next().unwrap_or("ERR").to_string();
        *self.stats.errors.entry(code).or_default() += 1;
        self.stats.total_error_replies += 1;
    }

    /// Redis's OOM check before a command: evicts what the policy allows, then refuses
    /// commands that may grow memory if still over the limit.
    fn check_memory(
        &mut self,
        spec: &CommandSpec,
        in_multi: bool,
        queued_flags: u32,
    ) -> Option<String> {
        if self.config.maxmemory == 0 {
            return None;
        }
        let out_of_memory = !self.perform_evictions();
        let exempt_in_multi = matches!(spec.name, "exec" | "discard" | "quit" | "reset");
        let exec_may_grow = spec.name == "exec" && queued_flags & flags::DENYOOM != 0;
        let deny = spec.has_flag(flags::DENYOOM) || exec_may_grow || (in_multi && !exempt_in_multi);
        (out_of_memory && deny).then(|| errors::OOM.to_string())
    }

    /// Redis's writeCommandsDeniedByDiskError for snapshots: the last background save failed
    /// while save points are configured and `stop-writes-on-bgsave-error` is on. A later
    /// successful save lifts it.
    pub fn writes_denied_by_disk_error(&self) -> bool {
        self.config.stop_writes_on_bgsave_error
            && !self.config.save.is_empty()
            && !self.snapshot.last_bgsave_ok()
    }

    // ----- databases -----

    pub(crate) fn db(&mut self, index: usize) -> &mut Db {
        &mut self.dbs[index]
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

/// `Server::finish_reply` for a client at hand.
pub(crate) fn apply_reply_mode(client: &mut Client, reply: Reply) -> Option<Reply> {
    let mode = client.reply_mode;
    client.reply_mode = match mode {
        ReplyMode::SkipNext => ReplyMode::Skip,
        ReplyMode::Skip => ReplyMode::On,
        other => other,
    };
    (mode == ReplyMode::On || matches!(reply, Reply::Push(_))).then_some(reply)
}

/// What Redis refuses while writes are denied by a disk error: write commands, an EXEC with
/// queued writes, and PING (so that a health check notices).
fn denied_on_disk_error(spec: &CommandSpec, queued_flags: u32) -> bool {
    spec.has_flag(flags::WRITE)
        || (spec.name == "exec" && queued_flags & flags::WRITE != 0)
        || spec.name == "ping"
}

/// Commands a RESP2 client may send while subscribed.
fn allowed_in_pubsub(spec: &CommandSpec) -> bool {
    matches!(
        spec.name,
        "ping"
            | "subscribe"
            | "ssubscribe"
            | "unsubscribe"
            | "sunsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "quit"
            | "reset"
    )
}

/// Commands that run at once inside MULTI instead of being queued.
fn runs_inside_multi(spec: &CommandSpec) -> bool {
    matches!(
        spec.name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}
