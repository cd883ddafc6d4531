//! Set commands driven through the public engine API, as a host would.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use emulator::{Protocol, Reply};

mod common;

use common::{err, int, Session, T0};

impl Session {
    fn exists(&mut self, key: &str) -> bool {
        self.encoding(key).is_some()
    }

    /// The members of an array or set reply, as strings.
    fn members(&mut self, line: &str) -> Vec<String> {
        strings(self.run(line))
    }

    fn dirty(&mut self) -> i64 {
        let info = match self.run("INFO persistence") {
            Reply::Bulk(b) | Reply::Verbatim(_, b) => b,
            other => panic!("INFO replies with text: {other:?}"),
        };
        let text = String::from_utf8(info).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("rdb_changes_since_last_save:"))
            .unwrap();
        line.split(':').nth(1).unwrap().trim().parse().unwrap()
    }
}

fn strings(reply: Reply) -> Vec<String> {
    match reply {
        Reply::Array(items) | Reply::Set(items) => items
            .into_iter()
            .map(|r| match r {
                Reply::Bulk(b) => String::from_utf8(b).unwrap(),
                other => panic!("not a bulk string: {other:?}"),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

#[test]
fn intsets_keep_ascending_order_and_convert_like_redis() {
    let mut s = Session::with_debug();
    assert_eq!(s.run("SADD k 10 -3 7 10 0"), int(4));
    assert_eq!(s.members("SMEMBERS k"), ["-3", "0", "7", "10"]);
    assert_eq!(s.encoding("k").as_deref(), Some("intset"));
    // Non-canonical integers are strings.
    assert_eq!(s.run("SADD k 010"), int(1));
    assert_eq!(s.encoding("k").as_deref(), Some("hashtable"));
    assert_eq!(s.run("SISMEMBER k 10"), int(1));
    assert_eq!(s.run("SISMEMBER k 010"), int(1));

    s.run("CONFIG SET set-max-intset-entries 2");
    s.run("SADD small 1 2");
    assert_eq!(s.encoding("small").as_deref(), Some("intset"));
    s.run("SADD small 3");
    assert_eq!(s.encoding("small").as_deref(), Some("hashtable"));
    // Never converted back.
    s.run("SREM small 3 2");
    assert_eq!(s.encoding("small").as_deref(), Some("hashtable"));
}

#[test]
fn wrong_types_and_missing_keys() {
    let mut s = Session::with_debug();
    s.run("SET str v");
    let wrongtype = err("WRONGTYPE Operation against a key holding the wrong kind of value");
    for line in [
        "SADD str a",
        "SREM str a",
        "SMEMBERS str",
        "SCARD str",
        "SPOP str",
        "SRANDMEMBER str",
        "SINTER str",
        "SUNION str",
        "SDIFF str",
        "SSCAN str 0",
        "SMISMEMBER str a",
    ] {
        assert_eq!(s.run(line), wrongtype, "{line}");
    }
    assert_eq!(s.run("SCARD none"), int(0));
    assert_eq!(s.run("SPOP none"), Reply::Null);
    assert_eq!(s.run("SPOP none 2"), Reply::Set(vec![]));
    assert_eq!(s.run("SRANDMEMBER none 2"), Reply::Array(vec![]));
    assert_eq!(s.run("SMEMBERS none"), Reply::Set(vec![]));
    s.run("SADD set a");
    assert_eq!(s.encoding("set").as_deref(), Some("hashtable"));
}

#[test]
fn empty_sets_are_deleted() {
    let mut s = Session::with_debug();
    s.run("SADD k a b");
    assert_eq!(s.run("SREM k a b c"), int(2));
    assert!(!s.exists("k"));
    s.run("SADD k a");
    assert_eq!(s.run("SMOVE k other a"), int(1));
    assert!(!s.exists("k"));
    assert_eq!(s.members("SMEMBERS other"), ["a"]);
    assert_eq!(s.run("SPOP other"), Reply::bulk("a"));
    assert!(!s.exists("other"));
    s.run("SADD a 1");
    s.run("SADD d 9");
    assert_eq!(s.run("SINTERSTORE d a none"), int(0));
    assert!(!s.exists("d"));
}

#[test]
fn store_commands_replace_the_destination() {
    let mut s = Session::with_debug();
    s.run("SADD a 1 2 3");
    s.run("SADD b 2 3 4");
    s.run("SET dst x EX 100");
    assert_eq!(s.run("SINTERSTORE dst a b"), int(2));
    assert_eq!(s.members("SMEMBERS dst"), ["2", "3"]);
    assert_eq!(s.run("SUNIONSTORE dst a b"), int(4));
    assert_eq!(s.members("SMEMBERS dst"), ["1", "2", "3", "4"]);
    assert_eq!(s.run("SDIFFSTORE dst a b"), int(1));
    assert_eq!(s.members("SMEMBERS dst"), ["1"]);
    assert_eq!(s.run("SINTERCARD 2 a b LIMIT 1"), int(1));
}

#[test]
fn spop_with_counts_removes_exactly_what_it_returns() {
    let mut s = Session::with_debug();
    // Both strategies: few popped from many, and most of the set.
    let cases = [
        (100, 3),
        (100, 90),
        (600, 20),
        (600, 599),
        (10, 10),
        (10, 50),
    ];
    for (case, (size, count)) in cases.into_iter().enumerate() {
        let key = format!("k{case}");
        let all: Vec<String> = (0..size).map(|i| format!("m{i}")).collect();
        let mut args: Vec<&[u8]> = vec![b"SADD", key.as_bytes()];
        args.extend(all.iter().map(|m| m.as_bytes()));
        s.cmd(&args);
        let popped = strings(s.run(&format!("SPOP {key} {count}")));
        let left = if count >= size {
            assert!(!s.exists(&key));
            Vec::new()
        } else {
            strings(s.run(&format!("SMEMBERS {key}")))
        };
        assert_eq!(popped.len(), count.min(size));
        let popped: HashSet<String> = popped.into_iter().collect();
        let left: HashSet<String> = left.into_iter().collect();
        assert_eq!(popped.len(), count.min(size), "no duplicates");
        assert!(popped.is_disjoint(&left));
        let union: HashSet<String> = popped.union(&left).cloned().collect();
        assert_eq!(union, all.into_iter().collect());
    }
    // Rebuilding an integer set leaves an intset, as in Redis.
    s.run("CONFIG SET set-max-intset-entries 4");
    s.run("SADD ints 1 2 3 4 5 6 7 8");
    assert_eq!(s.encoding("ints").as_deref(), Some("hashtable"));
    s.run("SPOP ints 7");
    assert_eq!(s.encoding("ints").as_deref(), Some("intset"));
}

#[test]
fn random_members_are_uniform_and_distinct_when_asked() {
    let mut s = Session::with_debug();
    s.run("SADD k a b c d e f g h i j");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..2000 {
        for m in strings(s.run("SRANDMEMBER k -5")) {
            *counts.entry(m).or_default() += 1;
        }
    }
    assert_eq!(counts.len(), 10);
    // 10000 picks over 10 members: each within a generous band around 1000.
    assert!(
        counts.values().all(|&c| (800..1200).contains(&c)),
        "{counts:?}"
    );
    for count in [1, 3, 4, 9, 10, 20] {
        let picked = strings(s.run(&format!("SRANDMEMBER k {count}")));
        let distinct: HashSet<&String> = picked.iter().collect();
        assert_eq!(picked.len(), count.min(10));
        assert_eq!(distinct.len(), picked.len());
    }
}

#[test]
fn sscan_returns_every_member_present_for_the_whole_scan() {
    let mut s = Session::with_debug();
    for i in 0..1000 {
        s.run(&format!("SADD k m{i}"));
    }
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut round = 0;
    loop {
        let Reply::Array(parts) = s.run(&format!("SSCAN k {cursor} COUNT 25")) else {
            panic!("SSCAN replies with an array");
        };
        let [Reply::Bulk(next), members] = <[Reply; 2]>::try_from(parts).unwrap() else {
            panic!("cursor and members");
        };
        seen.extend(strings(members));
        cursor = String::from_utf8(next).unwrap();
        // Churn: remove members of the second half and add new ones as the scan runs.
        round += 1;
        s.run(&format!("SREM k m{}", 500 + round * 7 % 500));
        s.run(&format!("SADD k new{round}"));
        if cursor == "0" {
            break;
        }
    }
    for i in 0..500 {
        assert!(seen.contains(&format!("m{i}")), "m{i} was missed");
    }
}

#[test]
fn writes_invalidate_watch_and_count_changes_only_when_they_change_something() {
    let mut s = Session::with_debug();
    s.run("SADD k a");
    let before = s.dirty();
    s.run("SADD k a");
    s.run("SREM k zz");
    s.run("SMOVE k other zz");
    assert_eq!(s.dirty(), before);
    s.run("SADD k b c");
    assert_eq!(s.dirty(), before + 2);

    s.run("WATCH k");
    s.run("SADD k a");
    s.run("MULTI");
    s.run("SCARD k");
    assert_eq!(s.run("EXEC"), Reply::Array(vec![int(3)]));
    s.run("WATCH k");
    s.run("SREM k a");
    s.run("MULTI");
    s.run("SCARD k");
    assert_eq!(s.run("EXEC"), Reply::NullArray);
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
        ("SADD s 1 2 3", &["sadd s"]),
        ("SADD s 1", &[]),
        ("SREM s 9", &[]),
        ("SREM s 1", &["srem s"]),
        ("SREM s 2 3", &["srem s", "del s"]),
        ("SADD s a b", &["sadd s"]),
        ("SMOVE s t a", &["srem s", "sadd t"]),
        ("SMOVE s t b", &["srem s", "del s", "sadd t"]),
        ("SMOVE t t a", &[]),
        ("SADD t c", &["sadd t"]),
        ("SMOVE t u a", &["srem t", "sadd u"]),
        ("SADD p 1 2 3 4 5 6", &["sadd p"]),
        ("SPOP p", &["spop p"]),
        ("SPOP p 0", &[]),
        ("SPOP p 2", &["spop p"]),
        ("SPOP p 10", &["spop p", "del p"]),
        ("SADD one x", &["sadd one"]),
        ("SPOP one", &["spop one", "del one"]),
        ("SADD a 1 2", &["sadd a"]),
        ("SADD b 2 3", &["sadd b"]),
        ("SINTERSTORE d a b", &["sinterstore d"]),
        ("SUNIONSTORE d a b", &["sunionstore d"]),
        ("SDIFFSTORE d a b", &["sdiffstore d"]),
        ("SDIFFSTORE d a a", &["del d"]),
        ("SDIFFSTORE d a a", &[]),
        ("SADD d 1", &["sadd d"]),
        ("SINTERSTORE d a nosuch", &["del d"]),
    ];
    s.server.take_outbound(subscriber);
    for (line, events) in expected {
        s.run(line);
        let got: Vec<String> = s
            .server
            .take_outbound(subscriber)
            .into_iter()
            .map(|push| event_of(push, s.server.protocol(subscriber)))
            .collect();
        assert_eq!(got, *events, "{line}");
    }
}

/// "event key" from a keyevent pmessage push.
pub fn event_of(push: Reply, _proto: Protocol) -> String {
    let Reply::Push(items) = push else {
        panic!("a push: {push:?}");
    };
    let texts: Vec<String> = items
        .into_iter()
        .map(|r| match r {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    let event = texts[2].split_once(':').unwrap().1;
    format!("{event} {}", texts[3])
}

#[test]
fn arity_and_syntax_errors() {
    let mut s = Session::with_debug();
    assert_eq!(
        s.run("SADD k"),
        err("ERR wrong number of arguments for 'sadd' command")
    );
    assert_eq!(s.run("SPOP k 1 2"), err("ERR syntax error"));
    assert_eq!(
        s.run("SPOP k -1"),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(
        s.run("SINTERCARD 0 k"),
        err("ERR numkeys should be greater than 0")
    );
    assert_eq!(
        s.run("SINTERCARD 2 k"),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(s.run("SSCAN k abc"), err("ERR invalid cursor"));
    s.run("SADD k 1");
    assert_eq!(s.run("SSCAN k 0 COUNT 0"), err("ERR syntax error"));
}
