//! The ` ```check ` block of a challenge: what must be true of the learner's data once the
//! challenge is solved, one expectation a line, plus behavioural probes that call the learner's
//! scripts on scratch keys. See `content/README.md` for the format; `checker` runs it.

use emulator::cli::split_args;

use crate::blocks::{expectation, split_comment};

/// A parsed ` ```check ` block.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Check {
    pub expectations: Vec<Expectation>,
}

/// One line of the result: an assertion and the advice shown when it fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub assertion: Assertion,
    /// `fix: ...` after the expectation: what to do when it fails.
    pub fix: Option<String>,
    /// Line number within the block, from 1.
    pub line: usize,
}

/// An inclusive range of integers (`1..600`, or `5` for exactly five).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub low: i64,
    pub high: i64,
}

impl Range {
    pub fn contains(self, n: i64) -> bool {
        (self.low..=self.high).contains(&n)
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{} to {}", self.low, self.high)
        }
    }
}

/// What one expectation states about the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assertion {
    Exists(String),
    Missing(String),
    /// The key holds this type, as TYPE names it (`string`, `hash`, `zset`...).
    Type {
        key: String,
        type_name: String,
    },
    /// Remaining time to live in seconds.
    Ttl {
        key: String,
        seconds: Range,
    },
    NoTtl(String),
    /// A string value, exactly.
    Equals {
        key: String,
        value: String,
    },
    /// A string value matching a glob pattern (`*`, `?`, `[...]` as in KEYS).
    Like {
        key: String,
        pattern: String,
    },
    /// A hash field's value, exactly.
    Field {
        key: String,
        field: String,
        value: String,
    },
    /// A whole list, in order from the head.
    List {
        key: String,
        items: Vec<String>,
    },
    /// Number of elements of a list, set, sorted set or hash.
    Count {
        key: String,
        count: Range,
    },
    /// Estimated cardinality of a HyperLogLog.
    Cardinality {
        key: String,
        count: Range,
    },
    /// A member of a set or sorted set.
    Member {
        key: String,
        member: String,
    },
    /// Position in a sorted set from the highest score (0 is first).
    Rank {
        key: String,
        member: String,
        rank: i64,
    },
    Score {
        key: String,
        member: String,
        score: String,
    },
    /// MEMORY USAGE of the first key is below the second's.
    LessMemory {
        smaller: String,
        larger: String,
    },
    /// Any read-only command and its exact redis-cli output (placeholders allowed).
    Reply {
        command: String,
        expect: Vec<String>,
    },
    Probe(Probe),
    /// Passes when every expectation of at least one alternative passes (`either` / `or`):
    /// for challenges that accept several designs.
    OneOf(Vec<Alternative>),
}

/// One accepted design of an `either` group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alternative {
    pub title: String,
    pub assertions: Vec<Assertion>,
}

/// A behavioural probe: commands run on a hidden client, usually calling the learner's script
/// on scratch keys, each with its expected output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub title: String,
    /// Keys the probe may write: deleted before it starts and after it ends.
    pub scratch: Vec<String>,
    pub steps: Vec<ProbeStep>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeStep {
    /// `let NAME = COMMAND`: the command's string reply, used later as `$NAME`.
    Let { name: String, command: String },
    /// A command and, if stated, its expected output lines.
    Run {
        command: String,
        expect: Option<Vec<String>>,
    },
}

