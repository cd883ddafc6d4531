//! redis-cli's help: the table of help entries it builds from COMMAND DOCS (one per command and
//! subcommand the server documents, plus one per group), and the texts of `help`,
//! `help <command>` and `help @<group>`, byte for byte as redis-cli 7.0 prints them (ANSI
//! styling and `\r\n` line ends included; see [`super::styled`] to show them elsewhere).

use std::sync::OnceLock;

use crate::commands::{ArgKind, ArgSpec, CommandSpec, Registry};

/// The redis-cli version this console reproduces.
pub const CLI_VERSION: &str = "7.0.15";

/// What a help entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Command,
    Group,
}

/// One entry of redis-cli's help table.
#[derive(Debug)]
pub struct HelpEntry {
    pub kind: EntryKind,
    /// The words that name it, uppercase (`["CLIENT", "LIST"]`), or `["@string"]` for a group.
    pub words: Vec<String>,
    /// The words joined by a space: what completion inserts and what the table is sorted by.
    pub full: String,
    /// The command's declaration (None for groups).
    pub spec: Option<&'static CommandSpec>,
    /// The syntax line redis-cli 7.0 builds from the argument specs (empty for groups).
    pub params: String,
}

/// The help table for this server's commands: what COMMAND DOCS lists (implemented commands,
/// containers with their implemented subcommands), and their groups, sorted by name as
/// redis-cli sorts them (byte order of the uppercase names; groups start with `@`).
pub fn entries() -> &'static [HelpEntry] {
    static ENTRIES: OnceLock<Vec<HelpEntry>> = OnceLock::new();
    ENTRIES.get_or_init(build_entries)
}

fn command_entry(spec: &'static CommandSpec) -> HelpEntry {
    let words: Vec<String> = spec.name.split('|').map(str::to_uppercase).collect();
    HelpEntry {
        kind: EntryKind::Command,
        full: words.join(" "),
        words,
        spec: Some(spec),
        params: syntax(spec.arguments),
    }
}

fn build_entries() -> Vec<HelpEntry> {
    let registry = Registry::get();
    let mut entries = Vec::new();
    let mut groups: Vec<&'static str> = Vec::new();
    for top in registry.top_level() {
        for spec in std::iter::once(top).chain(registry.subcommands(top)) {
            if !groups.contains(&spec.group) {
                groups.push(spec.group);
            }
            entries.push(command_entry(spec));
        }
    }
    for group in groups {
        let name = format!("@{group}");
        entries.push(HelpEntry {
            kind: EntryKind::Group,
            words: vec![name.clone()],
            full: name,
            spec: None,
            params: String::new(),
        });
    }
    entries.sort_by(|a, b| a.full.as_bytes().cmp(b.full.as_bytes()));
    entries
}

/// The entry for the longest run of leading `words` naming a command (`CLIENT LIST` before
/// `CLIENT`), compared case-insensitively; redis-cli's findHelpEntry.
pub fn find_command(words: &[Vec<u8>]) -> Option<&'static HelpEntry> {
    let mut best: Option<&'static HelpEntry> = None;
    for entry in entries().iter().filter(|e| e.kind == EntryKind::Command) {
        let n = entry.words.len();
        if n > words.len() || best.is_some_and(|b| b.words.len() >= n) {
            continue;
        }
        let matches = entry
            .words
            .iter()
            .zip(words)
            .all(|(w, typed)| w.as_bytes().eq_ignore_ascii_case(typed));
        if matches {
            best = Some(entry);
        }
    }
    best
}

/// The syntax line of a list of arguments, as redis-cli 7.0's `cliConcatArguments` writes it.
pub fn syntax(args: &[ArgSpec]) -> String {
    join_arguments(args, " ")
}

fn join_arguments(args: &[ArgSpec], separator: &str) -> String {
    args.iter()
        .map(argument_syntax)
        .collect::<Vec<_>>()
        .join(separator)
}

/// An empty token or name shows as `""`.
fn or_empty(text: &str) -> &str {
    if text.is_empty() {
        "\"\""
    } else {
        text
    }
}

/// One argument: `[TOKEN body [TOKEN body ...]]`, brackets when optional, the repetition
/// when multiple (the token repeated only for `multiple_token`).
fn argument_syntax(arg: &ArgSpec) -> String {
    let mut token = arg.token.map(or_empty).unwrap_or("").to_string();
    let body = match arg.kind {
        ArgKind::OneOf => join_arguments(arg.arguments, "|"),
        ArgKind::Block => join_arguments(arg.arguments, " "),
        ArgKind::PureToken => String::new(),
        _ => or_empty(arg.name).to_string(),
    };
    if !token.is_empty() && arg.kind != ArgKind::PureToken {
        token.push(' ');
    }
    let mut out = String::new();
    if arg.optional {
        out.push('[');
    }
    out.push_str(&token);
    out.push_str(&body);
    if arg.multiple {
        out.push_str(" [");
        if arg.multiple_token {
            out.push_str(&token);
        }
        out.push_str(&body);
        out.push_str(" ...]");
    }
    if arg.optional {
        out.push(']');
    }
    out
}

