//! The content test: every file under content/ parses, every runnable block runs on a fresh
//! engine, and every stated output is exactly what the console prints.

mod common;

use common::read_content;
use curriculum::{check_challenge, check_step, BlockKind, Course};

#[test]
fn every_step_parses_runs_and_states_true_outputs() {
    let files = read_content();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let course = match Course::from_files(&refs) {
        Ok(course) => course,
        Err(errors) => panic!(
            "content errors:\n{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    let mut checked = 0;
    let mut runnable_blocks = 0;
    let mut failures = Vec::new();
    for step in course.steps() {
        runnable_blocks += step
            .blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Redis { .. }))
            .count();
        let (n, step_failures) = check_step(step);
        checked += n;
        failures.extend(step_failures);
    }
    // Every challenge's solution runs like a step and then passes its own check.
    for challenge in &course.challenges {
        let (n, challenge_failures) = check_challenge(challenge);
        checked += n;
        failures.extend(challenge_failures);
    }
    println!(
        "content: {} modules, {} steps, {} runnable blocks, {} challenges, {} expectations checked",
        course.modules.len(),
        course.steps().count(),
        runnable_blocks,
        course.challenges.len(),
        checked
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(checked > 0, "no expectations found");
}
