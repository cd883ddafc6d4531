//! What the server records around every command for INFO, SLOWLOG and latency statistics,
//! and the DEBUG-command gate.

use std::collections::{HashMap, VecDeque};

use super::latency::Histogram;
use super::latency_monitor::LatencyEvents;
use super::slowlog::SlowLog;
use crate::client::ClientId;
use crate::commands::{flags, CommandSpec};
use crate::config::{PROTECTED_ACTION_LOCAL, PROTECTED_ACTION_YES};
use crate::resp::{Protocol, Reply};
use crate::server::{Call, Server};

/// How often (engine ms) the command counter is sampled for `instantaneous_ops_per_sec`,
/// and how many samples are averaged (Redis: every 100 ms, 16 samples).
const OPS_SAMPLE_INTERVAL_MS: u64 = 100;
const OPS_SAMPLES: usize = 16;

#[derive(Debug)]
pub struct Monitor {
    pub(super) slowlog: SlowLog,
    /// The latency monitor's events (LATENCY LATEST / HISTORY).
    pub(super) latency_events: LatencyEvents,
    /// Per command full name, in nanoseconds (INFO latencystats).
    pub(super) latency: HashMap<&'static str, Histogram, crate::util::FastHash>,
    pub(super) net_input_bytes: u64,
    pub(super) net_output_bytes: u64,
    pub(super) reads_processed: u64,
    pub(super) writes_processed: u64,
    /// Microseconds spent in commands since start (INFO's CPU figures).
    pub(super) busy_total_us: u64,
    /// Extra duration the current command takes in engine time (DEBUG SLEEP).
    pending_busy_us: u64,
    /// Argument positions the current command asked to hide from the slow log.
    redacted: Vec<usize>,
    /// (engine ms, total commands) samples.
    ops_samples: VecDeque<(u64, u64)>,
    /// Whether keys with an expiry are deleted in the background (DEBUG SET-ACTIVE-EXPIRE).
    pub active_expire_enabled: bool,
    /// 40 hex characters identifying this server run, and its replication ID.
    pub(super) run_id: String,
    pub(super) replication_id: String,
}

impl Default for Monitor {
    fn default() -> Self {
        Monitor {
            slowlog: SlowLog::default(),
            latency_events: LatencyEvents::default(),
            latency: HashMap::default(),
            net_input_bytes: 0,
            net_output_bytes: 0,
            reads_processed: 0,
            writes_processed: 0,
            busy_total_us: 0,
            pending_busy_us: 0,
            redacted: Vec::new(),
            ops_samples: VecDeque::new(),
            active_expire_enabled: true,
            run_id: String::new(),
            replication_id: String::new(),
        }
    }
}

impl Monitor {
    /// Commands that have a latency histogram (each one takes memory).
    pub fn histogram_count(&self) -> usize {
        self.latency.len()
    }

    /// Takes the extra engine time the last command declared.
    pub fn take_busy_us(&mut self) -> u64 {
        std::mem::take(&mut self.pending_busy_us)
    }

    pub(super) fn add_busy_us(&mut self, us: u64) {
        self.pending_busy_us = self.pending_busy_us.saturating_add(us);
    }

    /// Commands per second over the last samples, up to `now`.
    pub(super) fn ops_per_sec(&self, now: u64, total_commands: u64) -> u64 {
        let window = OPS_SAMPLE_INTERVAL_MS * OPS_SAMPLES as u64;
        let Some(&(t0, c0)) = self
            .ops_samples
            .iter()
            .find(|(t, _)| now.saturating_sub(*t) <= window)
        else {
            return 0;
        };
        let elapsed = now.saturating_sub(t0).max(OPS_SAMPLE_INTERVAL_MS);
        total_commands.saturating_sub(c0) * 1000 / elapsed
    }

    fn sample_ops(&mut self, now: u64, total_commands: u64) {
        let due = self
            .ops_samples
            .back()
            .is_none_or(|(t, _)| now.saturating_sub(*t) >= OPS_SAMPLE_INTERVAL_MS);
        if due {
            self.ops_samples.push_back((now, total_commands));
            if self.ops_samples.len() > OPS_SAMPLES + 1 {
                self.ops_samples.pop_front();
            }
        }
    }

    /// Starts the statistics CONFIG RESETSTAT clears.
    pub(super) fn reset_stats(&mut self) {
        self.latency.clear();
        self.net_input_bytes = 0;
        self.net_output_bytes = 0;
        self.reads_processed = 0;
        self.writes_processed = 0;
        self.ops_samples.clear();
    }

