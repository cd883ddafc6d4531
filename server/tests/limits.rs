//! redis-emu's admission and limits beside redis-server 7.0: protected mode, `maxclients`
//! (up to 10,000 connections), `proto-max-bulk-len`, `client-query-buffer-limit`,
//! `client-output-buffer-limit` for normal clients and slow subscribers, and `timeout`.
//!
//! Each scenario runs against both servers and records what a client sees; the two records
//! must be equal. Nothing waits on a guess of how fast a server is: a test waits for a state
//! (a closed socket, a count in INFO) with a generous bound.

mod common;

use std::io::Write;
use std::net::{Ipv4Addr, TcpStream};
use std::time::Duration;

use common::{connect_from, info_field, read_until_closed, wait_until, Emu};
use emulator::resp::Reply;
use integration_tests::connection::{encode_command, RespConnection};
use integration_tests::real_redis::{require_tool, RealRedis};

/// Bound for anything a server must do by itself; only reached when a test fails.
const LONG: Duration = Duration::from_secs(20);
/// A loopback address that is not 127.0.0.1: Redis treats it as a remote peer.
const OTHER_HOST: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// Both servers, started with the same extra arguments.
struct Pair {
    emu: Emu,
    redis: RealRedis,
}

impl Pair {
    fn start(test: &str, args: &[&str]) -> Option<Pair> {
        let binary = require_tool("redis-server", test)?;
        let redis = RealRedis::start(&binary, args)
            .unwrap_or_else(|e| panic!("{test}: could not start redis-server: {e}"));
        Some(Pair {
            emu: Emu::start_with(args),
            redis,
        })
    }

