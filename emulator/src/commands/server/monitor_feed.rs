//! MONITOR: clients that receive every command the server runs, one status line each, as
//! `1700000000.123456 [0 127.0.0.1:50001] "SET" "k" "v"`.
//!
//! As in Redis 7.0: a command is shown after it ran (inside EXEC, each queued command before
//! the EXEC itself), with the database its client is on afterwards; commands rejected before
//! running (unknown, wrong arity, NOAUTH...) are not shown, nor are administrative ones or
//! those flagged `skip_monitor`; passwords of AUTH and HELLO show as `(redacted)`. A monitor is
//! a replica to Redis, so it may not run commands that read or write the keyspace. RESET or
//! disconnecting ends monitoring. Also holds the console's read-only helpers on the engine.

use crate::cli::quote_bytes;
use crate::client::{ClientId, ReplyMode};
use crate::commands::{flags, lookup, CommandSpec, Lookup};
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::eq_ignore_case;

/// Monitoring clients, and lines waiting to be sent to them once the current command's reply
/// is out (a monitor's own command shows after its reply, as Redis writes it).
#[derive(Debug, Default)]
pub struct Monitoring {
    monitors: Vec<ClientId>,
    pending: Vec<String>,
}

/// MONITOR.
pub(super) fn monitor(srv: &mut Server, call: &mut Call) -> Reply {
    // Inside EXEC (and scripts) a reply per command is expected, which monitoring breaks.
    if call.nested {
        return Reply::error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    }
    if srv.is_monitor(call.client) {
        // Redis ignores MONITOR from a client that already monitors: no reply at all. The
        // reply is dropped the way CLIENT REPLY SKIP drops the next one.
        let client = srv.client_mut(call.client);
        if client.reply_mode == ReplyMode::On {
            client.reply_mode = ReplyMode::Skip;
        }
        return Reply::ok();
    }
    srv.monitoring.monitors.push(call.client);
    Reply::ok()
}

impl Server {
    pub(crate) fn is_monitor(&self, id: ClientId) -> bool {
        !self.monitoring.monitors.is_empty() && self.monitoring.monitors.contains(&id)
    }

    /// Ends monitoring for a client (RESET, disconnection).
    pub(crate) fn stop_monitoring(&mut self, id: ClientId) {
        self.monitoring.monitors.retain(|&m| m != id);
    }

    /// Redis refuses keyspace commands from replicas, and a monitor is one. For EXEC, the
    /// flags of the queued commands count.
    pub(crate) fn refuse_monitor_keyspace_access(
        &self,
        id: ClientId,
        spec: &CommandSpec,
    ) -> Option<String> {
        if !self.is_monitor(id) {
            return None;
        }
        let touching = flags::READONLY | flags::WRITE | flags::MAY_REPLICATE;
        let mut command_flags = spec.flags;
        if spec.name == "exec" {
            let queued = self.client(id).and_then(|c| c.multi.as_ref());
            for argv in queued.map(|m| m.queued.as_slice()).unwrap_or_default() {
                if let Lookup::Found(command) = lookup(argv) {
                    command_flags |= command.spec.flags;
                }
            }
        }
        (command_flags & touching != 0)
            .then(|| "ERR Replica can't interact with the keyspace".to_string())
    }

    /// Records a command that just ran for the monitors (Redis's replicationFeedMonitors).
    /// Scripts and functions (flagged skip-monitor) feed themselves before they run instead,
    /// through [`Server::feed_monitors_before_script`], so that the commands they call follow
    /// their own line.
    pub(crate) fn feed_monitors(&mut self, spec: &CommandSpec, call: &Call) {
        if spec.has_flag(flags::ADMIN) || spec.has_flag(flags::SKIP_MONITOR) {
            return;
        }
        self.feed_monitor_line(spec, call);
    }

