//! The `redis` table scripts call: `redis.call`/`pcall` (commands run like Redis's scriptCall
//! runs them), the reply helpers, `sha1hex`, `log`, `setresp`, `set_repl`, `acl_check_cmd`,
//! the constants, the FUNCTION LOAD API (`register_function`), and `math.random`.
//!
//! API errors are raised as Redis raises them: an error table `{err="ERR ..."}` without a
//! position.

use std::cell::RefCell;
use std::rc::Rc;

use mlua::{Function, Lua, MultiValue, Table, Value};

use super::convert::{counted_error_table, error_table, reply_to_lua};
use super::engine::{Mode, Shared};
use super::flags::ScriptFlags;
use super::libs::{host_function, value_to_bytes, Args, LuaFailure, Outcome};
use super::log::{DEFAULT_VERBOSITY, LOG_DEBUG, LOG_NOTICE, LOG_VERBOSE, LOG_WARNING};
use super::numbers::{as_double, c_double_to_i32, lua_number};
use super::rand48::RAND48_MAX;
use super::run::{RunContext, RunSlot, SCRIPT_CLIENT_ID};
use super::sha1::sha1_hex;
use crate::commands::{self, flags, Command, Lookup, Registry};
use crate::resp::{Protocol, Reply};
use crate::server::{Call, Server};
use crate::util::format_g;

pub const REDIS_VERSION: &str = "7.0.15";
/// 0x00MMmmpp
pub const REDIS_VERSION_NUM: i64 = 0x0007_000f;

/// A function registered by library code during FUNCTION LOAD.
pub struct RegisteredFunction {
    pub name: Vec<u8>,
    pub description: Option<Vec<u8>>,
    pub flags: ScriptFlags,
    pub callback: Function,
}

/// The functions registered so far by the FUNCTION LOAD in progress, if one is.
pub type LoadSlot = RefCell<Option<Vec<RegisteredFunction>>>;

fn raise(lua: &Lua, msg: &str) -> mlua::Result<Outcome> {
    Ok(Err(LuaFailure::Raw(Value::Table(error_table(
        lua,
        msg.as_bytes(),
    )?))))
}

fn values(v: impl IntoIterator<Item = Value>) -> Outcome {
    Ok(MultiValue::from_iter(v))
}

/// Builds the `redis` table of an interpreter.
pub fn redis_table(
    lua: &Lua,
    mode: Mode,
    shared: &Shared,
    run: &Rc<RunSlot>,
) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let slot = run.clone();
    t.raw_set(
        "call",
        host_function(lua, move |lua, args| redis_call(lua, &slot, args, true))?,
    )?;
    let slot = run.clone();
    t.raw_set(
        "pcall",
        host_function(lua, move |lua, args| redis_call(lua, &slot, args, false))?,
    )?;
    add_log_and_version(lua, &t, shared)?;
    let slot = run.clone();
    t.raw_set(
        "setresp",
        host_function(lua, move |lua, args| set_resp(lua, &slot, args))?,
    )?;
    t.raw_set("sha1hex", host_function(lua, sha1hex)?)?;
    t.raw_set("error_reply", host_function(lua, error_reply)?)?;
    t.raw_set("status_reply", host_function(lua, status_reply)?)?;
    let slot = run.clone();
    t.raw_set(
        "set_repl",
        host_function(lua, move |lua, args| set_repl(lua, &slot, args))?,
    )?;
    for (name, value) in [
        ("REPL_NONE", 0),
        ("REPL_AOF", 1),
        ("REPL_SLAVE", 2),
        ("REPL_REPLICA", 2),
        ("REPL_ALL", 3),
    ] {
        t.raw_set(name, value)?;
    }
    let slot = run.clone();
    t.raw_set(
        "acl_check_cmd",
        host_function(lua, move |lua, args| acl_check_cmd(lua, &slot, args))?,
    )?;
    if mode == Mode::Eval {
        // Outside a debugging session (which the engine does not offer) these do nothing.
        t.raw_set(
            "breakpoint",
            host_function(lua, |_, _| Ok(values([Value::Boolean(false)])))?,
        )?;
        t.raw_set("debug", host_function(lua, |_, _| Ok(values([])))?)?;
        t.raw_set(
            "replicate_commands",
            host_function(lua, |_, _| Ok(values([Value::Boolean(true)])))?,
        )?;
    }
    Ok(t)
}

/// The `redis` table library code sees while FUNCTION LOAD runs it.
pub fn load_table(lua: &Lua, shared: &Shared, load: &Rc<LoadSlot>) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let slot = load.clone();
    t.raw_set(
        "register_function",
        host_function(lua, move |lua, args| register_function(lua, &slot, args))?,
    )?;
    add_log_and_version(lua, &t, shared)?;
    Ok(t)
}

