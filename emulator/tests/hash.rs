//! Hash commands through the public engine API: replies in both protocols, the listpack to
//! hash table conversion, HINCRBYFLOAT's precision, HRANDFIELD's guarantees, HSCAN's
//! guarantee, events and memory.

use std::collections::{BTreeMap, BTreeSet};

use emulator::Reply;

mod common;

use common::{bulk, int, Session, T0};

impl Session {
    fn wire(&mut self, line: &str) -> String {
        let reply = self.run(line);
        String::from_utf8_lossy(&reply.encode(self.server.protocol(self.client))).into_owned()
    }

    fn object_encoding(&mut self, key: &str) -> String {
        match self.run(&format!("OBJECT ENCODING {key}")) {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    /// Fills `key` with fields f0..fN-1 holding v0..vN-1.
    fn fill(&mut self, key: &str, n: usize) {
        for i in 0..n {
            self.run(&format!("HSET {key} f{i} v{i}"));
        }
    }
}

fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not a bulk string: {other:?}"),
    }
}

fn items(reply: Reply) -> Vec<Reply> {
    match reply {
        Reply::Array(items) => items,
        other => panic!("not an array: {other:?}"),
    }
}

#[test]
fn small_hashes_keep_insertion_order() {
    let mut s = Session::new();
    assert_eq!(s.run("HSET h b 1 a 2 c 3"), int(3));
    assert_eq!(s.run("HSET h a 20 d 4"), int(1));
    assert_eq!(
        s.run("HGETALL h"),
        Reply::Map(vec![
            (bulk("b"), bulk("1")),
            (bulk("a"), bulk("20")),
            (bulk("c"), bulk("3")),
            (bulk("d"), bulk("4")),
        ])
    );
    assert_eq!(
        s.wire("HKEYS h"),
        "*4\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n"
    );
    assert_eq!(s.wire("HGETALL nokey"), "*0\r\n");
    s.run("HELLO 3");
    assert_eq!(s.wire("HGETALL nokey"), "%0\r\n");
    assert_eq!(s.wire("HGET h nofield"), "_\r\n");
    assert_eq!(s.wire("HGETALL h").lines().next(), Some("%4"));
}

#[test]
fn emptied_hashes_are_deleted() {
    let mut s = Session::new();
    s.run("HSET h a 1 b 2");
    assert_eq!(s.run("HDEL h a a nofield"), int(1));
    assert_eq!(s.run("HDEL h b"), int(1));
    assert_eq!(s.run("EXISTS h"), int(0));
    assert_eq!(s.run("HDEL h b"), int(0));
    // HSETNX on a present field leaves a missing key missing... and creates a new one.
    assert_eq!(s.run("HSETNX h2 f v"), int(1));
    assert_eq!(s.run("HSETNX h2 f w"), int(0));
    assert_eq!(s.run("HGET h2 f"), bulk("v"));
}

#[test]
fn encoding_converts_once_and_for_all() {
    let mut s = Session::new();
    s.fill("h", 512);
    assert_eq!(s.object_encoding("h"), "listpack");
    s.run("HSET h one-more x");
    assert_eq!(s.object_encoding("h"), "hashtable");
    for i in 0..512 {
        s.run(&format!("HDEL h f{i}"));
    }
    assert_eq!(s.run("HLEN h"), int(1));
    assert_eq!(s.object_encoding("h"), "hashtable");
    // A long field or value converts at once.
    s.run(&format!("HSET long f {}", "x".repeat(64)));
    assert_eq!(s.object_encoding("long"), "listpack");
    s.run(&format!("HSET long g {}", "x".repeat(65)));
    assert_eq!(s.object_encoding("long"), "hashtable");
    // So does a counter whose field is long, and thresholds come from the configuration.
    s.run(&format!("HINCRBY counter {} 1", "k".repeat(65)));
    assert_eq!(s.object_encoding("counter"), "hashtable");
    s.run("CONFIG SET hash-max-listpack-entries 2");
    s.run("HSET small a 1 b 2");
    assert_eq!(s.object_encoding("small"), "listpack");
    s.run("HSETNX small c 3");
    assert_eq!(s.object_encoding("small"), "hashtable");
}

#[test]
fn large_hashes_answer_every_field() {
    let mut s = Session::new();
    s.fill("h", 2000);
    assert_eq!(s.run("HLEN h"), int(2000));
    assert_eq!(s.run("HGET h f1234"), bulk("v1234"));
    assert_eq!(s.run("HSTRLEN h f1999"), int(5));
    assert_eq!(s.run("HEXISTS h f2000"), int(0));
    let keys: BTreeSet<String> = items(s.run("HKEYS h")).iter().map(text).collect();
    assert_eq!(keys.len(), 2000);
    assert!(keys.contains("f0") && keys.contains("f1999"));
    let Reply::Map(pairs) = s.run("HGETALL h") else {
        panic!("HGETALL is a map");
    };
    assert!(pairs.iter().all(|(f, v)| text(f)[1..] == text(v)[1..]));
}

#[test]
fn hincrbyfloat_computes_in_extended_precision() {
    let mut s = Session::new();
    s.run("HSET h f 1");
    assert_eq!(s.run("HINCRBYFLOAT h f 0.1"), bulk("1.1"));
    assert_eq!(s.run("HINCRBYFLOAT h f 1.1"), bulk("2.2"));
    s.run("HSET h g 10.5");
    assert_eq!(s.run("HINCRBYFLOAT h g 0.1"), bulk("10.6"));
    assert_eq!(s.run("HINCRBYFLOAT h n 3.0e3"), bulk("3000"));
    assert_eq!(s.run("HINCRBYFLOAT h n -3000"), bulk("0"));
    assert_eq!(s.run("HINCRBYFLOAT h m 5.0e-18"), bulk("0"));
    assert_eq!(s.run("HINCRBYFLOAT h m 1"), bulk("1"));
    assert_eq!(
        s.run("HINCRBYFLOAT h f inf"),
        Reply::error("ERR value is NaN or Infinity")
    );
    s.run("HSET h i 9223372036854775807");
    assert_eq!(
        s.run("HINCRBY h i 1"),
        Reply::error("ERR increment or decrement would overflow")
    );
    assert_eq!(s.run("HINCRBYFLOAT h i 1"), bulk("9223372036854775808"));
}

