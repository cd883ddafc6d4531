//! Functions: libraries loaded with FUNCTION LOAD (`#!lua name=<lib>` code that calls
//! `redis.register_function`), called with FCALL/FCALL_RO, listed, deleted, dumped and
//! restored.

use std::collections::{BTreeMap, HashMap};

use mlua::{Function, Value};

use super::api::{valid_name, RegisteredFunction};
use super::dump::{self, PayloadError};
use super::engine::{Mode, ScriptVm, Shared};
use super::eval::parse_numkeys;
use super::flags::{c_str, ScriptFlags};
use super::run::{error_message, invoke, is_budget_error, lua_text, Invocation};
use super::vm::VmLimits;
use crate::cli::split_args;
use crate::resp::Reply;
use crate::server::{Call, Server};

const INVALID_NAME: &str = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

pub struct FunctionEntry {
    pub name: Vec<u8>,
    pub description: Option<Vec<u8>>,
    pub flags: ScriptFlags,
    callback: Function,
}

pub struct Library {
    pub name: Vec<u8>,
    /// The whole code, shebang included (FUNCTION LIST WITHCODE, FUNCTION DUMP).
    pub code: Vec<u8>,
    pub functions: Vec<FunctionEntry>,
}

/// A set of libraries and the index of their functions (names match without regard to case).
#[derive(Default)]
pub struct Libraries {
    libraries: BTreeMap<Vec<u8>, Library>,
    /// Lowercase function name → library name.
    index: HashMap<Vec<u8>, Vec<u8>>,
}

impl Libraries {
    fn link(&mut self, library: Library) {
        for f in &library.functions {
            self.index
                .entry(f.name.to_ascii_lowercase())
                .or_insert_with(|| library.name.clone());
        }
        self.libraries.insert(library.name.clone(), library);
    }

    fn unlink(&mut self, name: &[u8]) -> Option<Library> {
        let library = self.libraries.remove(name)?;
        for f in &library.functions {
            let key = f.name.to_ascii_lowercase();
            if self.index.get(&key).is_some_and(|owner| owner == name) {
                self.index.remove(&key);
            }
        }
        Some(library)
    }

    fn has_function(&self, name: &[u8]) -> bool {
        self.index.contains_key(&name.to_ascii_lowercase())
    }

    pub(crate) fn function(&self, name: &[u8]) -> Option<&FunctionEntry> {
        let owner = self.index.get(&name.to_ascii_lowercase())?;
        self.libraries
            .get(owner)?
            .functions
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Library> {
        self.libraries.values()
    }

    pub fn library_count(&self) -> usize {
        self.libraries.len()
    }

    pub fn function_count(&self) -> usize {
        self.libraries.values().map(|l| l.functions.len()).sum()
    }

    /// Adds `source`'s libraries (Redis's libraryJoin): with `replace`, same-named libraries
    /// are replaced; any remaining name clash aborts and leaves `self` as it was.
    fn join(&mut self, source: Libraries, replace: bool) -> Result<(), String> {
        let mut replaced = Vec::new();
        for name in source.libraries.keys() {
            if self.libraries.contains_key(name) {
                if !replace {
                    self.relink(replaced);
                    return Err(format!(
                        "Library {} already exists",
                        String::from_utf8_lossy(name)
                    ));
                }
                if let Some(old) = self.unlink(name) {
                    replaced.push(old);
                }
            }
        }
        for library in source.libraries.values() {
            if let Some(f) = library
                .functions
                .iter()
                .find(|f| self.has_function(&f.name))
            {
                let msg = format!(
                    "Function {} already exists",
                    String::from_utf8_lossy(&f.name)
                );
                self.relink(replaced);
                return Err(msg);
            }
        }
        for (_, library) in source.libraries {
            self.link(library);
        }
        Ok(())
    }

    fn relink(&mut self, libraries: Vec<Library>) {
        for library in libraries {
            self.link(library);
        }
    }
}

/// The functions interpreter and the loaded libraries.
pub struct FunctionEngine {
    pub vm: ScriptVm,
    pub libraries: Libraries,
}

/// A library's shebang: `#!<engine> name=<name>`.
struct Metadata {
    engine: Vec<u8>,
    name: Vec<u8>,
    /// The code after the shebang line (its newline included, to keep line numbers).
    code_start: usize,
}

fn parse_metadata(payload: &[u8]) -> Result<Metadata, String> {
    let text = c_str(payload);
    if !text.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(line_end) = text.iter().position(|&b| b == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    let parts = match split_args(&text[..line_end]) {
        Ok(parts) if !parts.is_empty() => parts,
        _ => return Err("Invalid library metadata".into()),
    };
    let engine = parts[0].get(2..).unwrap_or_default().to_vec();
    let mut name = None;
    for part in &parts[1..] {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "Invalid metadata value, name argument was given multiple times".into(),
                );
            }
            name = Some(part[5..].to_vec());
            continue;
        }
        return Err(format!(
            "Invalid metadata value given: {}",
            String::from_utf8_lossy(c_str(part))
        ));
    }
    let Some(name) = name else {
        return Err("Library name was not given".into());
    };
    Ok(Metadata {
        engine,
        name,
        code_start: line_end,
    })
}