/// Parses a check block; errors name the line.
pub fn parse(text: &str) -> Result<Check, String> {
    let mut check = Check::default();
    let mut in_probe = false;
    let mut in_group = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let at = |e: String| format!("check line {n}: {e}");
        let line = raw.trim();
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        if line.is_empty() || (line.starts_with('#') && !(indented && line.starts_with("# ->"))) {
            continue;
        }
        if let Some(advice) = line.strip_prefix("fix:") {
            let last = check
                .expectations
                .last_mut()
                .ok_or_else(|| at("'fix:' before any expectation".into()))?;
            if last.fix.is_some() {
                return Err(at("a second 'fix:' for one expectation".into()));
            }
            last.fix = Some(advice.trim().to_string());
            continue;
        }
        if indented && in_probe {
            let Some(Assertion::Probe(probe)) =
                check.expectations.last_mut().map(|e| &mut e.assertion)
            else {
                return Err(at("probe line outside a probe".into()));
            };
            probe_line(probe, line).map_err(at)?;
            continue;
        }
        if indented && in_group {
            let Some(Assertion::OneOf(group)) =
                check.expectations.last_mut().map(|e| &mut e.assertion)
            else {
                return Err(at("alternative line outside an 'either'".into()));
            };
            let inner = assertion(line).map_err(at)?;
            if matches!(inner, Assertion::Probe(_) | Assertion::OneOf(_)) {
                return Err(at(
                    "an 'either' alternative holds plain expectations only".into()
                ));
            }
            if let Some(alternative) = group.last_mut() {
                alternative.assertions.push(inner);
            }
            continue;
        }
        if let Some(title) = line.strip_prefix("or ") {
            let Some(Assertion::OneOf(group)) =
                check.expectations.last_mut().map(|e| &mut e.assertion)
            else {
                return Err(at("'or' without an 'either' before it".into()));
            };
            group.push(Alternative {
                title: title.trim().to_string(),
                assertions: Vec::new(),
            });
            continue;
        }
        if indented {
            return Err(at(
                "indented line outside a probe (only probe steps are indented)".into(),
            ));
        }
        let assertion = assertion(line).map_err(at)?;
        in_probe = matches!(assertion, Assertion::Probe(_));
        in_group = matches!(assertion, Assertion::OneOf(_));
        check.expectations.push(Expectation {
            assertion,
            fix: None,
            line: n,
        });
    }
    for e in &check.expectations {
        match &e.assertion {
            Assertion::Probe(p) if !p.steps.iter().any(|s| matches!(s, ProbeStep::Run { .. })) => {
                return Err(format!("check line {}: probe without commands", e.line));
            }
            Assertion::OneOf(group)
                if group.len() < 2 || group.iter().any(|a| a.assertions.is_empty()) =>
            {
                return Err(format!(
                    "check line {}: 'either' needs at least one 'or', each with expectations",
                    e.line
                ));
            }
            _ => {}
        }
    }
    if check.expectations.is_empty() {
        return Err("check block without expectations".into());
    }
    Ok(check)
}

fn words(line: &str) -> Result<Vec<String>, String> {
    let args = split_args(line.as_bytes()).map_err(|_| "unbalanced quotes".to_string())?;
    args.into_iter()
        .map(|a| String::from_utf8(a).map_err(|_| "not UTF-8".to_string()))
        .collect()
}

fn range(text: &str) -> Result<Range, String> {
    let bad = || format!("'{text}' is not a number or a range like 1..600");
    let (low, high) = text.split_once("..").unwrap_or((text, text));
    let (low, high) = (
        low.parse().map_err(|_| bad())?,
        high.parse().map_err(|_| bad())?,
    );
    if low > high {
        return Err(format!("empty range '{text}'"));
    }
    Ok(Range { low, high })
}