    /// EVAL, EVALSHA, FCALL and their read-only forms: the command's line goes to the
    /// monitors first, whatever the script then does or fails to do (as Redis's evalCommand
    /// and fcallCommand feed it).
    pub(crate) fn feed_monitors_before_script(&mut self, call: &Call) {
        self.feed_monitor_line(call.spec, call);
    }

    fn feed_monitor_line(&mut self, spec: &CommandSpec, call: &Call) {
        // The host's own hidden clients (challenge checks) leave no trace.
        if self.monitoring.monitors.is_empty() || self.observer_running {
            return;
        }
        let Some(client) = self.client(call.client) else {
            return;
        };
        // Commands a script calls show `lua` where a client's address would be.
        let origin = if call.client == crate::scripting::SCRIPT_CLIENT_ID {
            "lua"
        } else {
            client.addr.as_str()
        };
        let micros = call.now.saturating_mul(1000) + (self.micros)() % 1000;
        let mut line = format!(
            "{}.{:06} [{} {origin}]",
            micros / 1_000_000,
            micros % 1_000_000,
            client.db,
        );
        let redacted = redacted_arguments(spec, &call.argv, self.redacted_arguments());
        for (i, arg) in call.argv.iter().enumerate() {
            line.push(' ');
            if redacted.contains(&i) {
                line.push_str("\"(redacted)\"");
            } else {
                line.push_str(&quote_bytes(arg));
            }
        }
        self.monitoring.pending.push(line);
    }

    /// Sends the recorded lines to every monitor.
    pub(crate) fn flush_monitor_feed(&mut self) {
        if self.monitoring.pending.is_empty() {
            return;
        }
        let lines = std::mem::take(&mut self.monitoring.pending);
        for &id in &self.monitoring.monitors {
            if let Some(client) = self.clients.get_mut(&id) {
                client
                    .outbound
                    .extend(lines.iter().map(|l| Reply::Simple(l.clone())));
            }
        }
    }

    /// Microseconds spent in commands since start, engine-declared time (DEBUG SLEEP)
    /// included: the console reads it around a command to show how long it took.
    pub fn busy_us(&self) -> u64 {
        self.monitor.busy_total_us
    }

    /// Up to `limit` names of live keys of database `db` starting with `prefix`, sorted, for
    /// the console's Tab completion. Reads without side effects: expired keys are skipped,
    /// not deleted, and no hit or miss is counted. Visits every key (the console asks for it
    /// on a key press, never a command).
    pub fn keys_with_prefix(&mut self, db: usize, prefix: &[u8], limit: usize) -> Vec<Vec<u8>> {
        let now = self.now_ms();
        let Some(keys) = self.dbs.get(db) else {
            return Vec::new();
        };
        let mut found: Vec<Vec<u8>> = keys
            .keys()
            .filter(|key| key.starts_with(prefix))
            .filter(|key| !self.key_is_expired(db, key, now))
            .map(<[u8]>::to_vec)
            .collect();
        found.sort();
        found.truncate(limit);
        found
    }
}

/// Argument positions shown as `(redacted)`: what the command asked to hide, plus the
/// passwords AUTH and HELLO hide (they redact before checking them, AUTH only in its valid
/// two- and three-argument forms, HELLO each AUTH pair it reads before a syntax error).
pub(super) fn redacted_arguments(
    spec: &CommandSpec,
    argv: &[Vec<u8>],
    asked: &[usize],
) -> Vec<usize> {
    let mut hidden = asked.to_vec();
    match spec.name {
        "auth" if argv.len() <= 3 => hidden.extend(1..argv.len()),
        "hello" if argv.len() >= 2 => {
            let protover_ok =
                crate::util::parse_i64(&argv[1]).is_some_and(|v| (2..=3).contains(&v));
            let mut j = 2;
            while protover_ok && j < argv.len() {
                let more = argv.len() - 1 - j;
                if eq_ignore_case(&argv[j], "auth") && more >= 2 {
                    hidden.extend([j + 1, j + 2]);
                    j += 3;
                } else if eq_ignore_case(&argv[j], "setname") && more >= 1 {
                    j += 2;
                } else {
                    break;
                }
            }
        }
        _ => {}
    }
    hidden
}

