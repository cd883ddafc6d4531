//! Engine-internal effects of the string and bitmap commands that replies do not show:
//! encodings (OBJECT ENCODING), the change counter behind `save`, and keyspace statistics.
//! The expected values were recorded from Redis 7.0.

use crate::client::ClientId;
use crate::resp::Reply;
use crate::server::Server;

const NOW: u64 = 1_700_000_000_000;

fn setup() -> (Server, ClientId) {
    let mut srv = Server::new();
    let id = srv.connect(NOW);
    (srv, id)
}

/// Runs a command written as words; `""` stands for an empty argument.
fn run(srv: &mut Server, id: ClientId, line: &str) -> Reply {
    let argv = line
        .split_whitespace()
        .map(|w| {
            if w == "\"\"" {
                Vec::new()
            } else {
                w.as_bytes().to_vec()
            }
        })
        .collect();
    srv.execute(id, argv, NOW).pop().expect("a reply")
}

fn encoding(srv: &Server, key: &str) -> &'static str {
    srv.dbs[0]
        .get(key.as_bytes())
        .map(|e| e.value.encoding())
        .unwrap_or("missing")
}

#[test]
fn encodings_follow_redis() {
    let (mut srv, id) = setup();
    let steps: &[(&str, &str, &str)] = &[
        ("SET a 123", "a", "int"),
        ("SET a abc", "a", "embstr"),
        (
            "SET a 123456789012345678901234567890123456789012345",
            "a",
            "raw",
        ),
        ("APPEND b 123", "b", "int"),
        ("APPEND b 4", "b", "raw"),
        ("INCR b", "b", "int"),
        ("SETRANGE c 0 abc", "c", "raw"),
        ("SET d abc", "d", "embstr"),
        ("SETRANGE d 0 \"\"", "d", "embstr"),
        ("SETRANGE d 0 x", "d", "raw"),
        ("INCRBYFLOAT e 1", "e", "embstr"),
        ("INCRBYFLOAT e 1e50", "e", "raw"),
        ("SET f abc", "f", "embstr"),
        ("SETBIT f 1 1", "f", "raw"),
        ("SET g abc", "g", "embstr"),
        ("GETBIT g 1", "g", "embstr"),
        ("BITFIELD g GET u8 0", "g", "embstr"),
        ("BITFIELD g OVERFLOW FAIL SET u2 0 9", "g", "raw"),
        ("BITOP NOT h g", "h", "raw"),
        ("GETSET h 77", "h", "int"),
        ("MSET i 5 j xyz", "i", "int"),
        ("MSET i 5 j xyz", "j", "embstr"),
        ("SET k 12", "k", "int"),
        ("GETEX k EX 100", "k", "int"),
        ("SETBIT k 0 0", "k", "raw"),
        ("SET l 5", "l", "int"),
        ("APPEND l \"\"", "l", "raw"),
        ("SET m -0", "m", "embstr"),
        ("SET n 99999999999999999999", "n", "embstr"),
    ];
    for (line, key, want) in steps {
        run(&mut srv, id, line);
        assert_eq!(encoding(&srv, key), *want, "after {line}");
    }
}

#[test]
fn changes_and_keyspace_statistics_follow_redis() {
    let (mut srv, id) = setup();
    // (command, changes it counts, keyspace hits and misses so far)
    let steps: &[(&str, u64, (u64, u64))] = &[
        ("SET a 1", 1, (0, 0)),
        ("SET a 1 NX", 0, (0, 0)),
        ("SET a 2 XX GET", 1, (1, 0)),
        ("SETNX a 3", 0, (1, 0)),
        ("MSET x 1 y 2 z 3", 3, (1, 0)),
        ("MSETNX x 1 w 2", 0, (1, 0)),
        ("MSETNX w 1 v 2", 2, (1, 0)),
        ("APPEND a \"\"", 1, (1, 0)),
        ("APPEND q \"\"", 1, (1, 0)),
        ("SETRANGE a 0 \"\"", 0, (1, 0)),
        ("SETRANGE a 0 9", 1, (1, 0)),
        ("SETRANGE nk 3 \"\"", 0, (1, 0)),
        ("INCR a", 1, (1, 0)),
        ("INCRBY a abc", 0, (1, 0)),
        ("INCRBYFLOAT a 1.5", 1, (1, 0)),
        ("GETEX a", 0, (2, 0)),
        ("GETEX a PERSIST", 0, (3, 0)),
        ("GETEX a EX 100", 1, (4, 0)),
        ("GETEX a PERSIST", 1, (5, 0)),
        ("GETEX a PXAT 1", 1, (6, 0)),
        ("GETDEL a", 0, (6, 1)),
        ("GETDEL a", 0, (6, 2)),
        ("GETSET a 5", 1, (6, 3)),
        ("SETBIT b 0 1", 1, (6, 3)),
        ("SETBIT b 0 1", 0, (6, 3)),
        ("SETBIT b 0 0", 1, (6, 3)),
        ("SETBIT b 20 0", 1, (6, 3)),
        ("BITFIELD c SET u8 0 0", 1, (6, 3)),
        ("BITFIELD c SET u8 0 0", 0, (6, 3)),
        (
            "BITFIELD c SET u8 0 1 SET u8 8 1 INCRBY u8 0 1 GET u8 0",
            3,
            (6, 3),
        ),
        ("BITFIELD d OVERFLOW FAIL INCRBY u2 0 5", 0, (6, 3)),
        (
            "BITFIELD d OVERFLOW FAIL INCRBY u2 0 1 INCRBY u2 0 1",
            2,
            (6, 3),
        ),
        ("BITOP AND dest b c", 1, (8, 3)),
        ("BITOP AND dest nokey", 1, (8, 4)),
        ("BITOP AND dest nokey", 0, (8, 5)),
        ("LCS b c", 0, (10, 5)),
    ];
    for (line, changes, (hits, misses)) in steps {
        let before = srv.dirty;
        run(&mut srv, id, line);
        assert_eq!(srv.dirty - before, *changes, "changes counted by {line}");
        let stats = srv.stats();
        assert_eq!(
            (stats.keyspace_hits, stats.keyspace_misses),
            (*hits, *misses),
            "statistics after {line}"
        );
    }
}

