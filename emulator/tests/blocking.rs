//! Blocking commands between several clients: who is served, in which order, with what, and
//! when a blocked client times out or is released.

use emulator::{ClientId, Protocol, Reply};

mod common;

use common::{Host, T0};

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

fn popped(key: &str, element: &str) -> Reply {
    Reply::Array(vec![bulk(key), bulk(element)])
}

fn info_field(host: &mut Host, id: ClientId, section: &str, field: &str) -> String {
    let text = match host.run(id, &format!("INFO {section}")) {
        Reply::Bulk(text) | Reply::Verbatim(_, text) => text,
        other => panic!("INFO answered {other:?}"),
    };
    let text = String::from_utf8(text).unwrap();
    let prefix = format!("{field}:");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {field} in {text}"))
        .to_string()
}

#[test]
fn clients_are_served_in_the_order_they_blocked() {
    let mut h = Host::new();
    let (a, b, c, pusher) = (h.client(), h.client(), h.client(), h.client());
    h.block(a, "BLPOP k 0");
    h.block(b, "BRPOP k 0");
    h.block(c, "BLPOP k 0");
    assert_eq!(h.run(pusher, "RPUSH k x y"), int(2));
    assert_eq!(h.received(a), vec![popped("k", "x")]);
    assert_eq!(h.received(b), vec![popped("k", "y")]);
    assert!(h.received(c).is_empty());
    assert!(h.server.is_blocked(c));
    assert_eq!(h.run(pusher, "EXISTS k"), int(0));
    assert_eq!(h.run(pusher, "LPUSH k z"), int(1));
    assert_eq!(h.received(c), vec![popped("k", "z")]);
    assert!(!h.server.is_blocked(c));
}

#[test]
fn a_client_is_served_from_the_key_that_became_ready_first() {
    let mut h = Host::new();
    let (a, pusher) = (h.client(), h.client());
    h.block(a, "BLPOP first second 0");
    h.run(pusher, "MULTI");
    h.run(pusher, "RPUSH second x");
    h.run(pusher, "RPUSH first y");
    // Nothing is served before the transaction ends.
    assert_eq!(h.run(pusher, "EXEC"), Reply::Array(vec![int(1), int(1)]));
    assert_eq!(h.received(a), vec![popped("second", "x")]);
    assert_eq!(
        h.run(pusher, "LRANGE first 0 -1"),
        Reply::Array(vec![bulk("y")])
    );
}

#[test]
fn a_list_emptied_within_the_transaction_serves_nobody() {
    let mut h = Host::new();
    let (a, pusher) = (h.client(), h.client());
    h.block(a, "BLPOP k 0");
    h.run(pusher, "MULTI");
    h.run(pusher, "RPUSH k x");
    h.run(pusher, "LPOP k");
    h.run(pusher, "EXEC");
    assert!(h.received(a).is_empty());
    assert!(h.server.is_blocked(a));
    // A key of another type leaves it waiting too.
    h.run(pusher, "SET k string");
    assert!(h.server.is_blocked(a));
    h.run(pusher, "DEL k");
    h.run(pusher, "RPUSH k z");
    assert_eq!(h.received(a), vec![popped("k", "z")]);
}

#[test]
fn blmove_serves_the_next_waiter_through_its_destination() {
    let mut h = Host::new();
    let (mover, reader, pusher) = (h.client(), h.client(), h.client());
    h.block(mover, "BLMOVE src dst LEFT LEFT 0");
    h.block(reader, "BLPOP dst 0");
    assert_eq!(h.run(pusher, "RPUSH src v"), int(1));
    assert_eq!(h.received(mover), vec![bulk("v")]);
    assert_eq!(h.received(reader), vec![popped("dst", "v")]);
    assert_eq!(h.run(pusher, "EXISTS src dst"), int(0));
    // BRPOPLPUSH onto itself.
    h.block(mover, "BRPOPLPUSH ring ring 0");
    h.run(pusher, "RPUSH ring a b");
    assert_eq!(h.received(mover), vec![bulk("b")]);
    assert_eq!(
        h.run(pusher, "LRANGE ring 0 -1"),
        Reply::Array(vec![bulk("b"), bulk("a")])
    );
}

