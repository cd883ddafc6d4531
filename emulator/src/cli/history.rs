//! Command history: which lines redis-cli keeps (not those carrying passwords), browsing with
//! ↑/↓, reverse search (Ctrl-R) and a line-per-entry text form for storage.

use std::collections::VecDeque;

use super::split_args;
use crate::util::eq_ignore_case;

/// How many lines are kept; the oldest go first.
pub const HISTORY_CAP: usize = 1000;

/// redis-cli's isSensitiveCommand: AUTH, ACL SETUSER, CONFIG SET of a password setting, HELLO
/// with AUTH, MIGRATE with AUTH or AUTH2. `argv` starts at the command (after a repeat count).
pub fn is_sensitive(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, name: &str| argv.get(i).is_some_and(|a| eq_ignore_case(a, name));
    let argc = argv.len();
    if is(0, "auth") {
        return true;
    }
    if argc > 1 && is(0, "acl") && is(1, "setuser") {
        return true;
    }
    if argc > 2
        && is(0, "config")
        && is(1, "set")
        && (is(2, "masterauth") || is(2, "masteruser") || is(2, "requirepass"))
    {
        return true;
    }
    if argc > 4 && is(0, "hello") {
        // HELLO protover [AUTH username password] [SETNAME clientname], read in order.
        let mut j = 2;
        while j < argc {
            let more = argc - 1 - j;
            if is(j, "auth") && more >= 2 {
                return true;
            } else if is(j, "setname") && more > 0 {
                j += 2;
            } else {
                return false;
            }
        }
        return false;
    }
    if argc > 7 && is(0, "migrate") {
        // MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS ...]
        for j in 6..argc {
            let more = argc - 1 - j;
            if (is(j, "auth") && more > 0) || (is(j, "auth2") && more >= 2) {
                return true;
            } else if is(j, "keys") && more > 0 {
                return false;
            }
        }
    }
    false
}

/// Whether redis-cli puts a typed line in its history: not blank lines, not lines with a
/// password, not lines refused for a bad repeat count. Lines that do not split (an open
/// quote) are kept, as redis-cli keeps them.
pub fn should_store(line: &str) -> bool {
    if line.is_empty() {
        return false;
    }
    let Ok(argv) = split_args(line.as_bytes()) else {
        return true;
    };
    let Some(first) = argv.first() else {
        return false;
    };
    let mut skip = 0;
    let all_digits = std::str::from_utf8(first).ok().and_then(|t| {
        let t = t.trim_start_matches([' ', '\t']);
        let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<i64>())
    });
    if argv.len() > 1 {
        match all_digits {
            Some(Ok(n)) if n > 0 => skip = 1,
            Some(_) => return false,
            None if first.is_empty() => return false,
            None => {}
        }
    }
    !is_sensitive(&argv[skip..])
}

