//! Every challenge's check: the worked solution passes (also run by the content test), and the
//! typical wrong answers fail with the message that says what is missing. Plus the daily
//! rotation and the errors of malformed challenge files.

mod common;

use std::sync::OnceLock;

use curriculum::{all_passed, run_check, Course, Outcome};
use emulator::cli::Session;
use emulator::Server;

const START_MS: u64 = 1_700_000_000_000;

fn course() -> &'static Course {
    static COURSE: OnceLock<Course> = OnceLock::new();
    COURSE.get_or_init(common::course)
}

/// Loads the challenge's scenario, types `commands` into one console, and runs the check.
fn attempt(id: &str, commands: &[&str]) -> Vec<Outcome> {
    let challenge = course().challenge(id).expect("challenge exists");
    let mut server = Server::new();
    let mut console = Session::connect(&mut server, START_MS);
    for (advance, line) in challenge.setup_lines() {
        server.advance_clock(advance);
        console.run_line(&mut server, &line, START_MS);
    }
    for line in commands {
        let output = console.run_line(&mut server, line, START_MS);
        assert!(!output.starts_with("(error)"), "{line}: {output}");
    }
    run_check(&challenge.check, &mut server, START_MS)
}

/// The failed lines, as the page shows them.
fn failures(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.to_string())
        .collect()
}

fn assert_passes(id: &str, commands: &[&str]) {
    let outcomes = attempt(id, commands);
    assert!(all_passed(&outcomes), "{id}: {:#?}", failures(&outcomes));
}

fn assert_fails_with(id: &str, commands: &[&str], expected: &[&str]) {
    let got = failures(&attempt(id, commands));
    assert_eq!(got, expected, "{id}");
}

#[test]
fn there_are_eleven_challenges_with_topics_and_levels() {
    let ids: Vec<&str> = course().challenges.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "cache-aside-ttl",
            "ttl-management",
            "cache-stampede",
            "rate-limit-fixed-window",
            "rate-limit-sliding-window",
            "reliable-queue",
            "distributed-lock",
            "leaderboard-around-player",
            "unique-visitors",
            "metrics-time-series",
            "session-store",
        ]
    );
    for c in &course().challenges {
        assert!(!c.topics.is_empty() && c.hints.len() >= 2, "{}", c.id);
        let scripted = c.solution.contains("EVAL") || c.solution.contains("SCRIPT LOAD");
        assert_eq!(
            c.topics.iter().any(|t| t == "lua"),
            scripted && c.id != "unique-visitors",
            "{}",
            c.id
        );
    }
}

#[test]
fn an_untouched_database_fails_every_line_and_says_what_is_missing() {
    let outcomes = attempt("cache-aside-ttl", &[]);
    assert!(outcomes.iter().all(|o| !o.passed));
    assert_eq!(
        outcomes[0].to_string(),
        "✗ cache:product:1001 is a string: cache:product:1001 does not exist"
    );
    assert_eq!(
        outcomes[0].fix.as_deref(),
        Some("Store the product as one JSON string with SET (not a hash).")
    );
}

#[test]
fn cache_aside() {
    let product = r#"SET cache:product:1001 '{"id":1001,"name":"Keyboard","price":89}'"#;
    let miss = "SET cache:product:999999 __none__ EX 60";
    assert_passes("cache-aside-ttl", &[&format!("{product} EX 600"), miss]);
    assert_fails_with(
        "cache-aside-ttl",
        &[product, miss],
        &["✗ cache:product:1001 expires in 1 to 600 seconds: cache:product:1001 has no TTL, so it would never expire (set one with EX or EXPIRE)"],
    );
    assert_fails_with(
        "cache-aside-ttl",
        &["HSET cache:product:1001 id 1001 name Keyboard price 89", "EXPIRE cache:product:1001 600", miss],
        &[
            "✗ cache:product:1001 is a string: cache:product:1001 is a hash",
            "✗ cache:product:1001 holds \"{\\\"id\\\":1001,\\\"name\\\":\\\"Keyboard\\\",\\\"price\\\":89}\": cache:product:1001 is a hash",
        ],
    );
    assert_fails_with(
        "cache-aside-ttl",
        &[&format!("{product} EX 600"), "SET cache:product:999999 __none__ EX 3600"],
        &["✗ cache:product:999999 expires in 1 to 60 seconds: cache:product:999999 expires in 3600 seconds"],
    );
}

