//! The COMMAND command: COUNT, INFO, DOCS, LIST, GETKEYS, built from the command table.
//!
//! Only implemented commands exist here: a container is listed with its implemented
//! subcommands only, and names of unimplemented commands are unknown, as they are to the
//! dispatcher.

mod getkeys;

pub(crate) use getkeys::key_positions;

use super::spec::{self, ArgKind, ArgSpec, CommandSpec, Doc};
use super::{Handler, Registry};
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::eq_ignore_case;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("command", command),
    ("command|count", command_count),
    ("command|info", command_info),
    ("command|docs", command_docs),
    ("command|list", command_list),
    ("command|getkeys", getkeys::command_getkeys),
    ("command|getkeysandflags", getkeys::command_getkeysandflags),
    ("command|help", command_help),
];

/// The reply to `<COMMAND> HELP`: a header naming the command as typed, the lines, and the
/// HELP entry every container ends with.
pub(super) fn help_reply(call: &Call, lines: &[&str]) -> Reply {
    let name = String::from_utf8_lossy(c_str(call.arg(0))).to_uppercase();
    let mut out = Vec::with_capacity(lines.len() + 3);
    out.push(Reply::Simple(format!(
        "{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    )));
    out.extend(lines.iter().map(|l| Reply::simple(l)));
    out.push(Reply::simple("HELP"));
    out.push(Reply::simple("    Prints this help."));
    Reply::Array(out)
}

/// Redis's error for a known subcommand used with arguments it does not accept.
pub(super) fn subcommand_syntax_error(call: &Call) -> String {
    let sub = c_str(call.arg(1));
    let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]).into_owned();
    let container = String::from_utf8_lossy(c_str(call.arg(0))).to_uppercase();
    format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {container} HELP."
    )
    .replace(['\r', '\n'], " ")
}

/// What C's `%s` shows of an argument: everything before the first NUL.
pub(super) fn c_str(arg: &[u8]) -> &[u8] {
    match arg.iter().position(|&b| b == 0) {
        Some(i) => &arg[..i],
        None => arg,
    }
}

/// Finds an implemented command by full name (`get`, `client|list`), the way COMMAND INFO
/// and COMMAND DOCS look names up: one level of subcommand at most, case-insensitive.
fn find_by_full_name(name: &[u8]) -> Option<&'static CommandSpec> {
    let registry = Registry::get();
    let mut parts = name.split(|&b| b == b'|');
    let top = parts.next()?;
    let sub = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let base = spec::find(top).filter(|s| registry.is_available(s))?;
    match sub {
        None => Some(base),
        Some(sub) => base.subcommand(sub).filter(|s| registry.is_implemented(s)),
    }
}

// ----- COMMAND, COMMAND INFO -----

fn command(_srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::Array(Registry::get().top_level().map(info_reply).collect())
}

fn command_count(_srv: &mut Server, _call: &mut Call) -> Reply {
    Reply::Integer(Registry::get().top_level().count() as i64)
}

fn command_info(_srv: &mut Server, call: &mut Call) -> Reply {
    if call.argc() == 2 {
        return Reply::Array(Registry::get().top_level().map(info_reply).collect());
    }
    Reply::Array(
        call.argv[2..]
            .iter()
            .map(|name| find_by_full_name(name).map_or(Reply::Null, info_reply))
            .collect(),
    )
}

fn simple_set(names: &[&str]) -> Reply {
    Reply::Set(names.iter().map(|n| Reply::simple(n)).collect())
}

/// One command's COMMAND INFO entry: name, arity, flags, first/last key and step, ACL
/// categories, tips, key specs, subcommands.
fn info_reply(spec: &'static CommandSpec) -> Reply {
    let subcommands = if spec.subcommands.is_empty() {
        Reply::Set(Vec::new())
    } else {
        Reply::Array(Registry::get().subcommands(spec).map(info_reply).collect())
    };
    Reply::Array(vec![
        Reply::bulk(spec.name),
        Reply::Integer(spec.arity.into()),
        simple_set(spec.flag_names),
        Reply::Integer(spec.first_key.into()),
        Reply::Integer(spec.last_key.into()),
        Reply::Integer(spec.step.into()),
        simple_set(spec.acl_categories),
        Reply::Set(spec.tips.iter().map(Reply::bulk).collect()),
        key_specs_reply(&spec.key_specs, false),
        subcommands,
    ])
}

/// Key specs as Redis sends them: lists are sets, map keys and values are bulk strings,
/// except flag names, which are status strings.
fn key_specs_reply(doc: &Doc, flag_names: bool) -> Reply {
    match doc {
        Doc::Str(s) if flag_names => Reply::simple(s),
        Doc::Str(s) => Reply::bulk(s),
        Doc::Int(n) => Reply::Integer(*n),
        Doc::List(items) => Reply::Set(
            items
                .iter()
                .map(|d| key_specs_reply(d, flag_names))
                .collect(),
        ),
        Doc::Map(pairs) => Reply::Map(
            pairs
                .iter()
                .map(|(k, v)| (Reply::bulk(k), key_specs_reply(v, *k == "flags")))
                .collect(),
        ),
    }
}

// ----- COMMAND DOCS -----