fn add_log_and_version(lua: &Lua, t: &Table, shared: &Shared) -> mlua::Result<()> {
    let log = shared.log.clone();
    t.raw_set(
        "log",
        host_function(lua, move |lua, args| {
            let args = Args::new(lua, args, "log");
            if args.len() < 2 {
                return raise(lua, "redis.log() requires two arguments or more.");
            }
            let Some(level) = args.to_number(1) else {
                return raise(lua, "First argument must be a number (log level).");
            };
            let level = c_double_to_i32(level);
            if !(i32::from(LOG_DEBUG)..=i32::from(LOG_WARNING)).contains(&level) {
                return raise(lua, "Invalid debug level.");
            }
            if level < i32::from(DEFAULT_VERBOSITY) {
                return Ok(values([]));
            }
            let mut line = Vec::new();
            for n in 2..=args.len() {
                if let Some(bytes) = args.to_bytes(n) {
                    if n != 2 {
                        line.push(b' ');
                    }
                    line.extend_from_slice(&bytes);
                }
            }
            log.borrow_mut().push(level as u8, line);
            Ok(values([]))
        })?,
    )?;
    for (name, level) in [
        ("LOG_DEBUG", LOG_DEBUG),
        ("LOG_VERBOSE", LOG_VERBOSE),
        ("LOG_NOTICE", LOG_NOTICE),
        ("LOG_WARNING", LOG_WARNING),
    ] {
        t.raw_set(name, level)?;
    }
    t.raw_set("REDIS_VERSION_NUM", REDIS_VERSION_NUM)?;
    t.raw_set("REDIS_VERSION", REDIS_VERSION)?;
    Ok(())
}

// ----- redis.call / redis.pcall -----

/// Script arguments as a command line: strings as they are, numbers with `%.17g`.
fn command_line(args: &MultiValue) -> Result<Vec<Vec<u8>>, &'static str> {
    if args.is_empty() {
        return Err("Please specify at least one argument for this redis lib call");
    }
    args.iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.as_bytes().to_vec()),
            Value::Integer(_) | Value::Number(_) => {
                Ok(format_g(as_double(v).unwrap_or(0.0), 17).into_bytes())
            }
            _ => Err("Lua redis lib command arguments must be strings or integers"),
        })
        .collect()
}

/// Why a command was refused before running.
struct Refusal {
    message: &'static str,
    command: Option<Command>,
}

/// Finds the command as Redis's lookupCommand does: unknown commands and subcommands are
/// refused, a container named alone is found (and then fails its arity check).
fn resolve(argv: &[Vec<u8>]) -> Result<Command, Refusal> {
    match commands::lookup(argv) {
        Lookup::Found(c) => Ok(c),
        Lookup::Unknown(_) => {
            let registry = Registry::get();
            let container = commands::spec::find(&argv[0])
                .filter(|s| argv.len() == 1 && registry.is_available(s));
            Err(Refusal {
                message: if container.is_some() {
                    "Wrong number of args calling Redis command from script"
                } else {
                    "Unknown Redis command called from script"
                },
                command: None,
            })
        }
    }
}

/// Redis's scriptCall: the checks a command from a script must pass, then the call itself.
fn run_command(slot: &RunSlot, argv: Vec<Vec<u8>>) -> Result<Reply, Refusal> {
    let command = resolve(&argv)?;
    let spec = command.spec;
    let refuse = |message| {
        Err(Refusal {
            message,
            command: Some(command),
        })
    };
    if !spec.arity_ok(argv.len()) {
        return refuse("Wrong number of args calling Redis command from script");
    }
    if spec.has_flag(flags::NOSCRIPT) {
        return refuse("This Redis command is not allowed from script");
    }
    let (server, now) = {
        let mut guard = slot.borrow_mut();
        let Some(ctx) = guard.as_mut() else {
            return refuse("Unknown Redis command called from script");
        };
        if ctx.read_only && spec.flags & (flags::WRITE | flags::MAY_REPLICATE) != 0 {
            return refuse("Write commands are not allowed from read-only scripts.");
        }
        if spec.has_flag(flags::WRITE) && !ctx.write_dirty && ctx.disk_error_at_start {
            return refuse(crate::errors::MISCONF_RDB_IN_SCRIPT);
        }
        if !ctx.allow_oom && !ctx.write_dirty && ctx.oom_at_start && spec.has_flag(flags::DENYOOM) {
            return refuse("-OOM command not allowed when used memory > 'maxmemory'.");
        }
        if spec.has_flag(flags::WRITE) {
            ctx.write_dirty = true;
        }
        // SAFETY: the run that owns this context is in progress (the slot is only filled while
        // `run::invoke` calls into Lua), and no other borrow of the server is alive here.
        (unsafe { ctx.server() } as *mut Server, ctx.now)
    };
    // SAFETY: as above; the slot borrow is released before the command runs.
    let srv = unsafe { &mut *server };
    let db = srv.clients.get(&SCRIPT_CLIENT_ID).map_or(0, |c| c.db);
    let mut inner = Call {
        client: SCRIPT_CLIENT_ID,
        argv,
        db,
        spec,
        now,
        nested: true,
        block: None,
    };
    Ok(srv.call(command, &mut inner))
}

