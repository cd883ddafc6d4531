//! A busy script: one that ran past `busy-reply-threshold` (Redis's timed-out script).
//!
//! Redis keeps running such a script and, between stretches of it, serves other clients: they
//! get a BUSY error for everything but a few commands (SCRIPT KILL, FUNCTION KILL, SHUTDOWN
//! NOSAVE, ...), and the script's caller waits for its reply. Here the script's Lua thread is
//! paused when its instructions are spent and the command that started it is left unfinished;
//! the host then runs the script slice by slice ([`Server::run_busy_script`], also called by
//! `tick`), serving other clients between slices, until it ends or is killed.

use std::collections::VecDeque;

use super::engine::Mode;
use super::run::{self, PausedRun, RunOutcome};
use super::{Scripting, INSTRUCTIONS_PER_MS};
use crate::client::ClientId;
use crate::commands::Command;
use crate::propagate::CallFrame;
use crate::resp::Reply;
use crate::server::{Call, Server};

/// Lua instructions in one slice of a busy script: about 20 ms of script time, so a host
/// serves other clients (and a page its events) between slices.
const SLICE_INSTRUCTIONS: u64 = 20 * INSTRUCTIONS_PER_MS;

/// The BUSY error while an EVAL script runs.
pub const BUSY_EVAL: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/// The BUSY error while a function runs.
pub const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

/// The unfinished command of a busy script.
pub(crate) struct PendingCommand {
    pub command: Command,
    pub call: Call,
    pub frame: CallFrame,
    /// The host's microsecond count when the command started (its duration in the stats).
    pub start_us: u64,
}

impl PendingCommand {
    /// Keeps a command whose handler returned while its script is busy.
    pub(crate) fn new(command: Command, call: &Call, frame: CallFrame, start_us: u64) -> Self {
        PendingCommand {
            command,
            call: Call {
                client: call.client,
                argv: call.argv.clone(),
                db: call.db,
                spec: call.spec,
                now: call.now,
                nested: call.nested,
                block: None,
            },
            frame,
            start_us,
        }
    }
}

/// A transaction waiting for a busy script among its commands.
pub(crate) struct SuspendedTransaction {
    /// The replies of the commands already run.
    replies: Vec<Reply>,
    /// The commands still to run.
    queued: VecDeque<Vec<Vec<u8>>>,
    /// EXEC itself, filled by `Server::call` once EXEC's handler has returned.
    pub pending: Option<PendingCommand>,
}

/// A script paused past `busy-reply-threshold`.
pub(crate) struct BusyScript {
    run: Box<PausedRun>,
    mode: Mode,
    /// Who runs it: this client's commands wait until it ends.
    pub caller: ClientId,
    /// The function's name, or the script's `f_<sha>` (FUNCTION STATS).
    name: String,
    /// Engine time when the script started.
    started_ms: u64,
    /// Filled by `Server::call` once the handler has returned.
    pub pending: Option<PendingCommand>,
    /// Set by SCRIPT KILL / FUNCTION KILL (the script dies at its next slice).
    kill_requested: bool,
}

impl Scripting {
    /// Keeps what a transaction has left to do once its busy script ends.
    pub(crate) fn suspend_transaction(
        &mut self,
        replies: Vec<Reply>,
        queued: VecDeque<Vec<Vec<u8>>>,
    ) {
        self.suspended_exec = Some(Box::new(SuspendedTransaction {
            replies,
            queued,
            pending: None,
        }));
    }

    /// The client whose script is busy, if one is.
    pub(crate) fn busy_caller(&self) -> Option<ClientId> {
        self.busy.as_ref().map(|b| b.caller)
    }

    /// The BUSY error other clients get now, if a script is busy.
    pub(crate) fn busy_error(&self) -> Option<&'static str> {
        self.busy.as_ref().map(|b| match b.mode {
            Mode::Eval => BUSY_EVAL,
            Mode::Functions => BUSY_FUNCTION,
        })
    }

    /// FUNCTION STATS's `running_script`: name, command and duration of the busy script.
    pub(crate) fn running_script(&self, now_ms: u64) -> Reply {
        let Some(busy) = &self.busy else {
            return Reply::Null;
        };
        let command = busy
            .pending
            .as_ref()
            .map(|p| p.call.argv.iter().map(|a| Reply::Bulk(a.clone())).collect())
            .unwrap_or_default();
        Reply::Map(vec![
            (Reply::bulk("name"), Reply::bulk(&busy.name)),
            (Reply::bulk("command"), Reply::Array(command)),
            (
                Reply::bulk("duration_ms"),
                Reply::Integer(now_ms.saturating_sub(busy.started_ms) as i64),
            ),
        ])
    }
}

impl Server {
    /// Turns a run's outcome into the handler's reply: a paused run makes the script busy,
    /// and the reply is then only a placeholder (`Server::call` leaves the command open).
    pub(crate) fn settle_run(
        &mut self,
        outcome: RunOutcome,
        mode: Mode,
        call: &Call,
        name: String,
    ) -> Reply {
        match outcome {
            RunOutcome::Done(reply) => reply,
            RunOutcome::Paused(run) => {
                self.scripting.busy = Some(Box::new(BusyScript {
                    run,
                    mode,
                    caller: call.client,
                    name,
                    started_ms: call.now,
                    pending: None,
                    kill_requested: false,
                }));
                Reply::Null
            }
        }
    }

    /// Whether a script is busy (the host should call [`Server::run_busy_script`] soon).
    pub fn script_busy(&self) -> bool {
        self.scripting.busy.is_some()
    }

