//! The declaration of every Redis 7.0 command: arity, flags, key positions, ACL categories,
//! documentation and argument syntax.
//!
//! The data is generated at build time from `commands/redis-7.0.json`, which records what a
//! real Redis 7.0 server answers to `COMMAND INFO` and `COMMAND DOCS` (see
//! `scripts/capture_command_table.py`). Dispatch, arity errors, the COMMAND command, HELP, hints
//! and completion all read it; handlers are attached by name in each group's module.

/// Command flags, as bits (the names are Redis's, lowercased in COMMAND INFO).
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const ASKING: u32 = 1 << 11;
    pub const FAST: u32 = 1 << 12;
    pub const NO_AUTH: u32 = 1 << 13;
    pub const MAY_REPLICATE: u32 = 1 << 14;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 15;
    pub const NO_ASYNC_LOADING: u32 = 1 << 16;
    pub const NO_MULTI: u32 = 1 << 17;
    pub const MOVABLEKEYS: u32 = 1 << 18;
    pub const ALLOW_BUSY: u32 = 1 << 19;
}

/// The kind of one argument in a command's syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl ArgKind {
    /// The name COMMAND DOCS uses.
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::String => "string",
            ArgKind::Integer => "integer",
            ArgKind::Double => "double",
            ArgKind::Key => "key",
            ArgKind::Pattern => "pattern",
            ArgKind::UnixTime => "unix-time",
            ArgKind::PureToken => "pure-token",
            ArgKind::OneOf => "oneof",
            ArgKind::Block => "block",
        }
    }
}

/// One argument (or group of arguments) in a command's syntax tree.
#[derive(Debug)]
pub struct ArgSpec {
    pub name: &'static str,
    pub kind: ArgKind,
    /// Index into the command's key specs, or -1.
    pub key_spec_index: i64,
    pub token: Option<&'static str>,
    pub since: Option<&'static str>,
    pub optional: bool,
    pub multiple: bool,
    pub multiple_token: bool,
    pub deprecated_since: Option<&'static str>,
    /// Children of a `oneof` or `block`.
    pub arguments: &'static [ArgSpec],
}

/// A static tree of documentation values (key specs vary too much in shape for a struct).
#[derive(Debug)]
pub enum Doc {
    Str(&'static str),
    Int(i64),
    List(&'static [Doc]),
    Map(&'static [(&'static str, Doc)]),
}

/// One command or subcommand.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lowercase; subcommands are named `container|sub` as Redis's "fullname".
    pub name: &'static str,
    /// Redis's convention: N means exactly N arguments (the name included), -N at least N.
    pub arity: i32,
    pub flags: u32,
    pub flag_names: &'static [&'static str],
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    pub acl_categories: &'static [&'static str],
    pub tips: &'static [&'static str],
    pub key_specs: Doc,
    pub summary: &'static str,
    pub since: &'static str,
    pub group: &'static str,
    pub complexity: Option<&'static str>,
    pub doc_flags: &'static [&'static str],
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    pub history: &'static [(&'static str, &'static str)],
    pub has_history: bool,
    pub has_arguments: bool,
    pub arguments: &'static [ArgSpec],
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    pub fn has_flag(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Whether `argc` arguments (the command name included) satisfy the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = self.arity as i64;
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// Every option token of its arguments, nested blocks included (`NX`, `WITHSCORES`,
    /// `LIMIT`, ...): what a generator of test commands draws from.
    pub fn option_tokens(&self) -> Vec<&'static str> {
        fn collect(args: &'static [ArgSpec], out: &mut Vec<&'static str>) {
            for arg in args {
                out.extend(arg.token);
                collect(arg.arguments, out);
            }
        }
        let mut tokens = Vec::new();
        collect(self.arguments, &mut tokens);
        tokens
    }

    /// The subcommand's own name (`list` for `client|list`).
    pub fn short_name(&self) -> &'static str {
        self.name.rsplit('|').next().unwrap_or(self.name)
    }

    pub fn subcommand(&self, name: &[u8]) -> Option<&'static CommandSpec>
    where
        Self: 'static,
    {
        self.subcommands
            .iter()
            .find(|s| s.short_name().as_bytes().eq_ignore_ascii_case(name))
    }
}

include!(concat!(env!("OUT_DIR"), "/command_table.rs"));

/// Finds a top-level command by name, ignoring case.
pub fn find(name: &[u8]) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .find(|c| c.name.as_bytes().eq_ignore_ascii_case(name))
}
