//! Pub/sub between several clients: delivery, order, counts, protocols and cleanup.

use emulator::{ClientId, Protocol, Reply, Server};

fn run(srv: &mut Server, id: ClientId, line: &str) -> Vec<Reply> {
    let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
    srv.execute(id, argv, 0)
}

fn one(srv: &mut Server, id: ClientId, line: &str) -> Reply {
    let mut replies = run(srv, id, line);
    assert_eq!(replies.len(), 1, "{line}: {replies:?}");
    replies.remove(0)
}

fn push(words: &[&str]) -> Reply {
    Reply::Push(words.iter().map(Reply::bulk).collect())
}

fn confirmation(kind: &str, name: &str, count: i64) -> Reply {
    Reply::Push(vec![
        Reply::bulk(kind),
        Reply::bulk(name),
        Reply::Integer(count),
    ])
}

#[test]
fn subscribe_confirms_each_channel_in_order() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    assert_eq!(
        run(&mut srv, c, "SUBSCRIBE a b a"),
        vec![
            confirmation("subscribe", "a", 1),
            confirmation("subscribe", "b", 2),
            confirmation("subscribe", "a", 2),
        ]
    );
    assert_eq!(
        run(&mut srv, c, "PSUBSCRIBE p*"),
        vec![confirmation("psubscribe", "p*", 3)]
    );
    // Shard channels are counted on their own.
    assert_eq!(
        run(&mut srv, c, "SSUBSCRIBE s"),
        vec![confirmation("ssubscribe", "s", 1)]
    );
    assert!(srv.take_outbound(c).is_empty());
    // Unsubscribing from everything reports channels in a stable order.
    assert_eq!(
        run(&mut srv, c, "UNSUBSCRIBE"),
        vec![
            confirmation("unsubscribe", "a", 2),
            confirmation("unsubscribe", "b", 1),
        ]
    );
    assert_eq!(
        run(&mut srv, c, "UNSUBSCRIBE"),
        vec![Reply::Push(vec![
            Reply::bulk("unsubscribe"),
            Reply::Null,
            Reply::Integer(1)
        ])]
    );
}

#[test]
fn resp2_confirmations_are_plain_arrays() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    let replies = run(&mut srv, c, "SUBSCRIBE ch");
    let bytes: Vec<u8> = replies
        .iter()
        .flat_map(|r| r.encode(srv.protocol(c)))
        .collect();
    assert_eq!(bytes, b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    run(&mut srv, c, "HELLO 3");
    let replies = run(&mut srv, c, "SUBSCRIBE ch2");
    assert_eq!(
        replies[0].encode(Protocol::Resp3),
        b">3\r\n$9\r\nsubscribe\r\n$3\r\nch2\r\n:2\r\n"
    );
}

#[test]
fn publish_reaches_channel_and_pattern_subscribers() {
    let mut srv = Server::new();
    let publisher = srv.connect(0);
    let both = srv.connect(0);
    let pattern_only = srv.connect(0);
    let other = srv.connect(0);
    run(&mut srv, both, "SUBSCRIBE news");
    run(&mut srv, both, "PSUBSCRIBE n*");
    run(&mut srv, pattern_only, "PSUBSCRIBE *s");
    run(&mut srv, other, "SUBSCRIBE sports");

    assert_eq!(
        one(&mut srv, publisher, "PUBLISH news hi"),
        Reply::Integer(3)
    );
    assert!(srv.take_outbound(publisher).is_empty());
    assert_eq!(
        srv.take_outbound(both),
        vec![
            push(&["message", "news", "hi"]),
            push(&["pmessage", "n*", "news", "hi"]),
        ]
    );
    assert_eq!(
        srv.take_outbound(pattern_only),
        vec![push(&["pmessage", "*s", "news", "hi"])]
    );
    assert!(srv.take_outbound(other).is_empty());

    assert_eq!(one(&mut srv, publisher, "PUBLISH zzz x"), Reply::Integer(0));
    assert_eq!(
        one(&mut srv, publisher, "PUBSUB NUMSUB news sports none"),
        Reply::Array(vec![
            Reply::bulk("news"),
            Reply::Integer(1),
            Reply::bulk("sports"),
            Reply::Integer(1),
            Reply::bulk("none"),
            Reply::Integer(0),
        ])
    );
    assert_eq!(one(&mut srv, publisher, "PUBSUB NUMPAT"), Reply::Integer(2));
    assert_eq!(
        one(&mut srv, publisher, "PUBSUB CHANNELS"),
        Reply::Array(vec![Reply::bulk("news"), Reply::bulk("sports")])
    );
}