    /// The client whose busy script is running, if one is (a console can offer to kill it).
    pub fn busy_script_caller(&self) -> Option<ClientId> {
        self.scripting.busy_caller()
    }

    /// Runs the next slice of the busy script, if one is; when it ends, its caller gets the
    /// reply and the caller's waiting commands run.
    pub fn run_busy_script(&mut self, now_ms: u64) {
        let Some(mut busy) = self.scripting.busy.take() else {
            return;
        };
        let now = self.tick_clock(now_ms);
        // The script runs for its caller: keys it reads are tracked for it, and what it
        // changes that the caller tracks is told after the caller's reply.
        let previous = self.tracking.current.replace(busy.caller);
        let outcome = match busy.mode {
            Mode::Eval => match self.scripting.take_eval() {
                Ok(engine) => {
                    let outcome = run::resume(self, &engine.vm, busy.run, SLICE_INSTRUCTIONS);
                    self.scripting.put_eval(engine);
                    outcome
                }
                Err(reply) => RunOutcome::Done(reply),
            },
            Mode::Functions => match self.scripting.take_functions() {
                Ok(engine) => {
                    let outcome = run::resume(self, &engine.vm, busy.run, SLICE_INSTRUCTIONS);
                    self.scripting.put_functions(engine);
                    outcome
                }
                Err(reply) => RunOutcome::Done(reply),
            },
        };
        match outcome {
            RunOutcome::Paused(run) => {
                busy.run = run;
                self.scripting.busy = Some(busy);
            }
            RunOutcome::Done(reply) => {
                if busy.kill_requested && reply.is_error() {
                    self.log_warning("Lua script killed by user with SCRIPT KILL.".into());
                }
                self.finish_busy_command(busy.caller, busy.pending.take(), reply, now);
            }
        }
        self.tracking.current = previous;
    }

    /// The busy script has ended with `reply`: its command (and transaction) finishes and
    /// the caller gets the reply, then what it sent meanwhile.
    fn finish_busy_command(
        &mut self,
        caller: ClientId,
        pending: Option<PendingCommand>,
        reply: Reply,
        now: u64,
    ) {
        let Some(pending) = pending else {
            return;
        };
        let reply = self.finish_call(
            pending.command,
            &pending.call,
            reply,
            pending.frame,
            pending.start_us,
        );
        let Some(mut transaction) = self.scripting.suspended_exec.take() else {
            self.deliver_late_reply(caller, reply, now);
            return;
        };
        // The script was one command of a transaction: the rest runs now.
        let Some(exec) = transaction.pending.take() else {
            return;
        };
        transaction.replies.push(reply);
        let reply =
            crate::commands::run_queued(self, &exec.call, transaction.replies, transaction.queued);
        if let Some(again) = self.scripting.suspended_exec.as_mut() {
            // Another of its scripts is busy.
            again.pending = Some(exec);
            return;
        }
        let reply = self.finish_call(exec.command, &exec.call, reply, exec.frame, exec.start_us);
        self.deliver_late_reply(caller, reply, now);
    }

    /// Redis's warning when a script turns busy, `elapsed_ms` after it started.
    pub(crate) fn log_slow_script(&mut self, elapsed_ms: u64) {
        let Some(busy) = &self.scripting.busy else {
            return;
        };
        let command = match busy.mode {
            Mode::Eval => "SCRIPT KILL",
            Mode::Functions => "FUNCTION KILL",
        };
        let name = busy.name.clone();
        self.log_warning(format!(
            "Slow script detected: still in execution after {elapsed_ms} milliseconds. You can \
             try killing the script using the {command} command. Script name is: {name}."
        ));
    }

    /// Hands a reply that comes after its command (a busy script's) to `caller`, then runs
    /// the commands it sent meanwhile.
    fn deliver_late_reply(&mut self, caller: ClientId, reply: Reply, now: u64) {
        if let Some(client) = self.clients.get_mut(&caller) {
            if let Some(reply) = crate::server::apply_reply_mode(client, reply) {
                client.outbound.push_back(reply);
            }
        }
        // Sent after the reply, or dropped if the caller has gone meanwhile.
        self.send_pending_invalidations(caller);
        if !self.clients.contains_key(&caller) {
            return;
        }
        self.release_held_commands(caller, now);
    }

    /// SCRIPT KILL (`eval`) or FUNCTION KILL: Redis's scriptKill.
    pub(crate) fn kill_busy_script(&mut self, eval: bool) -> Reply {
        let Some(busy) = &self.scripting.busy else {
            return Reply::error("NOTBUSY No scripts in execution right now.");
        };
        if busy.run.write_dirty {
            return Reply::error(
                "UNKILLABLE Sorry the script already executed write commands against the \
                 dataset. You can either wait the script termination or kill the server in a \
                 hard way using the SHUTDOWN NOSAVE command.",
            );
        }
        match (eval, busy.mode) {
            (true, Mode::Functions) => return Reply::error(BUSY_FUNCTION),
            (false, Mode::Eval) => return Reply::error(BUSY_EVAL),
            _ => {}
        }
        let killed = match busy.mode {
            Mode::Eval => self.scripting.eval.as_ref().map(|e| &e.vm),
            Mode::Functions => self.scripting.functions.as_ref().map(|f| &f.vm),
        };
        if let Some(vm) = killed {
            run::kill(vm);
        }
        if let Some(busy) = self.scripting.busy.as_mut() {
            busy.kill_requested = true;
        }
        Reply::ok()
    }
}
