//! Redis 7.0 scripting: EVAL scripts and FUNCTION libraries on Lua 5.4 (via mlua), made to
//! behave like Redis's Lua 5.1: the same sandbox and globals, the `redis` API, the reply
//! conversions, the bundled cjson/cmsgpack/bit/struct libraries, and the same error texts.
//!
//! A script's running time is counted in Lua instructions: past `busy-reply-threshold`'s worth
//! the script is paused and becomes busy, as in Redis (see `busy.rs`). See
//! `docs/lua-differences.md` for what remains different from Redis's Lua 5.1.

mod api;
mod base;
mod busy;
mod convert;
pub(crate) mod dump;
mod engine;
mod eval;
mod flags;
mod functions;
mod libs;
mod log;
mod lua51_wording;
mod numbers;
mod rand48;
mod run;
mod sha1;
mod vm;

pub(crate) use busy::PendingCommand;
pub use busy::{BUSY_EVAL, BUSY_FUNCTION};
pub use log::LogLine;
pub(crate) use run::SCRIPT_CLIENT_ID;
pub use vm::{LuaVm, VmLimits, BUDGET_EXCEEDED};

pub(crate) use eval::eval;
pub(crate) use functions::fcall;
pub(crate) use functions::FunctionEngine;

use engine::Shared;
use eval::EvalEngine;

use crate::resp::Reply;
use crate::server::Server;

/// Lua instructions counted as one millisecond of script time. A runaway script is stopped
/// after `busy-reply-threshold` milliseconds of them; a FUNCTION LOAD after 500 ms of them.
pub const INSTRUCTIONS_PER_MS: u64 = 100_000;

/// The threshold used when `busy-reply-threshold` is 0 (no limit in Redis): a script must end
/// some time, or the page would freeze.
const DEFAULT_BUSY_REPLY_THRESHOLD_MS: u64 = 5000;

/// Redis's limit on running library code during FUNCTION LOAD.
const FUNCTION_LOAD_TIMEOUT_MS: u64 = 500;

/// Limits on scripts besides their running time (which is `busy-reply-threshold`).
#[derive(Clone, Copy, Debug)]
pub struct ScriptLimits {
    /// Memory each interpreter (EVAL's, FUNCTION's) may use.
    pub memory_bytes: usize,
    /// Lua instructions a script may run where it cannot be paused (see `vm.rs`) before it
    /// is stopped.
    pub unpausable_instructions: u64,
}

impl Default for ScriptLimits {
    fn default() -> Self {
        ScriptLimits {
            memory_bytes: 64 << 20,
            unpausable_instructions: vm::UNPAUSABLE_LIMIT,
        }
    }
}

/// Everything scripting keeps: the two interpreters (created on first use), the script cache
/// and the function libraries they hold, the script log and the random generator.
#[derive(Default)]
pub struct Scripting {
    eval: Option<Box<EvalEngine>>,
    functions: Option<Box<FunctionEngine>>,
    shared: Shared,
    limits: ScriptLimits,
    /// The script running past `busy-reply-threshold`, if any (see `busy.rs`).
    pub(crate) busy: Option<Box<busy::BusyScript>>,
    /// The transaction that busy script belongs to, if any.
    pub(crate) suspended_exec: Option<Box<busy::SuspendedTransaction>>,
}

impl Scripting {
    fn vm_limits(&self, instructions: u64) -> VmLimits {
        VmLimits {
            memory_bytes: self.limits.memory_bytes,
            instruction_budget: instructions,
            unpausable_instructions: self.limits.unpausable_instructions,
        }
    }

    /// The instruction budget of one script run: `busy-reply-threshold` (`lua-time-limit`)
    /// milliseconds' worth.
    pub(crate) fn run_budget(&self, busy_reply_threshold_ms: i64) -> u64 {
        let ms = match u64::try_from(busy_reply_threshold_ms) {
            Ok(0) | Err(_) => DEFAULT_BUSY_REPLY_THRESHOLD_MS,
            Ok(ms) => ms,
        };
        ms.saturating_mul(INSTRUCTIONS_PER_MS)
    }

    /// The instruction budget of running library code in FUNCTION LOAD.
    pub(crate) fn load_budget(&self) -> u64 {
        FUNCTION_LOAD_TIMEOUT_MS.saturating_mul(INSTRUCTIONS_PER_MS)
    }

    /// Takes the EVAL engine out (creating it if needed) for the duration of a command.
    pub(crate) fn take_eval(&mut self) -> Result<Box<EvalEngine>, Reply> {
        match self.eval.take() {
            Some(engine) => Ok(engine),
            None => EvalEngine::new(self.vm_limits(self.load_budget()), &self.shared)
                .map(Box::new)
                .map_err(Reply::Error),
        }
    }

