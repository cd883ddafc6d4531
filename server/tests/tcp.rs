//! redis-emu over TCP: RESP2/RESP3, inline commands, pipelining, protocol errors, concurrency,
//! pushes between clients, timers and shutdown.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::{exchange, exchange_raw, implemented, info_field, read_exact, wait_until, Emu};
use emulator::resp::Reply;
use integration_tests::connection::encode_command;
use integration_tests::real_redis::RealRedis;

const LONG: Duration = Duration::from_secs(5);

fn bulk(s: &[u8]) -> Reply {
    Reply::Bulk(s.to_vec())
}

#[test]
fn resp2_commands() {
    let emu = Emu::start();
    let mut conn = emu.connect();
    assert_eq!(conn.call(&["PING"]).unwrap(), Reply::simple("PONG"));
    assert_eq!(conn.call(&["SET", "k", "v"]).unwrap(), Reply::ok());
    assert_eq!(conn.call(&["GET", "k"]).unwrap(), bulk(b"v"));
    assert_eq!(conn.call(&["GET", "missing"]).unwrap(), Reply::Null);
    let binary = b"a\x00b\r\nc\xff";
    assert_eq!(conn.call(&[&b"ECHO"[..], binary]).unwrap(), bulk(binary));
    assert_eq!(
        conn.call(&["NOSUCH", "x"]).unwrap(),
        Reply::error("ERR unknown command 'NOSUCH', with args beginning with: 'x' ")
    );
    assert_eq!(
        conn.call(&["GET"]).unwrap(),
        Reply::error("ERR wrong number of arguments for 'get' command")
    );
}

#[test]
fn resp3_after_hello() {
    if !implemented(&["hello"]) {
        eprintln!("resp3_after_hello: skipped, the engine has no HELLO yet");
        return;
    }
    let emu = Emu::start();
    let mut socket = emu.socket();
    let (hello, _) = exchange(&mut socket, &encode_command(&["HELLO", "3"]));
    assert!(
        hello.starts_with(b"%7\r\n"),
        "{:?}",
        String::from_utf8_lossy(&hello)
    );
    // RESP3 nulls, in the same connection.
    let (reply, closed) = exchange(&mut socket, &encode_command(&["GET", "missing"]));
    assert_eq!(reply, b"_\r\n");
    assert!(!closed);
}

#[test]
fn inline_commands() {
    let emu = Emu::start();
    let mut socket = emu.socket();
    let (reply, closed) = exchange(
        &mut socket,
        b"PING\r\n\r\n   \nSET k 'a b'\nGET k\r\nECHO \"x\\ty\"\r\n",
    );
    assert_eq!(reply, b"+PONG\r\n+OK\r\n$3\r\na b\r\n$3\r\nx\ty\r\n");
    assert!(!closed);
}

/// Raw requests and exactly what Redis 7.0 answers before closing the connection.
const PROTOCOL_ERRORS: &[(&[u8], &[u8])] = &[
    (
        b"*abc\r\n",
        b"-ERR Protocol error: invalid multibulk length\r\n",
    ),
    (
        b"*3000000000\r\n",
        b"-ERR Protocol error: invalid multibulk length\r\n",
    ),
    (
        b"*1\r\nx\r\n",
        b"-ERR Protocol error: expected '$', got 'x'\r\n",
    ),
    (
        b"*1\r\n\r\n",
        b"-ERR Protocol error: expected '$', got ' '\r\n",
    ),
    (
        b"*1\r\n$-1\r\n",
        b"-ERR Protocol error: invalid bulk length\r\n",
    ),
    (
        b"*1\r\n$\r\n",
        b"-ERR Protocol error: invalid bulk length\r\n",
    ),
    (
        b"SET k \"abc\r\n",
        b"-ERR Protocol error: unbalanced quotes in request\r\n",
    ),
    (
        b"ECHO 'a'b\r\n",
        b"-ERR Protocol error: unbalanced quotes in request\r\n",
    ),
    // Commands before the error are answered; those after it are not run.
    (
        b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n",
        b"+PONG\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n",
    ),
];

#[test]
fn protocol_errors_close_the_connection() {
    let emu = Emu::start();
    for (request, expected) in PROTOCOL_ERRORS {
        let (reply, closed) = exchange_raw(&mut emu.socket(), request, LONG);
        assert_eq!(
            String::from_utf8_lossy(&reply),
            String::from_utf8_lossy(expected),
            "request {:?}",
            String::from_utf8_lossy(request)
        );
        assert!(
            closed,
            "still open after {:?}",
            String::from_utf8_lossy(request)
        );
    }
    let mut huge_inline = vec![b'a'; 64 * 1024 + 1];
    let (reply, closed) = exchange_raw(&mut emu.socket(), &huge_inline, LONG);
    assert_eq!(reply, b"-ERR Protocol error: too big inline request\r\n");
    assert!(closed);
    // A long line is fine once it ends.
    huge_inline.truncate(1000);
    huge_inline.extend_from_slice(b"\r\n");
    let (reply, closed) = exchange(&mut emu.socket(), &huge_inline);
    assert!(reply.starts_with(b"-ERR unknown command 'aaaa"));
    assert!(!closed);
}