/// Counts a refused command as Redis does (rejected call, error statistics).
fn count_refusal(slot: &RunSlot, refusal: &Refusal) {
    let guard = slot.borrow();
    let Some(ctx) = guard.as_ref() else {
        return;
    };
    // SAFETY: the run is in progress and nothing else borrows the server at this point.
    let srv = unsafe { ctx.server() };
    if let Some(command) = refusal.command {
        srv.stats
            .commands
            .entry(command.spec.name)
            .or_default()
            .rejected_calls += 1;
    }
    let code = match refusal.message.strip_prefix('-') {
        Some(rest) => rest.split(' ').next().unwrap_or("ERR"),
        None => "ERR",
    };
    *srv.stats.errors.entry(code.to_string()).or_default() += 1;
    srv.stats.total_error_replies += 1;
}

fn redis_call(
    lua: &Lua,
    slot: &RunSlot,
    args: MultiValue,
    raise_errors: bool,
) -> mlua::Result<Outcome> {
    if slot.borrow().is_none() {
        return raise(
            lua,
            "redis.call/pcall can only be called inside a script invocation",
        );
    }
    let argv = match command_line(&args) {
        Ok(argv) => argv,
        Err(msg) => {
            let t = Value::Table(error_table(lua, msg.as_bytes())?);
            return Ok(if raise_errors {
                Err(LuaFailure::Raw(t))
            } else {
                values([t])
            });
        }
    };
    match run_command(slot, argv) {
        Err(refusal) => {
            count_refusal(slot, &refusal);
            let t = Value::Table(counted_error_table(lua, refusal.message.as_bytes())?);
            Ok(if raise_errors {
                Err(LuaFailure::Raw(t))
            } else {
                values([t])
            })
        }
        Ok(reply) => {
            let resp3 = script_protocol(slot) == Protocol::Resp3;
            let value = reply_to_lua(lua, &reply, resp3)?;
            Ok(if raise_errors && reply.is_error() {
                Err(LuaFailure::Raw(value))
            } else {
                values([value])
            })
        }
    }
}

fn with_script_client<R>(
    slot: &RunSlot,
    f: impl FnOnce(&mut crate::client::Client) -> R,
) -> Option<R> {
    let guard = slot.borrow();
    let ctx: &RunContext = guard.as_ref()?;
    // SAFETY: the run is in progress and nothing else borrows the server at this point.
    let srv = unsafe { ctx.server() };
    srv.clients.get_mut(&SCRIPT_CLIENT_ID).map(f)
}

fn script_protocol(slot: &RunSlot) -> Protocol {
    with_script_client(slot, |c| c.protocol).unwrap_or_default()
}

// ----- the other API functions -----

fn set_resp(lua: &Lua, slot: &RunSlot, args: MultiValue) -> mlua::Result<Outcome> {
    if slot.borrow().is_none() {
        return raise(
            lua,
            "redis.setresp can only be called inside a script invocation",
        );
    }
    let args = Args::new(lua, args, "setresp");
    if args.len() != 1 {
        return raise(lua, "redis.setresp() requires one argument.");
    }
    let protocol = match args.to_number(1).map(c_double_to_i32) {
        Some(2) => Protocol::Resp2,
        Some(3) => Protocol::Resp3,
        _ => return raise(lua, "RESP version must be 2 or 3."),
    };
    with_script_client(slot, |c| c.protocol = protocol);
    Ok(values([]))
}

fn set_repl(lua: &Lua, slot: &RunSlot, args: MultiValue) -> mlua::Result<Outcome> {
    if slot.borrow().is_none() {
        return raise(
            lua,
            "redis.set_repl can only be called inside a script invocation",
        );
    }
    let args = Args::new(lua, args, "set_repl");
    if args.len() != 1 {
        return raise(lua, "redis.set_repl() requires two arguments.");
    }
    let flags = args.to_number(1).map_or(0, c_double_to_i32);
    if flags & !3 != 0 {
        return raise(
            lua,
            "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
        );
    }
    if let Some(ctx) = slot.borrow_mut().as_mut() {
        ctx.repl_flags = i64::from(flags);
    }
    Ok(values([]))
}

