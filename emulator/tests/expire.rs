//! Expiry through the public API: deadlines to the millisecond, lazy and active expiry.

use std::cell::Cell;
use std::rc::Rc;

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

    /// Runs a command at host time `T0 + offset`.
    fn at(&mut self, offset: u64, line: &str) -> Reply {
        let argv = line
            .split_whitespace()
            .map(|w| w.as_bytes().to_vec())
            .collect();
        let mut replies = self.server.execute(self.client, argv, T0 + offset);
        assert_eq!(replies.len(), 1);
        replies.remove(0)
    }

    fn expired(&self) -> u64 {
        self.server.stats().expired_keys
    }

    fn key_count(&mut self, offset: u64) -> usize {
        match self.at(offset, "KEYS *") {
            Reply::Array(keys) => keys.len(),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_key_exists_at_its_deadline_and_is_gone_one_millisecond_later() {
    let mut s = Session::new();
    s.at(0, "SET k v");
    let deadline = T0 + 1000;
    assert_eq!(
        s.at(0, &format!("PEXPIREAT k {deadline}")),
        Reply::Integer(1)
    );
    assert_eq!(s.at(1000, "PTTL k"), Reply::Integer(0));
    assert_eq!(s.at(1000, "TTL k"), Reply::Integer(0));
    assert_eq!(s.at(1000, "GET k"), Reply::bulk("v"));
    assert_eq!(s.at(1000, "EXISTS k"), Reply::Integer(1));
    assert_eq!(s.key_count(1000), 1);
    assert_eq!(s.expired(), 0);
    assert_eq!(s.key_count(1001), 0, "KEYS hides it");
    assert_eq!(s.expired(), 0, "but KEYS does not delete it");
    assert_eq!(s.at(1001, "GET k"), Reply::Null);
    assert_eq!(s.expired(), 1);
    assert_eq!(s.at(1001, "TTL k"), Reply::Integer(-2));
}

#[test]
fn every_command_sees_an_expired_key_as_missing() {
    let cases: &[(&str, Reply)] = &[
        ("EXISTS k", Reply::Integer(0)),
        ("TYPE k", Reply::simple("none")),
        ("TTL k", Reply::Integer(-2)),
        ("PTTL k", Reply::Integer(-2)),
        ("EXPIRETIME k", Reply::Integer(-2)),
        ("PERSIST k", Reply::Integer(0)),
        ("EXPIRE k 100", Reply::Integer(0)),
        ("TOUCH k", Reply::Integer(0)),
        ("DEL k", Reply::Integer(0)),
        ("UNLINK k", Reply::Integer(0)),
        ("RENAME k x", Reply::error("ERR no such key")),
        ("RENAMENX k x", Reply::error("ERR no such key")),
        ("MOVE k 1", Reply::Integer(0)),
        ("COPY k x", Reply::Integer(0)),
        ("OBJECT ENCODING k", Reply::Null),
        ("RANDOMKEY", Reply::Null),
        (
            "SCAN 0",
            Reply::Array(vec![Reply::bulk("0"), Reply::Array(vec![])]),
        ),
        ("GET k", Reply::Null),
    ];
    for (line, expected) in cases {
        let mut s = Session::new();
        s.at(0, "SET k v");
        s.at(0, "PEXPIRE k 10");
        assert_eq!(&s.at(11, line), expected, "{line}");
        assert_eq!(s.expired(), 1, "{line} deletes the expired key");
    }
}

#[test]
fn writes_recreate_an_expired_key_without_its_old_deadline() {
    let mut s = Session::new();
    s.at(0, "SET k old");
    s.at(0, "PEXPIRE k 10");
    s.at(0, "SET dst v");
    assert_eq!(s.at(20, "SET k new"), Reply::ok());
    assert_eq!(s.at(20, "TTL k"), Reply::Integer(-1));
    // RENAME onto an expired destination: the destination just counts as missing.
    s.at(20, "PEXPIRE dst 10");
    assert_eq!(s.at(40, "RENAMENX k dst"), Reply::Integer(1));
    assert_eq!(s.at(40, "GET dst"), Reply::bulk("new"));
}

#[test]
fn ttl_counts_down_and_rounds_to_the_nearest_second() {
    let mut s = Session::new();
    s.at(0, "SET k v");
    s.at(0, "PEXPIRE k 10000");
    assert_eq!(s.at(2500, "PTTL k"), Reply::Integer(7500));
    assert_eq!(s.at(2500, "TTL k"), Reply::Integer(8));
    assert_eq!(s.at(2501, "TTL k"), Reply::Integer(7));
    assert_eq!(
        s.at(2501, "PEXPIRETIME k"),
        Reply::Integer((T0 + 10000) as i64)
    );
    assert_eq!(
        s.at(2501, "EXPIRETIME k"),
        Reply::Integer(((T0 + 10000) / 1000) as i64)
    );
    // EXPIRE with a relative time counts from the command's time.
    s.at(3000, "EXPIRE k 5");
    assert_eq!(
        s.at(3000, "PEXPIRETIME k"),
        Reply::Integer((T0 + 8000) as i64)
    );
}

#[test]
fn deleting_through_a_past_deadline_is_not_an_expiry() {
    let mut s = Session::new();
    s.at(0, "SET k v");
    assert_eq!(s.at(0, "EXPIRE k -10"), Reply::Integer(1));
    assert_eq!(s.at(0, &format!("PEXPIREAT k {T0}")), Reply::Integer(0));
    s.at(0, "SET k v");
    assert_eq!(s.at(0, &format!("PEXPIREAT k {T0}")), Reply::Integer(1));
    assert_eq!(s.at(0, "EXISTS k"), Reply::Integer(0));
    assert_eq!(s.expired(), 0);
}

#[test]
fn active_expiry_reclaims_keys_nobody_touches() {
    let mut s = Session::new();
    for i in 0..1000 {
        s.at(0, &format!("SET volatile:{i} v"));
        s.at(0, &format!("PEXPIRE volatile:{i} 100"));
        s.at(0, &format!("SET stable:{i} v"));
    }
    assert!(s.server.next_deadline().is_some());
    let mut t = 150;
    while s.expired() < 1000 && t < 10_000 {
        s.server.tick(T0 + t);
        t += 100;
    }
    assert_eq!(s.expired(), 1000, "all reclaimed by the cycle alone");
    assert_eq!(s.key_count(t), 1000);
    for _ in 0..200 {
        s.server.tick(T0 + t);
        t += 100;
    }
    // Only the `save` rule for 100 changes remains: a snapshot 300 s after the start.
    assert_eq!(
        s.server.next_deadline(),
        Some(T0 / 1000 * 1000 + 301_000),
        "nothing left to do but the snapshot"
    );
    let no_save_rules = ["CONFIG", "SET", "save", ""].map(|a| a.as_bytes().to_vec());
    s.server.execute(s.client, no_save_rules.to_vec(), T0 + t);
    assert_eq!(s.server.next_deadline(), None, "nothing left to do");
}

#[test]
fn active_expiry_leaves_live_keys_alone() {
    let mut s = Session::new();
    for i in 0..100 {
        s.at(0, &format!("SET k{i} v"));
        s.at(0, &format!("PEXPIRE k{i} 10000"));
    }
    for t in (100..5000).step_by(100) {
        s.server.tick(T0 + t);
    }
    assert_eq!(s.expired(), 0);
    assert_eq!(s.key_count(5000), 100);
}

#[test]
fn one_cycle_does_bounded_work() {
    let mut s = Session::new();
    let n = 60_000;
    for i in 0..n {
        s.at(0, &format!("SET k{i} v"));
        s.at(0, &format!("PEXPIRE k{i} 10"));
    }
    s.server.tick(T0 + 100);
    let first = s.expired();
    assert!(first > 0 && first < n, "first cycle expired {first}");
    assert_eq!(s.server.stats().expired_time_cap_reached_count, 1);
    // A tick within the same 100 ms does nothing.
    s.server.tick(T0 + 150);
    assert_eq!(s.expired(), first);
    let mut t = 200;
    while s.expired() < n {
        s.server.tick(T0 + t);
        t += 100;
        assert!(t < 100_000, "expiry makes progress");
    }
    assert!(s.server.stats().expired_stale_perc > 0.0);
}

#[test]
fn the_host_clock_limits_a_cycle() {
    let mut s = Session::new();
    // Each reading of the microsecond clock advances it by 10 ms. The cycle reads it at its
    // start and every 16 rounds (of 20 keys), so the third check sees more than Redis's 25 ms.
    let source = Rc::new(Cell::new(0u64));
    s.server.set_micros_source(Box::new(move || {
        source.set(source.get() + 10_000);
        source.get()
    }));
    for i in 0..2000 {
        s.at(0, &format!("SET k{i} v"));
        s.at(0, &format!("PEXPIRE k{i} 10"));
    }
    s.server.tick(T0 + 100);
    assert_eq!(s.expired(), 3 * 16 * 20);
    assert_eq!(s.server.stats().expired_time_cap_reached_count, 1);
}

#[test]
fn advancing_the_clock_expires_keys() {
    let mut s = Session::new();
    s.at(0, "SET k v");
    s.at(0, "EXPIRE k 60");
    s.server.advance_clock(59_000);
    assert_eq!(s.at(0, "TTL k"), Reply::Integer(1));
    s.server.advance_clock(1_001);
    s.server.tick(T0);
    assert_eq!(s.expired(), 1);
}

#[test]
fn randomkey_skips_and_deletes_expired_keys() {
    let mut s = Session::new();
    for i in 0..50 {
        s.at(0, &format!("SET e{i} v"));
        s.at(0, &format!("PEXPIRE e{i} 10"));
    }
    s.at(0, "SET live v");
    for _ in 0..20 {
        assert_eq!(s.at(20, "RANDOMKEY"), Reply::bulk("live"));
    }
    assert!(s.expired() > 0);
    s.at(20, "DEL live");
    assert_eq!(s.at(20, "RANDOMKEY"), Reply::Null);
    assert_eq!(s.expired(), 50);
}

#[test]
fn scan_deletes_the_expired_keys_it_meets() {
    let mut s = Session::new();
    for i in 0..30 {
        s.at(0, &format!("SET e{i} v"));
        s.at(0, &format!("PEXPIRE e{i} 10"));
    }
    assert_eq!(
        s.at(20, "SCAN 0 COUNT 1000"),
        Reply::Array(vec![Reply::bulk("0"), Reply::Array(vec![])])
    );
    assert_eq!(s.expired(), 30);
}
