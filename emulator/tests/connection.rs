//! Connection commands across several clients: CLIENT LIST/INFO/KILL, QUIT, RESET, HELLO
//! and CLIENT REPLY.

use emulator::{ClientId, Protocol, Reply, Server};

fn run(srv: &mut Server, id: ClientId, line: &str, now: u64) -> Vec<Reply> {
    let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
    srv.execute(id, argv, now)
}

fn one(srv: &mut Server, id: ClientId, line: &str) -> Reply {
    let mut replies = run(srv, id, line, 0);
    assert_eq!(replies.len(), 1, "{line}: {replies:?}");
    replies.remove(0)
}

fn text(reply: Reply) -> String {
    match reply {
        Reply::Verbatim("txt", bytes) => String::from_utf8(bytes).unwrap(),
        other => panic!("verbatim text expected, got {other:?}"),
    }
}

/// The `key=value` fields of a CLIENT LIST line.
fn fields(line: &str) -> Vec<(String, String)> {
    line.split(' ')
        .map(|f| {
            let (k, v) = f.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn field(line: &str, name: &str) -> String {
    fields(line)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} in {line}"))
}

#[test]
fn client_list_has_redis_7_fields_in_order() {
    let mut srv = Server::new();
    let a = srv.connect(0);
    let b = srv.connect(0);
    one(&mut srv, b, "CLIENT SETNAME worker");
    one(&mut srv, b, "SELECT 3");
    let list = text(one(&mut srv, a, "CLIENT LIST"));
    assert!(list.ends_with('\n'));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2);
    let names: Vec<String> = fields(lines[0]).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        names,
        [
            "id",
            "addr",
            "laddr",
            "fd",
            "name",
            "age",
            "idle",
            "flags",
            "db",
            "sub",
            "psub",
            "ssub",
            "multi",
            "qbuf",
            "qbuf-free",
            "argv-mem",
            "multi-mem",
            "rbs",
            "rbp",
            "obl",
            "oll",
            "omem",
            "tot-mem",
            "events",
            "cmd",
            "user",
            "redir",
            "resp"
        ]
    );
    assert_eq!(field(lines[0], "id"), a.to_string());
    assert_eq!(field(lines[0], "cmd"), "client|list");
    assert_eq!(field(lines[0], "qbuf"), "26");
    assert_eq!(field(lines[0], "argv-mem"), "10");
    assert_eq!(field(lines[0], "flags"), "N");
    assert_eq!(field(lines[0], "multi"), "-1");
    assert_eq!(field(lines[1], "name"), "worker");
    assert_eq!(field(lines[1], "db"), "3");
    assert_eq!(field(lines[1], "cmd"), "select");
    assert_eq!(field(lines[1], "user"), "default");
    assert_eq!(field(lines[1], "resp"), "2");

    // Only the asked ids, in the asked order; unknown ones are skipped.
    let list = text(one(&mut srv, a, &format!("CLIENT LIST ID {b} 999 {a}")));
    let ids: Vec<String> = list.lines().map(|l| field(l, "id")).collect();
    assert_eq!(ids, [b.to_string(), a.to_string()]);

    let info = text(one(&mut srv, b, "CLIENT INFO"));
    assert_eq!(info.lines().count(), 1);
    assert_eq!(field(info.trim_end(), "id"), b.to_string());
    assert_eq!(field(info.trim_end(), "cmd"), "client|info");
}

#[test]
fn client_list_reports_age_and_idle_seconds() {
    let mut srv = Server::new();
    let a = srv.connect(1_000);
    let b = srv.connect(1_000);
    run(&mut srv, b, "PING", 3_500);
    let list = text(run(&mut srv, a, "CLIENT LIST", 10_000).remove(0));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(field(lines[1], "age"), "9");
    assert_eq!(field(lines[1], "idle"), "7");
    assert_eq!(field(lines[0], "idle"), "0");
}

#[test]
fn client_kill_forms() {
    let mut srv = Server::new();
    let me = srv.connect(0);
    let a = srv.connect_from(0, "10.0.0.1:4000".into());
    let b = srv.connect_from(0, "10.0.0.2:4000".into());
    let c = srv.connect(0);

    // The old form names an address; it may kill the caller too.
    assert_eq!(one(&mut srv, me, "CLIENT KILL 10.0.0.1:4000"), Reply::ok());
    assert!(srv.is_closing(a));
    assert!(srv.client(a).is_none());
    assert_eq!(
        one(&mut srv, me, "CLIENT KILL 10.0.0.1:4000"),
        Reply::error("ERR No such client")
    );

    // Filters combine; SKIPME defaults to yes.
    assert_eq!(
        one(
            &mut srv,
            me,
            &format!("CLIENT KILL ADDR 10.0.0.2:4000 ID {c}")
        ),
        Reply::Integer(0)
    );
    assert_eq!(
        one(&mut srv, me, "CLIENT KILL LADDR 127.0.0.1:6379 TYPE normal"),
        Reply::Integer(2)
    );
    assert!(srv.is_closing(b) && srv.is_closing(c));
    assert!(!srv.is_closing(me));

    // Killing oneself closes the connection after the reply.
    assert_eq!(
        one(&mut srv, me, &format!("CLIENT KILL ID {me} SKIPME no")),
        Reply::Integer(1)
    );
    assert!(srv.is_closing(me));
    assert!(srv.client(me).is_some());
}

