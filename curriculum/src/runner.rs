//! Runs a step's `redis` blocks on a fresh engine, each pane as its own client, and compares
//! every stated output with what the console prints.

use std::collections::HashMap;

use emulator::cli::Session;
use emulator::Server;

use crate::blocks::{BlockKind, CommandLine};
use crate::expect::matches;
use crate::Step;

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
pub fn check_step(step: &Step) -> (usize, Vec<Failure>) {
    let mut server = Server::new();
    let mut panes: HashMap<String, Session> = HashMap::new();
    let mut checked = 0;
    let mut failures = Vec::new();
    let setup_first = step
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Redis { setup: true, .. }));
    let then_rest = step
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Redis { setup: false, .. }));
    for block in setup_first.chain(then_rest) {
        let BlockKind::Redis { pane, .. } = &block.kind else {
            continue;
        };
        for command in &block.commands {
            let session = panes
                .entry(pane.clone())
                .or_insert_with(|| Session::connect(&mut server, START_MS));
            server.advance_clock(command.advance_ms);
            let output = session.run_line(&mut server, &command.text, START_MS);
            let actual = output.strip_suffix('\n').unwrap_or(&output).to_string();
            if let Some(failure) = compare(step, command, &actual) {
                failures.push(failure);
            }
            checked += usize::from(command.expect.is_some());
        }
    }
    (checked, failures)
}

fn compare(step: &Step, command: &CommandLine, actual: &str) -> Option<Failure> {
    let failure = |expected: Option<String>| Failure {
        step: step.id.clone(),
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
