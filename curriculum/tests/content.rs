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

/// The list of sentences that say what the playground cannot do, each with a command that
/// shows it: `file | words of the sentence | command` (see content/README.md).
const LIMITS_FILE: &str = "playground-limits.txt";

/// Words that make a sentence about the playground a claim that something is missing.
const MISSING_WORDS: &[&str] = &[
    " not ",
    "n't ",
    "cannot",
    " yet",
    "coming",
    "unsupported",
    "missing",
    "instead of running",
];
/// Words that make a sentence about the playground rather than about Redis.
const PLAYGROUND_WORDS: &[&str] = &["playground", "engine", "this console", "in the browser"];

#[test]
fn every_claim_that_the_playground_cannot_do_something_is_listed_and_still_true() {
    let files = read_content();
    let limits = files
        .iter()
        .find(|(p, _)| p == LIMITS_FILE)
        .map(|(_, t)| t.clone())
        .unwrap_or_else(|| panic!("content/{LIMITS_FILE} is missing"));
    let entries: Vec<(String, String, String)> = limits
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.splitn(3, '|').map(str::trim).collect();
            assert_eq!(
                parts.len(),
                3,
                "{LIMITS_FILE}: `{l}` is not `file | words | command`"
            );
            (parts[0].into(), parts[1].into(), parts[2].into())
        })
        .collect();
    let mut problems = Vec::new();
    let prose_of = |path: &str| -> Option<String> {
        files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, text)| one_line(&prose(text)))
    };
    // Every entry still appears, and its command still fails: with Redis's unknown-command
    // error while the playground lacks it, or with Redis's own refusal for what it can never
    // do (loading a native module). When it starts working, the sentence has to go.
    for (path, words, command) in &entries {
        match prose_of(path) {
            None => problems.push(format!("{LIMITS_FILE}: no file content/{path}")),
            Some(text) if !text.contains(words.as_str()) => problems.push(format!(
                "{LIMITS_FILE}: content/{path} no longer says `{words}`: remove the entry"
            )),
            Some(_) => {}
        }
        let mut server = emulator::Server::new();
        let mut session = emulator::cli::Session::connect(&mut server, 0);
        let output = session.run_line(&mut server, command, 0);
        if !output.starts_with("(error) ") {
            problems.push(format!(
                "content/{path} says `{words}`, but `{command}` now answers {:?}: update the \
                 lesson and remove the entry from {LIMITS_FILE}",
                output.trim_end()
            ));
        }
    }
    // Every sentence that reads like such a claim is listed.
    for (path, text) in files
        .iter()
        .filter(|(p, _)| p.ends_with(".md") && p.contains('/'))
    {
        for sentence in sentences(&one_line(&prose(text))) {
            let lower = format!(" {} ", sentence.to_lowercase());
            let is_claim = PLAYGROUND_WORDS.iter().any(|w| lower.contains(w))
                && MISSING_WORDS.iter().any(|w| lower.contains(w));
            let listed = entries
                .iter()
                .any(|(p, words, _)| p == path && sentence.contains(words.as_str()));
            if is_claim && !listed {
                problems.push(format!(
                    "content/{path}: \"{sentence}\" reads like something the playground cannot \
                     do: list it in {LIMITS_FILE} with a command that shows it"
                ));
            }
        }
    }
    println!(
        "claims about the playground's limits: {} listed, each still true",
        entries.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The Markdown without its front matter and fenced code blocks.
fn prose(markdown: &str) -> String {
    let body = markdown
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(markdown, |(_, body)| body);
    let mut in_code = false;
    body.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
                return false;
            }
            !in_code
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paragraphs kept apart by a blank line, lines within a paragraph joined by spaces.
fn one_line(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sentences: split after `.`, `?` or `!` followed by a space, and at paragraph ends.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines() {
        let mut current = String::new();
        let mut chars = paragraph.chars().peekable();
        while let Some(c) = chars.next() {
            current.push(c);
            if matches!(c, '.' | '?' | '!') && chars.peek() == Some(&' ') {
                out.push(current.trim().to_string());
                current.clear();
            }
        }
        if !current.trim().is_empty() {
            out.push(current.trim().to_string());
        }
    }
    out
}

/// Within a module the levels only go up, so a learner who stops at a level has seen every
/// step of it.
#[test]
fn levels_never_go_back_down_within_a_module() {
    let course = common::course();
    let mut problems = Vec::new();
    for module in &course.modules {
        for pair in module.steps.windows(2) {
            if pair[1].level < pair[0].level {
                problems.push(format!(
                    "{}: {} ({}) comes after {} ({})",
                    module.id,
                    pair[1].id,
                    pair[1].level.name(),
                    pair[0].id,
                    pair[0].level.name()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