    /// Creates the run and replication IDs from a seed the first time they are needed.
    pub(super) fn ensure_ids(&mut self, seed: u64) {
        if self.run_id.is_empty() {
            self.run_id = hex_id(seed);
            self.replication_id = hex_id(seed ^ 0x5bd1_e995_0000_0001);
        }
    }

    pub(super) fn new_replication_id(&mut self, seed: u64) {
        self.replication_id = hex_id(seed);
    }
}

/// 40 pseudo-random hex characters (splitmix64 over the seed).
fn hex_id(seed: u64) -> String {
    let mut state = seed;
    let mut out = String::with_capacity(40);
    while out.len() < 40 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.push_str(&format!("{z:016x}"));
    }
    out.truncate(40);
    out
}

/// Bytes of a command as a client sends it (a RESP multibulk request).
pub(crate) fn request_len(argv: &[Vec<u8>]) -> usize {
    let header = |n: usize| 1 + decimal_digits(n as u64) + 2;
    header(argv.len())
        + argv
            .iter()
            .map(|a| header(a.len()) + a.len() + 2)
            .sum::<usize>()
}

/// Digits of `n` in decimal.
fn decimal_digits(n: u64) -> usize {
    match n {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        _ => n.ilog10() as usize + 1,
    }
}

/// Bytes of a reply on the wire, without encoding it.
fn reply_len(reply: &Reply, proto: Protocol) -> usize {
    let line = |body: usize| 1 + body + 2;
    let digits = |n: usize| decimal_digits(n as u64);
    let bulk = |n: usize| line(digits(n)) + n + 2;
    let resp3 = proto == Protocol::Resp3;
    match reply {
        Reply::Simple(s) | Reply::Error(s) => line(s.len()),
        Reply::Integer(n) => line(usize::from(*n < 0) + decimal_digits(n.unsigned_abs())),
        Reply::Bulk(b) => bulk(b.len()),
        Reply::Null if resp3 => 3,
        Reply::Null => 5,
        Reply::NullArray if resp3 => 3,
        Reply::NullArray => 5,
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            line(digits(items.len())) + items.iter().map(|r| reply_len(r, proto)).sum::<usize>()
        }
        Reply::Map(pairs) => {
            let n = if resp3 { pairs.len() } else { pairs.len() * 2 };
            line(digits(n))
                + pairs
                    .iter()
                    .map(|(k, v)| reply_len(k, proto) + reply_len(v, proto))
                    .sum::<usize>()
        }
        Reply::Double(d) => {
            let text = crate::resp::format_double(*d).len();
            if resp3 {
                line(text)
            } else {
                bulk(text)
            }
        }
        Reply::DoubleText(text) if resp3 => line(text.len()),
        Reply::DoubleText(text) => bulk(text.len()),
        Reply::Boolean(_) if resp3 => 4,
        Reply::Boolean(_) => 4,
        Reply::BigNumber(n) if resp3 => line(n.len()),
        Reply::BigNumber(n) => bulk(n.len()),
        Reply::Verbatim(_, text) if resp3 => bulk(text.len() + 4),
        Reply::Verbatim(_, text) => bulk(text.len()),
    }
}

impl Server {
    /// Counts a processed request and the replies it produced (INFO's network figures).
    pub(crate) fn count_io(&mut self, proto: Protocol, request_bytes: usize, replies: &[Reply]) {
        let out: usize = replies.iter().map(|r| reply_len(r, proto)).sum();
        let now = self.clock.now();
        let total = self.stats.total_commands;
        let m = &mut self.monitor;
        m.reads_processed += 1;
        m.net_input_bytes += request_bytes as u64;
        if out > 0 {
            m.writes_processed += 1;
            m.net_output_bytes += out as u64;
        }
        m.sample_ops(now, total);
    }

    /// Argument positions the current command asked to hide.
    pub(crate) fn redacted_arguments(&self) -> &[usize] {
        &self.monitor.redacted
    }

    /// Hides argument `index` of the current command from the slow log (passwords).
    pub(crate) fn redact_argument(&mut self, index: usize) {
        self.monitor.redacted.push(index);
    }

    /// After a command ran: re-measures memory, feeds the slow log and latency statistics.
    pub(crate) fn after_call(&mut self, spec: &'static CommandSpec, call: &Call, elapsed_us: u64) {
        self.settle_memory();
        let redacted = std::mem::take(&mut self.monitor.redacted);
        if call.block.is_some() {
            return;
        }
        self.monitor.busy_total_us = self.monitor.busy_total_us.saturating_add(elapsed_us);
        if self.config.latency_tracking {
            let ns = elapsed_us.saturating_mul(1000);
            self.monitor
                .latency
                .entry(spec.name)
                .or_default()
                .record(ns);
        }
        self.record_latency_event(spec, call, elapsed_us);
        if !spec.has_flag(flags::SKIP_SLOWLOG) {
            self.slowlog_push(call, elapsed_us, &redacted);
        }
    }