/// What a failed FUNCTION LOAD run reports (Redis reads the error without a handler).
fn load_error_message(error: &Value) -> String {
    match error {
        Value::String(_) | Value::Integer(_) | Value::Number(_) => {
            format!("ERR {}", lua_text(error))
        }
        Value::Table(t) => match t.get::<Value>("err") {
            Ok(v @ (Value::String(_) | Value::Integer(_) | Value::Number(_))) => lua_text(&v),
            _ => "(null)".into(),
        },
        Value::Error(e) if is_budget_error(e) => "ERR FUNCTION LOAD timeout".into(),
        Value::Error(e) => format!("ERR {}", error_message(e)),
        _ => "(null)".into(),
    }
}

impl FunctionEngine {
    pub fn new(limits: VmLimits, shared: &Shared) -> Result<FunctionEngine, String> {
        let vm = ScriptVm::new(Mode::Functions, limits, shared)
            .map_err(|e| format!("ERR {}", error_message(&e)))?;
        Ok(FunctionEngine {
            vm,
            libraries: Libraries::default(),
        })
    }

    /// Runs a library's code and collects the functions it registers.
    fn evaluate(&self, code: &[u8], budget: u64) -> Result<Vec<RegisteredFunction>, String> {
        let chunk = self
            .vm
            .compile(code, "@user_function")
            .map_err(|e| format!("Error compiling function: {e}"))?;
        *self.vm.load.borrow_mut() = Some(Vec::new());
        let outcome = self
            .vm
            .vm
            .begin_run(budget, super::vm::RunEnd::Stop)
            .and_then(|()| self.vm.use_load_api(true))
            .and_then(|()| self.vm.pcall.call::<(bool, Value)>(chunk));
        let _ = self.vm.use_load_api(false);
        let registered = self.vm.load.borrow_mut().take().unwrap_or_default();
        match outcome {
            Ok((true, _)) => Ok(registered),
            Ok((false, error)) => Err(format!(
                "Error registering functions: {}",
                load_error_message(&error)
            )),
            Err(e) => Err(format!(
                "Error registering functions: {}",
                load_error_message(&Value::Error(Box::new(e)))
            )),
        }
    }

    /// Redis's functionsCreateWithLibraryCtx: loads `payload` into `target` (the live libraries
    /// or a restore's scratch set). Returns the library name or the error text.
    fn create_library(
        &self,
        target: &mut Libraries,
        payload: &[u8],
        replace: bool,
        budget: u64,
    ) -> Result<Vec<u8>, String> {
        let md = parse_metadata(payload)?;
        if !valid_name(&md.name) {
            return Err(INVALID_NAME.into());
        }
        if !md.engine.eq_ignore_ascii_case(b"LUA") {
            return Err(format!(
                "Engine '{}' not found",
                String::from_utf8_lossy(&md.engine)
            ));
        }
        if target.libraries.contains_key(&md.name) && !replace {
            return Err(format!(
                "Library '{}' already exists",
                String::from_utf8_lossy(&md.name)
            ));
        }
        let old = target.unlink(&md.name);
        let restore_old = |target: &mut Libraries, old: Option<Library>| {
            if let Some(old) = old {
                target.link(old);
            }
        };
        let registered = match self.evaluate(&payload[md.code_start..], budget) {
            Ok(r) => r,
            Err(e) => {
                restore_old(target, old);
                return Err(e);
            }
        };
        if registered.is_empty() {
            restore_old(target, old);
            return Err("No functions registered".into());
        }
        if let Some(clash) = registered.iter().find(|f| target.has_function(&f.name)) {
            let msg = format!(
                "Function {} already exists",
                String::from_utf8_lossy(&clash.name)
            );
            restore_old(target, old);
            return Err(msg);
        }
        let library = Library {
            name: md.name.clone(),
            code: payload.to_vec(),
            functions: registered
                .into_iter()
                .map(|f| FunctionEntry {
                    name: f.name,
                    description: f.description,
                    flags: f.flags,
                    callback: f.callback,
                })
                .collect(),
        };
        target.link(library);
        Ok(md.name)
    }