    /// Runs `scenario` on each server (ours first) and checks both saw the same.
    fn compare(&self, scenario: impl Fn(u16) -> Vec<String>) -> Vec<String> {
        let ours = scenario(self.emu.port);
        let theirs = scenario(self.redis.port());
        assert_eq!(
            ours, theirs,
            "redis-emu (left) and redis-server (right) differ"
        );
        ours
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits until the server counts exactly `n` connected clients (a closed connection leaves
/// a server's count when the server gets round to it).
fn wait_connected(conn: &mut RespConnection, n: usize) {
    wait_until(&format!("{n} connected clients"), LONG, || {
        info_field(conn, "connected_clients") == n.to_string()
    });
}

fn call_text(conn: &mut RespConnection, argv: &[&str]) -> String {
    format!("{:?}", conn.call(argv).expect("reply"))
}

/// Sends `request` on a raw socket and reports what came back before the server closed it.
fn refused_with(mut socket: TcpStream, request: &[u8]) -> String {
    if !request.is_empty() {
        // The server may already have closed: a failed write is part of the outcome.
        let _ = socket.write_all(request);
    }
    let (bytes, closed) = read_until_closed(&mut socket, LONG);
    format!("{} (closed: {closed})", text(&bytes))
}

fn client_id(conn: &mut RespConnection) -> i64 {
    match conn.call(&["CLIENT", "ID"]).expect("CLIENT ID") {
        Reply::Integer(id) => id,
        other => panic!("CLIENT ID answered {other:?}"),
    }
}

#[test]
fn protected_mode_refuses_other_hosts_without_a_password() {
    let Some(pair) = Pair::start("protected mode", &[]) else {
        return;
    };
    let seen = pair.compare(|port| {
        let mut local = RespConnection::connect(port).expect("connect");
        wait_connected(&mut local, 1);
        let mut seen = vec![];
        let before = client_id(&mut local);
        seen.push(refused_with(connect_from(OTHER_HOST, port), b""));
        seen.push(info_field(&mut local, "rejected_connections"));
        // The refused connection took a client id, as in Redis.
        let mut next = RespConnection::connect(port).expect("connect");
        seen.push(format!("ids apart: {}", client_id(&mut next) - before));
        // A password for the default user opens the door (to AUTH).
        seen.push(call_text(
            &mut local,
            &["CONFIG", "SET", "requirepass", "pw"],
        ));
        let mut remote = connect_from(OTHER_HOST, port);
        remote.write_all(b"PING\r\nAUTH pw\r\nPING\r\n").unwrap();
        seen.push(text(&read_replies(&mut remote, 3)));
        // So does turning protected mode off.
        seen.push(call_text(&mut local, &["AUTH", "pw"]));
        seen.push(call_text(&mut local, &["CONFIG", "SET", "requirepass", ""]));
        seen.push(call_text(
            &mut local,
            &["CONFIG", "SET", "protected-mode", "no"],
        ));
        let mut remote = connect_from(OTHER_HOST, port);
        remote.write_all(b"PING\r\n").unwrap();
        seen.push(text(&read_replies(&mut remote, 1)));
        seen
    });
    assert!(
        seen[0].starts_with("-DENIED Redis is running in protected mode"),
        "{seen:?}"
    );
    assert!(seen[0].ends_with("(closed: true)"));
    assert_eq!(seen[1], "1");
    assert_eq!(seen[2], "ids apart: 2");
    assert_eq!(seen.last().unwrap(), "+PONG\r\n");
}

/// Reads `n` RESP replies (simple lines are enough for these tests) from a raw socket.
fn read_replies(socket: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut conn_bytes = Vec::new();
    let deadline = std::time::Instant::now() + LONG;
    while conn_bytes.iter().filter(|&&b| b == b'\n').count() < n {
        assert!(std::time::Instant::now() < deadline, "no reply in {LONG:?}");
        let (bytes, closed) = read_until_closed(socket, Duration::from_millis(50));
        conn_bytes.extend(bytes);
        if closed {
            break;
        }
    }
    conn_bytes
}

#[test]
fn maxclients_refuses_the_connection_past_the_limit() {
    let Some(pair) = Pair::start("maxclients", &[]) else {
        return;
    };
    let seen = pair.compare(|port| {
        let mut first = RespConnection::connect(port).expect("connect");
        wait_connected(&mut first, 1);
        let mut seen = vec![call_text(&mut first, &["CONFIG", "SET", "maxclients", "3"])];
        let mut others: Vec<RespConnection> = (0..2)
            .map(|_| RespConnection::connect(port).expect("connect"))
            .collect();
        for conn in &mut others {
            seen.push(call_text(conn, &["PING"]));
        }
        let received = info_field(&mut first, "total_connections_received");
        seen.push(refused_with(
            TcpStream::connect(("127.0.0.1", port)).unwrap(),
            b"PING\r\n",
        ));
        seen.push(info_field(&mut first, "rejected_connections"));
        // A refused connection is not counted as received.
        seen.push(format!(
            "{}",
            info_field(&mut first, "total_connections_received") == received
        ));
        // One leaves: there is room again.
        drop(others.pop());
        wait_connected(&mut first, 2);
        let mut again = RespConnection::connect(port).expect("connect");
        seen.push(call_text(&mut again, &["PING"]));
        seen
    });
    assert_eq!(
        seen[3],
        "-ERR max number of clients reached\r\n (closed: true)"
    );
    assert_eq!(seen[4], "1");
    assert_eq!(seen.last().unwrap(), "Simple(\"PONG\")");
}

/// Raises this process's open-files limit as far as allowed; returns the new limit.
fn raise_open_files_limit() -> u64 {
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur
    }
}

/// The default `maxclients`, 10,000, really connected at once: all are served, and the
/// next one is refused with Redis's error.
#[test]
fn ten_thousand_clients_at_once() {
    const CLIENTS: usize = 10_000;
    // Our 10,000 sockets and some slack; each server raises its own limit likewise (Redis
    // to maxclients + 32), from the hard limit it inherits.
    if raise_open_files_limit() < CLIENTS as u64 + 100 {
        panic!("ten_thousand_clients_at_once: the open-files limit is below 10,100 (ulimit -Hn)");
    }
    let Some(pair) = Pair::start("10,000 clients", &[]) else {
        return;
    };
    pair.compare(|port| {
        let mut control = RespConnection::connect(port).expect("connect");
        wait_connected(&mut control, 1);
        let mut seen = vec![call_text(&mut control, &["CONFIG", "GET", "maxclients"])];
        let mut sockets: Vec<TcpStream> = (1..CLIENTS)
            .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connect"))
            .collect();
        // Every one of them is served: a pipelined INCR from each.
        let incr = encode_command(&["INCR", "served"]);
        for socket in &mut sockets {
            socket.write_all(&incr).unwrap();
        }
        wait_until("every INCR", LONG, || {
            matches!(control.call(&["GET", "served"]), Ok(Reply::Bulk(n)) if n == (CLIENTS - 1).to_string().as_bytes())
        });
        seen.push(info_field(&mut control, "connected_clients"));
        seen.push(refused_with(TcpStream::connect(("127.0.0.1", port)).unwrap(), b""));
        seen.push(info_field(&mut control, "rejected_connections"));
        drop(sockets);
        wait_connected(&mut control, 1);
        seen
    });
}

#[test]
fn bulk_and_query_buffer_limits() {
    let Some(pair) = Pair::start("proto-max-bulk-len and client-query-buffer-limit", &[]) else {
        return;
    };
    const MB: usize = 1024 * 1024;
    let seen = pair.compare(|port| {
        let mut control = RespConnection::connect(port).expect("connect");
        let mut seen = vec![
            call_text(
                &mut control,
                &["CONFIG", "SET", "proto-max-bulk-len", "1mb"],
            ),
            call_text(
                &mut control,
                &["CONFIG", "SET", "proto-max-bulk-len", "1000"],
            ),
        ];
        // One byte over the bulk limit is a protocol error; exactly the limit is fine.
        let over = format!("*2\r\n$4\r\nECHO\r\n${}\r\n", MB + 1);
        seen.push(refused_with(
            TcpStream::connect(("127.0.0.1", port)).unwrap(),
            over.as_bytes(),
        ));
        let mut at_limit = RespConnection::connect(port).expect("connect");
        match at_limit.call(&[b"STRLEN".as_slice(), b"nokey"]) {
            Ok(reply) => seen.push(format!("{reply:?}")),
            Err(e) => seen.push(e.to_string()),
        }
        let value = vec![b'v'; MB];
        match at_limit.call(&[b"SET".as_slice(), b"big", &value]) {
            Ok(reply) => seen.push(format!("{reply:?}")),
            Err(e) => seen.push(e.to_string()),
        }
        // A query buffer over client-query-buffer-limit: the client is dropped silently.
        seen.push(call_text(
            &mut control,
            &["CONFIG", "SET", "proto-max-bulk-len", "8mb"],
        ));
        seen.push(call_text(
            &mut control,
            &["CONFIG", "SET", "client-query-buffer-limit", "1mb"],
        ));
        let mut request = format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n", 4 * MB).into_bytes();
        request.extend(std::iter::repeat_n(b'x', 2 * MB));
        seen.push(refused_with(
            TcpStream::connect(("127.0.0.1", port)).unwrap(),
            &request,
        ));
        seen.push(call_text(&mut control, &["EXISTS", "k"]));
        seen
    });
    assert!(
        seen[2].contains("Protocol error: invalid bulk length"),
        "{seen:?}"
    );
    assert_eq!(seen[seen.len() - 2], " (closed: true)");
}

#[test]
fn output_buffer_limits_drop_clients_that_do_not_read() {
    let Some(pair) = Pair::start("client-output-buffer-limit", &[]) else {
        return;
    };
    let big = vec![b'x'; 2 * 1024 * 1024];
    let small = vec![b'y'; 300 * 1024];
    let seen = pair.compare(|port| {
        let mut control = RespConnection::connect(port).expect("connect");
        let mut seen = vec![call_text(
            &mut control,
            &[
                "CONFIG",
                "SET",
                "client-output-buffer-limit",
                "normal 1mb 0 0 pubsub 1mb 0 0",
            ],
        )];
        control.call(&[b"SET".as_slice(), b"big", &big]).unwrap();
        control
            .call(&[b"SET".as_slice(), b"small", &small])
            .unwrap();
        // A normal client whose one reply is over the hard limit is closed without it.
        let mut reader = RespConnection::connect(port).expect("connect");
        seen.push(format!("{:?}", reader.call(&["STRLEN", "small"]).unwrap()));
        let got = reader
            .call(&["GET", "small"])
            .map(|r| format!("{r:?}").len());
        seen.push(format!("{got:?}"));
        let raw = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (bytes, closed) = {
            let mut raw = raw;
            raw.write_all(b"GET big\r\n").unwrap();
            read_until_closed(&mut raw, LONG)
        };
        seen.push(format!("{} bytes, closed: {closed}", bytes.len()));
        // A subscriber that is sent more than its limit in one message is dropped; the
        // publisher still counted it as a receiver.
        let mut subscriber = RespConnection::connect(port).expect("connect");
        subscriber.send(&["SUBSCRIBE", "news"]).unwrap();
        subscriber.read_reply(LONG).unwrap().expect("subscribed");
        seen.push(format!(
            "{:?}",
            control
                .call(&[b"PUBLISH".as_slice(), b"news", &small])
                .unwrap()
        ));
        seen.push(format!(
            "{:?}",
            control
                .call(&[b"PUBLISH".as_slice(), b"news", &big])
                .unwrap()
        ));
        wait_until("the subscriber's disconnection", LONG, || {
            control.call(&["PUBSUB", "NUMSUB", "news"]).unwrap()
                == Reply::Array(vec![Reply::Bulk(b"news".to_vec()), Reply::Integer(0)])
        });
        let first = subscriber.read_reply(LONG).unwrap().map(|r| r.raw.len());
        seen.push(format!("first message: {first:?} bytes"));
        seen.push(format!("then: {:?}", subscriber.wait_closed(LONG).is_ok()));
        seen.push(format!(
            "{:?}",
            control
                .call(&[b"PUBLISH".as_slice(), b"news", b"x"])
                .unwrap()
        ));
        seen
    });
    assert_eq!(seen[3], "0 bytes, closed: true", "{seen:?}");
    assert_eq!(seen.last().unwrap(), "Integer(0)");
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let Some(pair) = Pair::start("timeout", &[]) else {
        return;
    };
    pair.compare(|port| {
        let mut control = RespConnection::connect(port).expect("connect");
        let mut seen = vec![call_text(&mut control, &["CONFIG", "SET", "timeout", "1"])];
        let mut idle = RespConnection::connect(port).expect("connect");
        seen.push(call_text(&mut idle, &["PING"]));
        let mut subscriber = RespConnection::connect(port).expect("connect");
        subscriber.send(&["SUBSCRIBE", "news"]).unwrap();
        subscriber.read_reply(LONG).unwrap().expect("subscribed");
        let mut blocked = RespConnection::connect(port).expect("connect");
        blocked.send(&["BLPOP", "list", "0"]).unwrap();
        // The control connection keeps talking, so only `idle` goes quiet long enough.
        let mut closed = false;
        wait_until("the idle client's disconnection", LONG, || {
            control.call(&["PING"]).unwrap();
            closed = idle.wait_closed(Duration::from_millis(20)).is_ok();
            closed
        });
        seen.push(format!("idle closed: {closed}"));
        // Subscribers and blocked clients are never idle-closed.
        seen.push(call_text(&mut control, &["RPUSH", "list", "a"]));
        seen.push(format!(
            "{:?}",
            blocked.read_reply(LONG).unwrap().map(|r| r.reply)
        ));
        seen.push(format!(
            "{:?}",
            control.call(&["PUBLISH", "news", "hi"]).unwrap()
        ));
        seen
    });
}
