//! Runs differential scripts against the real Redis and the engine and collects every
//! mismatch.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use emulator::commands::Registry;
use emulator::resp::Protocol;

use crate::admin::Admin;
use crate::compare::{agree, decode_all, escape, shape, Mode};
use crate::real_redis::RealRedis;
use crate::script::{self, Action, Script};
use crate::twin::{Exchange, Twin};

/// Which scripts to run and how loudly. Built from the environment by [`Options::from_env`]:
/// - `DIFFERENTIAL_FILTER=strings,keys`: only files whose name contains one of the words;
/// - `DIFFERENTIAL_PROTOCOL=2` or `3`: only that protocol's pass;
/// - `DIFFERENTIAL_VERBOSE=1`: print every compared case, not only mismatches;
/// - `DIFFERENTIAL_DIR=path`: read scripts from another directory.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub filter: Vec<String>,
    pub protocol: Option<Protocol>,
    pub verbose: bool,
}

impl Options {
    pub fn from_env(default_dir: &Path) -> Options {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Options {
            dir: var("DIFFERENTIAL_DIR").map_or_else(|| default_dir.to_path_buf(), PathBuf::from),
            filter: var("DIFFERENTIAL_FILTER")
                .map(|f| f.split(',').map(|w| w.trim().to_string()).collect())
                .unwrap_or_default(),
            protocol: match var("DIFFERENTIAL_PROTOCOL").as_deref() {
                Some("2") => Some(Protocol::Resp2),
                Some("3") => Some(Protocol::Resp3),
                _ => None,
            },
            verbose: var("DIFFERENTIAL_VERBOSE").is_some_and(|v| v != "0"),
        }
    }

    fn selects(&self, file_name: &str) -> bool {
        self.filter.is_empty() || self.filter.iter().any(|w| file_name.contains(w.as_str()))
    }
}

/// One case where the engine's reply differs from Redis's.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub file: String,
    pub line: usize,
    pub protocol: Protocol,
    pub command: String,
    pub mode: Mode,
    pub ours: Vec<u8>,
    pub theirs: Vec<u8>,
    pub note: Option<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{} (RESP{}) {}",
            self.file,
            self.line,
            self.protocol.version(),
            self.command
        )?;
        if let Some(note) = &self.note {
            writeln!(f, "    note:  {note}")?;
        }
        writeln!(f, "    ours:  {}", escape(&self.ours))?;
        writeln!(f, "    redis: {}", escape(&self.theirs))?;
        if self.mode == Mode::Shape {
            let shapes = |bytes: &[u8]| match decode_all(bytes) {
                Ok(replies) => replies.iter().map(shape).collect::<Vec<_>>().join(" "),
                Err(e) => format!("undecodable: {e}"),
            };
            writeln!(f, "    ours shape:  {}", shapes(&self.ours))?;
            writeln!(f, "    redis shape: {}", shapes(&self.theirs))?;
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub passes: usize,
    pub cases: usize,
    pub mismatches: Vec<Mismatch>,
    /// Scripts that could not be read or parsed, and runs that broke off.
    pub problems: Vec<String>,
    /// Set when the engine has no HELLO yet, so no RESP3 pass could run.
    pub resp3_skipped: usize,
}

impl Summary {
    pub fn line(&self) -> String {
        let mut line = format!(
            "differential: {} files, {} cases compared, {} mismatches",
            self.files,
            self.cases,
            self.mismatches.len()
        );
        if !self.problems.is_empty() {
            line.push_str(&format!(", {} problems", self.problems.len()));
        }
        if self.resp3_skipped > 0 {
            line.push_str(&format!(
                ", {} RESP3 passes skipped (the engine has no HELLO yet)",
                self.resp3_skipped
            ));
        }
        line
    }

    pub fn failed(&self) -> bool {
        !self.mismatches.is_empty() || !self.problems.is_empty()
    }
}

/// The `*.redis` files in `dir`, sorted by name.
pub fn script_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "redis"))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    files.sort();
    Ok(files)
}

