//! Running one script or function: the checks Redis makes before it starts (script flags
//! against `*_RO` commands and the memory limit), the client the script's commands run as, the
//! call under Redis's error handler, and turning the result or the error into the reply.

use std::cell::RefCell;
use std::ptr::NonNull;

use mlua::thread::ThreadStatus;
use mlua::{Function, IntoLuaMulti, Lua, MultiValue, Table, Thread, Value};

use super::convert::{error_table, lua_to_reply};
use super::engine::{Mode, ScriptVm};
use super::flags::ScriptFlags;
use super::numbers::lua51_number_text;
use super::vm::{RunEnd, BUDGET_EXCEEDED, KILLED};
use crate::client::{Client, ClientId};
use crate::errors;
use crate::resp::{Protocol, Reply};
use crate::server::{Call, Server};

/// The client commands called from a script run as (Redis's "Lua client"). It exists only while
/// a script runs, with the caller's database selected and RESP2 until `redis.setresp(3)`.
pub const SCRIPT_CLIENT_ID: ClientId = ClientId::MAX;

/// Redis's getClientPeerId for a client without a socket.
const NO_PEER: &str = "?:0";

/// What the `redis` API needs to know about the script being run.
pub struct RunContext {
    /// The server, borrowed for the duration of the run (see [`invoke`]).
    server: NonNull<Server>,
    pub now: u64,
    pub read_only: bool,
    pub allow_oom: bool,
    /// Whether the server was over `maxmemory` when the script started.
    pub oom_at_start: bool,
    /// Whether writes were denied by a failed save when the script started (nothing can
    /// save while it runs, so this holds for the whole run).
    pub disk_error_at_start: bool,
    /// Set once the script has run a write command: later checks no longer stop it.
    pub write_dirty: bool,
    /// `redis.set_repl` flags (kept for fidelity; nothing is replicated).
    pub repl_flags: i64,
}

impl RunContext {
    /// The server the script runs against.
    ///
    /// # Safety
    /// Only while the run that created this context lasts (it is removed from its slot before
    /// `invoke` uses the server again), and not while another borrow from it is alive.
    pub unsafe fn server<'a>(&self) -> &'a mut Server {
        &mut *self.server.as_ptr()
    }
}

/// The current run, if any, shared by the Rust functions of the `redis` API.
pub type RunSlot = RefCell<Option<RunContext>>;

/// One script or function to run.
pub struct Invocation<'a> {
    /// The script's SHA-1 or the function's name, as error messages show it.
    pub name: &'a str,
    pub flags: ScriptFlags,
    /// Called with EVAL_RO, EVALSHA_RO or FCALL_RO.
    pub read_only_command: bool,
    pub keys: &'a [Vec<u8>],
    pub args: &'a [Vec<u8>],
}

/// Whether commands that may grow memory are refused right now: Redis's OOM state before the
/// command, after the dispatcher's eviction pass (so memory still over `maxmemory`).
pub fn over_memory_limit(srv: &Server) -> bool {
    srv.config.maxmemory != 0 && srv.used_memory() as u64 > srv.config.maxmemory
}

/// The checks of Redis's scriptPrepareForRun that apply without replication or a cluster.
fn refuse_before_run(srv: &mut Server, call: &Call, inv: &Invocation) -> Option<Reply> {
    if inv.flags.compat {
        return None;
    }
    if !inv.flags.no_writes && srv.writes_denied_by_disk_error() {
        // At the top level Redis refuses such a script as a write command, before EVAL runs.
        if !call.nested {
            return Some(Reply::error(errors::MISCONF_RDB));
        }
        return Some(Reply::error(
            "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.",
        ));
    }
    if !inv.flags.no_writes && inv.read_only_command {
        return Some(Reply::error(
            "ERR Can not execute a script with write flag using *_ro command.",
        ));
    }
    if !(inv.flags.allow_oom || inv.flags.no_writes) && over_memory_limit(srv) {
        // At the top level Redis refuses such a script before running EVAL at all.
        if !call.nested {
            return Some(Reply::error(errors::OOM));
        }
        return Some(Reply::error(
            "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'",
        ));
    }
    None
}

/// What became of a run: its reply, or a pause (the script is still running: Redis's busy
/// script).
pub enum RunOutcome {
    Done(Reply),
    Paused(Box<PausedRun>),
}

