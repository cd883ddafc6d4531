//! Runs a step's `redis` blocks on a fresh engine, each pane as its own client, and compares
//! every stated output with what the console prints.

use std::collections::HashMap;

use emulator::cli::Session;
use emulator::Server;

use crate::blocks::{Block, BlockKind, CommandLine};
use crate::checker::run_check;
use crate::expect::matches;
use crate::{Challenge, Check, Step};

/// The host time content checks start at (any fixed moment works; the clock only moves forward).
const START_MS: u64 = 1_700_000_000_000;

/// A stated output that is not what the engine printed, or a command it rejected unexpectedly.
#[derive(Debug, Clone)]
pub struct Failure {
    pub step: String,
    pub command: String,
    pub expected: Option<String>,
    pub actual: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.expected {
            Some(e) => write!(
                f,
                "{}: `{}`\n  expected: {e:?}\n  actual:   {:?}",
                self.step, self.command, self.actual
            ),
            None => write!(
                f,
                "{}: `{}` was rejected: {:?}",
                self.step, self.command, self.actual
            ),
        }
    }
}

/// Runs the step (setup blocks first, then the others in order) and returns every mismatch.
/// Also returns how many expectations were checked.
/// A step's own check, if it has one, must pass once its blocks have run.
pub fn check_step(step: &Step) -> (usize, Vec<Failure>) {
    let mut server = Server::new();
    let mut playground = Playground::new(&step.id, &mut server);
    playground.run_blocks(&step.blocks);
    playground.check_arrival_claims(&step.body);
    let (mut checked, mut failures) = (playground.checked, playground.failures);
    if let Some(check) = &step.check {
        run_own_check(&step.id, check, &mut server, &mut checked, &mut failures);
    }
    (checked, failures)
}

/// Runs a challenge's setup and its solution like a step's blocks, then its check: the
/// solution must pass every expectation of its own check.
pub fn check_challenge(challenge: &Challenge) -> (usize, Vec<Failure>) {
    let mut server = Server::new();
    let mut playground = Playground::new(&challenge.id, &mut server);
    let blocks: Vec<Block> = challenge
        .goal_blocks
        .iter()
        .chain(&challenge.solution_blocks)
        .cloned()
        .collect();
    playground.run_blocks(&blocks);
    let (mut checked, mut failures) = (playground.checked, playground.failures);
    run_own_check(
        &challenge.id,
        &challenge.check,
        &mut server,
        &mut checked,
        &mut failures,
    );
    (checked, failures)
}

/// Runs `check` on the data the blocks left and records every expectation that fails.
fn run_own_check(
    id: &str,
    check: &Check,
    server: &mut Server,
    checked: &mut usize,
    failures: &mut Vec<Failure>,
) {
    for outcome in run_check(check, server, START_MS) {
        *checked += 1;
        if !outcome.passed {
            failures.push(Failure {
                step: id.to_string(),
                command: "its own check".into(),
                expected: Some(outcome.label.clone()),
                actual: outcome.found.unwrap_or_default(),
            });
        }
    }
}

/// A fresh engine with one console session per pane, as the content tests use it.
struct Playground<'a> {
    id: String,
    server: &'a mut Server,
    panes: HashMap<String, Session>,
    /// What each pane printed on its own, between commands (messages, invalidations,
    /// late replies), as the console shows it.
    arrivals: HashMap<String, String>,
    checked: usize,
    failures: Vec<Failure>,
}

/// The sentences of a step that say what a pane prints by itself: "Pane C prints `text`".
fn arrival_claims(body: &str) -> Vec<(String, String)> {
    let mut claims = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("ane ") {
        let after = &rest[at + 4..];
        rest = after;
        let mut chars = after.chars();
        let (Some(pane), Some(' ')) = (chars.next(), chars.next()) else {
            continue;
        };
        let Some(claim) = after[2..].strip_prefix("prints") else {
            continue;
        };
        let Some(quoted) = claim.trim_start().strip_prefix('`') else {
            continue;
        };
        if let Some(end) = quoted.find('`') {
            if pane.is_ascii_uppercase() {
                claims.push((pane.to_string(), quoted[..end].to_string()));
            }
        }
    }
    claims
}

