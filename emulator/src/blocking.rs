//! Blocked clients, as Redis 7.0's blocked.c and timeout.c handle them.
//!
//! A command that has to wait (BLPOP on empty lists, WAIT, and later BZPOPMIN or XREAD
//! BLOCK) sets `call.block` with the keys it waits on, its deadline, and how a ready key
//! serves it. The client then gets no reply; commands it sends meanwhile are held back and
//! run, in order, once it is unblocked.
//!
//! Keys become ready when they are created (Redis's dbAdd signals them). After each
//! top-level command (so after a whole MULTI/EXEC or script), the ready keys are served in the
//! order they were signalled: for each, the clients blocked on it are offered the key in the
//! order they blocked, and each `serve` function decides whether it can take something from
//! it. A served client's reply, like a timed-out client's, goes to its `outbound` queue.
//! Serving may create keys (BLMOVE pushes to its destination), which are served in turn.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::client::ClientId;
use crate::commands::string::long_double::LongDouble;
use crate::commands::CommandSpec;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::Value;

/// Offers a ready key to a blocked client: `call` is the client's blocked command (its
/// arguments, client, db and spec, at the current time). Returns the client's reply if the
/// key served it (an error reply included), None if the client keeps waiting.
pub type ServeFn = fn(&mut Server, &mut Call, &[u8]) -> Option<Reply>;

/// What a blocked client waits for. The reply its command returned while setting this is
/// the reply it gets if it times out (or is unblocked by CLIENT UNBLOCK ... TIMEOUT).
#[derive(Clone, Debug)]
pub struct BlockRequest {
    /// Keys (in the call's db) whose creation may serve the client.
    pub keys: Vec<Vec<u8>>,
    /// Engine time after which the client times out; None waits forever.
    pub deadline: Option<u64>,
    /// How a ready key serves the client; None for clients only a timeout releases (WAIT).
    pub serve: Option<ServeFn>,
}

/// A timeout argument's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutUnit {
    /// A decimal number of seconds (BLPOP, BZPOPMIN...).
    Seconds,
    /// An integer number of milliseconds (XREAD BLOCK).
    Milliseconds,
}

/// Parses a blocking timeout as Redis's getTimeoutFromObjectOrReply: seconds are read as a
/// `long double` and rounded up to whole milliseconds. Returns the length of the wait in
/// milliseconds, 0 meaning forever.
pub fn parse_timeout(arg: &[u8], unit: TimeoutUnit) -> Result<u64, Reply> {
    let millis = match unit {
        TimeoutUnit::Seconds => LongDouble::parse(arg)
            .map(seconds_to_millis)
            .ok_or_else(|| Reply::error("ERR timeout is not a float or out of range"))?,
        TimeoutUnit::Milliseconds => crate::util::parse_i64(arg)
            .ok_or_else(|| Reply::error("ERR timeout is not an integer or out of range"))?,
    };
    u64::try_from(millis).map_err(|_| Reply::error("ERR timeout is negative"))
}

/// `(long long) ceill(seconds * 1000.0)` in x87 extended precision. A result outside the
/// 64-bit range converts to the minimum value, as the x87 conversion does, which Redis then
/// rejects as negative.
fn seconds_to_millis(seconds: LongDouble) -> i64 {
    let LongDouble::Finite {
        negative,
        significand,
        exponent,
    } = seconds
    else {
        return i64::MIN;
    };
    // The product is exact in 128 bits; round it to the 64-bit significand, to nearest even.
    let mut product = u128::from(significand) * 1000;
    let mut exponent = exponent;
    let bits = 128 - product.leading_zeros() as i64;
    if bits > 64 {
        let shift = (bits - 64) as u32;
        let remainder = product & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        product >>= shift;
        exponent += i64::from(shift);
        if remainder > half || (remainder == half && product & 1 == 1) {
            product += 1;
        }
    }
    // Round towards positive infinity to an integer magnitude.
    let magnitude: u128 = if exponent >= 0 {
        if exponent >= 64 || product.leading_zeros() < exponent as u32 {
            return i64::MIN;
        }
        product << exponent
    } else {
        let shift = exponent.unsigned_abs();
        let whole = if shift >= 128 { 0 } else { product >> shift };
        let has_fraction =
            shift >= 128 && product != 0 || shift < 128 && product & ((1u128 << shift) - 1) != 0;
        if has_fraction && !negative {
            whole + 1
        } else {
            whole
        }
    };
    if negative {
        if magnitude > 1u128 << 63 {
            i64::MIN
        } else {
            (magnitude as i128).wrapping_neg() as i64
        }
    } else {
        i64::try_from(magnitude).unwrap_or(i64::MIN)
    }
}