#[test]
fn hrandfield_counts_and_shapes() {
    let mut s = Session::new();
    s.run("HSET h a 1 b 2 c 3 d 4 e 5");
    let all: BTreeSet<&str> = ["a", "b", "c", "d", "e"].into();
    for count in [1, 2, 3, 4, 5, 9] {
        let picked: Vec<String> = items(s.run(&format!("HRANDFIELD h {count}")))
            .iter()
            .map(text)
            .collect();
        let distinct: BTreeSet<&str> = picked.iter().map(String::as_str).collect();
        assert_eq!(picked.len(), count.min(5), "HRANDFIELD h {count}");
        assert_eq!(distinct.len(), picked.len(), "distinct for {count}");
        assert!(distinct.is_subset(&all));
    }
    let repeated = items(s.run("HRANDFIELD h -20"));
    assert_eq!(repeated.len(), 20);
    // WITHVALUES: flat in RESP2, pairs in RESP3.
    let flat = items(s.run("HRANDFIELD h -3 WITHVALUES"));
    assert_eq!(flat.len(), 6);
    for pair in flat.chunks(2) {
        let (field, value) = (text(&pair[0]), text(&pair[1]));
        assert_eq!(
            value,
            ((field.as_bytes()[0] - b'a' + b'1') as char).to_string()
        );
    }
    s.run("HELLO 3");
    let pairs = items(s.run("HRANDFIELD h 2 WITHVALUES"));
    assert_eq!(pairs.len(), 2);
    assert!(pairs
        .iter()
        .all(|p| matches!(p, Reply::Array(kv) if kv.len() == 2)));
    // Every field turns up when picking again and again.
    let mut seen = BTreeSet::new();
    for _ in 0..200 {
        seen.insert(text(&s.run("HRANDFIELD h")));
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(
        s.run("HRANDFIELD h -100000000"),
        Reply::error("OOM command not allowed when used memory > 'maxmemory'.")
    );
}

#[test]
fn hrandfield_on_a_hash_table() {
    let mut s = Session::new();
    s.fill("h", 1000);
    for count in [10, 400, 999, 1000] {
        let picked: BTreeSet<String> = items(s.run(&format!("HRANDFIELD h {count}")))
            .iter()
            .map(text)
            .collect();
        assert_eq!(picked.len(), count);
    }
}

#[test]
fn hscan_returns_every_field_present_throughout() {
    let mut s = Session::new();
    s.fill("h", 1000);
    let mut seen = BTreeMap::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let reply = items(s.run(&format!("HSCAN h {cursor} COUNT 20")));
        cursor = text(&reply[0]);
        for pair in items(reply[1].clone()).chunks(2) {
            seen.insert(text(&pair[0]), text(&pair[1]));
        }
        calls += 1;
        // Grow the table while the scan runs: fields present throughout are still seen.
        if calls == 5 {
            for i in 1000..3000 {
                s.run(&format!("HSET h f{i} v{i}"));
            }
        }
        if cursor == "0" {
            break;
        }
    }
    assert!(calls > 10);
    assert!((0..1000).all(|i| seen.get(&format!("f{i}")) == Some(&format!("v{i}"))));
    // MATCH filters fields, and their values go with them.
    let reply = items(s.run("HSCAN h 0 MATCH f12? COUNT 10000"));
    assert_eq!(reply[0], bulk("0"));
    assert_eq!(items(reply[1].clone()).len(), 20);
}

#[test]
fn memory_of_a_listpack_hash_matches_redis() {
    // Figure from Redis 7.0.15.
    let mut s = Session::new();
    for i in 1..=300 {
        s.run(&format!("HSET hb field{i} value{i}"));
    }
    assert_eq!(s.run("MEMORY USAGE hb SAMPLES 0"), int(6192));
    s.run("HSET h a 1");
    assert_eq!(s.run("MEMORY USAGE h"), int(64));
}

#[test]
fn writes_publish_keyspace_events() {
    let mut s = Session::new();
    let listener = s.server.connect(T0);
    s.run("CONFIG SET notify-keyspace-events Ehgn");
    s.server
        .execute(listener, vec![b"PSUBSCRIBE".to_vec(), b"*".to_vec()], T0);
    for line in [
        "HSET h a 1 b 2",
        "HSETNX h a 1",
        "HSETNX h c 3",
        "HMSET h d 4",
        "HINCRBY h n 1",
        "HINCRBYFLOAT h x 1.5",
        "HDEL h nofield",
        "HDEL h a b c d n x",
    ] {
        s.run(line);
    }
    let events: Vec<String> = s
        .server
        .take_outbound(listener)
        .into_iter()
        .filter_map(|r| match r {
            Reply::Array(items) | Reply::Push(items) => match items.get(2) {
                Some(Reply::Bulk(channel)) => Some(
                    String::from_utf8_lossy(channel)
                        .rsplit(':')
                        .next()
                        .unwrap()
                        .to_string(),
                ),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(
        events,
        [
            "new",
            "hset",
            "hset",
            "hset",
            "hincrby",
            "hincrbyfloat",
            "hdel",
            "del"
        ]
    );
}
