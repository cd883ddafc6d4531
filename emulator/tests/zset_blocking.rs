//! BZPOPMIN, BZPOPMAX and BZMPOP between several clients: who is served, from which key,
//! with what, and when a waiting client times out or is released.

use emulator::{ClientId, Protocol, Reply};

mod common;

use common::Host;

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

/// BZPOPMIN / BZPOPMAX's reply.
fn popped(key: &str, member: &str, score: f64) -> Reply {
    Reply::Array(vec![bulk(key), bulk(member), Reply::Double(score)])
}

/// BZMPOP's reply.
fn mpopped(key: &str, pairs: &[(&str, f64)]) -> Reply {
    let pairs = pairs
        .iter()
        .map(|&(m, s)| Reply::Array(vec![bulk(m), Reply::Double(s)]))
        .collect();
    Reply::Array(vec![bulk(key), Reply::Array(pairs)])
}

#[test]
fn waiters_are_served_in_the_order_they_blocked() {
    let mut h = Host::new();
    let (a, b, c, adder) = (h.client(), h.client(), h.client(), h.client());
    h.block(a, "BZPOPMIN z 0");
    h.block(b, "BZPOPMAX z 0");
    h.block(c, "BZPOPMIN z 0");
    h.run(adder, "ZADD z 1 one 2 two");
    assert_eq!(h.received(a), vec![popped("z", "one", 1.0)]);
    assert_eq!(h.received(b), vec![popped("z", "two", 2.0)]);
    // The set emptied (and was deleted) before the third waiter's turn.
    assert!(h.received(c).is_empty());
    assert!(h.server.is_blocked(c));
    assert_eq!(h.run(adder, "EXISTS z"), Reply::Integer(0));
    h.run(adder, "ZADD z 3 three");
    assert_eq!(h.received(c), vec![popped("z", "three", 3.0)]);
}

#[test]
fn a_waiter_is_served_from_the_key_that_was_created() {
    let mut h = Host::new();
    let (a, adder) = (h.client(), h.client());
    h.block(a, "BZPOPMAX first second 0");
    h.run(adder, "ZADD second 5 x 7 y");
    assert_eq!(h.received(a), vec![popped("second", "y", 7.0)]);
    h.run(adder, "DEL second");
    h.block(a, "BZMPOP 0 2 first second MIN COUNT 10");
    h.run(adder, "ZADD first 1 a 2 b 3 c");
    assert_eq!(
        h.received(a),
        vec![mpopped("first", &[("a", 1.0), ("b", 2.0), ("c", 3.0)])]
    );
    assert_eq!(h.run(adder, "EXISTS first"), Reply::Integer(0));
}

#[test]
fn bzmpop_takes_up_to_count_and_leaves_the_rest_to_the_next_waiter() {
    let mut h = Host::new();
    let (a, b, adder) = (h.client(), h.client(), h.client());
    h.block(a, "BZMPOP 0 1 z MAX COUNT 2");
    h.block(b, "BZMPOP 0 1 z MIN");
    h.run(adder, "ZADD z 1 a 2 b 3 c 4 d");
    assert_eq!(h.received(a), vec![mpopped("z", &[("d", 4.0), ("c", 3.0)])]);
    assert_eq!(h.received(b), vec![mpopped("z", &[("a", 1.0)])]);
    assert_eq!(h.run(adder, "ZCARD z"), Reply::Integer(1));
}

#[test]
fn only_a_sorted_set_serves_a_sorted_set_waiter() {
    let mut h = Host::new();
    let (list_waiter, zset_waiter, other) = (h.client(), h.client(), h.client());
    h.block(list_waiter, "BLPOP k 0");
    h.block(zset_waiter, "BZPOPMIN k 0");
    h.run(other, "ZADD k 1 a");
    assert!(h.received(list_waiter).is_empty());
    assert_eq!(h.received(zset_waiter), vec![popped("k", "a", 1.0)]);
    h.block(zset_waiter, "BZPOPMIN k 0");
    h.run(other, "RPUSH k v");
    assert_eq!(
        h.received(list_waiter),
        vec![Reply::Array(vec![bulk("k"), bulk("v")])]
    );
    assert!(h.received(zset_waiter).is_empty());
    // A string created at the key serves nobody; replacing it does not signal the key again.
    h.run(other, "SET k s");
    h.run(other, "DEL k");
    assert!(h.server.is_blocked(zset_waiter));
}

#[test]
fn keys_created_by_other_sorted_set_commands_serve_waiters() {
    let mut h = Host::new();
    let (a, other) = (h.client(), h.client());
    h.run(other, "ZADD src 1 a 2 b");
    for (command, expected) in [
        ("ZINCRBY dst 2.5 m", popped("dst", "m", 2.5)),
        ("ZUNIONSTORE dst 1 src", popped("dst", "a", 1.0)),
        ("ZINTERSTORE dst 1 src WEIGHTS 2", popped("dst", "a", 2.0)),
        ("ZDIFFSTORE dst 1 src", popped("dst", "a", 1.0)),
        ("ZRANGESTORE dst src 1 1", popped("dst", "b", 2.0)),
    ] {
        h.block(a, "BZPOPMIN dst 0");
        h.run(other, command);
        assert_eq!(h.received(a), vec![expected], "{command}");
        h.run(other, "DEL dst");
    }
}

#[test]
fn a_set_emptied_within_the_transaction_serves_nobody() {
    let mut h = Host::new();
    let (a, other) = (h.client(), h.client());
    h.block(a, "BZPOPMIN z 0");
    h.run(other, "MULTI");
    h.run(other, "ZADD z 1 a");
    h.run(other, "ZREM z a");
    h.run(other, "EXEC");
    assert!(h.received(a).is_empty());
    h.run(other, "MULTI");
    h.run(other, "ZADD z 1 a");
    h.run(other, "ZADD z 0 b");
    h.run(other, "EXEC");
    assert_eq!(h.received(a), vec![popped("z", "b", 0.0)]);
}