/// The deadline of a wait of `millis` ms starting at `now`; 0 means forever. Redis adds the
/// timeout to a signed millisecond clock: a sum past its range never comes.
pub fn deadline_after(now: u64, millis: u64) -> Option<u64> {
    if millis == 0 {
        return None;
    }
    now.checked_add(millis).filter(|&at| at <= i64::MAX as u64)
}

/// A blocked client's command and what it waits for.
struct BlockedClient {
    db: usize,
    keys: Vec<Vec<u8>>,
    deadline: Option<u64>,
    serve: Option<ServeFn>,
    argv: Vec<Vec<u8>>,
    spec: &'static CommandSpec,
    timeout_reply: Reply,
}

/// The server's blocking state (Redis's blocking_keys, ready_keys, timeout table and
/// unblocked clients).
#[derive(Default)]
pub(crate) struct Blocking {
    clients: HashMap<ClientId, BlockedClient>,
    /// Clients blocked on each key of each db, in the order they blocked.
    waiting: HashMap<(usize, Vec<u8>), VecDeque<ClientId>>,
    /// Deadlines in order, then client ids.
    timeouts: BTreeSet<(u64, ClientId)>,
    /// Keys signalled since they were last served, in order, without repeats.
    ready: VecDeque<(usize, Vec<u8>)>,
    ready_set: HashSet<(usize, Vec<u8>)>,
    /// Commands clients sent while blocked.
    held: HashMap<ClientId, VecDeque<Vec<Vec<u8>>>>,
    /// Clients whose command waits for the end of CLIENT PAUSE, in the order they came,
    /// with that command.
    postponed: VecDeque<(ClientId, Vec<Vec<u8>>)>,
    /// Clients unblocked whose held commands have not run yet.
    unblocked: VecDeque<ClientId>,
}

impl Server {
    // ----- queries -----

    /// Whether a client is waiting in a blocking command.
    pub fn is_blocked(&self, id: ClientId) -> bool {
        self.blocking.clients.contains_key(&id)
    }

    /// Whether a client's command waits for the end of CLIENT PAUSE.
    pub fn is_postponed(&self, id: ClientId) -> bool {
        self.blocking.postponed.iter().any(|(c, _)| *c == id)
    }

    /// The bytes of a blocked (or postponed) client's command arguments (CLIENT LIST's
    /// `argv-mem`: Redis keeps them until the client is released); None if it is not.
    pub(crate) fn blocked_argv_len(&self, id: ClientId) -> Option<usize> {
        let argv = match self.blocking.clients.get(&id) {
            Some(blocked) => &blocked.argv,
            None => &self.blocking.postponed.iter().find(|(c, _)| *c == id)?.1,
        };
        Some(argv.iter().map(Vec::len).sum())
    }

    /// INFO's `blocked_clients` (postponed clients are blocked too, as in Redis).
    pub fn blocked_client_count(&self) -> usize {
        self.blocking.clients.len() + self.blocking.postponed.len()
    }

    /// INFO's `clients_in_timeout_table`: blocked clients with a deadline.
    pub fn clients_in_timeout_table(&self) -> usize {
        self.blocking.timeouts.len()
    }

    /// Engine time at which the next blocked client times out (it times out once the clock
    /// is past its deadline).
    pub(crate) fn next_block_timeout(&self) -> Option<u64> {
        self.blocking
            .timeouts
            .first()
            .map(|&(deadline, _)| deadline.saturating_add(1))
    }

    // ----- blocking -----