/// A script paused between slices, with everything its next slice needs.
pub struct PausedRun {
    /// The thread a pausable run executes in (None: the run cannot pause).
    thread: Option<Thread>,
    /// The script's error name (SHA-1 or function name).
    name: String,
    /// The script client, out of the client table between slices.
    client: Client,
    read_only: bool,
    allow_oom: bool,
    oom_at_start: bool,
    disk_error_at_start: bool,
    /// Whether the script has written: SCRIPT KILL then refuses.
    pub write_dirty: bool,
    repl_flags: i64,
    /// The time its commands see: the script's start, in every slice (Redis freezes it too).
    now: u64,
}

/// Runs `function` for the command `call`. It spends at most `budget` Lua instructions
/// before it pauses (when `pausable`; it then has to be resumed with [`resume`]) or, if it
/// cannot pause, runs on up to the unpausable limit.
pub fn invoke(
    srv: &mut Server,
    call: &Call,
    vm: &ScriptVm,
    function: &Function,
    inv: &Invocation,
    budget: u64,
    pausable: bool,
) -> RunOutcome {
    if let Some(refusal) = refuse_before_run(srv, call, inv) {
        return RunOutcome::Done(refusal);
    }
    let oom_at_start = over_memory_limit(srv);
    let user = srv
        .clients
        .get(&call.client)
        .map_or_else(|| "default".to_string(), |c| c.user.clone());
    // The script's client has no connection: Redis shows its address as `?:0` (SLOWLOG).
    let mut client = Client::new(SCRIPT_CLIENT_ID, call.now, NO_PEER.into());
    client.laddr = NO_PEER.into();
    client.db = call.db;
    client.authenticated = true;
    client.user = user;
    client.internal = true;
    let thread = if pausable {
        match vm.run_thread(&vm.xpcall) {
            Ok(thread) => Some(thread),
            Err(e) => {
                return RunOutcome::Done(plain_error_reply(inv.name, error_message(&e).as_bytes()))
            }
        }
    } else {
        None
    };
    let paused = PausedRun {
        thread: thread.clone(),
        name: inv.name.to_string(),
        client,
        read_only: inv.read_only_command || (!inv.flags.compat && inv.flags.no_writes),
        allow_oom: !inv.flags.compat && inv.flags.allow_oom,
        oom_at_start,
        disk_error_at_start: srv.writes_denied_by_disk_error(),
        write_dirty: false,
        repl_flags: 3,
        now: call.now,
    };
    let start = |vm: &ScriptVm| -> mlua::Result<MultiValue> {
        let lua = vm.vm.lua();
        let end = match &thread {
            Some(t) => RunEnd::Pause(t),
            None => RunEnd::RunOn,
        };
        vm.vm.begin_run(budget, end)?;
        let keys = string_array(lua, inv.keys)?;
        let args = string_array(lua, inv.args)?;
        if vm.mode == Mode::Eval {
            vm.globals.raw_set("KEYS", &keys)?;
            vm.globals.raw_set("ARGV", &args)?;
        }
        let arguments = match vm.mode {
            Mode::Eval => (function, &vm.handler).into_lua_multi(lua)?,
            Mode::Functions => (function, &vm.handler, keys, args).into_lua_multi(lua)?,
        };
        match &thread {
            Some(t) => t.resume(arguments),
            None => vm.xpcall.call(arguments),
        }
    };
    run_slice(srv, vm, paused, start)
}

/// Runs the next slice of a paused script with `budget` instructions.
pub fn resume(srv: &mut Server, vm: &ScriptVm, paused: Box<PausedRun>, budget: u64) -> RunOutcome {
    let Some(thread) = paused.thread.clone() else {
        return RunOutcome::Done(plain_error_reply(&paused.name, b"not paused"));
    };
    run_slice(srv, vm, *paused, |vm: &ScriptVm| {
        vm.vm.continue_run(budget);
        thread.resume(())
    })
}

/// SCRIPT KILL / FUNCTION KILL of a paused script: it fails at its next slice.
pub fn kill(vm: &ScriptVm) {
    vm.vm.kill();
}