/// Odd but valid framings Redis accepts (requests with no arguments, unchecked bulk ends,
/// NUL hiding a newline), and the protocol errors, answered byte for byte as Redis does.
#[test]
fn protocol_edge_cases_match_real_redis() {
    let Some(redis) = RealRedis::start_for_test("protocol edge cases") else {
        return;
    };
    let emu = Emu::start();
    fn connect(port: u16) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_nodelay(true).unwrap();
        s
    }
    let closing: Vec<&[u8]> = PROTOCOL_ERRORS.iter().map(|(r, _)| *r).collect();
    let staying_open: &[&[u8]] = &[
        b"*0\r\n*-1\r\nPING\r\n",
        b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
        b"*1\r$4\r\nPING\r\n",
        b"\n\r\n \t \r\nPING\r\n",
        b"ECHO \"\\x41\\x4\" 'it\\'s'\r\n",
        b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
    ];
    // Requests that close the connection are read until it closes; the others are followed
    // by an ECHO whose answer shows the connection stayed open.
    let outcome = |port: u16, request: &[u8], closes: bool| {
        if closes {
            exchange_raw(&mut connect(port), request, LONG)
        } else {
            exchange(&mut connect(port), request)
        }
    };
    // A NUL hides the line end from Redis's inline parser: the request never completes, so
    // there is nothing to wait for (a slow server can only make this pass, not fail).
    let unfinished: &[u8] = b"PI\x00NG\r\nPING\r\n";
    let quiet = Duration::from_millis(300);
    assert_eq!(
        exchange_raw(&mut connect(emu.port), unfinished, quiet),
        exchange_raw(&mut connect(redis.port()), unfinished, quiet),
    );
    let cases = closing
        .iter()
        .map(|r| (*r, true))
        .chain(staying_open.iter().map(|r| (*r, false)));
    for (request, closes) in cases {
        let ours = outcome(emu.port, request, closes);
        let theirs = outcome(redis.port(), request, closes);
        assert_eq!(
            (String::from_utf8_lossy(&ours.0), ours.1),
            (String::from_utf8_lossy(&theirs.0), theirs.1),
            "request {:?}: (reply, closed) differ from redis-server",
            String::from_utf8_lossy(request)
        );
    }
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let emu = Emu::start();
    let mut socket = emu.socket();
    let mut request = Vec::new();
    let mut expected = Vec::new();
    for i in 0..2000 {
        let value = format!("value-{i}");
        request.extend(encode_command(&["SET", &format!("key{}", i % 7), &value]));
        request.extend(encode_command(&["GET", &format!("key{}", i % 7)]));
        request.extend_from_slice(b"PING\r\n");
        expected.extend_from_slice(b"+OK\r\n");
        expected.extend(Reply::Bulk(value.into_bytes()).encode(Default::default()));
        expected.extend_from_slice(b"+PONG\r\n");
    }
    socket.write_all(&request).unwrap();
    assert_eq!(read_exact(&mut socket, expected.len()), expected);
}

#[test]
fn requests_split_into_single_bytes() {
    let emu = Emu::start();
    let mut socket = emu.socket();
    let request = [
        encode_command(&["SET", "split", "abc"]),
        b"GET split\r\n".to_vec(),
    ]
    .concat();
    for byte in &request {
        socket.write_all(std::slice::from_ref(byte)).unwrap();
    }
    let expected = b"+OK\r\n$3\r\nabc\r\n";
    assert_eq!(read_exact(&mut socket, expected.len()), expected);
}

