//! Inline hints: the grey text after the cursor that shows the arguments still to type.
//!
//! This follows redis-cli 7.2's hint logic rather than 7.0's. redis-cli 7.0 shows the command's
//! whole syntax line and drops one space-separated chunk per typed word, stopping at the first
//! `[`, so it keeps showing arguments that were already given (`SET k v NX ` still hints
//! `[NX|XX] [GET] ...`) and cannot follow tokens or repeated arguments. 7.2 matches the typed
//! words against the argument specs of COMMAND DOCS (tokens, optional groups in any order,
//! one-of choices, blocks, repetitions, integer and double types) and hints only what is left;
//! it reads the same specs our command table holds, so learners get the better hints while
//! replies, help and everything else stay 7.0's.
//!
//! The rules, as 7.2 applies them:
//! - the last word is not matched until a space follows it (typing `SET k v N` hints as
//!   `SET k v `);
//! - the command is the longest run of leading words naming a command or subcommand;
//! - if the typed words cannot all be matched against the specs, the hint is empty.

use super::help::find_command;
use super::split_args;
use crate::commands::{ArgKind, ArgSpec};

/// Matching state of one argument spec (redis-cli's `cliCommandArg` counters).
struct Arg {
    spec: &'static ArgSpec,
    /// How many words matched it (a token counts).
    matched: usize,
    matched_token: bool,
    matched_name: bool,
    matched_all: bool,
    subargs: Vec<Arg>,
}

impl Arg {
    fn new(spec: &'static ArgSpec) -> Arg {
        Arg {
            spec,
            matched: 0,
            matched_token: false,
            matched_name: false,
            matched_all: false,
            subargs: spec.arguments.iter().map(Arg::new).collect(),
        }
    }

    fn clear(&mut self) {
        self.matched = 0;
        self.matched_token = false;
        self.matched_name = false;
        self.matched_all = false;
        self.subargs.iter_mut().for_each(Arg::clear);
    }

    fn optional(&self) -> bool {
        self.spec.optional
    }
}

/// The hint for a typed line, without the leading space a terminal adds when the line does
/// not end with one (see [`display_hint`]). None when no command is recognised.
pub fn hint_for_input(line: &str) -> Option<String> {
    // A line that does not split (an open quote) has no words, so no hint.
    let words = split_args(line.as_bytes()).unwrap_or_default();
    let ends_with_space = line
        .as_bytes()
        .last()
        .is_some_and(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c));
    let complete_words = if ends_with_space {
        words.len()
    } else {
        words.len().checked_sub(1)?
    };
    let words = &words[..complete_words];
    let entry = find_command(words)?;
    let spec = entry.spec?;
    let typed = &words[entry.words.len()..];
    if !spec.has_arguments {
        // Without argument specs the (empty) syntax line shows until an argument is typed.
        return Some(String::new());
    }
    let mut args: Vec<Arg> = spec.arguments.iter().map(Arg::new).collect();
    let matched = match_args(typed, &mut args);
    let mut hint = String::new();
    if matched == typed.len() {
        hint_for_arguments(&mut hint, &mut args, " ");
    }
    Some(hint)
}

/// The hint as a terminal shows it after the cursor: a space first unless the line ends with
/// one. None when there is nothing to show.
pub fn display_hint(line: &str) -> Option<String> {
    let hint = hint_for_input(line)?;
    let ends_with_space = line.ends_with(|c: char| c.is_ascii_whitespace());
    let shown = if ends_with_space {
        hint
    } else {
        format!(" {hint}")
    };
    (!shown.trim().is_empty()).then_some(shown)
}

// ----- matching the typed words -----

/// C's `sscanf("%lld")` succeeding: optional blanks, an optional sign, then a digit. An empty
/// word counts as a match, as sscanf's end-of-input result is non-zero.
fn scans_as_integer(word: &[u8]) -> bool {
    let rest = skip_blanks(word);
    if rest.is_empty() {
        return true;
    }
    let rest = rest
        .strip_prefix(b"+")
        .or(rest.strip_prefix(b"-"))
        .unwrap_or(rest);
    rest.first().is_some_and(u8::is_ascii_digit)
}