fn acl_check_cmd(lua: &Lua, slot: &RunSlot, args: MultiValue) -> mlua::Result<Outcome> {
    if slot.borrow().is_none() {
        return raise(
            lua,
            "redis.acl_check_cmd can only be called inside a script invocation",
        );
    }
    let argv = match command_line(&args) {
        Ok(argv) => argv,
        Err(msg) => return raise(lua, msg),
    };
    // Redis's lookupCommand: a known command, or a known subcommand of a container.
    let known = match commands::spec::find(&argv[0]) {
        Some(spec) if argv.len() > 1 && !spec.subcommands.is_empty() => {
            spec.subcommand(&argv[1]).is_some()
        }
        Some(_) => true,
        None => false,
    };
    if !known {
        return raise(lua, "Invalid command passed to redis.acl_check_cmd()");
    }
    // Without ACL users every client has every permission.
    Ok(values([Value::Boolean(true)]))
}

fn sha1hex(lua: &Lua, args: MultiValue) -> mlua::Result<Outcome> {
    let args = Args::new(lua, args, "sha1hex");
    if args.len() != 1 {
        return raise(lua, "wrong number of arguments");
    }
    let data = args.to_bytes(1).unwrap_or_default();
    Ok(values([Value::String(lua.create_string(sha1_hex(&data))?)]))
}

fn error_reply(lua: &Lua, args: MultiValue) -> mlua::Result<Outcome> {
    let args = Args::new(lua, args, "error_reply");
    let Some(Value::String(s)) = args.get(1).filter(|_| args.len() == 1) else {
        let t = error_table(lua, b"wrong number or type of arguments")?;
        return Ok(values([Value::Table(t)]));
    };
    let bytes = s.as_bytes();
    let text = bytes.split(|&b| b == 0).next().unwrap_or(&[]);
    let mut buffer = Vec::with_capacity(text.len() + 1);
    if text.first() != Some(&b'-') {
        buffer.push(b'-');
    }
    buffer.extend_from_slice(text);
    Ok(values([Value::Table(error_table(lua, &buffer)?)]))
}

fn status_reply(lua: &Lua, args: MultiValue) -> mlua::Result<Outcome> {
    let args = Args::new(lua, args, "status_reply");
    let Some(Value::String(s)) = args.get(1).filter(|_| args.len() == 1) else {
        let t = error_table(lua, b"wrong number or type of arguments")?;
        return Ok(values([Value::Table(t)]));
    };
    let t = lua.create_table()?;
    t.raw_set("ok", s.clone())?;
    Ok(values([Value::Table(t)]))
}

// ----- redis.register_function -----

fn register_function(lua: &Lua, slot: &LoadSlot, args: MultiValue) -> mlua::Result<Outcome> {
    if slot.borrow().is_none() {
        return raise(
            lua,
            "redis.register_function can only be called on FUNCTION LOAD command",
        );
    }
    let args: Vec<Value> = args.into_iter().collect();
    let parsed = match args.len() {
        1 => named_arguments(&args[0]),
        2 => positional_arguments(&args[0], &args[1]),
        _ => Err("wrong number of arguments to redis.register_function"),
    };
    let function = match parsed {
        Ok(f) => f,
        Err(msg) => return raise(lua, msg),
    };
    if !valid_name(&function.name) {
        return raise(
            lua,
            "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
        );
    }
    let mut guard = slot.borrow_mut();
    let Some(registered) = guard.as_mut() else {
        return raise(
            lua,
            "redis.register_function can only be called on FUNCTION LOAD command",
        );
    };
    if registered.iter().any(|f| f.name == function.name) {
        drop(guard);
        return raise(lua, "Function already exists in the library");
    }
    registered.push(function);
    Ok(values([]))
}

/// Function and library names: letters, digits and underscores, at least one.
pub fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

fn c_string_of(v: &Value) -> Option<Vec<u8>> {
    value_to_bytes(v).map(|b| b.split(|&c| c == 0).next().unwrap_or(&[]).to_vec())
}

fn positional_arguments(
    name: &Value,
    callback: &Value,
) -> Result<RegisteredFunction, &'static str> {
    let Some(name) = value_to_bytes(name) else {
        return Err("first argument to redis.register_function must be a string");
    };
    let Value::Function(callback) = callback else {
        return Err("second argument to redis.register_function must be a function");
    };
    Ok(RegisteredFunction {
        name,
        description: None,
        flags: ScriptFlags::default(),
        callback: callback.clone(),
    })
}

