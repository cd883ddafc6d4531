//! Tab completion: command and subcommand names and `help` topics as redis-cli 7.0 completes
//! them (every help entry whose name starts with what was typed, case-insensitively, in the
//! help table's order), plus key names of the current database where the command expects a
//! key, and linenoise's cycling through the candidates.

use super::help::{entries, find_command, EntryKind};
use super::{quote_bytes, split_args};
use crate::commands::CommandSpec;

/// How many key names Tab offers at most.
const KEY_CANDIDATES: usize = 50;

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// redis-cli's completionCallback: whole-line candidates for command names (and, after
/// `help `, group names too).
fn name_completions(line: &str) -> Vec<String> {
    let (start, with_groups) = if starts_with_ignore_case(line, "help ") {
        let rest = &line[5..];
        let blanks = rest.len() - rest.trim_start().len();
        (5 + blanks, true)
    } else {
        (0, false)
    };
    let Some(typed) = line.get(start..) else {
        return Vec::new();
    };
    entries()
        .iter()
        .filter(|e| with_groups || e.kind == EntryKind::Command)
        .filter(|e| starts_with_ignore_case(&e.full, typed))
        .map(|e| format!("{}{}", &line[..start], e.full))
        .collect()
}

/// Whether argument `position` (0 is the command name) of `spec` is a key, by its key range.
fn is_key_position(spec: &CommandSpec, position: usize) -> bool {
    let (Ok(first), Ok(step)) = (usize::try_from(spec.first_key), usize::try_from(spec.step))
    else {
        return false;
    };
    if first == 0 || step == 0 || position < first || !(position - first).is_multiple_of(step) {
        return false;
    }
    // A negative last key counts from the end of a line not typed yet: any later position.
    usize::try_from(spec.last_key).map_or(true, |last| position <= last)
}

