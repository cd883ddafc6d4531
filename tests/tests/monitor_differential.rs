//! MONITOR against a real redis-server 7.0: one client monitors while another runs commands
//! (hidden admin commands, rejected ones, passwords, transactions, database changes), and
//! the monitor's lines must be the same once timestamps and client ports are set aside. Also
//! what the monitoring client itself is answered.

use std::time::Duration;

use emulator::resp::Reply;
use emulator::Server;
use integration_tests::connection::RespConnection;
use integration_tests::real_redis::RealRedis;

/// The commands the other client runs, in order.
fn script() -> Vec<Vec<Vec<u8>>> {
    let lines: &[&[&[u8]]] = &[
        &[b"SET", b"k", b"v"],
        &[b"GET", b"k"],
        &[b"SET", b"bin", b"a\x00\xff\"\\\n"],
        &[b"SELECT", b"1"],
        &[b"INCR", b"n"],
        &[b"NOSUCH"],
        &[b"GET"],
        &[b"CONFIG", b"GET", b"port"],
        &[b"AUTH", b"pw"],
        &[b"AUTH", b"a", b"b", b"c"],
        &[b"HELLO", b"3", b"AUTH", b"default", b"pw"],
        &[b"HELLO", b"2", b"SETNAME", b"n", b"AUTH", b"u", b"p"],
        &[b"HELLO", b"9", b"AUTH", b"u", b"p"],
        &[b"HELLO", b"2"],
        &[b"MULTI"],
        &[b"SET", b"a", b"1"],
        &[b"SELECT", b"2"],
        &[b"EXEC"],
        &[b"MULTI"],
        &[b"GET"],
        &[b"EXEC"],
        &[b"DEBUG", b"OBJECT", b"k"],
        &[b"PING"],
        &[b"CLIENT", b"SETNAME", b"x"],
        &[b"CLIENT", b"LIST"],
        &[b"INFO", b"server"],
        &[b"SUBSCRIBE", b"ch"],
        &[b"PING"],
        &[b"UNSUBSCRIBE"],
        &[b"EXPIRE", b"k", b"100"],
        // Scripts and functions: their own line first, then what they call, as `[db lua]`.
        &[b"EVAL", b"redis.call('set','a',1); return redis.call('get','a')", b"0"],
        &[b"EVAL", b"return redis.call('nosuch')", b"0"],
        &[b"EVAL", b"return redis.pcall('get')", b"0"],
        &[b"EVAL", b"redis.call('select',3); return redis.call('set','z','1')", b"0"],
        &[b"EVAL_RO", b"return redis.call('get','a')", b"0"],
        &[b"SCRIPT", b"LOAD", b"return redis.call('ping')"],
        &[b"EVALSHA", b"b3a02c833904802db9c34a3cf1292eee3246df3c", b"0"],
        &[b"EVALSHA_RO", b"x", b"0"],
        &[b"MULTI"],
        &[b"EVAL", b"return redis.call('ping')", b"0"],
        &[b"EXEC"],
        &[
            b"FUNCTION",
            b"LOAD",
            b"#!lua name=lib\nredis.register_function('f', function(k, a) return redis.call('incr', k[1]) end)",
        ],
        &[b"FCALL", b"f", b"1", b"x"],
        &[b"FCALL_RO", b"f", b"1", b"x"],
        &[b"FCALL", b"nosuch", b"0"],
        &[b"FUNCTION", b"FLUSH"],
        &[b"FLUSHALL"],
        &[b"RESET"],
    ];
    lines
        .iter()
        .map(|argv| argv.iter().map(|a| a.to_vec()).collect())
        .collect()
}

/// The monitoring client's own commands, with what it is answered.
fn own_commands() -> Vec<Vec<Vec<u8>>> {
    let lines: &[&[&[u8]]] = &[
        &[b"PING"],
        &[b"MONITOR"],
        &[b"GET", b"k"],
        &[b"MULTI"],
        &[b"MONITOR"],
        &[b"EXEC"],
        &[b"ECHO", b"still here"],
    ];
    lines
        .iter()
        .map(|argv| argv.iter().map(|a| a.to_vec()).collect())
        .collect()
}

