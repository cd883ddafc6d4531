//! A Lua state set up the way Redis sets up its interpreters: one for EVAL scripts and one for
//! function libraries, each with the sandboxed globals, the `redis` API, the bundled libraries
//! and the error handler.

use std::cell::RefCell;
use std::rc::Rc;

use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, Table, Value};

use super::api::{self, LoadSlot};
use super::base::add_base_functions;
use super::libs;
use super::log::ScriptLog;
use super::rand48::Rand48;
use super::run::{create_error_handler, error_message, RunSlot};
use super::vm::{LuaVm, VmLimits};

const PRELUDE: &str = include_str!("prelude.lua");

/// Lua 5.4's syntax errors spelled as 5.1 spells them where they differ in form: 5.1 quotes
/// `<eof>` and the other token classes, and writes control characters as `char(N)`.
pub fn lua51_syntax_message(msg: &str) -> String {
    let mut out = match msg.strip_suffix(" near <eof>") {
        Some(head) => format!("{head} near '<eof>'"),
        None => msg.to_string(),
    };
    for (token, quoted) in [
        ("<eof> expected", "'<eof>' expected"),
        ("<name> expected", "'<name>' expected"),
        ("<string> expected", "'<string>' expected"),
        ("<number> expected", "'<number>' expected"),
        ("<integer> expected", "'<number>' expected"),
    ] {
        if let Some(at) = out.find(token) {
            if !out[..at].ends_with('\'') {
                out.replace_range(at..at + token.len(), quoted);
            }
        }
    }
    // '<\27>' -> 'char(27)'
    while let Some(start) = out.find("'<\\") {
        let rest = &out[start + 3..];
        let Some(end) = rest.find(">'") else { break };
        let digits = &rest[..end];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        out = format!("{}'char({digits})'{}", &out[..start], &rest[end + 2..]);
    }
    out
}

/// Which interpreter: EVAL's (KEYS/ARGV globals, script cache) or FUNCTION's (libraries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Eval,
    Functions,
}

/// State both interpreters share: the log scripts write to and `math.random`'s generator.
#[derive(Clone, Default)]
pub struct Shared {
    pub log: Rc<RefCell<ScriptLog>>,
    pub rng: Rc<RefCell<Rand48>>,
}

/// The tables the functions environment switches between.
struct EnvSwitch {
    meta: Table,
    load_api: Table,
    runtime_api: Table,
}

pub struct ScriptVm {
    pub vm: LuaVm,
    pub mode: Mode,
    /// The real globals table (scripts see it through a read-only proxy).
    pub globals: Table,
    /// The environment user chunks are compiled with.
    pub env: Table,
    pub handler: Function,
    pub xpcall: Function,
    pub pcall: Function,
    /// Functions mode: the environment's metatable, whose `__index` is the FUNCTION LOAD API
    /// while library code loads and the runtime globals otherwise.
    env_switch: Option<EnvSwitch>,
    pub run: Rc<RunSlot>,
    pub load: Rc<LoadSlot>,
    /// A finished run thread kept for the next run (creating one per run costs more).
    spare_thread: RefCell<Option<mlua::Thread>>,
}

