//! The console against redis-cli: each `tests/console/*.txt` file is piped into
//! `redis-cli --no-raw` connected to a real redis-server 7.0, and into `redis-emu cli --no-raw`
//! running its own engine, and the two outputs must be the same text.
//!
//! A file holds lines as typed at the redis-cli prompt; lines starting with `#` are comments
//! for the reader and are not sent. Each file starts from an empty server. Files named
//! `*.resp3.txt` run with `-3` (RESP3 from the start) on both sides.
//! `CONSOLE_FILTER=state` runs only matching files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use integration_tests::admin::Admin;
use integration_tests::announce;
use integration_tests::real_redis::{require_tool, RealRedis};

/// The `redis-emu` binary of this build, in the test executable's profile directory. It is
/// brought up to date first (a no-op after a workspace build), so a run of this test alone
/// never compares a stale binary.
fn redis_emu() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "-p", "redis-emu", "--bin", "redis-emu"]);
    if profile_dir.ends_with("release") {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build");
    assert!(status.success(), "cargo build -p redis-emu failed");
    profile_dir.join("redis-emu")
}

/// Pipes `input` into a command and returns its standard output.
fn run_piped(mut command: Command, input: &str) -> String {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start process");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write input");
    }
    let output = child.wait_with_output().expect("wait for process");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The lines of a file as typed, comments left out.
fn typed_lines(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read console file");
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The first line where two outputs differ, with a little context.
fn first_difference(expected: &str, got: &str) -> String {
    let expected_lines: Vec<&str> = expected.lines().collect();
    let got_lines: Vec<&str> = got.lines().collect();
    let n = expected_lines.len().max(got_lines.len());
    for i in 0..n {
        let e = expected_lines.get(i).copied();
        let g = got_lines.get(i).copied();
        if e != g {
            return format!("line {}:\n  redis-cli: {e:?}\n  redis-emu: {g:?}", i + 1);
        }
    }
    "outputs differ only in line endings".into()
}

#[test]
fn console_matches_redis_cli() {
    let Some(redis_cli) = require_tool("redis-cli", "console_differential") else {
        return;
    };
    let Some(redis) = RealRedis::start_for_test("console_differential") else {
        return;
    };
    let mut admin = Admin::new(redis.port()).expect("connect to redis-server");
    let emu = redis_emu();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("console");
    let filter = std::env::var("CONSOLE_FILTER").unwrap_or_default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/console")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter(|p| p.to_string_lossy().contains(&filter))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut lines = 0;
    for file in &files {
        admin.reset(&[]).expect("reset redis-server");
        let input = typed_lines(file);
        lines += input.lines().count();
        let resp3 = file.to_string_lossy().ends_with(".resp3.txt");
        let mut real = Command::new(&redis_cli);
        real.args(["-p", &redis.port().to_string(), "--no-raw"]);
        let mut ours = Command::new(&emu);
        ours.args(["cli", "--no-raw"]);
        if resp3 {
            real.arg("-3");
            ours.arg("-3");
        }
        let expected = run_piped(real, &input);
        let got = run_piped(ours, &input);
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        if expected == got {
            announce(&format!("console: {name} ok"));
        } else {
            failures.push(format!("{name}: {}", first_difference(&expected, &got)));
        }
    }
    announce(&format!(
        "console differential: {} files, {lines} lines, {} failed",
        files.len(),
        failures.len()
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