#[test]
fn ttl_management() {
    let solution = [
        r#"SET session:42 '{"user":42,"cart":2}' KEEPTTL"#,
        "EXPIRE feature:banner 3600",
        "PERSIST promo:spring",
    ];
    assert_passes("ttl-management", &solution);
    assert_fails_with(
        "ttl-management",
        &[r#"SET session:42 '{"user":42,"cart":2}'"#, solution[1], solution[2]],
        &["✗ session:42 expires in 1 to 1800 seconds: session:42 has no TTL, so it would never expire (set one with EX or EXPIRE)"],
    );
    assert_fails_with(
        "ttl-management",
        &[solution[0], solution[1], "DEL promo:spring"],
        &[
            "✗ promo:spring holds \"20-percent\": promo:spring does not exist",
            "✗ promo:spring has no TTL: promo:spring does not exist",
        ],
    );
}

#[test]
fn cache_stampede_accepts_a_lock_or_early_expiration() {
    let bundle = r#"'{"version":13,"rules":412}'"#;
    let release = "EVAL \"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0\" 1 lock:policy:bundle req-a91f";
    let lock = [
        "SET lock:policy:bundle req-a91f NX PX 5000".to_string(),
        format!("SET cache:policy:bundle {bundle} EX 300"),
        format!("SET cache:policy:bundle:stale {bundle} EX 3600"),
        release.to_string(),
    ];
    let lock: Vec<&str> = lock.iter().map(String::as_str).collect();
    let outcomes = attempt("cache-stampede", &lock);
    assert!(all_passed(&outcomes));
    assert_eq!(
        outcomes[2].to_string(),
        "✓ a recompute lock, released, with a stale copy that outlives the bundle"
    );
    let early = [r#"SET cache:policy:bundle '{"version":13,"rules":412,"delta_ms":2000}' EX 300"#];
    let outcomes = attempt("cache-stampede", &early);
    assert!(all_passed(&outcomes));
    assert_eq!(
        outcomes[2].label,
        "probabilistic early expiration: the bundle records its rebuild time"
    );
    // The lock is never released and there is no stale copy: neither design shows.
    assert_fails_with(
        "cache-stampede",
        &lock[..2],
        &["✗ one of: a recompute lock, released, with a stale copy that outlives the bundle; or probabilistic early expiration: the bundle records its rebuild time: a recompute lock, released, with a stale copy that outlives the bundle: lock:policy:bundle still exists (a string); probabilistic early expiration: the bundle records its rebuild time: cache:policy:bundle holds \"{\\\"version\\\":13,\\\"rules\\\":412}\""],
    );
    assert_fails_with(
        "cache-stampede",
        &[r#"SET cache:policy:bundle '{"version":13,"rules":412,"delta_ms":2000}'"#],
        &["✗ cache:policy:bundle expires in 1 to 300 seconds: cache:policy:bundle has no TTL, so it would never expire (set one with EX or EXPIRE)"],
    );
}

/// `SCRIPT LOAD`s a script and stores its SHA1 under `config_key`, as the goal asks.
fn load_script(config_key: &str, script: &str) -> Vec<String> {
    let mut server = Server::new();
    let mut console = Session::connect(&mut server, START_MS);
    let out = console.run_line(&mut server, &format!("SCRIPT LOAD \"{script}\""), START_MS);
    let sha = out.trim().trim_matches('"').to_string();
    vec![
        format!("SCRIPT LOAD \"{script}\""),
        format!("SET {config_key} {sha}"),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn fixed_window_rate_limiter() {
    let key = "config:ratelimit:fixed";
    let good = load_script(key, "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end if n > tonumber(ARGV[1]) then return 0 end return 1");
    assert_passes("rate-limit-fixed-window", &strs(&good));
    let off_by_one = load_script(key, "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end if n >= tonumber(ARGV[1]) then return 0 end return 1");
    let sha = off_by_one[1]
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    assert_fails_with(
        "rate-limit-fixed-window",
        &strs(&off_by_one),
        &[&format!("✗ the limiter allows 3 calls and rejects the 4th: `EVALSHA {sha} 1 check:rl:fixed 3 60` answers (integer) 0, expected (integer) 1")],
    );
    let never_expires = load_script(
        key,
        "local n = redis.call('INCR', KEYS[1]) if n > tonumber(ARGV[1]) then return 0 end return 1",
    );
    assert_fails_with(
        "rate-limit-fixed-window",
        &strs(&never_expires),
        &["✗ the counter expires with its window: `TTL check:rl:fixed` answers (integer) -1, expected (integer) {int 1..60}"],
    );
    // Loaded but never stored: the check says what it could not find.
    assert_fails_with(
        "rate-limit-fixed-window",
        &[&good[0]],
        &[
            "✗ config:ratelimit:fixed is a string: config:ratelimit:fixed does not exist",
            "✗ the limiter allows 3 calls and rejects the 4th: `GET config:ratelimit:fixed` answers (nil), so there is nothing to test",
            "✗ the counter expires with its window: `GET config:ratelimit:fixed` answers (nil), so there is nothing to test",
        ],
    );
}

#[test]
fn the_check_leaves_the_learners_data_as_it_was() {
    let challenge = course().challenge("rate-limit-fixed-window").unwrap();
    let mut server = Server::new();
    let mut console = Session::connect(&mut server, START_MS);
    for line in load_script("config:ratelimit:fixed", "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end if n > tonumber(ARGV[1]) then return 0 end return 1") {
        console.run_line(&mut server, &line, START_MS);
    }
    console.run_line(&mut server, "SET check:rl:other keep", START_MS);
    let before = console.run_line(&mut server, "INFO stats", START_MS);
    let hits = |info: &str| {
        info.lines()
            .filter(|l| l.starts_with("keyspace_hits") || l.starts_with("keyspace_misses"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert!(all_passed(&run_check(
        &challenge.check,
        &mut server,
        START_MS
    )));
    let after = console.run_line(&mut server, "INFO stats", START_MS);
    assert_eq!(
        console.run_line(&mut server, "DBSIZE", START_MS),
        "(integer) 2\n"
    );
    assert_eq!(
        console.run_line(&mut server, "EXISTS check:rl:fixed", START_MS),
        "(integer) 0\n"
    );
    assert_eq!(hits(&before), hits(&after));
}

#[test]
fn sliding_window_rate_limiter() {
    let key = "config:ratelimit:sliding";
    let good = load_script(key, "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2])) if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4]) redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1");
    assert_passes("rate-limit-sliding-window", &strs(&good));
    // Records rejected calls too: a client that keeps hammering never gets a slot back.
    let records_rejections = load_script(key, "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2])) redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4]) redis.call('PEXPIRE', KEYS[1], ARGV[2]) if redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[1]) then return 0 end return 1");
    let got = failures(&attempt(
        "rate-limit-sliding-window",
        &strs(&records_rejections),
    ));
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].starts_with(
            "✗ a slot frees up as soon as the oldest call leaves the window: `EVALSHA "
        ),
        "{}",
        got[0]
    );
    assert!(
        got[0].ends_with(
            " 1 check:rl:sliding 3 1000 2050 r5` answers (integer) 0, expected (integer) 1"
        ),
        "{}",
        got[0]
    );
    // The fixed-window script in its place counts calls, not times.
    let fixed = load_script(key, "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end if n > tonumber(ARGV[1]) then return 0 end return 1");
    let got = failures(&attempt("rate-limit-sliding-window", &strs(&fixed)));
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(
        got[0].ends_with("`TYPE check:rl:sliding` answers string, expected zset"),
        "{}",
        got[0]
    );
}

#[test]
fn reliable_queue() {
    let solution = [
        "LMOVE queue:jobs queue:processing RIGHT LEFT",
        "LREM queue:processing 1 job:1",
        "LMOVE queue:jobs queue:processing RIGHT LEFT",
        "LMOVE queue:processing queue:jobs RIGHT RIGHT",
    ];
    assert_passes("reliable-queue", &solution);
    assert_fails_with(
        "reliable-queue",
        &["RPOP queue:jobs", "RPOP queue:jobs", solution[3]],
        &["✗ list queue:processing holds [\"job:2\"], in this order: queue:processing does not exist"],
    );
    assert_fails_with(
        "reliable-queue",
        &[solution[0], solution[1], solution[2], "LMOVE queue:processing queue:jobs RIGHT LEFT"],
        &["✗ list queue:jobs holds [\"job:4\", \"job:3\", \"job:0\"], in this order: queue:jobs holds [\"job:0\", \"job:4\", \"job:3\"]"],
    );
    assert_fails_with(
        "reliable-queue",
        &[solution[0], solution[2], solution[3]],
        &["✗ list queue:processing holds [\"job:2\"], in this order: queue:processing holds [\"job:2\", \"job:1\"]"],
    );
}

#[test]
fn distributed_lock() {
    let release = load_script("config:lock:release", "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0");
    let take = |cmd: &str| {
        let mut v = vec![
            cmd.to_string(),
            "SET lock:invoice:8 worker-a NX PX 600000".to_string(),
        ];
        v.extend(release.iter().cloned());
        v
    };
    assert_passes(
        "distributed-lock",
        &strs(&take("SET lock:invoice:7 worker-a NX PX 600000")),
    );
    assert_fails_with(
        "distributed-lock",
        &strs(&take("SET lock:invoice:7 worker-a PX 600000")),
        &["✗ lock:invoice:7 holds \"worker-b\": lock:invoice:7 holds \"worker-a\""],
    );
    let mut no_expiry = take("SET lock:invoice:7 worker-a NX PX 600000");
    no_expiry[1] = "SET lock:invoice:8 worker-a NX".into();
    assert_fails_with(
        "distributed-lock",
        &strs(&no_expiry),
        &["✗ lock:invoice:8 expires in 1 to 600 seconds: lock:invoice:8 has no TTL, so it would never expire (set one with EX or EXPIRE)"],
    );
    let mut plain_del = vec![
        "SET lock:invoice:7 worker-a NX PX 600000".to_string(),
        "SET lock:invoice:8 worker-a NX PX 600000".to_string(),
    ];
    let del = load_script("config:lock:release", "return redis.call('DEL', KEYS[1])");
    let sha = del[1].rsplit(' ').next().unwrap_or_default().to_string();
    plain_del.extend(del);
    let outcomes = attempt("distributed-lock", &strs(&plain_del));
    assert_eq!(
        failures(&outcomes),
        [format!("✗ the release script leaves another owner's lock alone: `EVALSHA {sha} 1 check:lock owner-1` answers (integer) 1, expected (integer) 0")]
    );
    assert_eq!(
        outcomes.last().and_then(|o| o.fix.as_deref()),
        Some("Compare the token before deleting: if redis.call('GET', KEYS[1]) == ARGV[1] then ... end.")
    );
}

#[test]
fn leaderboard_around_a_player() {
    let solution = [
        "ZINCRBY game:season:1 250 dave",
        "ZRANGESTORE board:around:dave game:season:1 1 5 REV",
        "EXPIRE board:around:dave 300",
    ];
    assert_passes("leaderboard-around-player", &solution);
    let got = failures(&attempt(
        "leaderboard-around-player",
        &[
            "ZADD game:season:1 250 dave",
            "ZRANGESTORE board:around:dave game:season:1 7 11 REV",
            solution[2],
        ],
    ));
    assert_eq!(
        got[0],
        "✗ \"dave\" scores 2650 in game:season:1: \"dave\" scores 250"
    );
    assert_eq!(got[1], "✗ \"dave\" is ranked #4 in game:season:1 (ZREVRANK 3): \"dave\" is ranked #10 (ZREVRANK 9)");
    assert_fails_with(
        "leaderboard-around-player",
        &[
            solution[0],
            "ZRANGESTORE board:around:dave game:season:1 1 5",
            solution[2],
        ],
        &[
            "✗ \"bob\" is in board:around:dave: \"bob\" is not in board:around:dave",
            "✗ \"dave\" scores 2650 in board:around:dave: \"dave\" is not in board:around:dave",
        ],
    );
}

const FILL_5000: &str = "EVAL \"for i = 1, 5000 do redis.call('SADD', KEYS[1], 'user:' .. i) redis.call('PFADD', KEYS[2], 'user:' .. i) end return 1\" 2 visitors:2025-08-31 visitors:hll:2025-08-31";

#[test]
fn unique_visitors() {
    let solution = [
        "SADD visitors:2025-09-01 u1 u2 u3 u1 u2 u4",
        "PFADD visitors:hll:2025-09-01 u1 u2 u3 u1 u2 u4",
        "EXPIRE visitors:2025-09-01 172800",
        "EXPIRE visitors:hll:2025-09-01 172800",
        FILL_5000,
    ];
    assert_passes("unique-visitors", &solution);
    assert_fails_with(
        "unique-visitors",
        &[
            "RPUSH visitors:2025-09-01 u1 u2 u3 u1 u2 u4",
            solution[1],
            solution[2],
            solution[3],
            FILL_5000,
        ],
        &[
            "✗ visitors:2025-09-01 is a set: visitors:2025-09-01 is a list",
            "✗ visitors:2025-09-01 has 4 elements: visitors:2025-09-01 has 6 elements",
        ],
    );
    assert_fails_with(
        "unique-visitors",
        &[solution[0], "SADD visitors:hll:2025-09-01 u1 u2 u3 u4", solution[2], solution[3], FILL_5000],
        &["✗ visitors:hll:2025-09-01 counts about 4 distinct items: visitors:hll:2025-09-01 is a set"],
    );
    assert_fails_with(
        "unique-visitors",
        &[solution[0], solution[1], solution[2]],
        &[
            "✗ visitors:hll:2025-09-01 expires in 1 to 172800 seconds: visitors:hll:2025-09-01 has no TTL, so it would never expire (set one with EX or EXPIRE)",
            "✗ visitors:hll:2025-08-31 counts about 4900 to 5100 distinct items: visitors:hll:2025-08-31 does not exist",
            "✗ visitors:hll:2025-08-31 uses less memory than visitors:2025-08-31: visitors:hll:2025-08-31 does not exist",
        ],
    );
}

#[test]
fn metrics_time_series() {
    let add = "ZADD metrics:cpu:host-1 1725149040000 1725149040000:35.0 1725149100000 1725149100000:41.5 1725149160000 1725149160000:38.2";
    let trim = "ZREMRANGEBYSCORE metrics:cpu:host-1 -inf (1725145560000";
    assert_passes("metrics-time-series", &[add, trim]);
    assert_fails_with(
        "metrics-time-series",
        &[add],
        &[
            "✗ `ZCOUNT metrics:cpu:host-1 -inf (1725145560000` answers (integer) 0: it answers (integer) 2",
            "✗ metrics:cpu:host-1 has 5 elements: metrics:cpu:host-1 has 7 elements",
        ],
    );
    let got = failures(&attempt(
        "metrics-time-series",
        &[
            "ZADD metrics:cpu:host-1 1725149040000 35.0 1725149100000 41.5 1725149160000 38.2",
            trim,
        ],
    ));
    assert_eq!(got[0], "✗ \"1725149040000:35.0\" is in metrics:cpu:host-1: \"1725149040000:35.0\" is not in metrics:cpu:host-1");
}

#[test]
fn session_store() {
    let solution = [
        "HINCRBY session:ab12 cart_items 1",
        "EXPIRE session:ab12 1800",
        "HSET session:cd34 user_id 7 name bob cart_items 0",
        "EXPIRE session:cd34 1800",
        "DEL session:zz99",
    ];
    assert_passes("session-store", &solution);
    assert_fails_with(
        "session-store",
        &[solution[0], solution[2], solution[3], solution[4]],
        &["✗ session:ab12 expires in 601 to 1800 seconds: session:ab12 expires in 600 seconds"],
    );
    let got = failures(&attempt(
        "session-store",
        &[
            solution[0],
            solution[1],
            r#"SET session:cd34 '{"user_id":7,"name":"bob","cart_items":0}' EX 1800"#,
            solution[4],
        ],
    ));
    assert_eq!(got[0], "✗ session:cd34 is a hash: session:cd34 is a string");
    assert_eq!(got.len(), 4, "{got:#?}");
}

#[test]
fn the_daily_challenge_rotates_through_every_challenge() {
    let course = course();
    let first = course.daily_challenge(2025, 9, 1).unwrap();
    assert_eq!(first.id, course.daily_challenge(2025, 9, 1).unwrap().id);
    // 2025-09-01 is day 20332 since 1970-01-01; 20332 mod 11 = 4.
    assert_eq!(first.id, "rate-limit-sliding-window");
    let mut ids: Vec<&str> = (1..=11)
        .map(|day| course.daily_challenge(2025, 10, day).unwrap().id.as_str())
        .collect();
    assert_ne!(ids[0], ids[1]);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 11);
}

#[test]
fn malformed_challenge_files_are_reported() {
    let module = "---\nid: challenges\nkind: challenges\ntitle: C\n---\n";
    let errors = |body: &str| {
        let file = format!("---\nid: c1\ntitle: T\nmodule: challenges\nlevel: Beginner\ntopics: [x]\nsummary: S\n---\n{body}");
        match Course::from_files(&[("16-c/_module.md", module), ("16-c/01.md", &file)]) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| e.message).collect::<Vec<_>>(),
        }
    };
    let hints = "## Hints\n\n- one\n";
    let solution = "## Solution\n\n```redis\nSET k v # -> OK\n```\n";
    let check = "## Check\n\n```check\nexists k\n```\n";
    assert!(errors(&format!("Goal.\n{hints}{solution}{check}")).is_empty());
    assert_eq!(
        errors(&format!("Goal.\n{solution}{check}")),
        ["no '## Hints' section"]
    );
    assert_eq!(
        errors(&format!("{hints}{check}")),
        ["no '## Solution' section"]
    );
    assert_eq!(
        errors(&format!("{hints}{solution}")),
        ["no '## Check' section"]
    );
    assert_eq!(
        errors(&format!("## Hints\n\nnone\n{solution}{check}")),
        ["'## Hints' has no '- ' items"]
    );
    assert_eq!(
        errors(&format!("{hints}## Solution\n\nJust do it.\n{check}")),
        ["the solution has no runnable ```redis block"]
    );
    assert_eq!(
        errors(&format!(
            "{hints}{solution}## Check\n\n```check\nexists k\n```\n```check\nexists j\n```\n"
        )),
        ["'## Check' needs exactly one ```check block, found 2"]
    );
    assert_eq!(
        errors(&format!(
            "{hints}{solution}## Check\n\n```check\nttl k forever\n```\n"
        )),
        ["check line 1: 'forever' is not a number or a range like 1..600"]
    );
    assert_eq!(
        errors(&format!(
            "See [x](#/challenge/nope).\n{hints}{solution}{check}"
        )),
        ["link to unknown challenge 'nope'"]
    );
    // A step may have one check block ("Check my work"), not two, and it must parse.
    let step = |check: &str| {
        format!("---\nid: s\ntitle: S\nmodule: m\nlevel: Beginner\nsummary: S\n---\n{check}")
    };
    let course = |text: &str| {
        Course::from_files(&[
            ("01-m/_module.md", "---\nid: m\ntitle: M\n---\n"),
            ("01-m/01.md", text),
        ])
    };
    let one = course(&step("```check\nexists k\n```\n")).expect("one check block");
    assert!(one.steps().next().unwrap().check.is_some());
    let two = course(&step("```check\nexists k\n```\n```check\nexists j\n```\n"));
    assert_eq!(
        two.unwrap_err()[0].message,
        "a step has at most one ```check block"
    );
    let bad = course(&step("```check\nttl k forever\n```\n"));
    assert_eq!(
        bad.unwrap_err()[0].message,
        "check line 1: 'forever' is not a number or a range like 1..600"
    );
}