/// Runs one slice of a script (`run` starts or resumes it) with the server reachable from the
/// `redis` API, then either keeps it paused or turns its result into the reply.
fn run_slice(
    srv: &mut Server,
    vm: &ScriptVm,
    mut paused: PausedRun,
    run: impl FnOnce(&ScriptVm) -> mlua::Result<MultiValue>,
) -> RunOutcome {
    let client = std::mem::replace(
        &mut paused.client,
        Client::new(SCRIPT_CLIENT_ID, 0, String::new()),
    );
    srv.clients.insert(SCRIPT_CLIENT_ID, client);
    let outcome = {
        *vm.run.borrow_mut() = Some(RunContext {
            server: NonNull::from(&mut *srv),
            now: paused.now,
            read_only: paused.read_only,
            allow_oom: paused.allow_oom,
            oom_at_start: paused.oom_at_start,
            disk_error_at_start: paused.disk_error_at_start,
            write_dirty: paused.write_dirty,
            repl_flags: paused.repl_flags,
        });
        // From here until the slot is emptied the server is reached only through the slot.
        let result = run(vm);
        if let Some(context) = vm.run.borrow_mut().take() {
            paused.write_dirty = context.write_dirty;
            paused.repl_flags = context.repl_flags;
        }
        result
    };
    let client = srv.clients.remove(&SCRIPT_CLIENT_ID);
    let pausing = vm.vm.pause_requested()
        && paused
            .thread
            .as_ref()
            .is_some_and(|t| t.status() == ThreadStatus::Resumable);
    if pausing && outcome.is_ok() {
        if let Some(client) = client {
            paused.client = client;
        }
        return RunOutcome::Paused(Box::new(paused));
    }
    let resp3 = client.is_some_and(|c| c.protocol == Protocol::Resp3);
    let reply = match outcome {
        Ok(values) => {
            let mut values = values.into_iter();
            let ok = matches!(values.next(), Some(Value::Boolean(true)));
            let value = values.next().unwrap_or(Value::Nil);
            if ok {
                lua_to_reply(&value, resp3)
            } else {
                error_reply(&paused.name, &value)
            }
        }
        Err(e) => plain_error_reply(&paused.name, error_message(&e).as_bytes()),
    };
    if let Some(thread) = paused.thread {
        vm.recycle_thread(thread);
    }
    if vm.vm.used_memory() > vm.vm.limits().memory_bytes / 4 * 3 {
        // Close to the cap (a script just ran out of memory, say): collect now so the next
        // script gets its room back.
        let _ = vm.vm.lua().gc_collect();
    }
    RunOutcome::Done(reply)
}

fn string_array(lua: &Lua, items: &[Vec<u8>]) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(items.len(), 0)?;
    for (i, item) in items.iter().enumerate() {
        t.raw_set(i + 1, lua.create_string(item)?)?;
    }
    Ok(t)
}

/// `-<msg> script: <name>, on <source>:<line>.` for an error table, as luaCallFunction does.
fn error_reply(name: &str, error: &Value) -> Reply {
    let Value::Table(t) = error else {
        let msg = match error {
            Value::String(s) => s.as_bytes().to_vec(),
            Value::Integer(_) | Value::Number(_) => lua_text(error).into_bytes(),
            _ => b"execution failure".to_vec(),
        };
        return plain_error_reply(name, &msg);
    };
    let field = |key: &str| -> Option<String> {
        let v: Value = t.get(key).ok()?;
        match v {
            Value::String(_) | Value::Integer(_) | Value::Number(_) => Some(lua_text(&v)),
            _ => None,
        }
    };
    let Some(msg) = field("err") else {
        // Redis 7.0.15 crashes on an error table without a message; answer like a
        // non-table error instead.
        return plain_error_reply(name, b"execution failure");
    };
    let mut text = super::lua51_wording::lua51_wording(&msg);
    if let (Some(source), Some(line)) = (field("source"), field("line")) {
        text.push_str(&format!(" script: {name}, on {source}:{line}."));
    }
    // Redis writes the line as is; newlines would break the protocol, so they become spaces.
    Reply::Error(text.replace(['\r', '\n'], " "))
}

/// The reply for an error that is not a table: `ERR Error running script <name>, <msg>`.
fn plain_error_reply(name: &str, msg: &[u8]) -> Reply {
    let shown = &msg[..msg.len().min(100)];
    let text = format!(
        "ERR Error running script {name}, {}",
        String::from_utf8_lossy(shown)
    );
    Reply::Error(text.trim_matches(['\r', '\n']).replace(['\r', '\n'], " "))
}

