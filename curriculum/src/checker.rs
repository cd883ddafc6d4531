//! Runs a challenge's check against the learner's data, on an observer client (a hidden client
//! that leaves no trace in statistics, CLIENT LIST or access times). Expectations only read;
//! probes write only their scratch keys, which they delete before and after.

use emulator::cli::{format_reply, quote_bytes, split_args};
use emulator::resp::decode;
use emulator::{ClientId, Protocol, Reply, Server};

use crate::check::{variables, Assertion, Check, Expectation, Probe, ProbeStep};
use crate::expect::matches;

/// The outcome of one expectation, in plain language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// What the check looks for ("cache:user:42 is a hash").
    pub label: String,
    pub passed: bool,
    /// For a failure: what was found instead.
    pub found: Option<String>,
    /// For a failure: the author's advice.
    pub fix: Option<String>,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", if self.passed { "✓" } else { "✗" }, self.label)?;
        if let Some(found) = &self.found {
            write!(f, ": {found}")?;
        }
        Ok(())
    }
}

/// Whether every outcome passed.
pub fn all_passed(outcomes: &[Outcome]) -> bool {
    !outcomes.is_empty() && outcomes.iter().all(|o| o.passed)
}

/// Runs every expectation of `check` at host time `now_ms`, in order.
pub fn run_check(check: &Check, server: &mut Server, now_ms: u64) -> Vec<Outcome> {
    let client = server.connect_observer(now_ms);
    let mut observer = Observer {
        server,
        client,
        now_ms,
    };
    let outcomes = check
        .expectations
        .iter()
        .map(|e| observer.evaluate(e))
        .collect();
    observer.server.disconnect(client);
    outcomes
}

/// What the label of an expectation says, before it runs.
pub fn label(assertion: &Assertion) -> String {
    match assertion {
        Assertion::Exists(k) => format!("{k} exists"),
        Assertion::Missing(k) => format!("{k} does not exist"),
        Assertion::Type { key, type_name } => format!("{key} is {}", type_phrase(type_name)),
        Assertion::Ttl { key, seconds } => format!("{key} expires in {seconds} seconds"),
        Assertion::NoTtl(k) => format!("{k} has no TTL"),
        Assertion::Equals { key, value } => format!("{key} holds {}", quote(value)),
        Assertion::Like { key, pattern } => format!("{key} matches {pattern}"),
        Assertion::Field { key, field, value } => {
            format!("field {field} of {key} is {}", quote(value))
        }
        Assertion::List { key, items } if items.is_empty() => format!("list {key} is empty"),
        Assertion::List { key, items } => {
            format!("list {key} holds {}, in this order", list_text(items))
        }
        Assertion::Count { key, count } => format!("{key} has {count} elements"),
        Assertion::Cardinality { key, count } => {
            format!("{key} counts about {count} distinct items")
        }
        Assertion::Member { key, member } => format!("{} is in {key}", quote(member)),
        Assertion::Rank { key, member, rank } => format!(
            "{} is ranked #{} in {key} (ZREVRANK {rank})",
            quote(member),
            rank.saturating_add(1)
        ),
        Assertion::Score { key, member, score } => {
            format!("{} scores {score} in {key}", quote(member))
        }
        Assertion::LessMemory { smaller, larger } => {
            format!("{smaller} uses less memory than {larger}")
        }
        Assertion::Reply { command, expect } => {
            format!("`{command}` answers {}", expect.join(" "))
        }
        Assertion::Probe(p) => p.title.clone(),
        Assertion::OneOf(group) => {
            let titles: Vec<&str> = group.iter().map(|a| a.title.as_str()).collect();
            format!("one of: {}", titles.join("; or "))
        }
    }
}

fn type_phrase(t: &str) -> String {
    match t {
        "zset" => "a sorted set (zset)".into(),
        "string" => "a string".into(),
        other => format!("a {other}"),
    }
}

fn quote(s: &str) -> String {
    quote_bytes(s.as_bytes())
}