#[test]
fn writes_over_a_stale_key_count_it_as_expired() {
    let (mut srv, id) = setup();
    run(&mut srv, id, "SET k v PXAT 1");
    assert_eq!(srv.dbs[0].len(), 1, "a past expiry is stored, not acted on");
    run(&mut srv, id, "SET k v2 KEEPTTL");
    assert_eq!(srv.stats().expired_keys, 1);
    assert_eq!(srv.dbs[0].expire_at(b"k"), None, "the new key has no TTL");
}

#[test]
fn counters_keep_the_expiry_and_set_drops_it() {
    let (mut srv, id) = setup();
    for line in ["SET a 1 EX 100", "SET b x EX 100", "SET c 1 EX 100"] {
        run(&mut srv, id, line);
    }
    for line in [
        "INCR a",
        "APPEND b y",
        "SETBIT b 0 1",
        "INCRBYFLOAT c 1",
        "SETRANGE b 0 z",
    ] {
        run(&mut srv, id, line);
    }
    let deadline = Some(NOW + 100_000);
    for key in ["a", "b", "c"] {
        assert_eq!(srv.dbs[0].expire_at(key.as_bytes()), deadline, "{key}");
    }
    run(&mut srv, id, "GETSET a 5");
    run(&mut srv, id, "MSET b 1");
    run(&mut srv, id, "BITOP NOT c c");
    for key in ["a", "b", "c"] {
        assert_eq!(srv.dbs[0].expire_at(key.as_bytes()), None, "{key}");
    }
    run(&mut srv, id, "SET a 1 PX 5000");
    run(&mut srv, id, "SET a 2 KEEPTTL");
    assert_eq!(srv.dbs[0].expire_at(b"a"), Some(NOW + 5000));
    run(&mut srv, id, "GETEX a EXAT 1900000000");
    assert_eq!(srv.dbs[0].expire_at(b"a"), Some(1_900_000_000_000));
}

#[test]
fn watched_keys_are_invalidated_only_by_real_changes() {
    let (mut srv, id) = setup();
    let other = srv.connect(NOW);
    // Whether `line`, run by another client, makes a transaction watching `k` fail.
    let aborts = |srv: &mut Server, line: &str| {
        run(srv, id, "WATCH k");
        run(srv, id, "MULTI");
        run(srv, id, "PING");
        run(srv, other, line);
        run(srv, id, "EXEC") == Reply::NullArray
    };
    assert!(aborts(&mut srv, "SETBIT k 3 1"));
    assert!(!aborts(&mut srv, "SETBIT k 3 1"));
    assert!(!aborts(&mut srv, "GETEX k"));
    assert!(!aborts(&mut srv, "GETEX k PERSIST"));
    assert!(aborts(&mut srv, "GETEX k EX 10"));
    assert!(!aborts(&mut srv, "BITFIELD k OVERFLOW FAIL INCRBY u2 0 9"));
    assert!(!aborts(&mut srv, "SETRANGE k 0 \"\""));
    assert!(aborts(&mut srv, "APPEND k \"\""));
    assert!(!aborts(&mut srv, "INCR k"), "an error changes nothing");
    run(&mut srv, id, "GETDEL k");
    // BITFIELD creates the key even when FAIL refuses every write, without signalling it.
    assert!(!aborts(&mut srv, "BITFIELD k OVERFLOW FAIL INCRBY u2 0 9"));
    assert_eq!(encoding(&srv, "k"), "raw");
}