    /// Redis refuses its protected commands (DEBUG; MODULE LOAD, LOADEX and UNLOAD) unless
    /// `enable-debug-command` / `enable-module-command` allows them (`local`: only for
    /// connections from this machine). Checked before authentication, like arity.
    pub(crate) fn refuse_protected_command(
        &self,
        id: ClientId,
        spec: &CommandSpec,
    ) -> Option<String> {
        let (command, option, setting) = match spec.name {
            "debug" => (
                "DEBUG",
                "enable-debug-command",
                self.config.enable_debug_command,
            ),
            "module|load" | "module|loadex" | "module|unload" => (
                "MODULE",
                "enable-module-command",
                self.config.enable_module_command,
            ),
            _ => return None,
        };
        if self.protected_action_allowed(setting, id) {
            return None;
        }
        Some(format!("ERR {command} command not allowed. If the {option} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."))
    }

    /// Redis's allowProtectedAction for one of the `enable-*` settings.
    pub(crate) fn protected_action_allowed(&self, setting: i32, id: ClientId) -> bool {
        setting == PROTECTED_ACTION_YES
            || (setting == PROTECTED_ACTION_LOCAL
                && self.client(id).is_some_and(|c| is_local(&c.addr)))
    }
}

impl Server {
    /// Clients that may be closed for idleness: not the host's own, not subscribed, not
    /// blocked, not held by CLIENT PAUSE (Redis's CLIENT_BLOCKED covers both).
    fn idle_candidates(&self) -> impl Iterator<Item = &crate::client::Client> {
        self.clients.values().filter(|c| {
            !c.internal
                && !c.closing
                && !c.in_pubsub_context()
                && !self.is_blocked(c.id)
                && !self.is_postponed(c.id)
        })
    }

    /// Redis's client timeout: with `timeout` set, clients idle for longer than that many
    /// seconds (compared in whole seconds, as Redis does) are closed.
    pub(crate) fn close_idle_clients(&mut self, now: u64) {
        let Ok(limit) = u64::try_from(self.config.timeout) else {
            return;
        };
        if limit == 0 {
            return;
        }
        let idle: Vec<ClientId> = self
            .idle_candidates()
            .filter(|c| (now / 1000).saturating_sub(c.last_interaction_ms / 1000) > limit)
            .map(|c| c.id)
            .collect();
        for id in idle {
            self.client_mut(id).closing = true;
        }
    }

    /// Engine time at which the next client becomes idle for too long, if `timeout` is set.
    pub(crate) fn next_idle_timeout(&self) -> Option<u64> {
        let limit = u64::try_from(self.config.timeout).ok().filter(|l| *l > 0)?;
        self.idle_candidates()
            .map(|c| (c.last_interaction_ms / 1000 + limit + 1) * 1000)
            .min()
    }
}

/// Whether a peer address is the loopback interface.
fn is_local(addr: &str) -> bool {
    let ip = addr.rsplit_once(':').map_or(addr, |(ip, _)| ip);
    matches!(ip, "127.0.0.1" | "::1" | "[::1]") || ip.starts_with("127.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lengths_match_encodings() {
        let replies = [
            Reply::ok(),
            Reply::Integer(-42),
            Reply::Integer(0),
            Reply::Integer(9),
            Reply::Integer(10),
            Reply::Integer(-999),
            Reply::Integer(1000),
            Reply::Integer(i64::MIN),
            Reply::Integer(i64::MAX),
            Reply::bulk("hello"),
            Reply::bulk(vec![b'x'; 100]),
            Reply::bulk(vec![b'x'; 12345]),
            Reply::Null,
            Reply::Array(vec![Reply::bulk("a"), Reply::Null]),
            Reply::Map(vec![(Reply::bulk("k"), Reply::Double(1.5))]),
            Reply::Verbatim("txt", b"x\r\ny".to_vec()),
            Reply::Boolean(true),
            Reply::BigNumber("123".into()),
        ];
        for r in &replies {
            for p in [Protocol::Resp2, Protocol::Resp3] {
                assert_eq!(reply_len(r, p), r.encode(p).len(), "{r:?} {p:?}");
            }
        }
    }

    #[test]
    fn request_length_is_multibulk() {
        let argv = vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()];
        assert_eq!(
            request_len(&argv),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".len()
        );
    }

    #[test]
    fn ids_are_forty_hex_digits() {
        let id = hex_id(7);
        assert_eq!(id.len(), 40);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id, hex_id(8));
    }
}