/// Runs every selected script in every protocol it allows; `progress` receives a line per
/// mismatch (and per case when verbose) as they happen.
pub fn run(
    redis: &RealRedis,
    options: &Options,
    progress: &mut dyn FnMut(&str),
) -> io::Result<Summary> {
    let mut admin = Admin::new(redis.port())?;
    let mut summary = Summary::default();
    let has_hello = Registry::get().command("hello").is_some();
    for path in script_files(&options.dir)? {
        let file = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        if !options.selects(&file) {
            continue;
        }
        summary.files += 1;
        let script = match std::fs::read_to_string(&path) {
            Ok(text) => match script::parse(&file, &text) {
                Ok(script) => script,
                Err(errors) => {
                    for e in errors {
                        let problem = format!("{file}:{}: {}", e.line, e.message);
                        progress(&problem);
                        summary.problems.push(problem);
                    }
                    continue;
                }
            },
            Err(e) => {
                summary.problems.push(format!("{file}: {e}"));
                continue;
            }
        };
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            if script.only.is_some_and(|p| p != protocol)
                || options.protocol.is_some_and(|p| p != protocol)
            {
                continue;
            }
            if protocol == Protocol::Resp3 && !has_hello {
                summary.resp3_skipped += 1;
                continue;
            }
            admin.reset(&password_candidates(&script))?;
            summary.passes += 1;
            Pass {
                script: &script,
                protocol,
                options,
                summary: &mut summary,
                progress,
            }
            .run(redis.port());
        }
    }
    Ok(summary)
}

/// Where a pass is: what it reports to.
struct Pass<'a> {
    script: &'a Script,
    protocol: Protocol,
    options: &'a Options,
    summary: &'a mut Summary,
    progress: &'a mut dyn FnMut(&str),
}

impl Pass<'_> {
    /// Counts and judges one compared case; false when the run cannot go on.
    fn record(&mut self, line: usize, command: &str, mode: Mode, exchange: &Exchange) -> bool {
        self.summary.cases += 1;
        let same = exchange.lost_sync.is_none() && agree(mode, &exchange.ours, &exchange.theirs);
        if self.options.verbose {
            (self.progress)(&format!(
                "{}:{line} (RESP{}) {command} -> {}{}",
                self.script.name,
                self.protocol.version(),
                escape(&exchange.ours),
                if same { "" } else { "  MISMATCH" }
            ));
        }
        if !same {
            let mismatch = Mismatch {
                file: self.script.name.clone(),
                line,
                protocol: self.protocol,
                command: command.to_string(),
                mode,
                ours: exchange.ours.clone(),
                theirs: exchange.theirs.clone(),
                note: exchange.lost_sync.clone(),
            };
            (self.progress)(&mismatch.to_string());
            self.summary.mismatches.push(mismatch);
        }
        exchange.lost_sync.is_none()
    }

    fn problem(&mut self, line: usize, message: String) {
        let problem = format!(
            "{}:{line} (RESP{}) {message}",
            self.script.name,
            self.protocol.version()
        );
        (self.progress)(&problem);
        self.summary.problems.push(problem);
    }

    /// Runs the script on a fresh engine and a fresh Redis connection.
    fn run(&mut self, port: u16) {
        let mut twin = match Twin::new(port) {
            Ok(twin) => twin,
            Err(e) => return self.problem(0, format!("cannot connect to redis: {e}")),
        };
        if self.protocol == Protocol::Resp3 {
            let hello = [b"HELLO".to_vec(), b"3".to_vec()];
            match twin.command(&hello) {
                Ok(exchange) => {
                    if !self.record(0, "HELLO 3", Mode::Shape, &exchange) {
                        return;
                    }
                }
                Err(e) => return self.problem(0, format!("HELLO 3: {e}")),
            }
        }
        let steps = &self.script.steps;
        for (index, step) in steps.iter().enumerate() {
            let (result, mode) = match &step.action {
                Action::Command { argv, mode } => (twin.command(argv), *mode),
                Action::Advance { ms } => (twin.advance(*ms), Mode::Exact),
            };
            let exchange = match result {
                Ok(exchange) => exchange,
                Err(e) => {
                    return self.problem(
                        step.line,
                        format!("{}: connection to redis failed: {e}", step.text),
                    )
                }
            };
            if !self.record(step.line, &step.text, mode, &exchange) {
                return;
            }
            if twin.closing() {
                if let Some(next) = steps.get(index + 1) {
                    self.problem(
                        next.line,
                        "the connection was closed before this line (QUIT?): a script must end there"
                            .into(),
                    );
                }
                return;
            }
        }
    }
}

/// Passwords a script may have set (`CONFIG SET requirepass`, `ACL SETUSER ... >pw`, `AUTH`),
/// for the reset that follows it to authenticate with.
fn password_candidates(script: &Script) -> Vec<Vec<u8>> {
    let mut candidates = Vec::new();
    for step in &script.steps {
        let Action::Command { argv, .. } = &step.action else {
            continue;
        };
        let name = argv
            .first()
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default();
        if !matches!(&name[..], b"config" | b"acl" | b"auth" | b"hello") {
            continue;
        }
        for arg in argv.iter().skip(1) {
            candidates.push(arg.clone());
            if let Some(password) = arg.strip_prefix(b">") {
                candidates.push(password.to_vec());
            }
        }
    }
    candidates.sort();
    candidates.dedup();
    candidates
}
