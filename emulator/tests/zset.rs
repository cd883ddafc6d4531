//! Sorted set commands driven through the public engine API, including a property test of
//! ranks and ranges against a naive sorted model.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use emulator::Reply;

mod common;

use common::{int, Session, T0};

impl Session {
    fn members(&mut self, line: &str) -> Vec<String> {
        match self.run(line) {
            Reply::Array(items) => items.into_iter().map(text).collect(),
            other => panic!("{line}: {other:?}"),
        }
    }

    /// Members and scores of a WITHSCORES reply (RESP2 shape: flat).
    fn pairs(&mut self, line: &str) -> Vec<(f64, String)> {
        let Reply::Array(items) = self.run(line) else {
            panic!("{line}: not an array");
        };
        items
            .chunks(2)
            .map(|pair| {
                let Reply::Double(score) = pair[1] else {
                    panic!("{line}: {:?}", pair[1]);
                };
                (score, text(pair[0].clone()))
            })
            .collect()
    }
}

fn text(reply: Reply) -> String {
    match reply {
        Reply::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("not a bulk string: {other:?}"),
    }
}

/// A small deterministic generator for the property test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn signed(&mut self, span: i64) -> i64 {
        self.below(2 * span as u64 + 1) as i64 - span
    }
}

#[test]
fn the_leaderboard_lesson_holds() {
    let mut s = Session::with_debug();
    assert_eq!(s.run("ZADD game 1500 alice 1200 bob 1750 carol"), int(3));
    assert_eq!(s.run("ZINCRBY game 300 bob"), Reply::Double(1500.0));
    assert_eq!(
        s.pairs("ZREVRANGE game 0 2 WITHSCORES"),
        [
            (1750.0, "carol".to_string()),
            (1500.0, "bob".to_string()),
            (1500.0, "alice".to_string())
        ]
    );
    assert_eq!(s.run("ZREVRANK game alice"), int(2));
    assert_eq!(s.run("ZRANK game alice"), int(0));
}

/// The model: members sorted by (score, member).
fn sorted(model: &BTreeMap<String, f64>) -> Vec<(f64, String)> {
    let mut items: Vec<(f64, String)> = model.iter().map(|(m, &s)| (s, m.clone())).collect();
    items.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    items
}

/// Redis's inclusive rank window over `len` elements.
fn window(start: i64, end: i64, len: usize) -> std::ops::Range<usize> {
    let len = len as i64;
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end }.min(len - 1);
    if start > end || start >= len {
        return 0..0;
    }
    start as usize..end as usize + 1
}

fn check_against_model(s: &mut Session, rng: &mut Rng, model: &BTreeMap<String, f64>) {
    let items = sorted(model);
    assert_eq!(s.run("ZCARD k"), int(items.len() as i64));
    assert_eq!(s.pairs("ZRANGE k 0 -1 WITHSCORES"), items);
    for _ in 0..5 {
        if let Some((rank, (_, member))) = items
            .iter()
            .enumerate()
            .nth(rng.below(items.len().max(1) as u64) as usize)
        {
            assert_eq!(s.run(&format!("ZRANK k {member}")), int(rank as i64));
            assert_eq!(
                s.run(&format!("ZREVRANK k {member}")),
                int((items.len() - 1 - rank) as i64)
            );
        }
        let (start, end) = (rng.signed(30), rng.signed(30));
        let expected: Vec<String> = items[window(start, end, items.len())]
            .iter()
            .map(|(_, m)| m.clone())
            .collect();
        assert_eq!(s.members(&format!("ZRANGE k {start} {end}")), expected);
        let mut reversed: Vec<(f64, String)> = items.iter().rev().cloned().collect();
        reversed = reversed[window(start, end, items.len())].to_vec();
        assert_eq!(
            s.pairs(&format!("ZREVRANGE k {start} {end} WITHSCORES")),
            reversed
        );

        let (lo, hi) = (rng.below(40) as f64 / 2.0, rng.below(40) as f64 / 2.0);
        let (lo_ex, hi_ex) = (rng.below(2) == 0, rng.below(2) == 0);
        let in_range = |score: f64| {
            (if lo_ex { score > lo } else { score >= lo })
                && (if hi_ex { score < hi } else { score <= hi })
        };
        let bound = |v: f64, ex: bool| format!("{}{v}", if ex { "(" } else { "" });
        let (min, max) = (bound(lo, lo_ex), bound(hi, hi_ex));
        let matching: Vec<(f64, String)> = items
            .iter()
            .filter(|(sc, _)| in_range(*sc))
            .cloned()
            .collect();
        assert_eq!(
            s.run(&format!("ZCOUNT k {min} {max}")),
            int(matching.len() as i64)
        );
        let (offset, count) = (rng.below(4) as usize, rng.below(6) as usize);
        let expected: Vec<(f64, String)> =
            matching.iter().skip(offset).take(count).cloned().collect();
        assert_eq!(
            s.pairs(&format!(
                "ZRANGEBYSCORE k {min} {max} WITHSCORES LIMIT {offset} {count}"
            )),
            expected
        );
        let expected: Vec<(f64, String)> = matching
            .iter()
            .rev()
            .skip(offset)
            .take(count)
            .cloned()
            .collect();
        assert_eq!(
            s.pairs(&format!(
                "ZRANGE k {max} {min} BYSCORE REV WITHSCORES LIMIT {offset} {count}"
            )),
            expected
        );
    }
}

