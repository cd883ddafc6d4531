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
    checked: usize,
    failures: Vec<Failure>,
}

impl<'a> Playground<'a> {
    fn new(id: &str, server: &'a mut Server) -> Playground<'a> {
        Playground {
            id: id.to_string(),
            server,
            panes: HashMap::new(),
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
