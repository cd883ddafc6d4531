//! EVAL scripts: the script cache (SHA-1 → compiled function and flags) and running scripts
//! for EVAL, EVALSHA, EVAL_RO and EVALSHA_RO.

use std::collections::HashMap;

use mlua::Function;

use super::engine::{Mode, ScriptVm, Shared};
use super::flags::{parse_eval_shebang, ScriptFlags};
use super::run::{invoke, Invocation};
use super::sha1::sha1_hex;
use super::vm::VmLimits;
use super::Scripting;
use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};

pub const NOSCRIPT: &str = "NOSCRIPT No matching script. Please use EVAL.";

struct CachedScript {
    flags: ScriptFlags,
    function: Function,
}

/// The EVAL interpreter and its script cache (SCRIPT FLUSH drops both).
pub struct EvalEngine {
    pub vm: ScriptVm,
    scripts: HashMap<String, CachedScript>,
}

impl EvalEngine {
    pub fn new(limits: VmLimits, shared: &Shared) -> Result<EvalEngine, String> {
        let vm = ScriptVm::new(Mode::Eval, limits, shared)
            .map_err(|e| format!("ERR {}", super::run::error_message(&e)))?;
        Ok(EvalEngine {
            vm,
            scripts: HashMap::new(),
        })
    }

    /// Compiles and caches a script (Redis's luaCreateFunction); returns its SHA-1, or the
    /// error reply's text.
    pub fn create_script(&mut self, body: &[u8]) -> Result<String, String> {
        let sha = sha1_hex(body);
        if self.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let (flags, shebang_len) = parse_eval_shebang(body).map_err(|e| format!("ERR {e}"))?;
        let function = self
            .vm
            .compile(&body[shebang_len..], "@user_script")
            .map_err(|e| format!("ERR Error compiling script (new function): {e}"))?;
        self.scripts
            .insert(sha.clone(), CachedScript { flags, function });
        Ok(sha)
    }

    /// The flags a cached script declared, found by its SHA-1 (any case).
    pub(crate) fn flags_of(&self, sha: &[u8]) -> Option<ScriptFlags> {
        let sha = std::str::from_utf8(sha).ok()?.to_ascii_lowercase();
        self.scripts.get(&sha).map(|s| s.flags)
    }

    pub fn contains(&self, sha: &[u8]) -> bool {
        std::str::from_utf8(sha).is_ok_and(|s| self.scripts.contains_key(&s.to_ascii_lowercase()))
    }

    pub fn script_count(&self) -> usize {
        self.scripts.len()
    }
}

/// The number of keys argument of EVAL-like commands, with `error` for a non-integer.
pub fn parse_numkeys(call: &Call, error: &str) -> Result<usize, Reply> {
    let Some(n) = crate::util::parse_i64(call.arg(2)) else {
        return Err(Reply::error(error));
    };
    let available = call.argc() - 3;
    if n > available as i64 {
        return Err(Reply::error(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    if n < 0 {
        return Err(Reply::error("ERR Number of keys can't be negative"));
    }
    Ok(n as usize)
}

/// EVAL, EVAL_RO (`by_sha` false) and EVALSHA, EVALSHA_RO (`by_sha` true).
pub fn eval(srv: &mut Server, call: &Call, by_sha: bool, read_only: bool) -> Reply {
    if by_sha && call.arg(1).len() != 40 {
        return Reply::error(NOSCRIPT);
    }
    let numkeys = match parse_numkeys(call, errors::NOT_INTEGER) {
        Ok(n) => n,
        Err(reply) => return reply,
    };
    let mut engine = match srv.scripting.take_eval() {
        Ok(engine) => engine,
        Err(reply) => return reply,
    };
    let reply = eval_with(srv, call, &mut engine, by_sha, read_only, numkeys);
    srv.scripting.put_eval(engine);
    reply
}

fn eval_with(
    srv: &mut Server,
    call: &Call,
    engine: &mut EvalEngine,
    by_sha: bool,
    read_only: bool,
    numkeys: usize,
) -> Reply {
    let sha = if by_sha {
        String::from_utf8_lossy(call.arg(1)).to_ascii_lowercase()
    } else {
        match engine.create_script(call.arg(1)) {
            Ok(sha) => sha,
            Err(e) => return Reply::Error(e),
        }
    };
    let Some(script) = engine.scripts.get(&sha) else {
        return Reply::error(NOSCRIPT);
    };
    let function = script.function.clone();
    let inv = Invocation {
        name: &sha,
        flags: script.flags,
        read_only_command: read_only,
        keys: &call.argv[3..3 + numkeys],
        args: &call.argv[3 + numkeys..],
    };
    let budget = srv.script_run_budget();
    let outcome = invoke(
        srv,
        call,
        &engine.vm,
        &function,
        &inv,
        budget,
        pausable(srv, call),
    );
    srv.settle_run(outcome, Mode::Eval, call, format!("f_{sha}"))
}

/// Whether a script run by `call` may pause and become busy: a client's command, or one of
/// its transaction (replayed from the AOF, by an observer client, it runs to its end).
pub(crate) fn pausable(srv: &Server, call: &Call) -> bool {
    srv.clients
        .get(&call.client)
        .is_some_and(|c| !c.observer && !c.internal)
}

impl Scripting {
    /// SCRIPT LOAD.
    pub(crate) fn load_script(&mut self, body: &[u8]) -> Reply {
        let mut engine = match self.take_eval() {
            Ok(engine) => engine,
            Err(reply) => return reply,
        };
        let reply = match engine.create_script(body) {
            Ok(sha) => Reply::Bulk(sha.into_bytes()),
            Err(e) => Reply::Error(e),
        };
        self.put_eval(engine);
        reply
    }
}