fn assertion(line: &str) -> Result<Assertion, String> {
    let (keyword, rest) = line.split_once(' ').unwrap_or((line, ""));
    if keyword == "probe" {
        let title = rest.trim();
        if title.is_empty() {
            return Err("probe needs a title".into());
        }
        return Ok(Assertion::Probe(Probe {
            title: title.to_string(),
            scratch: Vec::new(),
            steps: Vec::new(),
        }));
    }
    if keyword == "either" {
        return Ok(Assertion::OneOf(vec![Alternative {
            title: rest.trim().to_string(),
            assertions: Vec::new(),
        }]));
    }
    if keyword == "reply" {
        let (command, comment) = split_comment(rest.trim());
        let expect = comment
            .and_then(expectation)
            .ok_or("reply needs '# -> output' after the command")?;
        if command.is_empty() {
            return Err("reply needs a command".into());
        }
        return Ok(Assertion::Reply {
            command: command.to_string(),
            expect: vec![expect],
        });
    }
    let args = words(rest)?;
    let arity = |n: usize| -> Result<(), String> {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "'{keyword}' takes {n} argument{}, got {}",
                if n == 1 { "" } else { "s" },
                args.len()
            ))
        }
    };
    let a = |i: usize| args.get(i).cloned().unwrap_or_default();
    Ok(match keyword {
        "exists" => arity(1).map(|_| Assertion::Exists(a(0)))?,
        "missing" => arity(1).map(|_| Assertion::Missing(a(0)))?,
        "no-ttl" => arity(1).map(|_| Assertion::NoTtl(a(0)))?,
        "type" => {
            arity(2)?;
            const TYPES: &[&str] = &["string", "list", "set", "zset", "hash", "stream"];
            if !TYPES.contains(&a(1).as_str()) {
                return Err(format!("unknown type '{}'", a(1)));
            }
            Assertion::Type {
                key: a(0),
                type_name: a(1),
            }
        }
        "ttl" => {
            arity(2)?;
            Assertion::Ttl {
                key: a(0),
                seconds: range(&a(1))?,
            }
        }
        "equals" => arity(2).map(|_| Assertion::Equals {
            key: a(0),
            value: a(1),
        })?,
        "like" => arity(2).map(|_| Assertion::Like {
            key: a(0),
            pattern: a(1),
        })?,
        "field" => arity(3).map(|_| Assertion::Field {
            key: a(0),
            field: a(1),
            value: a(2),
        })?,
        "list" => {
            if args.is_empty() {
                return Err("'list' needs a key".into());
            }
            Assertion::List {
                key: a(0),
                items: args[1..].to_vec(),
            }
        }
        "count" => {
            arity(2)?;
            Assertion::Count {
                key: a(0),
                count: range(&a(1))?,
            }
        }
        "cardinality" => {
            arity(2)?;
            Assertion::Cardinality {
                key: a(0),
                count: range(&a(1))?,
            }
        }
        "member" => arity(2).map(|_| Assertion::Member {
            key: a(0),
            member: a(1),
        })?,
        "rank" => {
            arity(3)?;
            Assertion::Rank {
                key: a(0),
                member: a(1),
                rank: a(2)
                    .parse()
                    .map_err(|_| format!("rank '{}' is not a number", a(2)))?,
            }
        }
        "score" => {
            arity(3)?;
            if a(2).parse::<f64>().is_err() {
                return Err(format!("score '{}' is not a number", a(2)));
            }
            Assertion::Score {
                key: a(0),
                member: a(1),
                score: a(2),
            }
        }
        "less-memory" => arity(2).map(|_| Assertion::LessMemory {
            smaller: a(0),
            larger: a(1),
        })?,
        other => return Err(format!("unknown expectation '{other}'")),
    })
}

fn probe_line(probe: &mut Probe, line: &str) -> Result<(), String> {
    if let Some(rest) = line.strip_prefix("# ->") {
        let expect = rest.strip_prefix(' ').unwrap_or(rest).to_string();
        return match probe.steps.last_mut() {
            Some(ProbeStep::Run { expect: e, .. }) => {
                e.get_or_insert_with(Vec::new).push(expect);
                Ok(())
            }
            _ => Err("'# ->' without a command before it".into()),
        };
    }
    if let Some(keys) = line.strip_prefix("scratch ") {
        probe.scratch.extend(words(keys)?);
        return Ok(());
    }
    if let Some(binding) = line.strip_prefix("let ") {
        let (name, command) = binding
            .split_once('=')
            .ok_or("'let' needs 'let NAME = COMMAND'")?;
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("bad variable name '{name}'"));
        }
        probe.steps.push(ProbeStep::Let {
            name: name.to_string(),
            command: command.trim().to_string(),
        });
        return Ok(());
    }
    let (command, comment) = split_comment(line);
    for var in variables(command) {
        let bound = probe
            .steps
            .iter()
            .any(|s| matches!(s, ProbeStep::Let { name, .. } if name == var));
        if !bound {
            return Err(format!("'${var}' is not set by a 'let' line before it"));
        }
    }
    probe.steps.push(ProbeStep::Run {
        command: command.to_string(),
        expect: comment.and_then(expectation).map(|e| vec![e]),
    });
    Ok(())
}