impl<'a> Playground<'a> {
    fn new(id: &str, server: &'a mut Server) -> Playground<'a> {
        Playground {
            id: id.to_string(),
            server,
            panes: HashMap::new(),
            arrivals: HashMap::new(),
            checked: 0,
            failures: Vec::new(),
        }
    }

    /// Setup blocks first, then the others in order.
    fn run_blocks(&mut self, blocks: &[Block]) {
        let setup_first = blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Redis { setup: true, .. }));
        let then_rest = blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Redis { setup: false, .. }));
        for block in setup_first.chain(then_rest) {
            let BlockKind::Redis { pane, .. } = &block.kind else {
                continue;
            };
            for command in &block.commands {
                let server = &mut *self.server;
                let session = self
                    .panes
                    .entry(pane.clone())
                    .or_insert_with(|| Session::connect(server, START_MS));
                server.advance_clock(command.advance_ms);
                let output = session.run_line(server, &command.text, START_MS);
                let actual = output.strip_suffix('\n').unwrap_or(&output).to_string();
                if let Some(failure) = compare(&self.id, command, &actual) {
                    self.failures.push(failure);
                }
                self.checked += usize::from(command.expect.is_some());
                // The app's event loop turns after each command, then consoles show what
                // arrived.
                server.before_sleep();
                for (name, session) in self.panes.iter_mut() {
                    let arrived = session.take_arrivals(server);
                    self.arrivals
                        .entry(name.clone())
                        .or_default()
                        .push_str(&arrived);
                }
            }
        }
    }

    /// Checks each "Pane X prints `text`" of the step's prose: `text` is one of the lines
    /// pane X printed by itself. A claim not met at once is given up to ten seconds of
    /// engine time, as a learner would wait (a blocking command's timeout).
    fn check_arrival_claims(&mut self, body: &str) {
        let claims = arrival_claims(body);
        let met = |arrivals: &HashMap<String, String>, pane: &str, text: &str| {
            arrivals
                .get(pane)
                .is_some_and(|printed| printed.lines().any(|line| line == text))
        };
        for _ in 0..100 {
            if claims.iter().all(|(p, t)| met(&self.arrivals, p, t)) {
                break;
            }
            self.server.advance_clock(100);
            self.server.tick(START_MS);
            for (name, session) in self.panes.iter_mut() {
                let arrived = session.take_arrivals(self.server);
                self.arrivals
                    .entry(name.clone())
                    .or_default()
                    .push_str(&arrived);
            }
        }
        for (pane, text) in claims {
            self.checked += 1;
            let printed = self.arrivals.get(&pane).map_or("", String::as_str);
            if !met(&self.arrivals, &pane, &text) {
                self.failures.push(Failure {
                    step: self.id.clone(),
                    command: format!("what pane {pane} prints by itself"),
                    expected: Some(text),
                    actual: printed.to_string(),
                });
            }
        }
    }
}

fn compare(id: &str, command: &CommandLine, actual: &str) -> Option<Failure> {
    let failure = |expected: Option<String>| Failure {
        step: id.to_string(),
        command: command.text.clone(),
        expected,
        actual: actual.to_string(),
    };
    match &command.expect {
        Some(lines) => {
            let actual_lines: Vec<&str> = actual.split('\n').collect();
            let ok = lines.len() == actual_lines.len()
                && lines.iter().zip(&actual_lines).all(|(e, a)| matches(e, a));
            (!ok).then(|| failure(Some(lines.join("\n"))))
        }
        None => {
            let rejected = actual.starts_with("(error)") || actual == "Invalid argument(s)";
            rejected.then(|| failure(None))
        }
    }
}
