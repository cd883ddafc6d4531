//! Random command sequences run on a real redis-server 7.0 and on the engine in lockstep; the
//! first divergence is shrunk to a short reproduction.
//!
//! `RANDOM_DIFF_SEED` (default fixed, so runs repeat), `RANDOM_DIFF_RUNS` (default 4, alternating
//! RESP2 and RESP3), `RANDOM_DIFF_OPS` (commands per run, default 2500), `RANDOM_DIFF_COMMANDS`
//! (comma-separated registry names, e.g. `get,set,object|encoding`: only those).

use std::time::Duration;

use emulator::commands::Registry;
use emulator::resp::Protocol;
use integration_tests::admin::Admin;
use integration_tests::announce;
use integration_tests::compare::{command_line, escape};
use integration_tests::random::{available_templates, generate, replay, shrink, Rng};
use integration_tests::real_redis::RealRedis;

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {v:?}")),
        _ => default,
    }
}

#[test]
fn random_command_sequences_match_redis() {
    let Some(redis) = RealRedis::start_for_test("random differential") else {
        return;
    };
    let base_seed = env_u64("RANDOM_DIFF_SEED", 0x5eed_0001);
    let runs = env_u64("RANDOM_DIFF_RUNS", 4);
    let count = env_u64("RANDOM_DIFF_OPS", 2500) as usize;
    let only: Vec<String> = std::env::var("RANDOM_DIFF_COMMANDS")
        .map(|v| v.split(',').map(|w| w.trim().to_lowercase()).collect())
        .unwrap_or_default();
    let templates: Vec<_> = available_templates()
        .into_iter()
        .filter(|t| only.is_empty() || only.iter().any(|w| w == t.command))
        .collect();
    if templates.is_empty() {
        announce("random differential: the engine implements none of the generated commands yet");
        return;
    }
    let names: Vec<&str> = templates.iter().map(|t| t.command).collect();
    let has_hello = Registry::get().command("hello").is_some();
    let mut admin = Admin::new(redis.port()).expect("admin connection");
    let mut total = 0;
    for run in 0..runs {
        let seed = base_seed.wrapping_add(run);
        let protocol = if run % 2 == 1 && has_hello {
            Protocol::Resp3
        } else {
            Protocol::Resp2
        };
        let ops = generate(&mut Rng::new(seed), &templates, count);
        let divergence = replay(redis.port(), &mut admin, &ops, protocol).expect("replay");
        let Some(divergence) = divergence else {
            total += ops.len();
            continue;
        };
        let at = divergence.index + 1;
        let failing = command_line(&ops[divergence.index].argv);
        let repro = shrink(
            redis.port(),
            &mut admin,
            &ops,
            divergence,
            protocol,
            Duration::from_secs(30),
        )
        .expect("shrink");
        let last = &repro.divergence.exchange;
        panic!(
            "random differential: seed {seed} (RESP{}) diverged at command {} of {count} ({failing}); \
             shrunk in {} replays to {} commands:\n\n{}\n  ours:  {}\n  redis: {}{}\n\n\
             rerun: RANDOM_DIFF_SEED={seed} RANDOM_DIFF_RUNS=1 RANDOM_DIFF_OPS={count}",
            protocol.version(),
            at,
            repro.replays,
            repro.ops.len(),
            repro.script(protocol),
            escape(&last.ours),
            escape(&last.theirs),
            last.lost_sync
                .as_ref()
                .map(|n| format!("\n  note:  {n}"))
                .unwrap_or_default(),
        );
    }
    announce(&format!(
        "random differential: {runs} runs, {total} commands matched Redis (seed {base_seed}, {} command kinds: {})",
        names.len(),
        names.join(" ")
    ));
}