#[test]
fn messages_keep_their_order_per_subscriber() {
    let mut srv = Server::new();
    let publisher = srv.connect(0);
    let subscriber = srv.connect(0);
    run(&mut srv, subscriber, "SUBSCRIBE a b");
    for line in ["PUBLISH a 1", "PUBLISH b 2", "PUBLISH a 3"] {
        run(&mut srv, publisher, line);
    }
    assert_eq!(
        srv.take_outbound(subscriber),
        vec![
            push(&["message", "a", "1"]),
            push(&["message", "b", "2"]),
            push(&["message", "a", "3"]),
        ]
    );
}

#[test]
fn shard_messages_ignore_patterns_and_classic_channels() {
    let mut srv = Server::new();
    let publisher = srv.connect(0);
    let shard = srv.connect(0);
    let classic = srv.connect(0);
    run(&mut srv, shard, "SSUBSCRIBE s");
    run(&mut srv, classic, "SUBSCRIBE s");
    run(&mut srv, classic, "PSUBSCRIBE *");
    assert_eq!(one(&mut srv, publisher, "SPUBLISH s m"), Reply::Integer(1));
    assert_eq!(
        srv.take_outbound(shard),
        vec![push(&["smessage", "s", "m"])]
    );
    assert!(srv.take_outbound(classic).is_empty());
    assert_eq!(one(&mut srv, publisher, "PUBLISH s m"), Reply::Integer(2));
    assert!(srv.take_outbound(shard).is_empty());
    assert_eq!(
        one(&mut srv, publisher, "PUBSUB SHARDNUMSUB s"),
        Reply::Array(vec![Reply::bulk("s"), Reply::Integer(1)])
    );
}

#[test]
fn resp3_subscriber_receives_its_own_message_before_the_reply() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    run(&mut srv, c, "HELLO 3");
    run(&mut srv, c, "SUBSCRIBE me");
    assert_eq!(
        run(&mut srv, c, "PUBLISH me hello"),
        vec![push(&["message", "me", "hello"]), Reply::Integer(1)]
    );
    assert!(srv.take_outbound(c).is_empty());
}

#[test]
fn resp2_subscribers_may_only_run_pubsub_commands() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    run(&mut srv, c, "SUBSCRIBE me");
    assert_eq!(
        one(&mut srv, c, "PUBLISH me hello"),
        Reply::error(
            "ERR Can't execute 'publish': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
        )
    );
    assert_eq!(
        one(&mut srv, c, "PING"),
        Reply::Array(vec![Reply::bulk("pong"), Reply::bulk("")])
    );
    assert_eq!(one(&mut srv, c, "RESET"), Reply::simple("RESET"));
    assert_eq!(one(&mut srv, c, "PING"), Reply::simple("PONG"));
    assert_eq!(
        one(&mut srv, c, "PUBSUB NUMSUB me"),
        Reply::Array(vec![Reply::bulk("me"), Reply::Integer(0)])
    );
}

#[test]
fn pushes_ignore_client_reply_off() {
    let mut srv = Server::new();
    let publisher = srv.connect(0);
    let c = srv.connect(0);
    run(&mut srv, c, "HELLO 3");
    run(&mut srv, c, "CLIENT REPLY OFF");
    assert_eq!(
        run(&mut srv, c, "SUBSCRIBE a b"),
        vec![
            confirmation("subscribe", "a", 1),
            confirmation("subscribe", "b", 2)
        ]
    );
    assert_eq!(
        run(&mut srv, c, "PUBLISH a self"),
        vec![push(&["message", "a", "self"])]
    );
    run(&mut srv, publisher, "PUBLISH b other");
    assert_eq!(srv.take_outbound(c), vec![push(&["message", "b", "other"])]);
}