/// How a key name is typed back: as is when it splits back to itself, quoted otherwise.
fn typed_key(key: &[u8]) -> String {
    let plain = !key.is_empty()
        && key
            .iter()
            .all(|&b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\'));
    if plain {
        String::from_utf8_lossy(key).into_owned()
    } else {
        quote_bytes(key)
    }
}

/// Key candidates for the word being typed, when the command expects a key there.
fn key_completions(line: &str, keys: &mut dyn FnMut(&[u8]) -> Vec<Vec<u8>>) -> Vec<String> {
    let Ok(words) = split_args(line.as_bytes()) else {
        return Vec::new();
    };
    let ends_with_space = line.ends_with(|c: char| c.is_ascii_whitespace());
    let (done, partial) = if ends_with_space {
        (words.as_slice(), &[][..])
    } else {
        match words.split_last() {
            Some((last, done)) => (done, last.as_slice()),
            None => return Vec::new(),
        }
    };
    // The partial word is replaced as typed; a quoted one is left alone.
    let start = line.len() - if ends_with_space { 0 } else { partial.len() };
    if !ends_with_space && line.get(start..).map(str::as_bytes) != Some(partial) {
        return Vec::new();
    }
    let Some(entry) = find_command(done) else {
        return Vec::new();
    };
    let Some(spec) = entry.spec else {
        return Vec::new();
    };
    if !is_key_position(spec, done.len()) {
        return Vec::new();
    }
    keys(partial)
        .into_iter()
        .take(KEY_CANDIDATES)
        .map(|key| format!("{}{}", &line[..start], typed_key(&key)))
        .collect()
}

/// Every candidate for Tab on `line`, each a whole new line: command names first; when none
/// match and a key is expected, key names from `keys(prefix)`.
pub fn completions(line: &str, keys: &mut dyn FnMut(&[u8]) -> Vec<Vec<u8>>) -> Vec<String> {
    let names = name_completions(line);
    if !names.is_empty() {
        return names;
    }
    key_completions(line, keys)
}

/// linenoise's Tab cycling: the first Tab shows the first candidate, each further Tab the
/// next, then the original line again, and round.
#[derive(Debug, Default, Clone)]
pub struct Completer {
    original: String,
    candidates: Vec<String>,
    /// Which candidate is shown; `candidates.len()` means the original line.
    index: usize,
    active: bool,
}

impl Completer {
    /// Tab pressed with `line` in the input; returns the line to show, None when nothing
    /// completes (redis-cli beeps).
    pub fn tab(
        &mut self,
        line: &str,
        keys: &mut dyn FnMut(&[u8]) -> Vec<Vec<u8>>,
    ) -> Option<String> {
        if self.active && self.shown() == Some(line) {
            self.index = (self.index + 1) % (self.candidates.len() + 1);
            return self.shown().map(str::to_string);
        }
        let candidates = completions(line, keys);
        if candidates.is_empty() {
            self.reset();
            return None;
        }
        self.original = line.to_string();
        self.candidates = candidates;
        self.index = 0;
        self.active = true;
        self.shown().map(str::to_string)
    }

    fn shown(&self) -> Option<&str> {
        if !self.active {
            return None;
        }
        Some(
            self.candidates
                .get(self.index)
                .map_or(self.original.as_str(), String::as_str),
        )
    }

    /// Escape: the line as it was before Tab.
    pub fn escape(&mut self) -> Option<String> {
        let original = self.active.then(|| self.original.clone());
        self.reset();
        original
    }

    /// Any other key accepts the shown candidate.
    pub fn reset(&mut self) {
        self.active = false;
        self.candidates.clear();
        self.index = 0;
    }

    /// The candidates of the current cycle.
    pub fn candidates(&self) -> &[String] {
        &self.candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_keys(_: &[u8]) -> Vec<Vec<u8>> {
        Vec::new()
    }

    fn complete(line: &str) -> Vec<String> {
        completions(line, &mut no_keys)
    }

    #[test]
    fn command_names_case_insensitive_in_table_order() {
        let got = complete("se");
        assert_eq!(got.first().map(String::as_str), Some("SELECT"));
        assert!(got.contains(&"SET".to_string()));
        assert!(got.contains(&"SETRANGE".to_string()));
        assert!(got.iter().all(|c| c.starts_with("SE")));
        assert_eq!(complete("getd"), ["GETDEL"]);
        assert!(complete("xyz").is_empty());
        assert!(complete("").len() > 50);
    }

    #[test]
    fn subcommands_and_help_topics() {
        assert_eq!(complete("client l"), ["CLIENT LIST"]);
        assert_eq!(complete("CONFIG RES"), ["CONFIG RESETSTAT"]);
        assert_eq!(complete("help @stri"), ["help @string"]);
        assert_eq!(complete("help @stre"), ["help @stream"]);
        assert_eq!(complete("HELP   getr"), ["HELP   GETRANGE"]);
        // Groups only after help.
        assert!(complete("@str").is_empty());
    }

    #[test]
    fn key_names_where_a_key_is_expected() {
        let mut keys = |prefix: &[u8]| {
            [&b"user:1"[..], b"user:2", b"a b"]
                .iter()
                .filter(|k| k.starts_with(prefix))
                .map(|k| k.to_vec())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            completions("GET us", &mut keys),
            ["GET user:1", "GET user:2"]
        );
        assert_eq!(completions("get a", &mut keys), ["get \"a b\""]);
        assert_eq!(
            completions("MSET user:1 v us", &mut keys),
            ["MSET user:1 v user:1", "MSET user:1 v user:2"]
        );
        // The value of SET is not a key.
        assert!(completions("SET k us", &mut keys).is_empty());
        assert_eq!(completions("OBJECT ENCODING us", &mut keys).len(), 2);
        assert_eq!(completions("DEL x ", &mut keys).len(), 3);
    }

    #[test]
    fn tab_cycles_and_comes_back() {
        let mut c = Completer::default();
        let first = c.tab("getr", &mut no_keys);
        assert_eq!(first.as_deref(), Some("GETRANGE"));
        assert_eq!(c.tab("GETRANGE", &mut no_keys).as_deref(), Some("getr"));
        assert_eq!(c.tab("getr", &mut no_keys).as_deref(), Some("GETRANGE"));
        assert_eq!(c.escape().as_deref(), Some("getr"));
        assert_eq!(c.tab("zzz", &mut no_keys), None);
        let mut c = Completer::default();
        assert_eq!(c.tab("get", &mut no_keys).as_deref(), Some("GET"));
        assert_eq!(c.tab("GET", &mut no_keys).as_deref(), Some("GETBIT"));
    }
}