/// A monitor line without its timestamp and with client ports replaced.
fn normalise(line: &str) -> String {
    let without_time = line.split_once(' ').map_or(line, |(_, rest)| rest);
    let mut out = String::new();
    let mut rest = without_time;
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i]);
        out.push_str("127.0.0.1:PORT");
        rest = rest[i + "127.0.0.1:".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// Bound for a reply that must come; only reached when a test fails.
const LONG: Duration = Duration::from_secs(20);
/// The argument of the command that ends the script on the real server.
const SENTINEL: &str = "end-of-monitor-script";

fn lines_of(replies: Vec<Reply>) -> Vec<String> {
    replies
        .into_iter()
        .map(|r| match r {
            Reply::Simple(s) => normalise(&s),
            other => format!("{other:?}"),
        })
        .collect()
}

fn real_redis_lines(redis: &RealRedis) -> (Vec<String>, Vec<Reply>) {
    let mut monitor = redis.connect().expect("connect");
    assert_eq!(monitor.call(&["MONITOR"]).expect("MONITOR"), Reply::ok());
    let mut other = redis.connect().expect("connect");
    for argv in script() {
        other.send(&argv).expect("send");
        // Every command of the script gets exactly one reply; it is read so every command has
        // run before the next. Its content is not compared here.
        other
            .read_reply(LONG)
            .expect("read")
            .expect("a reply to every command");
    }
    // A last command whose MONITOR line marks the end: no waiting on silence.
    other.call(&["ECHO", SENTINEL]).expect("sentinel");
    let mut lines = Vec::new();
    loop {
        let received = monitor
            .read_reply(LONG)
            .expect("read")
            .expect("the sentinel's MONITOR line");
        if matches!(&received.reply, Reply::Simple(s) if s.contains(SENTINEL)) {
            break;
        }
        lines.push(received.reply);
    }
    let mut own = Vec::new();
    let mut in_multi = false;
    for argv in own_commands() {
        monitor.send(&argv).expect("send");
        in_multi = (in_multi || argv[0] == b"MULTI") && argv[0] != b"EXEC";
        // MONITOR from a monitor is not answered at all (inside MULTI it is queued).
        if argv[0] != b"MONITOR" || in_multi {
            collect_until_reply(&mut monitor, &mut own);
        }
    }
    (lines_of(lines), own)
}

/// Reads what the monitor receives up to and including the next non-monitor reply.
fn collect_until_reply(conn: &mut RespConnection, into: &mut Vec<Reply>) {
    while let Ok(Some(received)) = conn.read_reply(LONG) {
        let is_monitor_line = matches!(&received.reply, Reply::Simple(s) if s.contains(" [0 "));
        if !is_monitor_line {
            into.push(received.reply);
            return;
        }
    }
}

fn engine_lines() -> (Vec<String>, Vec<Reply>) {
    let mut server = Server::new();
    let monitor = server.connect(1);
    let other = server.connect(1);
    assert_eq!(
        server.execute(monitor, vec![b"MONITOR".to_vec()], 1),
        vec![Reply::ok()]
    );
    for argv in script() {
        server.execute(other, argv, 2);
    }
    let lines = server.take_outbound(monitor);
    let mut own = Vec::new();
    for argv in own_commands() {
        let replies = server.execute(monitor, argv, 3);
        own.extend(replies);
        server.take_outbound(monitor);
    }
    (lines_of(lines), own)
}

#[test]
fn monitor_lines_match_redis() {
    let Some(redis) = RealRedis::start_for_test("monitor_differential") else {
        return;
    };
    let (expected, expected_own) = real_redis_lines(&redis);
    let (got, got_own) = engine_lines();
    assert!(expected.len() > 10, "{expected:?}");
    assert_eq!(got, expected);
    assert!(
        expected
            .iter()
            .any(|l| l.contains("[2 lua] \"incr\" \"x\"")),
        "{expected:?}"
    );
    assert_eq!(got_own, expected_own);
}