/// The `$NAME` variables a probe command uses.
pub fn variables(command: &str) -> Vec<&str> {
    command
        .match_indices('$')
        .map(|(i, _)| {
            let rest = &command[i + 1..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line() {
        let text = "# comment\ntype k string\nfix: use SET\nttl k 1..600\ncount q 3\nreply ZRANGE z 0 -1 # -> (empty array)\nprobe limiter rejects the fourth call\n  scratch check:rl\n  let sha = GET cfg:sha\n  EVALSHA $sha 1 check:rl 3 60 # -> (integer) 1\n  LRANGE x 0 -1\n  # -> 1) \"a\"\n  # -> 2) \"b\"\nmissing lock\n";
        let check = parse(text).unwrap();
        let e = &check.expectations;
        assert_eq!(e.len(), 6);
        assert_eq!(e[0].fix.as_deref(), Some("use SET"));
        assert_eq!(
            e[1].assertion,
            Assertion::Ttl {
                key: "k".into(),
                seconds: Range { low: 1, high: 600 }
            }
        );
        assert_eq!(
            e[2].assertion,
            Assertion::Count {
                key: "q".into(),
                count: Range { low: 3, high: 3 }
            }
        );
        let Assertion::Probe(p) = &e[4].assertion else {
            panic!("probe expected");
        };
        assert_eq!(p.scratch, vec!["check:rl".to_string()]);
        assert_eq!(p.steps.len(), 3);
        assert_eq!(
            p.steps[2],
            ProbeStep::Run {
                command: "LRANGE x 0 -1".into(),
                expect: Some(vec!["1) \"a\"".into(), "2) \"b\"".into()])
            }
        );
        assert_eq!(e[5].line, 14);
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let err = |t: &str| parse(t).unwrap_err();
        assert_eq!(
            err("frobnicate k"),
            "check line 1: unknown expectation 'frobnicate'"
        );
        assert_eq!(
            err("exists"),
            "check line 1: 'exists' takes 1 argument, got 0"
        );
        assert_eq!(err("type k blob"), "check line 1: unknown type 'blob'");
        assert_eq!(
            err("ttl k soon"),
            "check line 1: 'soon' is not a number or a range like 1..600"
        );
        assert_eq!(err("ttl k 9..1"), "check line 1: empty range '9..1'");
        assert_eq!(err("fix: x"), "check line 1: 'fix:' before any expectation");
        assert_eq!(
            err("exists k\n  GET k"),
            "check line 2: indented line outside a probe (only probe steps are indented)"
        );
        assert_eq!(
            err("probe p\n  scratch a"),
            "check line 1: probe without commands"
        );
        assert_eq!(
            err("probe p\n  EVALSHA $sha 0"),
            "check line 2: '$sha' is not set by a 'let' line before it"
        );
        assert_eq!(
            err("reply GET k"),
            "check line 1: reply needs '# -> output' after the command"
        );
        assert_eq!(err("equals k \"open"), "check line 1: unbalanced quotes");
        assert_eq!(err("# nothing\n"), "check block without expectations");
        assert_eq!(
            err("either a\n  exists k\n"),
            "check line 1: 'either' needs at least one 'or', each with expectations"
        );
        assert_eq!(
            err("exists k\nor b\n"),
            "check line 2: 'or' without an 'either' before it"
        );
    }

    #[test]
    fn either_groups_collect_alternatives() {
        let check = parse("either lock\n  missing lock:x\n  exists stale\nor early refresh\n  like k *delta*\nfix: do one\n").unwrap();
        let Assertion::OneOf(group) = &check.expectations[0].assertion else {
            panic!("group expected");
        };
        assert_eq!(group.len(), 2);
        assert_eq!(group[0].assertions.len(), 2);
        assert_eq!(group[1].title, "early refresh");
        assert_eq!(check.expectations[0].fix.as_deref(), Some("do one"));
    }
}
