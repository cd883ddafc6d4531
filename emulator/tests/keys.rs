//! Generic key commands through the public API, and the hash table's SCAN guarantee.

use std::collections::{BTreeSet, HashSet};

use emulator::dict::Dict;
use emulator::{ClientId, Reply, Server};

const T0: u64 = 1_700_000_000_000;

struct Session {
    server: Server,
    client: ClientId,
}

impl Session {
    fn new() -> Session {
        let mut server = Server::new();
        let client = server.connect(T0);
        Session { server, client }
    }

    fn run(&mut self, args: &[&[u8]]) -> Reply {
        let argv = args.iter().map(|a| a.to_vec()).collect();
        let mut replies = self.server.execute(self.client, argv, T0);
        assert_eq!(replies.len(), 1);
        replies.remove(0)
    }

    fn cmd(&mut self, line: &str) -> Reply {
        let args: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
        self.run(&args)
    }

    fn set(&mut self, key: &[u8]) {
        assert_eq!(self.run(&[b"SET", key, b"v"]), Reply::ok());
    }

    fn del(&mut self, key: &[u8]) {
        assert_eq!(self.run(&[b"DEL", key]), Reply::Integer(1));
    }

    /// One SCAN call: (next cursor, keys).
    fn scan(&mut self, cursor: u64, extra: &[&[u8]]) -> (u64, Vec<Vec<u8>>) {
        let cursor = cursor.to_string();
        let mut args: Vec<&[u8]> = vec![b"SCAN", cursor.as_bytes()];
        args.extend_from_slice(extra);
        let Reply::Array(parts) = self.run(&args) else {
            panic!("SCAN reply is not an array")
        };
        let [Reply::Bulk(next), Reply::Array(keys)] = &parts[..] else {
            panic!("unexpected SCAN reply {parts:?}")
        };
        let next = std::str::from_utf8(next).unwrap().parse().unwrap();
        let keys = keys
            .iter()
            .map(|k| match k {
                Reply::Bulk(b) => b.clone(),
                other => panic!("not a key: {other:?}"),
            })
            .collect();
        (next, keys)
    }

    fn keys(&mut self, pattern: &[u8]) -> BTreeSet<Vec<u8>> {
        match self.run(&[b"KEYS", pattern]) {
            Reply::Array(items) => items
                .into_iter()
                .map(|r| match r {
                    Reply::Bulk(b) => b,
                    other => panic!("not a key: {other:?}"),
                })
                .collect(),
            other => panic!("unexpected KEYS reply {other:?}"),
        }
    }
}

fn key(i: usize) -> Vec<u8> {
    format!("key:{i}").into_bytes()
}

/// A small deterministic generator for the property tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn scan_returns_every_key_of_a_static_database_exactly_once() {
    let mut s = Session::new();
    for i in 0..300 {
        s.set(&key(i));
    }
    let mut seen = Vec::new();
    let mut cursor = 0;
    let mut calls = 0;
    loop {
        let (next, keys) = s.scan(cursor, &[b"COUNT", b"7"]);
        seen.extend(keys);
        calls += 1;
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert!(
        calls > 300 / 20,
        "COUNT 7 should take many calls, took {calls}"
    );
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), 300, "no duplicates without changes");
    assert_eq!(unique, (0..300).map(key).collect());
}

/// Runs a full SCAN while `mutate` changes the database between the first `rounds` calls
/// (it returns the keys it deleted), and checks that every key present for the whole scan was
/// returned.
fn scan_while_mutating(
    s: &mut Session,
    count: &[u8],
    rounds: usize,
    mut mutate: impl FnMut(&mut Session) -> Vec<Vec<u8>>,
) {
    let before = s.keys(b"*");
    let mut returned = HashSet::new();
    let mut deleted = HashSet::new();
    let mut cursor = 0;
    let mut calls = 0;
    loop {
        let (next, keys) = s.scan(cursor, &[b"COUNT", count]);
        returned.extend(keys);
        cursor = next;
        if cursor == 0 {
            break;
        }
        if calls < rounds {
            deleted.extend(mutate(s));
        }
        calls += 1;
        assert!(calls < 1_000_000, "SCAN did not terminate");
    }
    for k in before.iter().filter(|k| !deleted.contains(*k)) {
        assert!(
            returned.contains(k),
            "{} was present throughout but not returned",
            String::from_utf8_lossy(k)
        );
    }
}