impl ScriptVm {
    pub fn new(mode: Mode, limits: VmLimits, shared: &Shared) -> mlua::Result<ScriptVm> {
        let vm = LuaVm::new(limits)?;
        let lua = vm.lua();
        let xpcall: Function = lua.globals().get("xpcall")?;
        let pcall: Function = lua.globals().get("pcall")?;
        let run: Rc<RunSlot> = Rc::new(RefCell::new(None));
        let load: Rc<LoadSlot> = Rc::new(RefCell::new(None));
        let handler = create_error_handler(lua)?;

        let host = lua.create_table()?;
        host.raw_set(
            "mode",
            match mode {
                Mode::Eval => "eval",
                Mode::Functions => "function",
            },
        )?;
        let libraries = lua.create_table()?;
        libraries.raw_set("cjson", libs::cjson::create(lua)?)?;
        libraries.raw_set("cmsgpack", libs::cmsgpack::create(lua)?)?;
        libraries.raw_set("bit", libs::bit::create(lua)?)?;
        libraries.raw_set("struct", libs::structlib::create(lua)?)?;
        host.raw_set("libs", libraries)?;
        host.raw_set("redis", api::redis_table(lua, mode, shared, &run)?)?;
        if mode == Mode::Functions {
            host.raw_set("load_redis", api::load_table(lua, shared, &load)?)?;
        }
        let (random, randomseed) = api::math_random(lua, shared, &run)?;
        host.raw_set("random", random)?;
        host.raw_set("randomseed", randomseed)?;
        host.raw_set(
            "error_text",
            lua.create_function(|lua, v: Value| match v {
                Value::Error(e) => Ok(Value::String(lua.create_string(error_message(&e))?)),
                other => Ok(other),
            })?,
        )?;
        let killed = vm.exhaustion_probe();
        host.raw_set("is_killed", lua.create_function(move |_, ()| Ok(killed()))?)?;
        let is_run_thread = vm.run_thread_probe();
        host.raw_set(
            "is_run_thread",
            lua.create_function(move |_, thread: Option<mlua::Thread>| {
                Ok(thread.is_some_and(|t| is_run_thread(&t)))
            })?,
        )?;
        host.raw_set("error_handler", handler.clone())?;
        host.raw_set(
            "trampoline",
            lua.create_function(|lua, f: Function| libs::trampoline(lua, f))?,
        )?;
        add_base_functions(lua, &host)?;

        let build: Function = lua
            .load(PRELUDE)
            .set_name("=[redis]")
            .set_mode(ChunkMode::Text)
            .eval()?;
        let built: Table = build.call(host)?;
        let env: Table = built.raw_get("env")?;
        let globals: Table = built.raw_get("globals")?;
        let env_switch = match built.raw_get::<Option<Table>>("env_meta")? {
            Some(meta) => Some(EnvSwitch {
                meta,
                load_api: built.raw_get("load_api")?,
                runtime_api: built.raw_get("runtime_api")?,
            }),
            None => None,
        };
        Ok(ScriptVm {
            vm,
            mode,
            globals,
            env,
            handler,
            xpcall,
            pcall,
            env_switch,
            run,
            load,
            spare_thread: RefCell::new(None),
        })
    }

    /// A thread to run `function` in (a pausable run), reusing the last finished one.
    pub fn run_thread(&self, function: &Function) -> mlua::Result<mlua::Thread> {
        if let Some(thread) = self.spare_thread.borrow_mut().take() {
            if thread.reset(function.clone()).is_ok() {
                return Ok(thread);
            }
        }
        self.lua().create_thread(function.clone())
    }

    /// Keeps a run's thread for the next run, unless the run ended in a way that left hooks
    /// on it (killed or stopped).
    pub fn recycle_thread(&self, thread: mlua::Thread) {
        if !self.vm.budget_exhausted() {
            *self.spare_thread.borrow_mut() = Some(thread);
        }
    }

    pub fn lua(&self) -> &Lua {
        self.vm.lua()
    }

    /// Compiles user code with the sandboxed environment. Errors are Lua's messages.
    pub fn compile(&self, code: &[u8], chunk_name: &str) -> Result<Function, String> {
        if code.first() == Some(&0x1b) {
            // Lua 5.1 (as patched by Redis) reads a precompiled chunk as text.
            let shown = chunk_name.trim_start_matches(['@', '=']);
            return Err(format!("{shown}:1: unexpected symbol near 'char(27)'"));
        }
        self.lua()
            .load(code)
            .set_name(chunk_name)
            .set_mode(ChunkMode::Text)
            .set_environment(self.env.clone())
            .into_function()
            .map_err(|e| lua51_syntax_message(&error_message(&e)))
    }

    /// Functions mode: whether library code being loaded sees the FUNCTION LOAD API. (No Lua
    /// runs here, so it works even right after a run was stopped.)
    pub fn use_load_api(&self, on: bool) -> mlua::Result<()> {
        match &self.env_switch {
            Some(s) => {
                let api = if on { &s.load_api } else { &s.runtime_api };
                s.meta.raw_set("__index", api)
            }
            None => Ok(()),
        }
    }

    /// Bytes the interpreter uses.
    pub fn used_memory(&self) -> usize {
        self.vm.used_memory()
    }
}