#[test]
fn blmove_to_a_key_of_another_type_fails_when_served() {
    let mut h = Host::new();
    let (mover, pusher) = (h.client(), h.client());
    h.block(mover, "BLMOVE src dst LEFT LEFT 0");
    h.run(pusher, "SET dst string");
    h.run(pusher, "RPUSH src v");
    assert_eq!(
        h.received(mover),
        vec![Reply::error(
            "WRONGTYPE Operation against a key holding the wrong kind of value"
        )]
    );
    assert!(!h.server.is_blocked(mover));
    assert_eq!(
        h.run(pusher, "LRANGE src 0 -1"),
        Reply::Array(vec![bulk("v")])
    );
    let stats = h.server.stats().commands.get("blmove").copied().unwrap();
    assert_eq!((stats.calls, stats.failed_calls), (1, 1));
}

#[test]
fn blmpop_is_served_with_up_to_count_elements() {
    let mut h = Host::new();
    let (a, pusher) = (h.client(), h.client());
    h.block(a, "BLMPOP 0 2 k1 k2 RIGHT COUNT 2");
    h.run(pusher, "RPUSH k2 a b c");
    assert_eq!(
        h.received(a),
        vec![Reply::Array(vec![
            bulk("k2"),
            Reply::Array(vec![bulk("c"), bulk("b")])
        ])]
    );
    assert_eq!(h.run(pusher, "LLEN k2"), int(1));
}

#[test]
fn served_replies_follow_the_waiting_clients_protocol() {
    let mut h = Host::new();
    let (a, pusher) = (h.client(), h.client());
    h.run(a, "HELLO 3");
    h.block(a, "BLPOP k 1");
    h.wait(1000);
    assert!(h.received(a).is_empty(), "not yet past the deadline");
    h.wait(1);
    let replies = h.received(a);
    assert_eq!(replies, vec![Reply::NullArray]);
    assert_eq!(replies[0].encode(Protocol::Resp3), b"_\r\n");
    h.block(a, "BLMOVE nolist dst LEFT RIGHT 0.5");
    h.wait(501);
    // BLMOVE times out with a null array too (RESP2 `*-1`), unlike its null bulk in MULTI.
    assert_eq!(h.received(a), vec![Reply::NullArray]);
    h.block(a, "BLMPOP 0 1 k LEFT");
    h.run(pusher, "RPUSH k v");
    let replies = h.received(a);
    assert_eq!(
        replies[0].encode(Protocol::Resp3),
        b"*2\r\n$1\r\nk\r\n*1\r\n$1\r\nv\r\n"
    );
}

#[test]
fn timeouts_follow_the_engine_clock_and_next_deadline() {
    let mut h = Host::new();
    let (a, b) = (h.client(), h.client());
    h.block(a, "BLPOP k 0.25");
    h.block(b, "BRPOP k 0.1");
    // Timed out once the clock is past the deadline.
    assert_eq!(h.server.next_deadline(), Some(T0 + 101));
    h.wait(100);
    assert!(h.received(b).is_empty());
    h.wait(1);
    assert_eq!(h.received(b), vec![Reply::NullArray]);
    assert_eq!(h.server.next_deadline(), Some(T0 + 251));
    h.wait(150);
    assert_eq!(h.received(a), vec![Reply::NullArray]);
    assert_eq!(h.server.next_deadline(), None);
    // A client waiting forever sets no deadline; a fast-forwarded clock moves deadlines.
    h.block(a, "BLPOP k 0");
    assert_eq!(h.server.next_deadline(), None);
    h.block(b, "BLPOP k 10");
    h.server.advance_clock(10_000);
    h.wait(1);
    assert_eq!(h.received(b), vec![Reply::NullArray]);
    assert!(h.server.is_blocked(a));
}