    /// What the script or function a command is about to run declares, as Redis's
    /// evalGetCommandFlags and fcallGetCommandFlags find it: EVAL's shebang, EVALSHA's cached
    /// script, FCALL's function. None when it is not known yet (an unknown SHA or function, a
    /// shebang that does not parse) or for other commands.
    pub(crate) fn declared_flags(
        &self,
        command: &str,
        argv: &[Vec<u8>],
    ) -> Option<flags::ScriptFlags> {
        let target = argv.get(1)?;
        match command {
            "eval" | "eval_ro" => flags::parse_eval_shebang(target).ok().map(|(f, _)| f),
            "evalsha" | "evalsha_ro" => self.eval.as_ref()?.flags_of(target),
            "fcall" | "fcall_ro" => self
                .functions
                .as_ref()?
                .libraries
                .function(target)
                .map(|f| f.flags),
            _ => None,
        }
    }

    pub(crate) fn put_eval(&mut self, engine: Box<EvalEngine>) {
        self.eval = Some(engine);
    }

    /// Takes the functions engine out (creating it if needed) for the duration of a command.
    pub(crate) fn take_functions(&mut self) -> Result<Box<FunctionEngine>, Reply> {
        match self.functions.take() {
            Some(engine) => Ok(engine),
            None => FunctionEngine::new(self.vm_limits(self.load_budget()), &self.shared)
                .map(Box::new)
                .map_err(Reply::Error),
        }
    }

    pub(crate) fn put_functions(&mut self, engine: Box<FunctionEngine>) {
        self.functions = Some(engine);
    }

    /// SCRIPT FLUSH: a fresh interpreter and an empty script cache.
    pub(crate) fn flush_scripts(&mut self) {
        self.eval = None;
    }

    /// SCRIPT EXISTS for one SHA-1.
    pub(crate) fn script_exists(&self, sha: &[u8]) -> bool {
        self.eval.as_ref().is_some_and(|e| e.contains(sha))
    }

    /// The code of every loaded function library, in name order (for persistence).
    pub(crate) fn library_codes(&self) -> Vec<Vec<u8>> {
        self.functions.as_ref().map_or_else(Vec::new, |f| {
            f.libraries.iter().map(|l| l.code.clone()).collect()
        })
    }

    /// Library and function counts (FUNCTION STATS, INFO).
    pub(crate) fn function_counts(&self) -> (usize, usize) {
        self.functions.as_ref().map_or((0, 0), |f| {
            (f.libraries.library_count(), f.libraries.function_count())
        })
    }
}

/// Scripting figures INFO reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScriptingStats {
    /// `used_memory_lua`: bytes of the EVAL interpreter.
    pub eval_memory: usize,
    /// `number_of_cached_scripts`.
    pub cached_scripts: usize,
    /// `used_memory_vm_functions`: bytes of the functions interpreter.
    pub functions_memory: usize,
    pub libraries: usize,
    pub functions: usize,
}

impl Server {
    /// The instruction budget of one script run, from `busy-reply-threshold`.
    pub(crate) fn script_run_budget(&self) -> u64 {
        self.scripting.run_budget(self.config.busy_reply_threshold)
    }

    /// Sets the memory each script interpreter may use (scripts' running time is the
    /// `busy-reply-threshold` setting). Interpreters already created keep their limit until
    /// SCRIPT FLUSH (EVAL's) or for good (FUNCTION's).
    pub fn set_script_limits(&mut self, limits: ScriptLimits) {
        self.scripting.limits = limits;
    }

    pub fn script_limits(&self) -> ScriptLimits {
        self.scripting.limits
    }

    /// Takes the lines scripts wrote with `redis.log` since the last call.
    pub fn take_script_log(&mut self) -> Vec<LogLine> {
        self.scripting.shared.log.borrow_mut().take()
    }

    /// Scripting memory and counts, for INFO.
    pub fn scripting_stats(&self) -> ScriptingStats {
        let s = &self.scripting;
        let (libraries, functions) = s.function_counts();
        ScriptingStats {
            eval_memory: s.eval.as_ref().map_or(0, |e| e.vm.used_memory()),
            cached_scripts: s.eval.as_ref().map_or(0, |e| e.script_count()),
            functions_memory: s.functions.as_ref().map_or(0, |f| f.vm.used_memory()),
            libraries,
            functions,
        }
    }
}

impl Scripting {
    /// Every function library's code, as RDB files save them.
    pub(crate) fn function_library_codes(&self) -> Vec<Vec<u8>> {
        self.functions.as_ref().map_or_else(Vec::new, |f| {
            f.libraries.iter().map(|l| l.code.clone()).collect()
        })
    }
}

impl Server {
    /// Installs function libraries from a snapshot: in place of the current ones (`flush`),
    /// or added to them (replacing libraries of the same name if `replace`). Nothing changes
    /// if one of them fails to load.
    pub(crate) fn install_function_libraries(
        &mut self,
        codes: &[Vec<u8>],
        flush: bool,
        replace: bool,
    ) -> Result<(), String> {
        if codes.is_empty() && (!flush || self.scripting.functions.is_none()) {
            return Ok(());
        }
        let mut engine = self
            .scripting
            .take_functions()
            .map_err(|reply| match reply {
                Reply::Error(e) => e,
                _ => "Failed creating the library".to_string(),
            })?;
        let budget = self.scripting.load_budget();
        let payload = dump::dump(codes.iter().map(|c| c.as_slice()));
        let result = engine.restore(&payload, flush, replace, budget);
        self.scripting.put_functions(engine);
        result
    }
}