#[test]
fn scan_guarantee_while_the_table_grows() {
    let mut s = Session::new();
    for i in 0..200 {
        s.set(&key(i));
    }
    let mut next = 200;
    scan_while_mutating(&mut s, b"3", 100, |s| {
        for _ in 0..25 {
            s.set(&key(next));
            next += 1;
        }
        Vec::new()
    });
    assert!(next > 2000, "the table grew through several doublings");
}

#[test]
fn scan_guarantee_while_the_table_shrinks() {
    let mut s = Session::new();
    for i in 0..3000 {
        s.set(&key(i));
    }
    // Delete everything except multiples of 7, quickly enough to shrink the table mid-scan.
    let mut victims: Vec<usize> = (0..3000).filter(|i| i % 7 != 0).collect();
    scan_while_mutating(&mut s, b"5", usize::MAX, |s| {
        let mut deleted = Vec::new();
        for _ in 0..40 {
            if let Some(i) = victims.pop() {
                s.del(&key(i));
                deleted.push(key(i));
            }
        }
        deleted
    });
    assert_eq!(s.keys(b"*").len(), 3000_usize.div_ceil(7));
}

#[test]
fn scan_guarantee_under_random_inserts_and_deletes() {
    for seed in 1..=12u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut s = Session::new();
        let initial = 50 + rng.below(800);
        let mut live: Vec<usize> = (0..initial).collect();
        for &i in &live {
            s.set(&key(i));
        }
        let mut next = initial;
        let count = (1 + rng.below(20)).to_string();
        scan_while_mutating(&mut s, count.as_bytes(), 60, |s| {
            // Bursts of growth or shrinkage so both directions of rehashing happen.
            let grow = rng.below(3) != 0;
            let mut deleted = Vec::new();
            for _ in 0..rng.below(120) {
                if grow || live.is_empty() {
                    s.set(&key(next));
                    live.push(next);
                    next += 1;
                } else {
                    let victim = live.swap_remove(rng.below(live.len()));
                    s.del(&key(victim));
                    deleted.push(key(victim));
                }
            }
            deleted
        });
    }
}

#[test]
fn dict_scan_guarantee_property() {
    // The same property directly on the table, with many more operations between calls.
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0xD134_2543_DE82_EF95) | 1);
        let mut d: Dict<u32> = Dict::new();
        let mut live: Vec<u32> = Vec::new();
        let mut next = 0u32;
        for _ in 0..rng.below(5000) {
            d.insert(&next.to_le_bytes(), next);
            live.push(next);
            next += 1;
        }
        let initial: HashSet<u32> = live.iter().copied().collect();
        let mut deleted = HashSet::new();
        let mut returned = HashSet::new();
        let mut cursor = 0;
        let mut calls = 0;
        loop {
            cursor = d.scan(cursor, |slot| {
                returned.insert(*d.value_at(slot));
            });
            if cursor == 0 {
                break;
            }
            calls += 1;
            assert!(calls < 1_000_000);
            if calls > 300 {
                continue;
            }
            let shrink = rng.below(2) == 0;
            for _ in 0..rng.below(200) {
                if shrink && !live.is_empty() {
                    let victim = live.swap_remove(rng.below(live.len()));
                    assert_eq!(
                        d.remove(&victim.to_le_bytes()).map(|r| r.value),
                        Some(victim)
                    );
                    deleted.insert(victim);
                } else {
                    d.insert(&next.to_le_bytes(), next);
                    live.push(next);
                    next += 1;
                }
            }
        }
        for k in initial.difference(&deleted) {
            assert!(returned.contains(k), "seed {seed}: {k} missed");
        }
        assert_eq!(d.len(), live.len());
        for k in &live {
            assert_eq!(d.get(&k.to_le_bytes()), Some(k));
        }
    }
}