fn list_text(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

struct Observer<'a> {
    server: &'a mut Server,
    client: ClientId,
    now_ms: u64,
}

/// A failed expectation's finding.
type Finding = Result<(), String>;

impl Observer<'_> {
    /// Runs a command and returns its reply as a RESP2 client sees it (scores as strings).
    fn call(&mut self, argv: Vec<Vec<u8>>) -> Reply {
        let reply = self
            .server
            .execute(self.client, argv, self.now_ms)
            .pop()
            .unwrap_or(Reply::Null);
        match decode(&reply.encode(Protocol::Resp2)) {
            Ok(Some((seen, _))) => seen,
            _ => reply,
        }
    }

    fn cmd(&mut self, args: &[&str]) -> Reply {
        self.call(args.iter().map(|a| a.as_bytes().to_vec()).collect())
    }

    fn evaluate(&mut self, e: &Expectation) -> Outcome {
        let mut label = label(&e.assertion);
        let finding = match &e.assertion {
            Assertion::Probe(p) => self.probe(p),
            Assertion::OneOf(group) => {
                let mut misses = Vec::new();
                let mut passed = None;
                for alternative in group {
                    let first_miss = alternative
                        .assertions
                        .iter()
                        .find_map(|a| self.state(a).err());
                    match first_miss {
                        None => {
                            passed = Some(alternative.title.clone());
                            break;
                        }
                        Some(miss) => misses.push(format!("{}: {miss}", alternative.title)),
                    }
                }
                match passed {
                    Some(title) => {
                        label = title;
                        Ok(())
                    }
                    None => Err(misses.join("; ")),
                }
            }
            other => self.state(other),
        };
        Outcome {
            label,
            passed: finding.is_ok(),
            fix: finding.as_ref().err().and(e.fix.clone()),
            found: finding.err(),
        }
    }

    fn type_of(&mut self, key: &str) -> String {
        match self.cmd(&["TYPE", key]) {
            Reply::Simple(t) => t,
            _ => "none".into(),
        }
    }

    /// The key must exist with type `want`.
    fn require_type(&mut self, key: &str, want: &[&str]) -> Finding {
        let actual = self.type_of(key);
        if actual == "none" {
            Err(format!("{key} does not exist"))
        } else if !want.contains(&actual.as_str()) {
            Err(format!("{key} is {}", type_phrase(&actual)))
        } else {
            Ok(())
        }
    }

    fn state(&mut self, assertion: &Assertion) -> Finding {
        match assertion {
            Assertion::Exists(k) => {
                self.require_type(k, &["string", "list", "set", "zset", "hash"])
            }
            Assertion::Missing(k) => match self.type_of(k).as_str() {
                "none" => Ok(()),
                t => Err(format!("{k} still exists ({})", type_phrase(t))),
            },
            Assertion::Type { key, type_name } => self.require_type(key, &[type_name]),
            Assertion::Ttl { key, seconds } => {
                self.require_type(key, &["string", "list", "set", "zset", "hash"])?;
                match self.cmd(&["TTL", key]) {
                    Reply::Integer(-1) => Err(format!(
                        "{key} has no TTL, so it would never expire (set one with EX or EXPIRE)"
                    )),
                    Reply::Integer(n) if seconds.contains(n) => Ok(()),
                    Reply::Integer(n) => Err(format!("{key} expires in {n} seconds")),
                    other => Err(shown(&other)),
                }
            }
            Assertion::NoTtl(k) => {
                self.require_type(k, &["string", "list", "set", "zset", "hash"])?;
                match self.cmd(&["TTL", k]) {
                    Reply::Integer(-1) => Ok(()),
                    Reply::Integer(n) => Err(format!("{k} expires in {n} seconds")),
                    other => Err(shown(&other)),
                }
            }
            Assertion::Equals { key, value } => {
                let actual = self.string(key)?;
                if actual == value.as_bytes() {
                    Ok(())
                } else {
                    Err(format!("{key} holds {}", quote_bytes(&actual)))
                }
            }
            Assertion::Like { key, pattern } => {
                let actual = self.string(key)?;
                if emulator::glob::matches(pattern.as_bytes(), &actual, false) {
                    Ok(())
                } else {
                    Err(format!("{key} holds {}", quote_bytes(&actual)))
                }
            }
            Assertion::Field { key, field, value } => {
                self.require_type(key, &["hash"])?;
                match self.cmd(&["HGET", key, field]) {
                    Reply::Bulk(v) if v == value.as_bytes() => Ok(()),
                    Reply::Bulk(v) => Err(format!("field {field} is {}", quote_bytes(&v))),
                    _ => Err(format!("{key} has no field {field}")),
                }
            }
            Assertion::List { key, items } => {
                self.require_type(key, &["list"])?;
                let actual = strings(&self.cmd(&["LRANGE", key, "0", "-1"]));
                if actual == *items {
                    Ok(())
                } else {
                    Err(format!("{key} holds {}", list_text(&actual)))
                }
            }
            Assertion::Count { key, count } => {
                let kind = self.type_of(key);
                let command = match kind.as_str() {
                    "list" => "LLEN",
                    "set" => "SCARD",
                    "zset" => "ZCARD",
                    "hash" => "HLEN",
                    "none" => return Err(format!("{key} does not exist")),
                    other => return Err(format!("{key} is {}", type_phrase(other))),
                };
                match self.cmd(&[command, key]) {
                    Reply::Integer(n) if count.contains(n) => Ok(()),
                    Reply::Integer(n) => Err(format!("{key} has {n} elements")),
                    other => Err(shown(&other)),
                }
            }
            Assertion::Cardinality { key, count } => {
                self.require_type(key, &["string"])?;
                match self.cmd(&["PFCOUNT", key]) {
                    Reply::Integer(n) if count.contains(n) => Ok(()),
                    Reply::Integer(n) => Err(format!("{key} counts {n}")),
                    Reply::Error(_) => Err(format!("{key} is a string but not a HyperLogLog")),
                    other => Err(shown(&other)),
                }
            }
            Assertion::Member { key, member } => {
                let kind = self.type_of(key);
                let found = match kind.as_str() {
                    "set" => matches!(self.cmd(&["SISMEMBER", key, member]), Reply::Integer(1)),
                    "zset" => matches!(self.cmd(&["ZSCORE", key, member]), Reply::Bulk(_)),
                    "none" => return Err(format!("{key} does not exist")),
                    other => return Err(format!("{key} is {}", type_phrase(other))),
                };
                if found {
                    Ok(())
                } else {
                    Err(format!("{} is not in {key}", quote(member)))
                }
            }
            Assertion::Rank { key, member, rank } => {
                self.require_type(key, &["zset"])?;
                match self.cmd(&["ZREVRANK", key, member]) {
                    Reply::Integer(n) if n == *rank => Ok(()),
                    Reply::Integer(n) => Err(format!(
                        "{} is ranked #{} (ZREVRANK {n})",
                        quote(member),
                        n.saturating_add(1)
                    )),
                    _ => Err(format!("{} is not in {key}", quote(member))),
                }
            }
            Assertion::Score { key, member, score } => {
                self.require_type(key, &["zset"])?;
                let want: f64 = score.parse().unwrap_or(f64::NAN);
                match self.cmd(&["ZSCORE", key, member]) {
                    Reply::Bulk(v) => {
                        let text = String::from_utf8_lossy(&v).into_owned();
                        if text.parse::<f64>().is_ok_and(|s| s == want) {
                            Ok(())
                        } else {
                            Err(format!("{} scores {text}", quote(member)))
                        }
                    }
                    _ => Err(format!("{} is not in {key}", quote(member))),
                }
            }
            Assertion::LessMemory { smaller, larger } => {
                let a = self.memory(smaller)?;
                let b = self.memory(larger)?;
                if a < b {
                    Ok(())
                } else {
                    Err(format!("{smaller} uses {a} bytes, {larger} uses {b} bytes"))
                }
            }
            Assertion::Reply { command, expect } => {
                let output = self.run_line(command)?;
                if lines_match(expect, &output) {
                    Ok(())
                } else {
                    Err(format!("it answers {}", one_line(&output)))
                }
            }
            Assertion::Probe(_) | Assertion::OneOf(_) => Ok(()),
        }
    }

    fn string(&mut self, key: &str) -> Result<Vec<u8>, String> {
        self.require_type(key, &["string"])?;
        match self.cmd(&["GET", key]) {
            Reply::Bulk(v) => Ok(v),
            other => Err(shown(&other)),
        }
    }

    fn memory(&mut self, key: &str) -> Result<i64, String> {
        match self.cmd(&["MEMORY", "USAGE", key]) {
            Reply::Integer(n) => Ok(n),
            _ => Err(format!("{key} does not exist")),
        }
    }

    /// Runs a command line as redis-cli would send it; returns redis-cli's output.
    fn run_line(&mut self, line: &str) -> Result<String, String> {
        let argv = split_args(line.as_bytes()).map_err(|_| format!("cannot parse `{line}`"))?;
        let reply = self.call(argv);
        let text = format_reply(&reply, Protocol::Resp2);
        Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
    }

    fn delete(&mut self, keys: &[String]) {
        if !keys.is_empty() {
            let mut argv = vec![b"DEL".to_vec()];
            argv.extend(keys.iter().map(|k| k.as_bytes().to_vec()));
            self.call(argv);
        }
    }

    fn probe(&mut self, probe: &Probe) -> Finding {
        self.delete(&probe.scratch);
        let result = self.probe_steps(probe);
        self.delete(&probe.scratch);
        result
    }

    fn probe_steps(&mut self, probe: &Probe) -> Finding {
        let mut vars: Vec<(String, String)> = Vec::new();
        for step in &probe.steps {
            match step {
                ProbeStep::Let { name, command } => {
                    let line = substitute(command, &vars);
                    let argv = split_args(line.as_bytes())
                        .map_err(|_| format!("cannot parse `{line}`"))?;
                    match self.call(argv) {
                        Reply::Bulk(v) => {
                            vars.push((name.clone(), String::from_utf8_lossy(&v).into_owned()))
                        }
                        other => {
                            return Err(format!(
                                "`{line}` answers {}, so there is nothing to test",
                                one_line(&shown(&other))
                            ))
                        }
                    }
                }
                ProbeStep::Run { command, expect } => {
                    let line = substitute(command, &vars);
                    let output = self.run_line(&line)?;
                    match expect {
                        Some(e) if !lines_match(e, &output) => {
                            return Err(format!(
                                "`{line}` answers {}, expected {}",
                                one_line(&output),
                                e.join(" ")
                            ))
                        }
                        None if output.starts_with("(error)") => {
                            return Err(format!("`{line}` fails: {output}"))
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}

fn substitute(command: &str, vars: &[(String, String)]) -> String {
    let mut line = command.to_string();
    // Longest names first, so `$sha_b` is not read as `$sha` followed by `_b`.
    let mut names: Vec<&str> = variables(command);
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for name in names {
        if let Some((_, value)) = vars.iter().find(|(n, _)| n == name) {
            line = line.replace(&format!("${name}"), value);
        }
    }
    line
}

fn lines_match(expect: &[String], output: &str) -> bool {
    let actual: Vec<&str> = output.split('\n').collect();
    expect.len() == actual.len() && expect.iter().zip(&actual).all(|(e, a)| matches(e, a))
}

fn one_line(output: &str) -> String {
    output.split('\n').collect::<Vec<_>>().join(" ")
}

fn shown(reply: &Reply) -> String {
    let text = format_reply(reply, Protocol::Resp2);
    text.trim_end().to_string()
}

fn strings(reply: &Reply) -> Vec<String> {
    match reply {
        Reply::Array(items) => items
            .iter()
            .map(|i| match i {
                Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
                other => shown(other),
            })
            .collect(),
        _ => Vec::new(),
    }
}