fn property_run(seed: u64, initial: usize, steps: usize) {
    let mut s = Session::with_debug();
    let mut rng = Rng(seed);
    let mut model: BTreeMap<String, f64> = BTreeMap::new();
    let score = |rng: &mut Rng| rng.below(40) as f64 / 2.0;
    for i in 0..initial {
        let sc = score(&mut rng);
        s.run(&format!("ZADD k {sc} m{i}"));
        model.insert(format!("m{i}"), sc);
    }
    for step in 0..steps {
        let member = format!("m{}", rng.below((initial as u64).max(20) * 2));
        match rng.below(8) {
            0 | 1 => {
                let sc = score(&mut rng);
                s.run(&format!("ZADD k {sc} {member}"));
                model.insert(member, sc);
            }
            2 => {
                let by = score(&mut rng) - 10.0;
                let reply = s.run(&format!("ZINCRBY k {by} {member}"));
                let new = model.get(&member).copied().unwrap_or(0.0) + by;
                assert_eq!(reply, Reply::Double(new));
                model.insert(member, new);
            }
            3 => {
                let removed = model.remove(&member).is_some();
                assert_eq!(s.run(&format!("ZREM k {member}")), int(removed as i64));
            }
            4 => {
                let (start, end) = (rng.signed(5), rng.signed(5));
                let items = sorted(&model);
                let doomed = &items[window(start, end, items.len())];
                assert_eq!(
                    s.run(&format!("ZREMRANGEBYRANK k {start} {end}")),
                    int(doomed.len() as i64)
                );
                for (_, m) in doomed {
                    model.remove(m);
                }
            }
            5 => {
                let lo = score(&mut rng);
                let hi = lo + 1.0;
                let doomed: Vec<String> = model
                    .iter()
                    .filter(|(_, &sc)| sc >= lo && sc < hi)
                    .map(|(m, _)| m.clone())
                    .collect();
                assert_eq!(
                    s.run(&format!("ZREMRANGEBYSCORE k {lo} ({hi}")),
                    int(doomed.len() as i64)
                );
                for m in doomed {
                    model.remove(&m);
                }
            }
            6 => {
                let items = sorted(&model);
                let popped = s.pairs("ZPOPMAX k 2");
                let expected: Vec<(f64, String)> = items.iter().rev().take(2).cloned().collect();
                assert_eq!(popped, expected);
                for (_, m) in popped {
                    model.remove(&m);
                }
            }
            _ => {
                let items = sorted(&model);
                let popped = s.pairs("ZPOPMIN k");
                assert_eq!(popped, items.into_iter().take(1).collect::<Vec<_>>());
                for (_, m) in popped {
                    model.remove(&m);
                }
            }
        }
        if step % 10 == 0 {
            check_against_model(&mut s, &mut rng, &model);
        }
    }
    check_against_model(&mut s, &mut rng, &model);
}

#[test]
fn ranks_and_ranges_match_a_naive_model_when_small() {
    property_run(0x5eed, 10, 600);
}

#[test]
fn ranks_and_ranges_match_a_naive_model_when_large() {
    property_run(0xbeef, 400, 600);
}