#[test]
fn blocking_commands_do_not_block_inside_multi() {
    let mut h = Host::new();
    let a = h.client();
    h.run(a, "MULTI");
    for line in [
        "BLPOP k 0",
        "BRPOP k 0",
        "BLMPOP 0 1 k LEFT",
        "BLMOVE k d LEFT LEFT 0",
        "BRPOPLPUSH k d 0",
    ] {
        assert_eq!(h.run(a, line), Reply::simple("QUEUED"));
    }
    assert_eq!(
        h.run(a, "EXEC"),
        Reply::Array(vec![
            Reply::NullArray,
            Reply::NullArray,
            Reply::NullArray,
            Reply::Null,
            Reply::Null
        ])
    );
    assert!(!h.server.is_blocked(a));
}

#[test]
fn commands_sent_while_blocked_run_after_the_reply() {
    let mut h = Host::new();
    let (a, pusher) = (h.client(), h.client());
    h.block(a, "BLPOP k 0");
    assert!(h.send(a, "PING").is_empty());
    assert!(h.send(a, "BLPOP other 0").is_empty());
    assert!(h.send(a, "GET nokey").is_empty());
    h.run(pusher, "RPUSH k v");
    // Served, then PING runs, then the second BLPOP blocks again; GET waits behind it.
    assert_eq!(h.received(a), vec![popped("k", "v"), Reply::simple("PONG")]);
    assert!(h.server.is_blocked(a));
    h.run(pusher, "RPUSH other w");
    assert_eq!(h.received(a), vec![popped("other", "w"), Reply::Null]);
    assert!(!h.server.is_blocked(a));
}

#[test]
fn client_unblock_releases_with_the_timeout_reply_or_an_error() {
    let mut h = Host::new();
    let (a, admin) = (h.client(), h.client());
    let id = a.to_string();
    h.block(a, "BLPOP k 0");
    assert_eq!(h.run(admin, &format!("CLIENT UNBLOCK {id}")), int(1));
    assert_eq!(h.received(a), vec![Reply::NullArray]);
    assert_eq!(h.run(admin, &format!("CLIENT UNBLOCK {id}")), int(0));
    h.block(a, "BLMOVE k d LEFT LEFT 0");
    assert_eq!(
        h.run(admin, &format!("CLIENT UNBLOCK {id} timeout")),
        int(1)
    );
    assert_eq!(h.received(a), vec![Reply::NullArray]);
    h.block(a, "BRPOP k 0");
    assert_eq!(h.run(admin, &format!("CLIENT UNBLOCK {id} ERROR")), int(1));
    assert_eq!(
        h.received(a),
        vec![Reply::error(
            "UNBLOCKED client unblocked via CLIENT UNBLOCK"
        )]
    );
    // WAIT is released the same way, answering 0 replicas.
    h.block(a, "WAIT 1 0");
    assert_eq!(h.run(admin, &format!("CLIENT UNBLOCK {id}")), int(1));
    assert_eq!(h.received(a), vec![int(0)]);
    for (line, reply) in [
        (
            "CLIENT UNBLOCK abc",
            "ERR value is not an integer or out of range",
        ),
        (
            "CLIENT UNBLOCK abc maybe",
            "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
        ),
        (
            "CLIENT UNBLOCK 1 timeout extra",
            "ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.",
        ),
    ] {
        assert_eq!(h.run(admin, line), Reply::error(reply), "{line}");
    }
    assert_eq!(h.run(admin, "CLIENT UNBLOCK -1"), int(0));
    assert_eq!(h.run(admin, "CLIENT UNBLOCK 99999"), int(0));
    // Redis 7.0 counts every released command as failed, and the UNBLOCKED error against
    // CLIENT UNBLOCK itself (besides its three own errors above).
    let stats = |name: &str| h.server.stats().commands.get(name).copied().unwrap();
    assert_eq!(stats("blpop").failed_calls, 1);
    assert_eq!(stats("brpop").failed_calls, 1);
    assert_eq!(stats("wait").failed_calls, 1);
    assert_eq!(stats("client|unblock").failed_calls, 4);
    assert_eq!(h.server.stats().errors.get("UNBLOCKED"), Some(&1));
}

