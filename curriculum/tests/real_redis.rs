//! The content checks against real Redis: every `conf` block is a configuration redis-server
//! 7.0 starts with, and every `transcript` block is exactly what redis-server and redis-cli
//! print for its commands.

mod common;

use common::redis_server::RedisServer;
use curriculum::{Block, BlockKind, CommandLine};

/// Directives that name files or folders on the author's machine: the check points them into
/// the scratch folder (the setting itself, its spelling and arity are still Redis's to judge).
const PATH_DIRECTIVES: &[&str] = &["dir", "logfile", "pidfile", "aclfile", "unixsocket"];
/// TLS needs the author's certificates, which the check does not have: it keeps every `tls-*`
/// setting (Redis still parses them) but sets `tls-port 0`, so Redis does not load the files.
const TLS_PORT: &str = "tls-port";

/// Each lesson's blocks with the path of its file, challenges included.
fn blocks_by_file() -> Vec<(String, Vec<Block>)> {
    let course = common::course();
    course
        .steps()
        .map(|s| (s.path.clone(), s.blocks.clone()))
        .chain(course.challenges.iter().map(|c| {
            let blocks = c.goal_blocks.iter().chain(&c.solution_blocks).cloned();
            (c.path.clone(), blocks.collect())
        }))
        .collect()
}

#[test]
fn every_conf_block_starts_redis_server() {
    let mut loaded = 0;
    let mut failures = Vec::new();
    for (path, blocks) in blocks_by_file() {
        for block in blocks {
            if block.kind
                != (BlockKind::Code {
                    language: "conf".into(),
                })
            {
                continue;
            }
            let dir = RedisServer::scratch_dir();
            let config = dir.join("redis.conf");
            std::fs::write(&config, with_scratch_paths(&block.text, &dir)).expect("write config");
            // A sentinel.conf is started as Redis Sentinel, as `redis-sentinel` would.
            let sentinel = block
                .text
                .lines()
                .any(|l| l.trim_start().starts_with("sentinel "));
            let mode: &[&str] = if sentinel { &["--sentinel"] } else { &[] };
            match RedisServer::start(dir, Some(&config), mode) {
                Ok(_server) => loaded += 1,
                Err(report) => failures.push(format!("{path}:\n{}\n{report}", block.text)),
            }
        }
    }
    println!("conf blocks started by redis-server: {loaded}");
    assert!(
        failures.is_empty(),
        "redis-server refuses these configurations:\n\n{}",
        failures.join("\n\n")
    );
    assert!(loaded > 0, "no conf blocks found");
}

/// The config with every path directive moved into `dir` (an ACL file is created empty).
fn with_scratch_paths(config: &str, dir: &std::path::Path) -> String {
    config
        .lines()
        .map(|line| {
            let mut words = line.split_whitespace();
            match words.next() {
                Some(name) if PATH_DIRECTIVES.contains(&name.to_ascii_lowercase().as_str()) => {
                    let name = name.to_ascii_lowercase();
                    let scratch = dir.join(format!("scratch-{name}"));
                    if name == "dir" {
                        format!("dir {}", dir.display())
                    } else {
                        if name == "aclfile" {
                            std::fs::write(&scratch, "").expect("empty ACL file");
                        }
                        format!("{name} {}", scratch.display())
                    }
                }
                Some(name) if name.eq_ignore_ascii_case(TLS_PORT) => format!("{TLS_PORT} 0"),
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_transcript_is_what_redis_server_prints() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for (path, blocks) in blocks_by_file() {
        // One server per lesson, in cluster mode if any of its transcripts asks for it; each
        // block is one redis-cli connection (an AUTH lasts until the block ends).
        let transcripts: Vec<&Block> = blocks
            .iter()
            .filter(|b| matches!(b.kind, BlockKind::Transcript { .. }))
            .collect();
        if transcripts.is_empty() {
            continue;
        }
        let cluster = transcripts
            .iter()
            .any(|b| b.kind == BlockKind::Transcript { cluster: true });
        let args: &[&str] = if cluster {
            &["--cluster-enabled", "yes", "--save", ""]
        } else {
            &["--save", ""]
        };
        let server = RedisServer::start(RedisServer::scratch_dir(), None, args)
            .unwrap_or_else(|report| panic!("redis-server did not start:\n{report}"));
        for block in transcripts {
            let lines: Vec<&str> = block.commands.iter().map(|c| c.text.as_str()).collect();
            let printed = server.redis_cli(&lines, &[]);
            compared += block.commands.len();
            if let Some(difference) = first_difference(&block.commands, &printed) {
                failures.push(format!("{path}: {difference}"));
            }
        }
    }
    println!("transcript commands compared with redis-server: {compared}");
    assert!(
        failures.is_empty(),
        "transcripts that are not what Redis prints:\n{}",
        failures.join("\n")
    );
}

/// Where the printed output departs from the transcript's stated output, if it does.
fn first_difference(commands: &[CommandLine], printed: &str) -> Option<String> {
    let mut printed_lines = printed.lines();
    for command in commands {
        let stated = command.expect.as_deref().unwrap_or_default();
        for (i, line) in stated.iter().enumerate() {
            let actual = printed_lines.next().unwrap_or("<nothing>");
            let same = if command.any_order.contains(&i) {
                same_words_any_order(line, actual)
            } else {
                line == actual
            };
            if !same {
                return Some(format!(
                    "`{}`\n  stated: {line:?}\n  Redis:  {actual:?}\n  (whole output:\n{printed})",
                    command.text
                ));
            }
        }
    }
    printed_lines
        .next()
        .map(|extra| format!("Redis prints more than the transcript states: {extra:?}"))
}

/// The same line up to the order of the words inside its quotes.
fn same_words_any_order(stated: &str, actual: &str) -> bool {
    let parts = |line: &str| -> Option<(String, Vec<String>, String)> {
        let open = line.find('"')?;
        let close = line.rfind('"').filter(|&c| c > open)?;
        let mut words: Vec<String> = line[open + 1..close]
            .split_whitespace()
            .map(str::to_string)
            .collect();
        words.sort();
        Some((line[..open].into(), words, line[close..].into()))
    };
    match (parts(stated), parts(actual)) {
        (Some(a), Some(b)) => a == b,
        _ => stated == actual,
    }
}

#[test]
fn the_checks_catch_what_redis_refuses_and_what_it_prints_otherwise() {
    // A comment after a setting is what learners copy most often into a real redis.conf.
    let dir = RedisServer::scratch_dir();
    let config = dir.join("redis.conf");
    std::fs::write(&config, "maxmemory 100mb # a cap\n").unwrap();
    let refused = RedisServer::start(dir, Some(&config), &[]).err();
    assert!(
        refused
            .as_deref()
            .is_some_and(|r| r.contains("FATAL CONFIG FILE ERROR")),
        "{refused:?}"
    );

    let block = |text: &str| {
        let markdown = format!("```transcript\n{text}```\n");
        curriculum::parse_blocks(&markdown)
            .unwrap()
            .remove(0)
            .commands
    };
    let rules = "> ACL GETUSER u\n1) \"-@all +get +set\"\n#! any order\n";
    assert_eq!(
        first_difference(&block(rules), "1) \"-@all +set +get\"\n"),
        None
    );
    assert!(first_difference(&block(rules), "1) \"-@all +set +del\"\n").is_some());
    assert!(first_difference(&block("> PING\nPONG\n"), "PONG\nOK\n").is_some());
    assert!(first_difference(&block("> PING\nPONG\n"), "(error) NOAUTH\n").is_some());
}