    /// Blocks the client whose command just asked to wait; `timeout_reply` is what that
    /// command returned.
    pub(crate) fn block_client(&mut self, call: &mut Call, timeout_reply: Reply) {
        let Some(request) = call.block.take() else {
            return;
        };
        let id = call.client;
        let mut keys: Vec<Vec<u8>> = Vec::with_capacity(request.keys.len());
        for key in request.keys {
            if keys.contains(&key) {
                continue;
            }
            self.blocking
                .waiting
                .entry((call.db, key.clone()))
                .or_default()
                .push_back(id);
            keys.push(key);
        }
        if let Some(deadline) = request.deadline {
            self.blocking.timeouts.insert((deadline, id));
        }
        self.blocking.clients.insert(
            id,
            BlockedClient {
                db: call.db,
                keys,
                deadline: request.deadline,
                serve: request.serve,
                argv: std::mem::take(&mut call.argv),
                spec: call.spec,
                timeout_reply,
            },
        );
    }

    /// Holds a command a blocked client sent, to run once it is unblocked; gives the command
    /// back if the client is not blocked.
    pub(crate) fn hold_if_blocked(
        &mut self,
        id: ClientId,
        argv: Vec<Vec<u8>>,
    ) -> Option<Vec<Vec<u8>>> {
        if !self.is_blocked(id) && !self.is_postponed(id) && !self.waits_for_busy_script(id) {
            return Some(argv);
        }
        self.blocking.held.entry(id).or_default().push_back(argv);
        None
    }

    /// Keeps a command CLIENT PAUSE holds back, to run when the pause ends.
    pub(crate) fn postpone(&mut self, id: ClientId, argv: Vec<Vec<u8>>) {
        self.blocking.postponed.push_back((id, argv));
    }

    /// At the end of a pause: each postponed command goes first among its client's held
    /// commands, which then run in order (they may be postponed again by a new pause).
    pub(crate) fn release_postponed_clients(&mut self) {
        while let Some((id, argv)) = self.blocking.postponed.pop_front() {
            self.blocking.held.entry(id).or_default().push_front(argv);
            if !self.blocking.unblocked.contains(&id) {
                self.blocking.unblocked.push_back(id);
            }
        }
    }

    /// Forgets a client's blocked state (Redis's unblockClient) and queues its held
    /// commands to run.
    fn unblock(&mut self, id: ClientId) -> Option<BlockedClient> {
        let blocked = self.blocking.clients.remove(&id)?;
        for key in &blocked.keys {
            let slot = (blocked.db, key.clone());
            if let Some(queue) = self.blocking.waiting.get_mut(&slot) {
                queue.retain(|&c| c != id);
                if queue.is_empty() {
                    self.blocking.waiting.remove(&slot);
                }
            }
        }
        if let Some(deadline) = blocked.deadline {
            self.blocking.timeouts.remove(&(deadline, id));
        }
        if self.blocking.held.contains_key(&id) {
            self.blocking.unblocked.push_back(id);
        }
        Some(blocked)
    }

    /// Sends an unblocked client its reply, through CLIENT REPLY's filter: at `slot` among
    /// its queued pushes if the reply was placed (`reply_here`), else after them.
    fn deliver(&mut self, id: ClientId, reply: Reply, slot: Option<usize>) {
        let replies = self.finish_reply(id, Some(reply));
        if let Some(client) = self.clients.get_mut(&id) {
            let at = slot.map_or(client.outbound.len(), |s| s.min(client.outbound.len()));
            for (i, reply) in replies.into_iter().enumerate() {
                client.outbound.insert(at + i, reply);
            }
        }
    }

    /// Drops a disconnecting client's blocked state and held commands.
    pub(crate) fn forget_blocked(&mut self, id: ClientId) {
        self.unblock(id);
        self.blocking.postponed.retain(|(c, _)| *c != id);
        self.blocking.held.remove(&id);
        self.blocking.unblocked.retain(|&c| c != id);
    }

    /// Releases a blocked client as if it timed out, or with Redis's UNBLOCKED error
    /// (CLIENT UNBLOCK); false if the client is not blocked.
    pub(crate) fn unblock_by_request(&mut self, id: ClientId, with_error: bool) -> bool {
        let Some(blocked) = self.unblock(id) else {
            return false;
        };
        // Redis 7.0 counts the released command as failed whatever the reason.
        self.stats
            .commands
            .entry(blocked.spec.name)
            .or_default()
            .failed_calls += 1;
        let reply = if with_error {
            let message = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
            self.count_error(message);
            Reply::error(message)
        } else {
            blocked.timeout_reply
        };
        self.deliver(id, reply, None);
        true
    }