/// The lines typed, oldest first, with a browsing position.
#[derive(Debug, Default, Clone)]
pub struct History {
    lines: VecDeque<String>,
    /// While browsing: the index of the line shown; None when editing a new line.
    cursor: Option<usize>,
    /// The line being typed before browsing started, given back past the newest entry.
    draft: String,
}

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// Reads the stored form (one line per entry), keeping the newest [`HISTORY_CAP`].
    pub fn from_text(text: &str) -> History {
        let mut history = History::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            history.push(line.to_string());
        }
        history
    }

    /// The stored form: one line per entry.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(String::as_str)
    }

    /// Records a line that was run, if redis-cli would; returns whether it did. Stops any
    /// browsing.
    pub fn add(&mut self, line: &str) -> bool {
        self.cursor = None;
        self.draft.clear();
        if !should_store(line) {
            return false;
        }
        self.push(line.to_string());
        true
    }

    fn push(&mut self, line: String) {
        // Lines are single lines; a stored newline would split into two entries on reload.
        if line.contains(['\n', '\r']) || self.lines.back() == Some(&line) {
            return;
        }
        if self.lines.len() >= HISTORY_CAP {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// ↑: the previous line, given the line currently in the input (kept as the draft when
    /// browsing starts). None at the oldest line.
    pub fn up(&mut self, current: &str) -> Option<String> {
        let next = match self.cursor {
            None => {
                let newest = self.lines.len().checked_sub(1)?;
                self.draft = current.to_string();
                newest
            }
            Some(0) => return None,
            Some(i) => i - 1,
        };
        self.cursor = Some(next);
        self.lines.get(next).cloned()
    }

    /// ↓: the next line, or the draft past the newest. None when not browsing.
    pub fn down(&mut self) -> Option<String> {
        let i = self.cursor?;
        if i + 1 < self.lines.len() {
            self.cursor = Some(i + 1);
            self.lines.get(i + 1).cloned()
        } else {
            self.cursor = None;
            Some(std::mem::take(&mut self.draft))
        }
    }

    /// Stops browsing (the line was edited or run).
    pub fn reset_browsing(&mut self) {
        self.cursor = None;
    }

    /// Ctrl-R: the newest line containing `query` (case-sensitive, as shells do) older than
    /// entry `before` (all entries when None), with its index for searching further back.
    pub fn search(&self, query: &str, before: Option<usize>) -> Option<(usize, &str)> {
        let end = before.unwrap_or(self.lines.len()).min(self.lines.len());
        (0..end)
            .rev()
            .find(|&i| self.lines[i].contains(query))
            .map(|i| (i, self.lines[i].as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_history() {
        for line in [
            "AUTH secret",
            "auth user secret",
            "3 AUTH secret",
            "ACL SETUSER bob on >pw",
            "CONFIG SET requirepass pw",
            "config set masterauth pw",
            "HELLO 3 AUTH default pw",
            "HELLO 3 SETNAME me AUTH default pw",
            "MIGRATE h 1 k 0 100 AUTH pw",
            "MIGRATE h 1 \"\" 0 100 COPY AUTH2 user pw KEYS a",
        ] {
            assert!(!should_store(line), "{line}");
        }
        for line in [
            "SET k v",
            "HELLO 3",
            "HELLO 3 SETNAME me",
            "HELLO 3 FOO AUTH a b",
            "CONFIG SET maxmemory 1mb",
            "MIGRATE h 1 \"\" 0 100 KEYS AUTH x",
            "GET \"open",
            "3 INCR x",
        ] {
            assert!(should_store(line), "{line}");
        }
        assert!(!should_store(""));
        assert!(!should_store("   "));
        assert!(!should_store("0 INCR x"));
    }

    #[test]
    fn browsing_and_draft() {
        let mut h = History::new();
        h.add("SET a 1");
        h.add("GET a");
        h.add("GET a");
        assert_eq!(h.len(), 2);
        assert_eq!(h.up("typing").as_deref(), Some("GET a"));
        assert_eq!(h.up("GET a").as_deref(), Some("SET a 1"));
        assert_eq!(h.up("SET a 1"), None);
        assert_eq!(h.down().as_deref(), Some("GET a"));
        assert_eq!(h.down().as_deref(), Some("typing"));
        assert_eq!(h.down(), None);
    }

    #[test]
    fn cap_and_storage() {
        let mut h = History::new();
        for i in 0..(HISTORY_CAP + 5) {
            h.add(&format!("INCR k{i}"));
        }
        assert_eq!(h.len(), HISTORY_CAP);
        assert_eq!(h.lines().next(), Some("INCR k5"));
        let back = History::from_text(&h.to_text());
        assert_eq!(back.len(), HISTORY_CAP);
        assert_eq!(back.to_text(), h.to_text());
    }

    #[test]
    fn reverse_search() {
        let mut h = History::new();
        for line in ["SET user:1 a", "GET x", "SET user:2 b", "DEL y"] {
            h.add(line);
        }
        assert_eq!(h.search("user", None), Some((2, "SET user:2 b")));
        assert_eq!(h.search("user", Some(2)), Some((0, "SET user:1 a")));
        assert_eq!(h.search("user", Some(0)), None);
        assert_eq!(h.search("nothing", None), None);
    }
}