#[test]
fn client_kill_user_matches_the_default_user() {
    let mut srv = Server::new();
    let me = srv.connect(0);
    let other = srv.connect(0);
    assert_eq!(
        one(&mut srv, me, "CLIENT KILL USER default"),
        Reply::Integer(1)
    );
    assert!(srv.is_closing(other));
}

#[test]
fn quit_replies_then_closes() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    assert_eq!(one(&mut srv, c, "QUIT"), Reply::ok());
    assert!(srv.is_closing(c));
    let list = text(one(&mut srv, c, "CLIENT INFO"));
    assert_eq!(field(list.trim_end(), "flags"), "c");
}

#[test]
fn hello_switches_the_protocol_of_its_own_reply() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    let reply = one(&mut srv, c, "HELLO 3 SETNAME app");
    assert_eq!(srv.protocol(c), Protocol::Resp3);
    let bytes = reply.encode(srv.protocol(c));
    let expected = format!(
        "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n\
         $2\r\nid\r\n:{c}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n\
         $7\r\nmodules\r\n*0\r\n"
    );
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    assert_eq!(one(&mut srv, c, "CLIENT GETNAME"), Reply::bulk("app"));
    // Without a version, HELLO keeps the protocol.
    one(&mut srv, c, "HELLO");
    assert_eq!(srv.protocol(c), Protocol::Resp3);
}

#[test]
fn reset_restores_a_fresh_connection() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    one(&mut srv, c, "HELLO 3");
    one(&mut srv, c, "SELECT 9");
    one(&mut srv, c, "CLIENT SETNAME before");
    one(&mut srv, c, "CLIENT NO-EVICT on");
    run(&mut srv, c, "SUBSCRIBE ch", 0);
    run(&mut srv, c, "PSUBSCRIBE p*", 0);
    run(&mut srv, c, "SSUBSCRIBE s", 0);
    run(&mut srv, c, "CLIENT REPLY OFF", 0);
    assert_eq!(one(&mut srv, c, "RESET"), Reply::simple("RESET"));
    assert_eq!(srv.protocol(c), Protocol::Resp2);
    let info = text(one(&mut srv, c, "CLIENT INFO"));
    let info = info.trim_end();
    assert_eq!(field(info, "db"), "0");
    assert_eq!(field(info, "name"), "");
    assert_eq!(field(info, "sub"), "0");
    assert_eq!(field(info, "psub"), "0");
    assert_eq!(field(info, "ssub"), "0");
    // Redis 7.0's RESET keeps CLIENT NO-EVICT.
    assert_eq!(field(info, "flags"), "e");
    assert_eq!(field(info, "resp"), "2");
    let other = srv.connect(0);
    assert_eq!(one(&mut srv, other, "PUBLISH ch x"), Reply::Integer(0));
    assert_eq!(one(&mut srv, other, "PUBSUB NUMPAT"), Reply::Integer(0));
}

#[test]
fn client_reply_skip_silences_only_the_next_command() {
    let mut srv = Server::new();
    let c = srv.connect(0);
    assert!(run(&mut srv, c, "CLIENT REPLY SKIP", 0).is_empty());
    assert!(run(&mut srv, c, "PING", 0).is_empty());
    assert_eq!(run(&mut srv, c, "PING", 0), vec![Reply::simple("PONG")]);
    assert!(run(&mut srv, c, "CLIENT REPLY OFF", 0).is_empty());
    assert!(run(&mut srv, c, "CLIENT REPLY SKIP", 0).is_empty());
    assert!(run(&mut srv, c, "PING", 0).is_empty());
    assert!(run(&mut srv, c, "PING", 0).is_empty());
    assert!(run(&mut srv, c, "UNKNOWNCMD", 0).is_empty());
    assert_eq!(run(&mut srv, c, "CLIENT REPLY ON", 0), vec![Reply::ok()]);
    assert_eq!(run(&mut srv, c, "PING", 0), vec![Reply::simple("PONG")]);
}

#[test]
fn client_id_and_hello_agree() {
    let mut srv = Server::new();
    let first = srv.connect(0);
    let second = srv.connect(0);
    assert_eq!(
        one(&mut srv, first, "CLIENT ID"),
        Reply::Integer(first as i64)
    );
    assert_eq!(
        one(&mut srv, second, "CLIENT ID"),
        Reply::Integer(second as i64)
    );
    let Reply::Map(fields) = one(&mut srv, second, "HELLO") else {
        panic!("map expected");
    };
    assert_eq!(
        fields[3],
        (Reply::bulk("id"), Reply::Integer(second as i64))
    );
}