#[test]
fn lexicographic_ranges_match_a_naive_model() {
    let mut s = Session::with_debug();
    let mut rng = Rng(7);
    let mut model = BTreeSet::new();
    for _ in 0..300 {
        let m = format!("{:x}", rng.below(4096));
        s.run(&format!("ZADD k 0 {m}"));
        model.insert(m);
    }
    assert_eq!(s.encoding("k").as_deref(), Some("skiplist"));
    for _ in 0..200 {
        let a = format!("{:x}", rng.below(4096));
        let b = format!("{:x}", rng.below(4096));
        let (lo_ex, hi_ex) = (rng.below(2) == 0, rng.below(2) == 0);
        let expected: Vec<String> = model
            .iter()
            .filter(|m| {
                (if lo_ex { **m > a } else { **m >= a }) && (if hi_ex { **m < b } else { **m <= b })
            })
            .cloned()
            .collect();
        let min = format!("{}{a}", if lo_ex { "(" } else { "[" });
        let max = format!("{}{b}", if hi_ex { "(" } else { "[" });
        assert_eq!(s.members(&format!("ZRANGEBYLEX k {min} {max}")), expected);
        assert_eq!(
            s.run(&format!("ZLEXCOUNT k {min} {max}")),
            int(expected.len() as i64)
        );
        let reversed: Vec<String> = expected.iter().rev().cloned().collect();
        assert_eq!(
            s.members(&format!("ZREVRANGEBYLEX k {max} {min}")),
            reversed
        );
    }
    let all: Vec<String> = model.iter().cloned().collect();
    assert_eq!(s.members("ZRANGE k - + BYLEX"), all);
    assert_eq!(s.run("ZREMRANGEBYLEX k - +"), int(model.len() as i64));
    assert_eq!(s.encoding("k"), None);
}

#[test]
fn encodings_follow_the_listpack_limits() {
    let mut s = Session::with_debug();
    s.run("CONFIG SET zset-max-listpack-entries 4");
    s.run("ZADD k 1 a 2 b 3 c 4 d");
    assert_eq!(s.encoding("k").as_deref(), Some("listpack"));
    s.run("ZADD k 5 e");
    assert_eq!(s.encoding("k").as_deref(), Some("skiplist"));
    s.run("ZREM k a b c d");
    assert_eq!(s.encoding("k").as_deref(), Some("skiplist"));
    s.run("ZUNIONSTORE u 1 k");
    assert_eq!(s.encoding("u").as_deref(), Some("listpack"));
    let long = "x".repeat(65);
    s.run(&format!("ZADD l 1 {long}"));
    assert_eq!(s.encoding("l").as_deref(), Some("skiplist"));
}

#[test]
fn zscan_returns_every_member_present_for_the_whole_scan() {
    let mut s = Session::with_debug();
    for i in 0..600 {
        s.run(&format!("ZADD k {i} m{i}"));
    }
    let mut seen = HashSet::new();
    let mut cursor = "0".to_string();
    let mut round = 0;
    loop {
        let Reply::Array(parts) = s.run(&format!("ZSCAN k {cursor} COUNT 20")) else {
            panic!("ZSCAN replies with an array");
        };
        let [Reply::Bulk(next), Reply::Array(items)] = <[Reply; 2]>::try_from(parts).unwrap()
        else {
            panic!("cursor and items");
        };
        for pair in items.chunks(2) {
            seen.insert(text(pair[0].clone()));
        }
        cursor = String::from_utf8(next).unwrap();
        // Churn while scanning: delete, add, and move members of the second half.
        round += 1;
        s.run(&format!("ZREM k m{}", 300 + round * 13 % 300));
        s.run(&format!("ZADD k {round} new{round}"));
        s.run(&format!("ZINCRBY k 1000 m{}", round * 7 % 300));
        if cursor == "0" {
            break;
        }
    }
    for i in 0..300 {
        assert!(seen.contains(&format!("m{i}")), "m{i} was missed");
    }
}

#[test]
fn random_members_are_uniform_and_distinct_when_asked() {
    let mut s = Session::with_debug();
    let mut args = String::from("ZADD k");
    for i in 0..200 {
        args.push_str(&format!(" {i} m{i}"));
    }
    s.run(&args);
    for i in 0..150 {
        s.run(&format!("ZREM k m{}", i * 13 % 200));
    }
    let live: BTreeSet<String> = s.members("ZRANGE k 0 -1").into_iter().collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..400 {
        for m in s.members("ZRANDMEMBER k -50") {
            *counts.entry(m).or_default() += 1;
        }
    }
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), live);
    // 20000 picks over the live members: each within a generous band around the mean.
    let mean = 20000 / live.len();
    assert!(
        counts
            .values()
            .all(|&c| c > mean * 6 / 10 && c < mean * 14 / 10),
        "{counts:?}"
    );
    for count in [1, 5, 20, live.len(), 500] {
        let picked = s.members(&format!("ZRANDMEMBER k {count}"));
        let distinct: HashSet<&String> = picked.iter().collect();
        assert_eq!(picked.len(), count.min(live.len()));
        assert_eq!(distinct.len(), picked.len());
    }
}

