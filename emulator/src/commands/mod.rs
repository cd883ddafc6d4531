//! Commands: the table that declares them (`spec`), the registry that attaches a handler to each
//! implemented one, and the handlers themselves, grouped as Redis groups them.

pub mod spec;

mod bitmap;
mod connection;
mod geo;
mod hash;
mod hyperloglog;
mod introspection;
mod keys;
mod list;
mod pubsub;
mod scripting;
pub(crate) mod server;
mod set;
mod sort;
pub(crate) mod stream;
pub(crate) mod string;
mod transactions;

pub(crate) use transactions::run_queued;
mod zset;

use std::collections::HashMap;

use crate::util::{lower_into, FastHash};
use std::sync::OnceLock;

use crate::resp::Reply;
use crate::server::{Call, Server};
pub use spec::{flags, ArgKind, ArgSpec, CommandSpec, Doc};

/// A command implementation. It reads its arguments from `call.argv` and returns the reply.
/// Blocking commands that must wait set `call.block` instead (their reply is then ignored).
pub type Handler = fn(&mut Server, &mut Call) -> Reply;

/// An implemented command: its declaration and its handler.
#[derive(Clone, Copy)]
pub struct Command {
    pub spec: &'static CommandSpec,
    pub handler: Handler,
    /// The declaration's number (`Registry::spec_number`), for per-command tables.
    pub number: usize,
}

/// Every group's handlers, by full command name (`get`, `client|list`).
fn handlers() -> impl Iterator<Item = (&'static str, Handler)> {
    [
        bitmap::HANDLERS,
        connection::HANDLERS,
        geo::HANDLERS,
        hash::HANDLERS,
        hyperloglog::HANDLERS,
        introspection::HANDLERS,
        keys::HANDLERS,
        list::HANDLERS,
        pubsub::HANDLERS,
        scripting::HANDLERS,
        server::HANDLERS,
        set::HANDLERS,
        sort::HANDLERS,
        stream::HANDLERS,
        string::HANDLERS,
        transactions::HANDLERS,
        zset::HANDLERS,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The implemented commands, looked up by lowercase full name.
pub struct Registry {
    by_name: HashMap<&'static str, Command, FastHash>,
    /// Top-level declarations that are available (implemented, or a container with an
    /// implemented subcommand), with their implementation if they have one, for dispatch.
    /// Keyed by the name's bytes, so a lowercased argument is looked up as is.
    available: HashMap<&'static [u8], (&'static CommandSpec, Option<Command>), FastHash>,
    /// Every declaration's full name (commands, then each one's subcommands), and the
    /// reverse: numbers for tables indexed by command.
    spec_names: Vec<&'static str>,
    spec_numbers: HashMap<&'static str, usize, FastHash>,
}

impl Registry {
    /// The registry shared by every server (it is immutable).
    pub fn get() -> &'static Registry {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        REGISTRY.get_or_init(Registry::build)
    }

    fn build() -> Registry {
        let spec_names: Vec<&'static str> = spec::COMMANDS
            .iter()
            .flat_map(|c| std::iter::once(c).chain(c.subcommands))
            .map(|c| c.name)
            .collect();
        let spec_numbers: HashMap<&'static str, usize, FastHash> = spec_names
            .iter()
            .enumerate()
            .map(|(number, name)| (*name, number))
            .collect();
        let mut by_name = HashMap::default();
        for (name, handler) in handlers() {
            let spec =
                find_spec(name).unwrap_or_else(|| panic!("no declaration for command {name}"));
            let number = spec_numbers[spec.name];
            by_name.insert(
                spec.name,
                Command {
                    spec,
                    handler,
                    number,
                },
            );
        }
        let mut registry = Registry {
            by_name,
            available: HashMap::default(),
            spec_names,
            spec_numbers,
        };
        registry.available = spec::COMMANDS
            .iter()
            .filter(|c| registry.is_available(c))
            .map(|c| (c.name.as_bytes(), (c, registry.command(c.name))))
            .collect();
        registry
    }

    /// Finds an implemented command or subcommand by full name (lowercase).
    pub fn command(&self, full_name: &str) -> Option<Command> {
        self.by_name.get(full_name).copied()
    }

    /// The number of a declared command or subcommand, by full name.
    pub fn spec_number(&self, full_name: &str) -> Option<usize> {
        self.spec_numbers.get(full_name).copied()
    }

    /// Every declared command's and subcommand's full name, by number.
    pub fn spec_names(&self) -> &[&'static str] {
        &self.spec_names
    }

    pub fn is_implemented(&self, spec: &CommandSpec) -> bool {
        self.by_name.contains_key(spec.name)
    }

    /// Top-level commands that are implemented, or that have an implemented subcommand.
    pub fn top_level(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        spec::COMMANDS.iter().filter(|c| self.is_available(c))
    }

    /// Whether a command (or, for a container, any of its subcommands) is implemented.
    pub fn is_available(&self, spec: &CommandSpec) -> bool {
        self.is_implemented(spec) || spec.subcommands.iter().any(|s| self.is_implemented(s))
    }

    /// Implemented subcommands of a container.
    pub fn subcommands<'a>(
        &'a self,
        spec: &'static CommandSpec,
    ) -> impl Iterator<Item = &'static CommandSpec> + 'a {
        spec.subcommands.iter().filter(|s| self.is_implemented(s))
    }
}