fn command_docs(_srv: &mut Server, call: &mut Call) -> Reply {
    let specs: Vec<&'static CommandSpec> = if call.argc() == 2 {
        Registry::get().top_level().collect()
    } else {
        call.argv[2..]
            .iter()
            .filter_map(|name| find_by_full_name(name))
            .collect()
    };
    Reply::Map(
        specs
            .into_iter()
            .map(|s| (Reply::bulk(s.name), docs_reply(s)))
            .collect(),
    )
}

/// One command's documentation map, its fields in Redis's order and present only when set.
fn docs_reply(spec: &'static CommandSpec) -> Reply {
    let mut fields = Vec::new();
    let mut field = |name: &str, value: Reply| fields.push((Reply::bulk(name), value));
    if !spec.summary.is_empty() {
        field("summary", Reply::bulk(spec.summary));
    }
    if !spec.since.is_empty() {
        field("since", Reply::bulk(spec.since));
    }
    field("group", Reply::bulk(spec.group));
    if let Some(complexity) = spec.complexity {
        field("complexity", Reply::bulk(complexity));
    }
    if !spec.doc_flags.is_empty() {
        field("doc_flags", simple_set(spec.doc_flags));
    }
    if let Some(since) = spec.deprecated_since {
        field("deprecated_since", Reply::bulk(since));
    }
    if let Some(replacement) = spec.replaced_by {
        field("replaced_by", Reply::bulk(replacement));
    }
    if spec.has_history {
        let history = spec
            .history
            .iter()
            .map(|(version, change)| Reply::Array(vec![Reply::bulk(version), Reply::bulk(change)]))
            .collect();
        field("history", Reply::Set(history));
    }
    if spec.has_arguments {
        field("arguments", arguments_reply(spec.arguments));
    }
    if !spec.subcommands.is_empty() {
        let subcommands = Registry::get()
            .subcommands(spec)
            .map(|s| (Reply::bulk(s.name), docs_reply(s)))
            .collect();
        field("subcommands", Reply::Map(subcommands));
    }
    Reply::Map(fields)
}

fn arguments_reply(args: &[ArgSpec]) -> Reply {
    Reply::Array(args.iter().map(argument_reply).collect())
}

fn argument_reply(arg: &ArgSpec) -> Reply {
    let mut fields = vec![
        (Reply::bulk("name"), Reply::bulk(arg.name)),
        (Reply::bulk("type"), Reply::bulk(arg.kind.name())),
    ];
    let mut field = |name: &str, value: Reply| fields.push((Reply::bulk(name), value));
    if arg.key_spec_index >= 0 {
        field("key_spec_index", Reply::Integer(arg.key_spec_index));
    }
    if let Some(token) = arg.token {
        field("token", Reply::bulk(token));
    }
    if let Some(since) = arg.since {
        field("since", Reply::bulk(since));
    }
    if let Some(since) = arg.deprecated_since {
        field("deprecated_since", Reply::bulk(since));
    }
    let flags: Vec<&str> = [
        (arg.optional, "optional"),
        (arg.multiple, "multiple"),
        (arg.multiple_token, "multiple_token"),
    ]
    .into_iter()
    .filter_map(|(set, name)| set.then_some(name))
    .collect();
    if !flags.is_empty() {
        field("flags", simple_set(&flags));
    }
    if matches!(arg.kind, ArgKind::OneOf | ArgKind::Block) {
        field("arguments", arguments_reply(arg.arguments));
    }
    Reply::Map(fields)
}

// ----- COMMAND LIST -----

/// COMMAND LIST's optional filter.
enum ListFilter<'a> {
    /// No module is ever loaded, so this filter matches nothing.
    Module,
    AclCategory(&'a [u8]),
    Pattern(&'a [u8]),
}

impl ListFilter<'_> {
    fn accepts(&self, spec: &CommandSpec) -> bool {
        match self {
            ListFilter::Module => false,
            ListFilter::AclCategory(category) => spec.acl_categories.iter().any(|c| {
                c.strip_prefix('@')
                    .is_some_and(|name| name.as_bytes().eq_ignore_ascii_case(category))
            }),
            ListFilter::Pattern(pattern) => {
                crate::pubsub::glob_match_nocase(pattern, spec.name.as_bytes())
            }
        }
    }
}

fn command_list(_srv: &mut Server, call: &mut Call) -> Reply {
    let filter = match call.argc() {
        2 => None,
        5 if eq_ignore_case(call.arg(2), "filterby") => {
            let value = call.arg(4);
            match call.arg(3) {
                t if eq_ignore_case(t, "module") => Some(ListFilter::Module),
                t if eq_ignore_case(t, "aclcat") => Some(ListFilter::AclCategory(c_str(value))),
                t if eq_ignore_case(t, "pattern") => Some(ListFilter::Pattern(value)),
                _ => return crate::errors::syntax(),
            }
        }
        _ => return crate::errors::syntax(),
    };
    let registry = Registry::get();
    let mut names = Vec::new();
    for top in registry.top_level() {
        for spec in std::iter::once(top).chain(registry.subcommands(top)) {
            if filter.as_ref().is_none_or(|f| f.accepts(spec)) {
                names.push(Reply::bulk(spec.name));
            }
        }
    }
    Reply::Array(names)
}

// ----- COMMAND HELP -----

fn command_help(_srv: &mut Server, call: &mut Call) -> Reply {
    help_reply(
        call,
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    )
}