    /// FUNCTION LOAD.
    pub fn load(&mut self, code: &[u8], replace: bool, budget: u64) -> Result<Vec<u8>, String> {
        let mut libraries = std::mem::take(&mut self.libraries);
        let result = self.create_library(&mut libraries, code, replace, budget);
        self.libraries = libraries;
        result
    }

    /// FUNCTION DELETE.
    pub fn delete(&mut self, name: &[u8]) -> bool {
        self.libraries.unlink(name).is_some()
    }

    pub fn flush(&mut self) {
        self.libraries = Libraries::default();
    }

    pub fn dump(&self) -> Vec<u8> {
        dump::dump(self.libraries.iter().map(|l| l.code.as_slice()))
    }

    /// FUNCTION RESTORE with its policy (`flush`, or `replace` for REPLACE, else APPEND).
    pub fn restore(
        &mut self,
        payload: &[u8],
        flush: bool,
        replace: bool,
        budget: u64,
    ) -> Result<(), String> {
        let codes = dump::restore(payload).map_err(|e| match e {
            PayloadError::Envelope => "DUMP payload version or checksum are wrong".to_string(),
            PayloadError::Record(msg) => msg,
        })?;
        let mut scratch = Libraries::default();
        for code in codes {
            self.create_library(&mut scratch, &code, false, budget)?;
        }
        if flush {
            self.libraries = scratch;
            return Ok(());
        }
        self.libraries.join(scratch, replace)
    }

    /// FUNCTION LIST.
    pub fn list(&self, pattern: Option<&[u8]>, with_code: bool) -> Reply {
        let mut out = Vec::new();
        for library in self.libraries.iter() {
            if pattern.is_some_and(|p| !crate::glob::matches(p, &library.name, true)) {
                continue;
            }
            let functions = library
                .functions
                .iter()
                .map(|f| {
                    Reply::Map(vec![
                        (Reply::bulk("name"), Reply::Bulk(f.name.clone())),
                        (
                            Reply::bulk("description"),
                            f.description.clone().map_or(Reply::Null, Reply::Bulk),
                        ),
                        (
                            Reply::bulk("flags"),
                            Reply::Set(f.flags.names().into_iter().map(Reply::simple).collect()),
                        ),
                    ])
                })
                .collect();
            let mut entry = vec![
                (
                    Reply::bulk("library_name"),
                    Reply::Bulk(library.name.clone()),
                ),
                (Reply::bulk("engine"), Reply::bulk("LUA")),
                (Reply::bulk("functions"), Reply::Array(functions)),
            ];
            if with_code {
                entry.push((
                    Reply::bulk("library_code"),
                    Reply::Bulk(library.code.clone()),
                ));
            }
            out.push(Reply::Map(entry));
        }
        Reply::Array(out)
    }
}

/// FCALL and FCALL_RO.
pub fn fcall(srv: &mut Server, call: &Call, read_only: bool) -> Reply {
    let engine = match srv.scripting.take_functions() {
        Ok(engine) => engine,
        Err(reply) => return reply,
    };
    let reply = fcall_with(srv, call, &engine, read_only);
    srv.scripting.put_functions(engine);
    reply
}

fn fcall_with(srv: &mut Server, call: &Call, engine: &FunctionEngine, read_only: bool) -> Reply {
    let Some(function) = engine.libraries.function(call.arg(1)) else {
        return Reply::error("ERR Function not found");
    };
    let numkeys = match parse_numkeys(call, "ERR Bad number of keys provided") {
        Ok(n) => n,
        Err(reply) => return reply,
    };
    let name = String::from_utf8_lossy(&function.name).into_owned();
    let inv = Invocation {
        name: &name,
        flags: function.flags,
        read_only_command: read_only,
        keys: &call.argv[3..3 + numkeys],
        args: &call.argv[3 + numkeys..],
    };
    let budget = srv.script_run_budget();
    let callback = function.callback.clone();
    let pausable = super::eval::pausable(srv, call);
    let outcome = invoke(srv, call, &engine.vm, &callback, &inv, budget, pausable);
    srv.settle_run(outcome, super::engine::Mode::Functions, call, name)
}