/// What plain `help` prints (redis-cli's generic help).
pub fn generic_help() -> String {
    format!(
        "redis-cli {CLI_VERSION}\n\
         To get help about Redis commands type:\n      \
         \"help @<group>\" to get a list of commands in <group>\n      \
         \"help <command>\" for help on <command>\n      \
         \"help <tab>\" to get a list of possible help topics\n      \
         \"quit\" to exit\n\
         \n\
         To set redis-cli preferences:\n      \
         \":set hints\" enable online hints\n      \
         \":set nohints\" disable online hints\n\
         Set your preferences in ~/.redisclirc\n"
    )
}

/// One command's help block; with its group line unless listed under `help @group`.
fn command_help(entry: &HelpEntry, with_group: bool, out: &mut String) {
    let Some(spec) = entry.spec else {
        return;
    };
    out.push_str(&format!(
        "\r\n  \x1b[1m{}\x1b[0m \x1b[90m{}\x1b[0m\r\n",
        entry.full, entry.params
    ));
    out.push_str(&format!("  \x1b[33msummary:\x1b[0m {}\r\n", spec.summary));
    if !spec.since.is_empty() {
        out.push_str(&format!("  \x1b[33msince:\x1b[0m {}\r\n", spec.since));
    }
    if with_group {
        out.push_str(&format!("  \x1b[33mgroup:\x1b[0m {}\r\n", spec.group));
    }
}

/// What `help <args>` prints (`args` without the word `help`): the generic help, the commands
/// of a group (`@name`), or every command whose name starts with the given words.
pub fn help(args: &[Vec<u8>]) -> String {
    let Some(first) = args.first() else {
        return generic_help();
    };
    let group = first.strip_prefix(b"@");
    let mut out = String::new();
    for entry in entries().iter().filter(|e| e.kind == EntryKind::Command) {
        let Some(spec) = entry.spec else { continue };
        match group {
            Some(group) => {
                if spec.group.as_bytes().eq_ignore_ascii_case(group) {
                    command_help(entry, false, &mut out);
                }
            }
            None => {
                let names_it = args.len() <= entry.words.len()
                    && args
                        .iter()
                        .zip(&entry.words)
                        .all(|(typed, w)| w.as_bytes().eq_ignore_ascii_case(typed));
                if names_it {
                    command_help(entry, true, &mut out);
                }
            }
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Vec<u8>> {
        line.split_whitespace()
            .map(|w| w.as_bytes().to_vec())
            .collect()
    }

    #[test]
    fn set_help_matches_redis_cli() {
        assert_eq!(
            help(&words("set")),
            "\r\n  \x1b[1mSET\x1b[0m \x1b[90mkey value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]\x1b[0m\r\n  \x1b[33msummary:\x1b[0m Set the string value of a key\r\n  \x1b[33msince:\x1b[0m 1.0.0\r\n  \x1b[33mgroup:\x1b[0m string\r\n\r\n"
        );
    }

    #[test]
    fn subcommand_help_and_unknown_topics() {
        let out = help(&words("CLIENT list"));
        assert!(
            out.starts_with("\r\n  \x1b[1mCLIENT LIST\x1b[0m \x1b[90m[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]\x1b[0m\r\n"),
            "{out:?}"
        );
        assert_eq!(help(&words("nosuchcommand")), "\r\n");
        assert_eq!(help(&words("@nosuchgroup")), "\r\n");
    }

    #[test]
    fn group_help_lists_commands_without_group_line() {
        let out = help(&words("@STRING"));
        assert!(
            out.contains("\x1b[1mGET\x1b[0m \x1b[90mkey\x1b[0m\r\n"),
            "{out:?}"
        );
        assert!(!out.contains("group:"));
        assert!(out.ends_with("\r\n\r\n"));
    }

    #[test]
    fn generic_help_text() {
        let text = generic_help();
        assert!(text.starts_with("redis-cli 7.0.15\nTo get help about Redis commands type:\n"));
        assert!(text.ends_with("Set your preferences in ~/.redisclirc\n"));
    }

    #[test]
    fn syntax_of_tokens_blocks_and_repeats() {
        let params = |name: &str| {
            entries()
                .iter()
                .find(|e| e.full == name)
                .map(|e| e.params.clone())
                .unwrap_or_default()
        };
        assert_eq!(params("MSET"), "key value [key value ...]");
        assert_eq!(params("DEL"), "key [key ...]");
        assert_eq!(
            params("BITFIELD_RO"),
            "key [GET encoding offset [GET encoding offset ...]]"
        );
        assert_eq!(params("PING"), "[message]");
        assert_eq!(params("DBSIZE"), "");
    }

    #[test]
    fn entries_are_sorted_and_find_the_longest_name() {
        let all = entries();
        assert!(all.windows(2).all(|w| w[0].full <= w[1].full));
        assert!(all.iter().any(|e| e.full == "@string"));
        let found = find_command(&words("client list id 3"));
        assert_eq!(found.map(|e| e.full.as_str()), Some("CLIENT LIST"));
        let found = find_command(&words("client"));
        assert_eq!(found.map(|e| e.full.as_str()), Some("CLIENT"));
        assert!(find_command(&words("nosuch")).is_none());
    }
}