#[test]
fn scores_print_like_redis() {
    let mut s = Session::with_debug();
    s.run("ZADD k 0.1 a 1e20 b -0 c 3 d inf e");
    let encode = |r: Reply| String::from_utf8(r.encode(emulator::Protocol::Resp2)).unwrap();
    assert_eq!(
        encode(s.run("ZSCORE k a")),
        "$19\r\n0.10000000000000001\r\n"
    );
    assert_eq!(encode(s.run("ZSCORE k b")), "$5\r\n1e+20\r\n");
    assert_eq!(encode(s.run("ZSCORE k c")), "$1\r\n0\r\n");
    assert_eq!(encode(s.run("ZSCORE k e")), "$3\r\ninf\r\n");
    assert_eq!(
        s.run("ZADD k nan x"),
        Reply::error("ERR value is not a valid float")
    );
    assert_eq!(
        s.run("ZINCRBY k -inf e"),
        Reply::error("ERR resulting score is not a number (NaN)")
    );
}

#[test]
fn keyspace_events_match_redis() {
    let mut s = Session::with_debug();
    let subscriber = s.server.connect(T0);
    s.run_on(subscriber, "HELLO 3");
    s.run_on(subscriber, "PSUBSCRIBE __keyevent@0__:*");
    s.run("CONFIG SET notify-keyspace-events KEA");
    // Recorded from Redis 7.0 with a separate subscriber.
    let expected: &[(&str, &[&str])] = &[
        ("ZADD z 1 a 2 b", &["zadd z"]),
        ("ZADD z 1 a", &[]),
        ("ZADD z INCR 1 a", &["zincr z"]),
        ("ZINCRBY z 0 a", &[]),
        ("ZINCRBY z 1 c", &["zincr z"]),
        ("ZREM z nope", &[]),
        ("ZREM z c", &["zrem z"]),
        ("ZREMRANGEBYRANK z 0 0", &["zremrangebyrank z"]),
        ("ZADD z 1 a 3 c", &["zadd z"]),
        ("ZREMRANGEBYSCORE z 3 3", &["zremrangebyscore z"]),
        ("ZREMRANGEBYLEX z [a [a", &["zremrangebylex z"]),
        ("ZREM z b", &["zrem z", "del z"]),
        ("ZADD z 1 a 2 b 3 c 4 d", &["zadd z"]),
        ("ZPOPMIN z", &["zpopmin z"]),
        ("ZPOPMAX z 2", &["zpopmax z"]),
        ("ZMPOP 1 z MIN COUNT 5", &["zpopmin z", "del z"]),
        ("ZADD za 1 a 2 b", &["zadd za"]),
        ("ZADD zb 2 b", &["zadd zb"]),
        ("ZUNIONSTORE zd 2 za zb", &["zunionstore zd"]),
        ("ZINTERSTORE zd 2 za zb", &["zinterstore zd"]),
        ("ZDIFFSTORE zd 2 za zb", &["zdiffstore zd"]),
        ("ZDIFFSTORE zd 2 za za", &["del zd"]),
        ("ZRANGESTORE zd za 0 -1", &["zrangestore zd"]),
        ("ZRANGESTORE zd za 5 6", &["del zd"]),
    ];
    s.server.take_outbound(subscriber);
    for (line, events) in expected {
        s.run(line);
        let got: Vec<String> = s
            .server
            .take_outbound(subscriber)
            .into_iter()
            .map(event_of)
            .collect();
        assert_eq!(got, *events, "{line}");
    }
}

/// "event key" from a keyevent pmessage push.
fn event_of(push: Reply) -> String {
    let Reply::Push(items) = push else {
        panic!("a push: {push:?}");
    };
    let texts: Vec<String> = items.into_iter().map(text).collect();
    let event = texts[2].split_once(':').unwrap().1;
    format!("{event} {}", texts[3])
}

#[test]
fn writes_invalidate_watch_only_when_they_change_something() {
    let mut s = Session::with_debug();
    s.run("ZADD k 1 a");
    for (line, changes) in [
        ("ZADD k 1 a", false),
        ("ZADD k NX 5 a", false),
        ("ZREM k nope", false),
        ("ZREMRANGEBYSCORE k 5 6", false),
        ("ZADD k 2 a", true),
        ("ZINCRBY k 1 a", true),
        ("ZPOPMIN k", true),
    ] {
        s.run("WATCH k");
        s.run(line);
        s.run("MULTI");
        s.run("ZCARD k");
        let outcome = s.run("EXEC");
        assert_eq!(outcome == Reply::NullArray, changes, "{line}");
    }
}