#[test]
fn disconnect_and_kill_remove_subscriptions() {
    let mut srv = Server::new();
    let publisher = srv.connect(0);
    let leaving = srv.connect(0);
    let killed = srv.connect(0);
    run(&mut srv, leaving, "SUBSCRIBE ch");
    run(&mut srv, leaving, "PSUBSCRIBE c*");
    run(&mut srv, leaving, "SSUBSCRIBE sh");
    run(&mut srv, killed, "SUBSCRIBE ch");
    assert_eq!(one(&mut srv, publisher, "PUBLISH ch x"), Reply::Integer(3));

    srv.disconnect(leaving);
    assert_eq!(one(&mut srv, publisher, "PUBLISH ch x"), Reply::Integer(1));
    assert_eq!(one(&mut srv, publisher, "PUBSUB NUMPAT"), Reply::Integer(0));
    assert_eq!(
        one(&mut srv, publisher, "PUBSUB SHARDCHANNELS"),
        Reply::Array(vec![])
    );

    let kill = format!("CLIENT KILL ID {killed}");
    assert_eq!(one(&mut srv, publisher, &kill), Reply::Integer(1));
    assert!(srv.is_closing(killed));
    assert_eq!(one(&mut srv, publisher, "PUBLISH ch x"), Reply::Integer(0));
    assert_eq!(
        one(&mut srv, publisher, "PUBSUB CHANNELS"),
        Reply::Array(vec![])
    );
}

#[test]
fn external_messages_are_delivered_but_not_relayed() {
    let mut srv = Server::new();
    let publisher = srv.connect(0);
    let subscriber = srv.connect(0);
    run(&mut srv, subscriber, "PSUBSCRIBE t*");
    srv.set_publish_relay(true);

    assert_eq!(srv.publish_external(b"tab", b"from elsewhere"), 1);
    assert_eq!(
        srv.take_outbound(subscriber),
        vec![push(&["pmessage", "t*", "tab", "from elsewhere"])]
    );
    assert!(srv.take_published().is_empty());

    run(&mut srv, publisher, "PUBLISH tab local");
    run(&mut srv, publisher, "SPUBLISH tab shard");
    assert_eq!(
        srv.take_published(),
        vec![(b"tab".to_vec(), b"local".to_vec())]
    );
    assert!(srv.take_published().is_empty());

    srv.set_publish_relay(false);
    run(&mut srv, publisher, "PUBLISH tab local");
    assert!(srv.take_published().is_empty());
}

#[test]
fn punsubscribe_reports_patterns_in_subscription_order() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    run(&mut srv, c, "PSUBSCRIBE z* a* m*");
    assert_eq!(
        run(&mut srv, c, "PUNSUBSCRIBE"),
        vec![
            confirmation("punsubscribe", "z*", 2),
            confirmation("punsubscribe", "a*", 1),
            confirmation("punsubscribe", "m*", 0),
        ]
    );
}

#[test]
fn client_list_type_pubsub_and_flags() {
    let mut srv = Server::new();
    let a = srv.connect(0);
    let b = srv.connect(0);
    run(&mut srv, b, "SUBSCRIBE x");
    run(&mut srv, b, "PSUBSCRIBE y*");
    let Reply::Verbatim(_, text) = one(&mut srv, a, "CLIENT LIST TYPE pubsub") else {
        panic!("verbatim expected");
    };
    let text = String::from_utf8(text).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(text.starts_with(&format!("id={b} ")));
    assert!(text.contains(" flags=P db=0 sub=1 psub=1 ssub=0 "));
    assert_eq!(
        one(&mut srv, a, "CLIENT KILL TYPE pubsub"),
        Reply::Integer(1)
    );
    assert!(srv.is_closing(b));
    assert!(!srv.is_closing(a));
}