#[cfg(test)]
mod tests {
    use crate::resp::Reply;
    use crate::server::Server;

    fn run(server: &mut Server, id: crate::ClientId, line: &str) -> Vec<Reply> {
        let argv = crate::cli::split_args(line.as_bytes()).unwrap_or_default();
        server.execute(id, argv, 1_700_000_000_123)
    }

    /// The monitor lines received, without their timestamps.
    fn lines(server: &mut Server, id: crate::ClientId) -> Vec<String> {
        server
            .take_outbound(id)
            .into_iter()
            .map(|r| match r {
                Reply::Simple(s) => s
                    .split_once(' ')
                    .map(|(_, rest)| rest.to_string())
                    .unwrap_or(s),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn shows_commands_of_other_clients_after_they_ran() {
        let mut server = Server::new();
        let monitor = server.connect(0);
        let other = server.connect(0);
        assert_eq!(run(&mut server, monitor, "MONITOR"), vec![Reply::ok()]);
        let addr = server
            .client(other)
            .map(|c| c.addr.clone())
            .unwrap_or_default();
        run(&mut server, other, "SET k \"a b\"");
        run(&mut server, other, "SELECT 2");
        run(&mut server, other, "NOSUCH x");
        run(&mut server, other, "CONFIG GET port");
        run(&mut server, other, "AUTH secret");
        run(&mut server, other, "AUTH a b c");
        run(&mut server, other, "HELLO 2 AUTH default pw SETNAME n");
        run(&mut server, other, "MULTI");
        run(&mut server, other, "INCR n");
        run(&mut server, other, "EXEC");
        assert_eq!(
            lines(&mut server, monitor),
            [
                format!("[0 {addr}] \"SET\" \"k\" \"a b\""),
                format!("[2 {addr}] \"SELECT\" \"2\""),
                format!("[2 {addr}] \"AUTH\" \"(redacted)\""),
                format!("[2 {addr}] \"AUTH\" \"a\" \"b\" \"c\""),
                format!("[2 {addr}] \"HELLO\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\" \"SETNAME\" \"n\""),
                format!("[2 {addr}] \"MULTI\""),
                format!("[2 {addr}] \"INCR\" \"n\""),
                format!("[2 {addr}] \"EXEC\""),
            ]
        );
    }

    #[test]
    fn timestamps_are_seconds_and_microseconds() {
        let mut server = Server::new();
        let monitor = server.connect(0);
        run(&mut server, monitor, "MONITOR");
        run(&mut server, monitor, "PING");
        let out = server.take_outbound(monitor);
        let Some(Reply::Simple(line)) = out.first() else {
            panic!("{out:?}")
        };
        assert!(line.starts_with("1700000000.123"), "{line}");
        assert!(line.ends_with("\"PING\""), "{line}");
    }

    #[test]
    fn a_monitor_is_a_replica_until_reset() {
        let mut server = Server::new();
        let monitor = server.connect(0);
        run(&mut server, monitor, "MONITOR");
        assert_eq!(run(&mut server, monitor, "MONITOR"), vec![]);
        assert_eq!(
            run(&mut server, monitor, "GET k"),
            vec![Reply::error("ERR Replica can't interact with the keyspace")]
        );
        assert_eq!(run(&mut server, monitor, "MULTI"), vec![Reply::ok()]);
        run(&mut server, monitor, "MONITOR");
        assert_eq!(
            run(&mut server, monitor, "EXEC"),
            vec![Reply::Array(vec![Reply::error(
                "ERR MONITOR isn't allowed for DENY BLOCKING client"
            )])]
        );
        server.take_outbound(monitor);
        run(&mut server, monitor, "RESET");
        server.take_outbound(monitor);
        assert_eq!(run(&mut server, monitor, "GET k"), vec![Reply::Null]);
        assert!(server.take_outbound(monitor).is_empty());
    }
}