    // ----- ready keys -----

    /// Redis's signalKeyAsReady: called when a key is created; queues it for serving if
    /// clients are blocked on it.
    pub(crate) fn signal_key_as_ready(&mut self, db: usize, key: &[u8]) {
        if self.blocking.waiting.is_empty() {
            return;
        }
        let slot = (db, key.to_vec());
        if !self.blocking.waiting.contains_key(&slot) || self.blocking.ready_set.contains(&slot) {
            return;
        }
        self.blocking.ready_set.insert(slot.clone());
        self.blocking.ready.push_back(slot);
    }

    /// Redis's scanDatabaseForDeletedStreams, called before the keys of `emptied` are
    /// dropped (FLUSHDB, FLUSHALL) or replaced by those of `replaced_with` (SWAPDB): signals
    /// each waited-on key that holds a stream now and will not afterwards, so clients blocked
    /// in XREADGROUP on it get their error instead of waiting forever.
    pub(crate) fn signal_deleted_streams(&mut self, emptied: usize, replaced_with: Option<usize>) {
        if self.blocking.waiting.is_empty() {
            return;
        }
        let holds_stream = |srv: &Server, db: usize, key: &[u8]| {
            srv.dbs[db]
                .get(key)
                .is_some_and(|e| matches!(e.value, Value::Stream(_)))
        };
        let keys: Vec<Vec<u8>> = self
            .blocking
            .waiting
            .keys()
            .filter(|(d, _)| *d == emptied)
            .map(|(_, key)| key.clone())
            .collect();
        for key in keys {
            if holds_stream(self, emptied, &key)
                && !replaced_with.is_some_and(|other| holds_stream(self, other, &key))
            {
                self.signal_key_as_ready(emptied, &key);
            }
        }
    }