/// The declaration of a command or subcommand by full name.
pub fn find_spec(full_name: &str) -> Option<&'static CommandSpec> {
    let (top, sub) = match full_name.split_once('|') {
        Some((t, s)) => (t, Some(s)),
        None => (full_name, None),
    };
    let spec = spec::find(top.as_bytes())?;
    match sub {
        None => Some(spec),
        Some(s) => spec.subcommand(s.as_bytes()),
    }
}

/// The positions in `argv` of the keys a command line names (Redis's getKeysFromCommand).
pub(crate) fn key_positions(spec: &'static CommandSpec, argv: &[Vec<u8>]) -> Vec<usize> {
    introspection::key_positions(spec, argv)
}

/// How looking up argv[0] (and argv[1] for containers) went.
pub enum Lookup {
    Found(Command),
    /// Redis's exact error text for an unknown command or subcommand.
    Unknown(String),
}

/// Resolves a command line to an implemented command, with Redis's errors otherwise.
/// Allocation-free on success: names are lowercased on the stack and found by hash.
pub fn lookup(argv: &[Vec<u8>]) -> Lookup {
    let registry = Registry::get();
    let mut buf = [0u8; 32];
    let base =
        lower_bytes(&argv[0], &mut buf).and_then(|name| registry.available.get(name).copied());
    match base {
        Some((base, _)) if !base.subcommands.is_empty() && argv.len() > 1 => {
            let mut sub_buf = [0u8; 32];
            let sub = lower_into(&argv[1], &mut sub_buf)
                .and_then(|sub| base.subcommands.iter().find(|s| s.short_name() == sub))
                .and_then(|s| registry.command(s.name));
            match sub {
                Some(cmd) => Lookup::Found(cmd),
                None => Lookup::Unknown(unknown_subcommand(&argv[0], &argv[1])),
            }
        }
        Some((base, command)) => match command {
            Some(cmd) => Lookup::Found(cmd),
            // A container named alone: Redis checks its arity, which always fails.
            None => Lookup::Unknown(crate::errors::wrong_arity(base.name)),
        },
        None => Lookup::Unknown(unknown_command(argv)),
    }
}

/// An ASCII name lowercased into `buf`; None if it is too long to name a command.
fn lower_bytes<'a>(name: &[u8], buf: &'a mut [u8; 32]) -> Option<&'a [u8]> {
    let out = buf.get_mut(..name.len())?;
    for (o, b) in out.iter_mut().zip(name) {
        *o = b.to_ascii_lowercase();
    }
    Some(out)
}

/// A C string's view of an argument: Redis formats arguments with `%s`, which stops at NUL.
fn c_str(arg: &[u8]) -> &[u8] {
    match arg.iter().position(|&b| b == 0) {
        Some(i) => &arg[..i],
        None => arg,
    }
}

/// Up to `max` bytes of `arg`, as text.
fn truncated(arg: &[u8], max: usize) -> String {
    let arg = c_str(arg);
    String::from_utf8_lossy(&arg[..arg.len().min(max)]).into_owned()
}

fn no_newlines(s: String) -> String {
    s.replace(['\r', '\n'], " ")
}

fn unknown_command(argv: &[Vec<u8>]) -> String {
    let mut args = String::new();
    for arg in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push_str(&format!("'{}' ", truncated(arg, room)));
    }
    no_newlines(format!(
        "ERR unknown command '{}', with args beginning with: {}",
        truncated(&argv[0], 128),
        args
    ))
}

fn unknown_subcommand(container: &[u8], sub: &[u8]) -> String {
    no_newlines(format!(
        "ERR unknown subcommand '{}'. Try {} HELP.",
        truncated(sub, 128),
        String::from_utf8_lossy(c_str(container)).to_uppercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn every_handler_has_a_declaration() {
        assert!(Registry::get().command("get").is_some());
    }

    #[test]
    fn unknown_command_errors_match_redis() {
        let Lookup::Unknown(e) = lookup(&argv(&["foo", "a", "b\nc"])) else {
            panic!()
        };
        assert_eq!(
            e,
            "ERR unknown command 'foo', with args beginning with: 'a' 'b c' "
        );
        let long = "x".repeat(200);
        let Lookup::Unknown(e) = lookup(&argv(&["foo", &long, "y"])) else {
            panic!()
        };
        assert_eq!(
            e,
            format!(
                "ERR unknown command 'foo', with args beginning with: '{}' ",
                "x".repeat(128)
            )
        );
    }
}
