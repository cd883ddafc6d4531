//! The differential harness checks itself: scripts that must pass, and differences it must
//! catch and report without stopping.

use std::path::PathBuf;

use emulator::commands::Registry;
use emulator::resp::Protocol;
use integration_tests::differential::{run, Options, Summary};
use integration_tests::real_redis::RealRedis;

/// Writes `files` to a fresh directory and runs them.
fn run_scripts(redis: &RealRedis, name: &str, files: &[(&str, &str)]) -> (Summary, Vec<String>) {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "differential-selftest-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let options = Options {
        dir: dir.clone(),
        filter: Vec::new(),
        protocol: None,
        verbose: false,
    };
    let mut printed = Vec::new();
    let summary = run(redis, &options, &mut |line| printed.push(line.to_string())).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    (summary, printed)
}

fn passes_per_file() -> usize {
    if Registry::get().command("hello").is_some() {
        2
    } else {
        1
    }
}

#[test]
fn matching_scripts_pass() {
    let Some(redis) = RealRedis::start_for_test("harness self-test") else {
        return;
    };
    let script = "\
# Replies that every engine build has.
PING
PING \"hello world\"
ECHO \"bin\\x00ary\\r\\n\"
ECHO ''
SET k v
GET k
GET missing
!shape ECHO anything
!unordered ECHO x
NOSUCHCOMMAND a 'b c'
GET
!advance 5
";
    let (summary, printed) = run_scripts(&redis, "pass", &[("basic.redis", script)]);
    assert!(!summary.failed(), "{printed:#?}");
    assert_eq!(summary.files, 1);
    assert_eq!(summary.passes, passes_per_file());
    let cases_per_pass = 12;
    let hello_cases = passes_per_file() - 1;
    assert_eq!(
        summary.cases,
        cases_per_pass * passes_per_file() + hello_cases
    );
}

#[test]
fn differences_are_reported_and_the_run_goes_on() {
    let Some(redis) = RealRedis::start_for_test("harness self-test") else {
        return;
    };
    // CLIENT ID differs whatever the engine does: Redis has served other connections first.
    let files = [
        ("a.redis", "PING\nCLIENT ID\nECHO after\n"),
        ("b.redis", "!resp2-only\nCLIENT ID\n"),
        ("c.redis", "GET \"unterminated\n!nonsense\n"),
    ];
    let (summary, printed) = run_scripts(&redis, "fail", &files);
    let mismatches: Vec<(String, usize, Protocol)> = summary
        .mismatches
        .iter()
        .map(|m| (m.file.clone(), m.line, m.protocol))
        .collect();
    let mut expected = vec![("a.redis".to_string(), 2, Protocol::Resp2)];
    if passes_per_file() == 2 {
        expected.push(("a.redis".to_string(), 2, Protocol::Resp3));
    }
    expected.push(("b.redis".to_string(), 2, Protocol::Resp2));
    assert_eq!(mismatches, expected, "{printed:#?}");
    // The invalid lines of c.redis are reported with their line numbers.
    assert_eq!(summary.problems.len(), 2, "{:?}", summary.problems);
    assert!(summary.problems[0].starts_with("c.redis:1:"));
    assert!(summary.problems[1].starts_with("c.redis:2:"));
    assert!(summary.failed());
    // Each mismatch is printed with the command and both replies.
    let report = printed.join("\n");
    assert!(report.contains("a.redis:2 (RESP2) CLIENT ID"), "{report}");
    assert!(report.contains("    ours:  "), "{report}");
    assert!(report.contains("    redis: "), "{report}");
    assert!(summary.line().starts_with(&format!(
        "differential: 3 files, {} cases compared, {} mismatches",
        summary.cases,
        expected.len()
    )));
}