#[test]
fn scan_match_and_type_filter_after_collecting() {
    let mut s = Session::new();
    for i in 0..100 {
        s.set(format!("user:{i}").as_bytes());
        s.set(format!("item:{i}").as_bytes());
    }
    let mut users = HashSet::new();
    let mut cursor = 0;
    loop {
        let (next, keys) = s.scan(cursor, &[b"MATCH", b"user:*", b"COUNT", b"10"]);
        assert!(keys.iter().all(|k| k.starts_with(b"user:")));
        users.extend(keys);
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(users.len(), 100);
    let (_, none) = s.scan(0, &[b"TYPE", b"hash", b"COUNT", b"1000"]);
    assert!(none.is_empty());
    let (cursor, all) = s.scan(0, &[b"TYPE", b"String", b"COUNT", b"1000"]);
    assert_eq!((cursor, all.len()), (0, 200));
}

#[test]
fn keys_matches_globs_over_binary_keys() {
    let mut s = Session::new();
    for k in [&b"a\x00b"[..], b"a\xffb", b"ab", b"a\nb", b""] {
        s.set(k);
    }
    assert_eq!(s.keys(b"*").len(), 5);
    assert_eq!(s.keys(b"a?b").len(), 3);
    assert_eq!(s.keys(b"a[\x00]b"), BTreeSet::from([b"a\x00b".to_vec()]));
    assert_eq!(s.keys(b""), BTreeSet::from([Vec::new()]));
}

#[test]
fn randomkey_reaches_every_key() {
    let mut s = Session::new();
    for i in 0..20 {
        s.set(&key(i));
    }
    let mut seen = HashSet::new();
    for _ in 0..2000 {
        match s.cmd("RANDOMKEY") {
            Reply::Bulk(k) => {
                seen.insert(k);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(seen.len(), 20);
}

#[test]
fn rename_keeps_the_value_and_idle_time_and_copy_does_not() {
    let mut s = Session::new();
    s.set(b"a");
    let later = T0 + 5_000;
    let run_at = |s: &mut Session, line: &str, at: u64| {
        let argv = line
            .split_whitespace()
            .map(|w| w.as_bytes().to_vec())
            .collect();
        s.server.execute(s.client, argv, at).remove(0)
    };
    assert_eq!(
        run_at(&mut s, "OBJECT IDLETIME a", later),
        Reply::Integer(5)
    );
    assert_eq!(run_at(&mut s, "COPY a c", later), Reply::Integer(1));
    assert_eq!(
        run_at(&mut s, "OBJECT IDLETIME c", later + 2_000),
        Reply::Integer(2)
    );
    // COPY read the source, which counts as an access.
    assert_eq!(
        run_at(&mut s, "OBJECT IDLETIME a", later + 2_000),
        Reply::Integer(2)
    );
    assert_eq!(
        run_at(&mut s, "TYPE a", later + 9_000),
        Reply::simple("string")
    );
    assert_eq!(
        run_at(&mut s, "OBJECT IDLETIME a", later + 9_000),
        Reply::Integer(9)
    );
    assert_eq!(run_at(&mut s, "GET a", later + 9_000), Reply::bulk("v"));
    assert_eq!(
        run_at(&mut s, "OBJECT IDLETIME a", later + 9_000),
        Reply::Integer(0)
    );
}

#[test]
fn move_and_copy_between_databases() {
    let mut s = Session::new();
    s.set(b"k");
    assert_eq!(s.cmd("PEXPIREAT k 4102444800000"), Reply::Integer(1));
    assert_eq!(s.cmd("COPY k k DB 3"), Reply::Integer(1));
    assert_eq!(s.cmd("MOVE k 3"), Reply::Integer(0), "target exists");
    assert_eq!(s.cmd("EXISTS k"), Reply::Integer(1));
    assert_eq!(s.cmd("MOVE k 4"), Reply::Integer(1));
    assert_eq!(s.cmd("EXISTS k"), Reply::Integer(0));
    // Without SELECT the other databases are observed through collisions.
    assert_eq!(s.cmd("SET k again"), Reply::ok());
    assert_eq!(s.cmd("MOVE k 4"), Reply::Integer(0));
    assert_eq!(s.cmd("COPY k k DB 4"), Reply::Integer(0));
    assert_eq!(s.cmd("COPY k k DB 4 REPLACE"), Reply::Integer(1));
}

#[test]
fn hits_and_misses_are_counted_like_redis() {
    let mut s = Session::new();
    s.set(b"k");
    let base = (
        s.server.stats().keyspace_hits,
        s.server.stats().keyspace_misses,
    );
    s.cmd("EXISTS k nokey");
    s.cmd("TYPE k");
    s.cmd("TTL nokey");
    s.cmd("OBJECT ENCODING k");
    s.cmd("TOUCH k");
    // Writes do not count.
    s.cmd("EXPIRE k 100");
    s.cmd("PERSIST k");
    s.cmd("RENAME k k2");
    s.cmd("DEL k2");
    let stats = s.server.stats();
    assert_eq!(
        (stats.keyspace_hits - base.0, stats.keyspace_misses - base.1),
        (4, 2)
    );
}