fn named_arguments(table: &Value) -> Result<RegisteredFunction, &'static str> {
    let Value::Table(t) = table else {
        return Err("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
    };
    let mut name = None;
    let mut description = None;
    let mut callback = None;
    let mut flags = ScriptFlags::default();
    for pair in t.pairs::<Value, Value>() {
        let Ok((key, value)) = pair else {
            return Err("named argument key given to redis.register_function is not a string");
        };
        let Some(key) = c_string_of(&key) else {
            return Err("named argument key given to redis.register_function is not a string");
        };
        let key = String::from_utf8_lossy(&key).to_ascii_lowercase();
        match key.as_str() {
            "function_name" => {
                match value_to_bytes(&value) {
                    Some(n) => name = Some(n),
                    None => return Err(
                        "function_name argument given to redis.register_function must be a string",
                    ),
                }
            }
            "description" => {
                match value_to_bytes(&value) {
                    Some(d) => description = Some(d),
                    None => return Err(
                        "description argument given to redis.register_function must be a string",
                    ),
                }
            }
            "callback" => match value {
                Value::Function(f) => callback = Some(f),
                _ => {
                    return Err(
                        "callback argument given to redis.register_function must be a function",
                    )
                }
            },
            "flags" => {
                let Value::Table(list) = value else {
                    return Err("flags argument to redis.register_function must be a table representing function flags");
                };
                flags = read_flags(&list).ok_or("unknown flag given")?;
            }
            _ => return Err("unknown argument given to redis.register_function"),
        }
    }
    let Some(name) = name else {
        return Err("redis.register_function must get a function name argument");
    };
    let Some(callback) = callback else {
        return Err("redis.register_function must get a callback argument");
    };
    Ok(RegisteredFunction {
        name,
        description,
        flags,
        callback,
    })
}

/// A function's `flags={...}`: names matched without regard to case.
fn read_flags(list: &Table) -> Option<ScriptFlags> {
    let mut flags = ScriptFlags::default();
    for i in 1.. {
        let v: Value = list.get(i).ok()?;
        if matches!(v, Value::Nil) {
            break;
        }
        let name = c_string_of(&v)?;
        if !flags.set(&name.to_ascii_lowercase()) {
            return None;
        }
    }
    Some(flags)
}

// ----- math.random -----

/// `math.random` and `math.randomseed` on the shared lrand48 generator.
pub fn math_random(
    lua: &Lua,
    shared: &Shared,
    run: &Rc<RunSlot>,
) -> mlua::Result<(Function, Function)> {
    let rng = shared.rng.clone();
    let slot = run.clone();
    let random = host_function(lua, move |lua, args| {
        if slot.borrow().is_none() {
            return Ok(super::libs::fail(
                "math.random can only be called inside a script invocation",
            ));
        }
        let args = Args::new(lua, args, "random");
        let r = f64::from(rng.borrow_mut().next() % RAND48_MAX) / f64::from(RAND48_MAX);
        let result = match args.len() {
            0 => r,
            1 => {
                let u = match args.check_int(1) {
                    Ok(u) => u,
                    Err(e) => return Ok(Err(e)),
                };
                if u < 1 {
                    return Ok(args.arg_error(1, "interval is empty"));
                }
                (r * f64::from(u)).floor() + 1.0
            }
            2 => {
                let (l, u) = match (args.check_int(1), args.check_int(2)) {
                    (Ok(l), Ok(u)) => (l, u),
                    (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
                };
                if l > u {
                    return Ok(args.arg_error(2, "interval is empty"));
                }
                let span = u.wrapping_sub(l).wrapping_add(1);
                (r * f64::from(span)).floor() + f64::from(l)
            }
            _ => return Ok(super::libs::fail("wrong number of arguments")),
        };
        Ok(values([lua_number(result)]))
    })?;
    let rng = shared.rng.clone();
    let slot = run.clone();
    let randomseed = host_function(lua, move |lua, args| {
        if slot.borrow().is_none() {
            return Ok(super::libs::fail(
                "math.randomseed can only be called inside a script invocation",
            ));
        }
        let args = Args::new(lua, args, "randomseed");
        match args.check_int(1) {
            Ok(seed) => {
                rng.borrow_mut().seed(seed);
                Ok(values([]))
            }
            Err(e) => Ok(Err(e)),
        }
    })?;
    Ok((random, randomseed))
}