#[test]
fn a_disconnected_client_is_no_longer_waiting() {
    let mut h = Host::new();
    let (a, b, pusher) = (h.client(), h.client(), h.client());
    h.block(a, "BLPOP k 5");
    h.block(b, "BLPOP k 0");
    assert_eq!(h.server.blocked_client_count(), 2);
    h.server.disconnect(a);
    assert_eq!(h.server.blocked_client_count(), 1);
    assert_eq!(h.server.next_deadline(), None);
    h.run(pusher, "RPUSH k v");
    assert_eq!(h.received(b), vec![popped("k", "v")]);
    assert_eq!(h.run(pusher, "EXISTS k"), int(0));
}

#[test]
fn keys_created_by_other_commands_serve_waiters() {
    let mut h = Host::new();
    let (a, other) = (h.client(), h.client());
    h.block(a, "BLPOP dst 0");
    h.run(other, "RPUSH src v");
    h.run(other, "RENAME src dst");
    assert_eq!(h.received(a), vec![popped("dst", "v")]);
    // Only keys of the waiting client's database count.
    h.block(a, "BLPOP k 0");
    h.run(other, "SELECT 1");
    h.run(other, "RPUSH k in-db-1");
    assert!(h.server.is_blocked(a));
    // SWAPDB brings that list into db 0.
    h.run(other, "SWAPDB 0 1");
    assert_eq!(h.received(a), vec![popped("k", "in-db-1")]);
}

#[test]
fn blocked_clients_are_counted_in_info() {
    let mut h = Host::new();
    let (a, b, admin) = (h.client(), h.client(), h.client());
    h.block(a, "BLPOP k 0");
    h.block(b, "BLPOP k 10");
    assert_eq!(info_field(&mut h, admin, "clients", "blocked_clients"), "2");
    assert_eq!(
        info_field(&mut h, admin, "clients", "clients_in_timeout_table"),
        "1"
    );
    // A blocking call counts once, when it blocks.
    let stats = h.server.stats().commands.get("blpop").copied().unwrap();
    assert_eq!(stats.calls, 2);
    h.run(admin, "RPUSH k x y");
    assert_eq!(info_field(&mut h, admin, "clients", "blocked_clients"), "0");
    let stats = h.server.stats().commands.get("blpop").copied().unwrap();
    assert_eq!((stats.calls, stats.failed_calls), (2, 0));
}

#[test]
fn served_pops_publish_their_keyspace_events() {
    let mut h = Host::new();
    let (a, listener, pusher) = (h.client(), h.client(), h.client());
    h.run(pusher, "CONFIG SET notify-keyspace-events Elg");
    h.send(listener, "PSUBSCRIBE __keyevent@0__:*");
    h.block(a, "BLMOVE x y LEFT LEFT 0");
    h.run(pusher, "RPUSH x v");
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
    assert_eq!(events, ["rpush", "lpush", "lpop", "del"]);
}

#[test]
fn idle_timeout_spares_blocked_clients() {
    let mut h = Host::new();
    let (a, idle, admin) = (h.client(), h.client(), h.client());
    h.run(admin, "CONFIG SET timeout 1");
    h.run(idle, "PING");
    h.block(a, "BLPOP k 0");
    h.wait(3000);
    assert!(h.server.is_closing(idle));
    assert!(!h.server.is_closing(a));
    assert!(h.server.is_blocked(a));
}

#[test]
fn pushes_in_a_script_serve_waiters_once_it_ends() {
    let mut h = Host::new();
    let (a, scripter) = (h.client(), h.client());
    h.block(a, "BLPOP k 0");
    let script =
        "redis.call('rpush','k','x','y'); redis.call('lpop','k'); return redis.call('llen','k')";
    let argv = vec![b"EVAL".to_vec(), script.as_bytes().to_vec(), b"0".to_vec()];
    assert_eq!(h.server.execute(scripter, argv, h.now), vec![int(1)]);
    assert_eq!(h.received(a), vec![popped("k", "y")]);
}