/// C's `sscanf("%lf")` succeeding: a decimal or hex number, `inf`, `infinity` or `nan` prefix.
fn scans_as_double(word: &[u8]) -> bool {
    let rest = skip_blanks(word);
    if rest.is_empty() {
        return true;
    }
    let rest = rest
        .strip_prefix(b"+")
        .or(rest.strip_prefix(b"-"))
        .unwrap_or(rest);
    let starts_with = |prefix: &[u8]| {
        rest.len() >= prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    match rest {
        [d, ..] if d.is_ascii_digit() => true,
        [b'.', d, ..] if d.is_ascii_digit() => true,
        _ => starts_with(b"inf") || starts_with(b"nan"),
    }
}

fn skip_blanks(word: &[u8]) -> &[u8] {
    let start = word
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .unwrap_or(word.len());
    &word[start..]
}

/// Matches the words against the argument without its token; returns `arg.matched`.
fn match_no_token(words: &[Vec<u8>], arg: &mut Arg) -> usize {
    match arg.spec.kind {
        ArgKind::Block => {
            arg.matched += match_args(words, &mut arg.subargs);
            // A block is complete when all its parts are.
            arg.matched_all = arg.subargs.iter().all(|s| s.matched_all);
        }
        ArgKind::OneOf => {
            for i in 0..arg.subargs.len() {
                if match_arg(words, &mut arg.subargs[i]) > 0 {
                    arg.matched += arg.subargs[i].matched;
                    arg.matched_all = arg.subargs[i].matched_all;
                    break;
                }
            }
        }
        ArgKind::Integer | ArgKind::UnixTime | ArgKind::Double => {
            let word = words.first().map(Vec::as_slice).unwrap_or_default();
            let fits = if arg.spec.kind == ArgKind::Double {
                scans_as_double(word)
            } else {
                scans_as_integer(word)
            };
            if fits {
                arg.matched += 1;
                arg.matched_name = true;
                arg.matched_all = true;
            } else {
                // A word of the wrong type undoes the match, token included.
                arg.matched = 0;
                arg.matched_name = false;
            }
        }
        _ => {
            arg.matched += 1;
            arg.matched_name = true;
            arg.matched_all = true;
        }
    }
    arg.matched
}

/// Matches the argument once (token, then the rest); returns the words it took, or 0.
fn match_once(words: &[Vec<u8>], arg: &mut Arg) -> usize {
    let mut words = words;
    if let Some(token) = arg.spec.token {
        let Some(first) = words.first() else { return 0 };
        if !token.as_bytes().eq_ignore_ascii_case(first) {
            return 0;
        }
        arg.matched_token = true;
        arg.matched = 1;
        if arg.spec.kind == ArgKind::PureToken {
            arg.matched_all = true;
            return 1;
        }
        if words.len() == 1 {
            return 1;
        }
        words = &words[1..];
    }
    if match_no_token(words, arg) == 0 {
        return 0;
    }
    arg.matched
}

/// Matches the argument, as many times as the words allow when it is repeated.
fn match_arg(words: &[Vec<u8>], arg: &mut Arg) -> usize {
    let once = match_once(words, arg);
    if !arg.spec.multiple {
        return once;
    }
    let mut taken = once;
    while arg.matched_all && taken < words.len() {
        arg.clear();
        let rest = &words[taken..];
        let step = if arg.spec.token.is_some() && !arg.spec.multiple_token {
            // The token only comes the first time; later repetitions are the bare value,
            // and the token is taken as seen so it is not hinted again.
            let step = match_no_token(rest, arg);
            if arg.matched > 0 {
                arg.matched_token = true;
            }
            step
        } else {
            match_once(rest, arg)
        };
        taken += step;
        // A repetition that took nothing while still complete cannot happen: a complete
        // match always takes a word. Guard anyway so bad specs cannot loop.
        if step == 0 {
            break;
        }
    }
    // More repetitions can always follow.
    arg.matched_all = false;
    taken
}

/// Matches the next words against any one not yet matched argument of a run of optional ones.
fn match_one_optional(words: &[Vec<u8>], args: &mut [Arg]) -> Option<(usize, usize)> {
    if words.is_empty() {
        return None;
    }
    for (index, arg) in args.iter_mut().enumerate() {
        if arg.matched > 0 {
            continue;
        }
        let taken = match_arg(words, arg);
        if taken > 0 {
            return Some((index, taken));
        }
    }
    None
}

/// Matches as many words as possible against a run of optional arguments, in any order.
fn match_optional_args(words: &[Vec<u8>], args: &mut [Arg]) -> usize {
    let mut next = 0;
    let mut last_matched: Option<usize> = None;
    while next < words.len() {
        let Some((index, taken)) = match_one_optional(&words[next..], args) else {
            break;
        };
        // Another optional argument started: the previous one is finished.
        if let Some(previous) = last_matched {
            args[previous].matched_all = true;
        }
        last_matched = Some(index);
        next += taken;
    }
    next
}

/// Matches the words against a list of arguments; returns how many words matched, or 0 when
/// a required argument does not match.
fn match_args(words: &[Vec<u8>], args: &mut [Arg]) -> usize {
    let mut next_word = 0;
    let mut next_arg = 0;
    while next_word < words.len() && next_arg < args.len() {
        let taken = if args[next_arg].optional() {
            let end = (next_arg..args.len())
                .find(|&i| !args[i].optional())
                .unwrap_or(args.len());
            let taken = match_optional_args(&words[next_word..], &mut args[next_arg..end]);
            next_arg = end;
            taken
        } else {
            let taken = match_arg(&words[next_word..], &mut args[next_arg]);
            if taken == 0 {
                return 0;
            }
            next_arg += 1;
            taken
        };
        next_word += taken;
    }
    next_word
}

// ----- writing the hint -----

/// Adds `separator` after a word if something was written since `*len` and it is not the
/// last argument.
fn add_separator(hint: &mut String, len: &mut usize, separator: &str, is_last: bool) {
    if hint.len() > *len && !is_last {
        hint.push_str(separator);
        *len = hint.len();
    }
}

fn push_or_empty(hint: &mut String, text: &str) {
    hint.push_str(if text.is_empty() { "\"\"" } else { text });
}

/// Hints for a list of arguments, skipping what was matched; a partly typed optional
/// argument of a run is hinted first.
fn hint_for_arguments(hint: &mut String, args: &mut [Arg], separator: &str) {
    let mut len = hint.len();
    let count = args.len();
    let mut i = 0;
    while i < count {
        if !args[i].optional() {
            hint_for_argument(hint, &mut args[i]);
            add_separator(hint, &mut len, separator, i == count - 1);
            i += 1;
            continue;
        }
        let mut j = i;
        let mut incomplete = None;
        while j < count && args[j].optional() {
            if args[j].matched > 0 && !args[j].matched_all {
                hint_for_argument(hint, &mut args[j]);
                add_separator(hint, &mut len, separator, i == count - 1);
                incomplete = Some(j);
            }
            j += 1;
        }
        // The rest of the run only while the required argument after it is not reached.
        if j == count || args[j].matched == 0 {
            while i < j {
                if incomplete != Some(i) {
                    hint_for_argument(hint, &mut args[i]);
                    add_separator(hint, &mut len, separator, i == count - 1);
                }
                i += 1;
            }
        }
        i = j;
    }
}

/// The `[TOKEN body ...]` repetition shown at the end of a multiple argument.
fn hint_for_repetition(hint: &mut String, arg: &mut Arg) {
    if !arg.spec.multiple {
        return;
    }
    arg.clear();
    if !hint.is_empty() {
        hint.push(' ');
    }
    hint.push('[');
    if arg.spec.multiple_token {
        if let Some(token) = arg.spec.token {
            push_or_empty(hint, token);
            if arg.spec.kind != ArgKind::PureToken {
                hint.push(' ');
            }
        }
    }
    match arg.spec.kind {
        ArgKind::OneOf => hint_for_arguments(hint, &mut arg.subargs, "|"),
        ArgKind::Block => hint_for_arguments(hint, &mut arg.subargs, " "),
        ArgKind::PureToken => {}
        _ => push_or_empty(hint, arg.spec.name),
    }
    hint.push_str(" ...]");
}

/// The hint for one argument, unless it is fully matched.
fn hint_for_argument(hint: &mut String, arg: &mut Arg) {
    if arg.matched_all {
        return;
    }
    let bracketed = arg.optional() && arg.matched == 0;
    if bracketed {
        hint.push('[');
    }
    if let Some(token) = arg.spec.token {
        if !arg.matched_token {
            push_or_empty(hint, token);
            if arg.spec.kind != ArgKind::PureToken {
                hint.push(' ');
            }
        }
    }
    match arg.spec.kind {
        ArgKind::OneOf => {
            if arg.matched == 0 {
                hint_for_arguments(hint, &mut arg.subargs, "|");
            } else {
                for sub in arg.subargs.iter_mut().filter(|s| s.matched > 0) {
                    hint_for_argument(hint, sub);
                }
            }
        }
        ArgKind::Block => hint_for_arguments(hint, &mut arg.subargs, " "),
        ArgKind::PureToken => {}
        _ => {
            if !arg.matched_name {
                push_or_empty(hint, arg.spec.name);
            }
        }
    }
    hint_for_repetition(hint, arg);
    // Checked again: showing the repetition clears the matches, so a partly matched optional
    // repeated argument gets a closing bracket it never opened (7.2 prints that too).
    if arg.optional() && arg.matched == 0 {
        hint.push(']');
    }
}

#[cfg(test)]
#[path = "hints_golden.rs"]
mod golden;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanf_rules() {
        assert!(scans_as_integer(b"12"));
        assert!(scans_as_integer(b"-3x"));
        assert!(scans_as_integer(b""));
        assert!(!scans_as_integer(b"x1"));
        assert!(!scans_as_integer(b"+"));
        assert!(scans_as_double(b".5"));
        assert!(scans_as_double(b"-inf"));
        assert!(scans_as_double(b"NaN"));
        assert!(!scans_as_double(b"e5"));
        assert!(!scans_as_double(b"."));
    }

    #[test]
    fn display_adds_the_leading_space() {
        // The first word is not matched until a space follows it.
        assert_eq!(display_hint("GET"), None);
        assert_eq!(display_hint("GET k").as_deref(), Some(" key"));
        assert_eq!(display_hint("GET ").as_deref(), Some("key"));
        assert_eq!(display_hint("GET k "), None);
        assert_eq!(display_hint(""), None);
        assert_eq!(display_hint("NOSUCH "), None);
    }
}