#[test]
fn scores_follow_the_waiting_clients_protocol() {
    let mut h = Host::new();
    let (a, other) = (h.client(), h.client());
    h.block(a, "BZPOPMIN z 0");
    h.run(other, "ZADD z 1.5 m");
    let reply = h.received(a).remove(0);
    assert_eq!(
        reply.encode(Protocol::Resp2),
        b"*3\r\n$1\r\nz\r\n$1\r\nm\r\n$3\r\n1.5\r\n"
    );
    h.run(a, "HELLO 3");
    h.block(a, "BZMPOP 0 1 z MAX");
    h.run(other, "ZADD z inf top");
    let reply = h.received(a).remove(0);
    assert_eq!(
        reply.encode(Protocol::Resp3),
        b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$3\r\ntop\r\n,inf\r\n"
    );
}

#[test]
fn waiters_time_out_with_a_null_array() {
    let mut h = Host::new();
    let (a, b) = (h.client(), h.client());
    h.block(a, "BZPOPMIN z 1");
    h.block(b, "BZMPOP 0.5 1 z MIN");
    h.wait(500);
    assert!(h.received(b).is_empty(), "not yet past the deadline");
    h.wait(1);
    assert_eq!(h.received(b), vec![Reply::NullArray]);
    h.wait(500);
    assert_eq!(h.received(a), vec![Reply::NullArray]);
    assert!(!h.server.is_blocked(a));
}

#[test]
fn client_unblock_releases_a_waiter() {
    let mut h = Host::new();
    let (a, admin) = (h.client(), h.client());
    let id = a.to_string();
    h.block(a, "BZPOPMAX z 0");
    assert_eq!(
        h.run(admin, &format!("CLIENT UNBLOCK {id}")),
        Reply::Integer(1)
    );
    assert_eq!(h.received(a), vec![Reply::NullArray]);
    h.block(a, "BZMPOP 0 1 z MIN");
    assert_eq!(
        h.run(admin, &format!("CLIENT UNBLOCK {id} ERROR")),
        Reply::Integer(1)
    );
    assert_eq!(
        h.received(a),
        vec![Reply::error(
            "UNBLOCKED client unblocked via CLIENT UNBLOCK"
        )]
    );
    let stats = |name: &str| h.server.stats().commands.get(name).copied().unwrap();
    assert_eq!(stats("bzpopmax").failed_calls, 1);
    assert_eq!(stats("bzmpop").failed_calls, 1);
}

#[test]
fn served_pops_publish_their_keyspace_events() {
    let mut h = Host::new();
    let (a, b, listener, adder) = (h.client(), h.client(), h.client(), h.client());
    h.run(adder, "CONFIG SET notify-keyspace-events Egz");
    h.send(listener, "PSUBSCRIBE __keyevent@0__:*");
    h.block(a, "BZPOPMAX z 0");
    h.block(b, "BZMPOP 0 1 z MIN COUNT 3");
    h.run(adder, "ZADD z 1 a 2 b 3 c");
    let events: Vec<String> = h
        .received(listener)
        .into_iter()
        .filter_map(|r| match r {
            Reply::Array(items) | Reply::Push(items) => match items.get(2) {
                Some(Reply::Bulk(channel)) => {
                    let channel = String::from_utf8_lossy(channel).into_owned();
                    Some(channel.rsplit(':').next().unwrap_or_default().to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(events, ["zadd", "zpopmax", "zpopmin", "del"]);
    assert_eq!(h.received(b), vec![mpopped("z", &[("a", 1.0), ("b", 2.0)])]);
}

#[test]
fn commands_sent_while_waiting_run_after_the_reply() {
    let mut h = Host::new();
    let (a, adder) = (h.client(), h.client());
    h.block(a, "BZPOPMIN z 0");
    assert!(h.send(a, "ZCARD z").is_empty());
    h.run(adder, "ZADD z 1 a 2 b");
    assert_eq!(
        h.received(a),
        vec![popped("z", "a", 1.0), Reply::Integer(1)]
    );
}

#[test]
fn client_list_flags_waiting_clients() {
    let mut h = Host::new();
    let (a, admin) = (h.client(), h.client());
    h.block(a, "BZPOPMIN somekey 1.5");
    let list = match h.run(admin, "CLIENT LIST") {
        Reply::Bulk(text) | Reply::Verbatim(_, text) => String::from_utf8(text).unwrap(),
        other => panic!("CLIENT LIST answered {other:?}"),
    };
    let line = |id: ClientId| {
        list.lines()
            .find(|l| l.starts_with(&format!("id={id} ")))
            .unwrap()
            .to_string()
    };
    // Redis keeps the blocked command's arguments: "bzpopmin" "somekey" "1.5".
    assert!(line(a).contains(" flags=b "), "{}", line(a));
    assert!(line(a).contains(" argv-mem=18 "), "{}", line(a));
    assert!(line(a).contains(" cmd=bzpopmin "), "{}", line(a));
    assert!(line(admin).contains(" flags=N "), "{}", line(admin));
    h.run(admin, "ZADD somekey 1 m");
    let after = match h.run(admin, &format!("CLIENT LIST ID {a}")) {
        Reply::Bulk(text) | Reply::Verbatim(_, text) => String::from_utf8(text).unwrap(),
        other => panic!("CLIENT LIST answered {other:?}"),
    };
    assert!(after.contains(" flags=N "), "{after}");
}