#[test]
fn large_values_round_trip() {
    let emu = Emu::start();
    let mut conn = emu.connect();
    let value: Vec<u8> = (0..8 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    assert_eq!(
        conn.call(&[&b"SET"[..], b"big", &value]).unwrap(),
        Reply::ok()
    );
    assert_eq!(conn.call(&["GET", "big"]).unwrap(), Reply::Bulk(value));
}

#[test]
fn many_concurrent_clients() {
    let emu = Emu::start();
    let port = emu.port;
    let workers: Vec<_> = (0..32)
        .map(|worker| {
            std::thread::spawn(move || {
                let mut conn =
                    integration_tests::connection::RespConnection::connect(port).expect("connect");
                for i in 0..200 {
                    let key = format!("w{worker}:{}", i % 10);
                    let value = format!("{worker}-{i}");
                    assert_eq!(conn.call(&["SET", &key, &value]).unwrap(), Reply::ok());
                    assert_eq!(
                        conn.call(&["GET", &key]).unwrap(),
                        Reply::Bulk(value.into_bytes())
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
}

#[test]
fn quit_closes_after_replying() {
    if !implemented(&["quit"]) {
        eprintln!("quit_closes_after_replying: skipped, the engine has no QUIT yet");
        return;
    }
    let emu = Emu::start();
    let (reply, closed) = exchange_raw(&mut emu.socket(), b"PING\r\nQUIT\r\nPING\r\n", LONG);
    assert_eq!(reply, b"+PONG\r\n+OK\r\n");
    assert!(closed);
}

#[test]
fn published_messages_reach_subscribers() {
    if !implemented(&["subscribe", "publish"]) {
        eprintln!("published_messages_reach_subscribers: skipped, no pub/sub in the engine yet");
        return;
    }
    let emu = Emu::start();
    let mut subscriber = emu.connect();
    subscriber.send(&["SUBSCRIBE", "news"]).unwrap();
    let confirmation = subscriber.read_reply(LONG).unwrap().expect("subscribed");
    assert_eq!(
        confirmation.reply,
        Reply::Array(vec![bulk(b"subscribe"), bulk(b"news"), Reply::Integer(1)])
    );
    let mut publisher = emu.connect();
    assert_eq!(
        publisher.call(&["PUBLISH", "news", "hello"]).unwrap(),
        Reply::Integer(1)
    );
    let message = subscriber.read_reply(LONG).unwrap().expect("message");
    assert_eq!(
        message.reply,
        Reply::Array(vec![bulk(b"message"), bulk(b"news"), bulk(b"hello")])
    );
}

#[test]
fn keys_expire_actively() {
    if !implemented(&["set", "pexpire", "dbsize"]) {
        eprintln!("keys_expire_actively: skipped, the engine lacks PEXPIRE or DBSIZE");
        return;
    }
    let emu = Emu::start();
    let mut conn = emu.connect();
    assert_eq!(conn.call(&["SET", "short", "v"]).unwrap(), Reply::ok());
    assert_eq!(
        conn.call(&["PEXPIRE", "short", "20"]).unwrap(),
        Reply::Integer(1)
    );
    // Without touching the key, the timer-driven expiry cycle removes it.
    wait_until("active expiry", LONG * 4, || {
        conn.call(&["DBSIZE"]).unwrap() == Reply::Integer(0)
    });
}

#[test]
fn terminates_cleanly_on_sigterm_and_sigint() {
    for signal in ["TERM", "INT"] {
        let emu = Emu::start();
        let mut conn = emu.connect();
        assert_eq!(conn.call(&["PING"]).unwrap(), Reply::simple("PONG"));
        let status = emu.signal_and_wait(signal).expect("exited within 30 s");
        assert!(status.success(), "SIG{signal}: {status}");
    }
}

#[test]
fn client_kill_closes_the_other_connection() {
    if !implemented(&["client|kill", "client|id"]) {
        eprintln!("client_kill_closes_the_other_connection: skipped, no CLIENT KILL/ID yet");
        return;
    }
    let emu = Emu::start();
    let mut victim = emu.socket();
    let (reply, _) = exchange(&mut victim, b"CLIENT ID\r\n");
    let id = String::from_utf8_lossy(&reply)
        .trim()
        .trim_start_matches(':')
        .to_string();
    let mut killer = emu.connect();
    assert_eq!(
        killer.call(&["CLIENT", "KILL", "ID", &id]).unwrap(),
        Reply::Integer(1)
    );
    let (_, closed) = common::read_until_closed(&mut victim, LONG);
    assert!(closed, "the killed client's connection stays open");
    assert_eq!(killer.call(&["PING"]).unwrap(), Reply::simple("PONG"));
}

#[test]
fn blocking_stream_reads_are_served_across_connections() {
    let emu = Emu::start();
    let mut reader = emu.connect();
    let mut group_reader = emu.connect();
    let mut writer = emu.connect();
    assert_eq!(
        writer
            .call(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"])
            .unwrap(),
        Reply::ok()
    );
    reader
        .send(&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"])
        .unwrap();
    group_reader
        .send(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "alice",
            "BLOCK",
            "0",
            "STREAMS",
            "s",
            ">",
        ])
        .unwrap();
    // Both are blocked (the server says so): nothing arrives until the writer adds an entry.
    wait_until("two blocked clients", LONG * 4, || {
        info_field(&mut writer, "blocked_clients") == "2"
    });
    assert!(reader.read_reply(Duration::ZERO).unwrap().is_none());
    assert_eq!(
        writer.call(&["XADD", "s", "1-1", "temp", "21"]).unwrap(),
        bulk(b"1-1")
    );
    let entry = Reply::Array(vec![
        bulk(b"1-1"),
        Reply::Array(vec![bulk(b"temp"), bulk(b"21")]),
    ]);
    let expected = Reply::Array(vec![Reply::Array(vec![
        bulk(b"s"),
        Reply::Array(vec![entry]),
    ])]);
    for conn in [&mut reader, &mut group_reader] {
        let served = conn.read_reply(LONG).unwrap().expect("served");
        assert_eq!(served.reply, expected);
    }
    // A timeout answers a null array after the engine clock passes the deadline.
    reader
        .send(&["XREAD", "BLOCK", "50", "STREAMS", "s", "$"])
        .unwrap();
    let timed_out = reader.read_reply(LONG).unwrap().expect("timed out");
    assert_eq!(timed_out.reply, Reply::NullArray);
}

/// A client that sends a pipeline and closes at once (its data and its FIN arrive together)
/// is noticed as gone: readiness is edge-triggered, so the end of the stream must be read in
/// the same wakeup as the data. Found by the soak test (connections piling up in CLOSE_WAIT).
#[test]
fn clients_that_send_and_close_at_once_are_closed() {
    let emu = Emu::start();
    let mut control = emu.connect();
    let pipeline: Vec<u8> = (0..200)
        .flat_map(|i| encode_command(&["SET", &format!("k{i}"), "v"]))
        .collect();
    // Stopped, the server cannot read anything before each FIN is there too.
    emu.signal("STOP");
    for _ in 0..50 {
        let mut socket = emu.socket();
        socket.write_all(&pipeline).unwrap();
        drop(socket);
        // Half a request: nothing to answer, so no failed write would reveal the close.
        let mut socket = emu.socket();
        socket.write_all(&pipeline[..7]).unwrap();
        drop(socket);
    }
    emu.signal("CONT");
    wait_until("every closed client to leave", LONG * 4, || {
        info_field(&mut control, "connected_clients") == "1"
    });
}

/// redis-emu reports the address it really serves, as redis-server reports its own.
#[test]
fn the_served_address_is_the_one_reported() {
    let emu = Emu::start();
    let port = emu.port.to_string();
    let mut conn = emu.connect();
    let text = |reply: Reply| match reply {
        Reply::Bulk(b) => String::from_utf8(b).unwrap(),
        Reply::Verbatim(_, b) => String::from_utf8(b).unwrap(),
        other => panic!("not a string: {other:?}"),
    };
    assert_eq!(
        conn.call(&["CONFIG", "GET", "port"]).unwrap(),
        Reply::Array(vec![bulk(b"port"), bulk(port.as_bytes())])
    );
    assert_eq!(
        conn.call(&["CONFIG", "GET", "bind"]).unwrap(),
        Reply::Array(vec![bulk(b"bind"), bulk(b"127.0.0.1")])
    );
    let info = text(conn.call(&["INFO", "server"]).unwrap());
    assert!(info.contains(&format!("\r\ntcp_port:{port}\r\n")), "{info}");
    let list = text(conn.call(&["CLIENT", "LIST"]).unwrap());
    assert!(
        list.contains(&format!(" laddr=127.0.0.1:{port} ")),
        "{list}"
    );
}

#[test]
fn broadcast_invalidations_batch_a_pipeline_as_redis_does() {
    let Some(redis) = RealRedis::start_for_test("BCAST batching") else {
        return;
    };
    let emu = Emu::start();
    // A BCAST tracking client, then a pipeline of writes from another client in one request:
    // Redis sends the keys changed by everything it read at once as one message.
    let received = |port: u16| {
        let socket = || {
            let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            s.set_nodelay(true).unwrap();
            s
        };
        let mut tracker = socket();
        let mut setup = encode_command(&["HELLO", "3"]);
        setup.extend(encode_command(&[
            "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:",
        ]));
        exchange(&mut tracker, &setup);
        let mut writer = socket();
        let mut writes = encode_command(&["SET", "user:1", "a"]);
        writes.extend(encode_command(&["SET", "other", "b"]));
        writes.extend(encode_command(&["MSET", "user:3", "c", "user:2", "d"]));
        let (replies, _) = exchange(&mut writer, &writes);
        let (pushes, _) = exchange(&mut tracker, b"");
        (
            String::from_utf8_lossy(&replies).into_owned(),
            String::from_utf8_lossy(&pushes).into_owned(),
        )
    };
    let theirs = received(redis.port());
    assert_eq!(
        theirs.1,
        ">2\r\n$10\r\ninvalidate\r\n*3\r\n$6\r\nuser:1\r\n$6\r\nuser:2\r\n$6\r\nuser:3\r\n"
    );
    assert_eq!(received(emu.port), theirs);
}
