//! The differential script format (`tests/differential/*.redis`; described in full in
//! `tests/differential/README.md`).

use emulator::cli::split_args;
use emulator::resp::Protocol;

use crate::compare::Mode;

/// A parsed script.
#[derive(Debug, Clone)]
pub struct Script {
    /// File name, for reports.
    pub name: String,
    /// Set by `!resp2-only` / `!resp3-only`: the only protocol the script runs in.
    pub only: Option<Protocol>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based line number.
    pub line: usize,
    /// The line as written (trimmed), for reports.
    pub text: String,
    pub action: Action,
}

#[derive(Debug, Clone)]
pub enum Action {
    /// Send a command to both servers and compare the replies.
    Command { argv: Vec<Vec<u8>>, mode: Mode },
    /// Let time pass: our engine's clock moves forward, the harness sleeps against Redis, and
    /// anything either server sends meanwhile (blocking timeouts) is compared.
    Advance { ms: u64 },
}

/// A line that is not valid in the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// The most a script may sleep in total: the suite must stay fast.
pub const MAX_TOTAL_ADVANCE_MS: u64 = 10_000;

/// Parses a script; returns every invalid line rather than only the first.
pub fn parse(name: &str, text: &str) -> Result<Script, Vec<ParseError>> {
    let mut script = Script {
        name: name.to_string(),
        only: None,
        steps: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut total_advance: u64 = 0;
    for (index, raw_line) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw_line.trim();
        let mut fail = |message: String| errors.push(ParseError { line, message });
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (mode, command_text) = if let Some(rest) = trimmed.strip_prefix('!') {
            let (directive, argument) = match rest.split_once(char::is_whitespace) {
                Some((d, a)) => (d, a.trim()),
                None => (rest, ""),
            };
            match (directive, argument.is_empty()) {
                ("resp2-only" | "resp3-only", true) => {
                    let protocol = if directive == "resp2-only" {
                        Protocol::Resp2
                    } else {
                        Protocol::Resp3
                    };
                    if script.only.is_some_and(|p| p != protocol) {
                        fail("both !resp2-only and !resp3-only".into());
                    }
                    script.only = Some(protocol);
                    continue;
                }
                ("advance", false) => {
                    match argument.parse::<u64>() {
                        Ok(ms) => {
                            total_advance = total_advance.saturating_add(ms);
                            if total_advance > MAX_TOTAL_ADVANCE_MS {
                                fail(format!(
                                    "!advance: more than {MAX_TOTAL_ADVANCE_MS} ms in total"
                                ));
                            }
                            script.steps.push(Step {
                                line,
                                text: trimmed.to_string(),
                                action: Action::Advance { ms },
                            });
                        }
                        Err(_) => fail(format!("!advance needs milliseconds, got {argument:?}")),
                    }
                    continue;
                }
                ("shape", false) => (Mode::Shape, argument),
                ("unordered", false) => (Mode::Unordered, argument),
                _ => {
                    fail(format!("unknown or malformed directive {trimmed:?}"));
                    continue;
                }
            }
        } else {
            (Mode::Exact, trimmed)
        };
        match split_args(command_text.as_bytes()) {
            Ok(argv) if !argv.is_empty() => script.steps.push(Step {
                line,
                text: trimmed.to_string(),
                action: Action::Command { argv, mode },
            }),
            Ok(_) => fail("no command".into()),
            Err(_) => fail(
                "invalid quoting (unbalanced quotes, or a closing quote not followed by a space)"
                    .into(),
            ),
        }
    }
    if errors.is_empty() {
        Ok(script)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_directives() {
        let text = "# comment\n\n!resp3-only\nSET k \"a b\"\n  !shape INFO server\n!unordered SMEMBERS s\n!advance 20\n";
        let script = parse("t.redis", text).unwrap();
        assert_eq!(script.only, Some(Protocol::Resp3));
        assert_eq!(script.steps.len(), 4);
        let Action::Command { argv, mode } = &script.steps[0].action else {
            panic!()
        };
        assert_eq!(argv, &vec![b"SET".to_vec(), b"k".to_vec(), b"a b".to_vec()]);
        assert_eq!(*mode, Mode::Exact);
        assert_eq!(script.steps[0].line, 4);
        assert!(matches!(
            script.steps[1].action,
            Action::Command {
                mode: Mode::Shape,
                ..
            }
        ));
        assert!(matches!(
            script.steps[2].action,
            Action::Command {
                mode: Mode::Unordered,
                ..
            }
        ));
        assert!(matches!(script.steps[3].action, Action::Advance { ms: 20 }));
    }

    #[test]
    fn reports_every_bad_line() {
        let errors = parse(
            "t.redis",
            "GET \"x\n!advance soon\n!bogus\n!shape\n!advance 99999\n",
        )
        .unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5]);
    }
}