    /// Signals every existing key of `db` that clients wait on (after SWAPDB brings in
    /// another db's keys, as Redis's scanDatabaseForReadyKeys).
    pub(crate) fn signal_ready_keys_in_db(&mut self, db: usize) {
        let keys: Vec<Vec<u8>> = self
            .blocking
            .waiting
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, key)| key.clone())
            .collect();
        for key in keys {
            if self.dbs.get(db).is_some_and(|d| d.contains(&key)) {
                self.signal_key_as_ready(db, &key);
            }
        }
    }

    /// Serves the ready keys, then runs the commands that clients unblocked by it (or by a
    /// timeout, or CLIENT UNBLOCK) sent while blocked, serving again after each one. Called
    /// after every top-level command and timer run.
    pub(crate) fn handle_blocked_clients(&mut self, now: u64) {
        loop {
            self.serve_ready_keys(now);
            let Some(id) = self.blocking.unblocked.pop_front() else {
                break;
            };
            self.run_held_commands(id, now);
        }
    }

    /// Redis's handleClientsBlockedOnKeys.
    fn serve_ready_keys(&mut self, now: u64) {
        while let Some(slot) = self.blocking.ready.pop_front() {
            self.blocking.ready_set.remove(&slot);
            let Some(queue) = self.blocking.waiting.get(&slot) else {
                continue;
            };
            let (db, key) = slot;
            // Clients are offered the key in the order they blocked; nobody can block on it
            // while it is being served.
            let waiting: Vec<ClientId> = queue.iter().copied().collect();
            for id in waiting {
                let Some(blocked) = self.blocking.clients.get(&id) else {
                    continue;
                };
                if blocked.db != db {
                    continue;
                }
                let Some(serve) = blocked.serve else {
                    continue;
                };
                let mut call = Call {
                    client: id,
                    argv: blocked.argv.clone(),
                    db,
                    spec: blocked.spec,
                    now,
                    nested: false,
                    block: None,
                };
                if !self.clients.contains_key(&id) {
                    self.forget_blocked(id);
                    continue;
                }
                self.take_reply_slot();
                let Some(reply) = serve(self, &mut call, &key) else {
                    continue;
                };
                // What serving changed is propagated as its own command (Redis's afterCommand
                // for the served client).
                self.flush_propagation(true);
                self.aof_after_write(now);
                let slot = self.take_reply_slot();
                if let Reply::Error(message) = &reply {
                    // Redis's updateStatsOnUnblock: the blocked command failed.
                    let message = message.clone();
                    self.count_error(&message);
                    self.stats
                        .commands
                        .entry(call.spec.name)
                        .or_default()
                        .failed_calls += 1;
                }
                self.unblock(id);
                self.deliver(id, reply, slot);
            }
        }
    }

    /// Whether a client waits for the end of the busy script it runs.
    fn waits_for_busy_script(&self, id: ClientId) -> bool {
        self.scripting.busy_caller() == Some(id)
    }

    /// Runs the commands a client sent while it waited (for a busy script of its own).
    pub(crate) fn release_held_commands(&mut self, id: ClientId, now: u64) {
        if self.blocking.held.contains_key(&id) && !self.blocking.unblocked.contains(&id) {
            self.blocking.unblocked.push_back(id);
        }
        self.handle_blocked_clients(now);
    }

    /// Runs the commands a client sent while it was blocked, until it blocks again.
    fn run_held_commands(&mut self, id: ClientId, now: u64) {
        while !self.is_blocked(id) && !self.is_postponed(id) && !self.waits_for_busy_script(id) {
            let Some(argv) = self
                .blocking
                .held
                .get_mut(&id)
                .and_then(VecDeque::pop_front)
            else {
                break;
            };
            if !self.clients.contains_key(&id) {
                break;
            }
            let replies = self.execute_now(id, argv, now);
            if let Some(client) = self.clients.get_mut(&id) {
                client.outbound.extend(replies);
            }
            self.serve_ready_keys(now);
        }
        if self.blocking.held.get(&id).is_some_and(VecDeque::is_empty) {
            self.blocking.held.remove(&id);
        }
    }

    /// Redis's handleBlockedClientsTimeout: clients whose deadline is before `now` get their
    /// timeout reply.
    pub(crate) fn time_out_blocked_clients(&mut self, now: u64) {
        while let Some(&(deadline, id)) = self.blocking.timeouts.first() {
            if deadline >= now {
                break;
            }
            self.blocking.timeouts.pop_first();
            if let Some(blocked) = self.unblock(id) {
                self.deliver(id, blocked.timeout_reply, None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(text: &str) -> Result<u64, String> {
        parse_timeout(text.as_bytes(), TimeoutUnit::Seconds).map_err(|e| match e {
            Reply::Error(e) => e,
            other => format!("{other:?}"),
        })
    }

    #[test]
    fn timeouts_round_up_to_milliseconds() {
        assert_eq!(millis("0"), Ok(0));
        assert_eq!(millis("0.1"), Ok(100));
        assert_eq!(millis("1.5"), Ok(1500));
        assert_eq!(millis("0.0001"), Ok(1));
        assert_eq!(millis("-0.0001"), Ok(0));
        assert_eq!(millis("1e-300"), Ok(1));
        assert_eq!(millis("0x10"), Ok(16000));
        assert_eq!(millis("9223372036854775.807"), Ok(i64::MAX as u64));
        let negative = Err("ERR timeout is negative".to_string());
        assert_eq!(millis("9223372036854775.808"), negative);
        assert_eq!(millis("-1"), negative);
        assert_eq!(millis("inf"), negative);
        assert_eq!(millis("1e400"), negative);
        let invalid = Err("ERR timeout is not a float or out of range".to_string());
        for bad in ["", "abc", " 1", "1 ", "nan", "1e-5000"] {
            assert_eq!(millis(bad), invalid, "{bad:?}");
        }
    }

    #[test]
    fn deadlines_past_the_clock_range_never_come() {
        assert_eq!(deadline_after(1000, 0), None);
        assert_eq!(deadline_after(1000, 5), Some(1005));
        assert_eq!(deadline_after(1000, i64::MAX as u64), None);
    }
}