/// `lua_tostring` as Lua 5.1 does it (numbers with `%.14g`).
pub fn lua_text(v: &Value) -> String {
    match v {
        Value::String(s) => String::from_utf8_lossy(&s.as_bytes()).into_owned(),
        Value::Integer(i) => lua51_number_text(*i as f64),
        Value::Number(n) => lua51_number_text(*n),
        Value::Nil => "nil".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Table(t) => format!("table: {:p}", t.to_pointer()),
        Value::Function(f) => format!("function: {:p}", f.to_pointer()),
        Value::Thread(t) => format!("thread: {:p}", t.to_pointer()),
        Value::Error(e) => error_message(e),
        other => format!("userdata: {:p}", other.to_pointer()),
    }
}

/// The plain message of an error raised from Rust or by mlua.
pub fn error_message(e: &mlua::Error) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => error_message(cause),
        mlua::Error::RuntimeError(msg) => msg.clone(),
        mlua::Error::MemoryError(_) => "not enough memory".into(),
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Whether an error is the stop of a script that could not be paused.
pub fn is_budget_error(e: &mlua::Error) -> bool {
    is_runtime_error(e, BUDGET_EXCEEDED)
}

/// Whether an error is the stop of a killed script.
fn is_kill_error(e: &mlua::Error) -> bool {
    is_runtime_error(e, KILLED)
}

fn is_runtime_error(e: &mlua::Error, message: &str) -> bool {
    match e {
        mlua::Error::CallbackError { cause, .. } => is_runtime_error(cause, message),
        mlua::Error::RuntimeError(msg) => msg == message,
        _ => false,
    }
}

fn is_memory_error(e: &mlua::Error) -> bool {
    match e {
        mlua::Error::CallbackError { cause, .. } => is_memory_error(cause),
        mlua::Error::MemoryError(_) => true,
        _ => false,
    }
}

/// Frames of the prelude are part of the sandbox's machinery, not the script.
const INTERNAL_SOURCE: &str = "=[redis]";

/// Where an error was raised, as Redis's error handler reports it: the function that raised
/// it, or its caller when that function is a C function (`error`, `redis.call`, ...).
fn error_location(lua: &Lua) -> Option<(String, i64)> {
    let mut candidates = Vec::new();
    // Level 0 is the handler itself.
    for level in 1..64 {
        let frame = lua.inspect_stack(level, |d| {
            let source = d.source();
            (
                source.what == "C",
                source.source.map(|s| s.into_owned()).unwrap_or_default(),
                d.current_line().map_or(-1, |l| l as i64),
            )
        });
        let Some((is_c, source, line)) = frame else {
            break;
        };
        if source == INTERNAL_SOURCE {
            continue;
        }
        candidates.push((is_c, source, line));
        if candidates.len() == 2 {
            break;
        }
    }
    let mut frames = candidates.into_iter();
    let first = frames.next()?;
    let chosen = if first.0 { frames.next()? } else { first };
    Some((chosen.1, chosen.2))
}

/// The message handler scripts run under (Redis's `__redis__err__handler`): turns any error
/// into `{err=..., source=..., line=...}`. Memory errors stay plain strings, as Lua reports
/// them without calling the handler.
pub fn create_error_handler(lua: &Lua) -> mlua::Result<Function> {
    lua.create_function(|lua, err: Value| -> mlua::Result<Value> {
        let table = match &err {
            Value::Table(t) => t.clone(),
            Value::Error(e) if is_memory_error(e) => {
                return Ok(Value::String(lua.create_string("not enough memory")?));
            }
            Value::Error(e) if is_kill_error(e) => error_table(lua, KILLED.as_bytes())?,
            Value::Error(e) if is_budget_error(e) => error_table(lua, BUDGET_EXCEEDED.as_bytes())?,
            other => {
                let t = lua.create_table()?;
                let text = format!("ERR {}", lua_text(other));
                t.raw_set("err", lua.create_string(text)?)?;
                t
            }
        };
        if let Some((source, line)) = error_location(lua) {
            table.raw_set("source", lua.create_string(source)?)?;
            table.raw_set("line", line)?;
        }
        Ok(Value::Table(table))
    })
}
