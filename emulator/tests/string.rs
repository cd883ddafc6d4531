//! String commands driven through the public engine API, as a host would.

use emulator::{ClientId, Protocol, Reply, Server};

const T0: u64 = 1_700_000_000_000;

struct Session {
    server: Server,
    client: ClientId,
    now: u64,
}

impl Session {
    fn new() -> Session {
        let mut server = Server::new();
        let client = server.connect(T0);
        Session {
            server,
            client,
            now: T0,
        }
    }

    fn cmd(&mut self, args: &[&[u8]]) -> Reply {
        let argv = args.iter().map(|a| a.to_vec()).collect();
        let mut replies = self.server.execute(self.client, argv, self.now);
        assert_eq!(replies.len(), 1, "one reply to {args:?}");
        replies.remove(0)
    }

    /// A command written as space-separated words.
    fn run(&mut self, line: &str) -> Reply {
        let words: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        self.cmd(&words)
    }

    fn sleep(&mut self, ms: u64) {
        self.now += ms;
    }
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn err(s: &str) -> Reply {
    Reply::error(s)
}

fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

#[test]
fn set_and_get_are_binary_safe() {
    let mut s = Session::new();
    let value: &[u8] = b"a\x00b\r\n\xff";
    assert_eq!(s.cmd(&[b"SET", b"k\x00", value]), Reply::ok());
    assert_eq!(s.cmd(&[b"GET", b"k\x00"]), Reply::bulk(value));
    assert_eq!(s.cmd(&[b"GET", b"k"]), Reply::Null);
    assert_eq!(s.cmd(&[b"STRLEN", b"k\x00"]), int(6));
    assert_eq!(s.cmd(&[b"SET", b"", b""]), Reply::ok());
    assert_eq!(s.cmd(&[b"GET", b""]), bulk(""));
}

#[test]
fn set_conditions_and_get_option() {
    let mut s = Session::new();
    assert_eq!(s.run("SET k a NX"), Reply::ok());
    assert_eq!(s.run("SET k b NX"), Reply::Null);
    assert_eq!(s.run("SET k c XX GET"), bulk("a"));
    assert_eq!(s.run("SET k d NX GET"), bulk("c"));
    assert_eq!(s.run("GET k"), bulk("c"));
    assert_eq!(s.run("SET other x XX GET"), Reply::Null);
    assert_eq!(s.run("GET other"), Reply::Null);
    assert_eq!(s.run("SET k e NX XX"), err("ERR syntax error"));
    assert_eq!(s.run("SETNX k z"), int(0));
    assert_eq!(s.run("SETNX fresh z"), int(1));
    assert_eq!(
        s.cmd(&[b"SET", b"k", b"v", b"NX\x00ignored"]),
        Reply::Null,
        "options are read as C strings"
    );
}

#[test]
fn set_validates_expire_times() {
    let mut s = Session::new();
    let invalid = err("ERR invalid expire time in 'set' command");
    for line in [
        "SET k v EX 0",
        "SET k v PX -1",
        "SET k v EXAT 0",
        "SET k v EX 9223372036854775",
        "SET k v PX 9223372036854775807",
        "SET k v EXAT 9223372036854776",
    ] {
        assert_eq!(s.run(line), invalid, "{line}");
    }
    assert_eq!(
        s.run("SET k v EX 1.5"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(s.run("SET k v EX 10 PX 10"), err("ERR syntax error"));
    assert_eq!(s.run("SET k v KEEPTTL EX 10"), err("ERR syntax error"));
    assert_eq!(s.run("SET k v EX"), err("ERR syntax error"));
    assert_eq!(
        s.run("SETEX k 0 v"),
        err("ERR invalid expire time in 'setex' command")
    );
    assert_eq!(
        s.run("PSETEX k -5 v"),
        err("ERR invalid expire time in 'psetex' command")
    );
    assert_eq!(
        s.run("GETEX k EX 0"),
        Reply::Null,
        "a missing key answers before the time is checked"
    );
    s.run("SET k v");
    assert_eq!(
        s.run("GETEX k EX 0"),
        err("ERR invalid expire time in 'getex' command")
    );
    assert_eq!(s.run("GET k"), bulk("v"), "failed commands change nothing");
}

#[test]
fn keys_expire_as_time_passes() {
    let mut s = Session::new();
    s.run("SET a 1 PX 100");
    s.run("SET b 1 EX 1");
    s.run("SET c 1 PX 100");
    s.run("SET c 2 KEEPTTL");
    s.run("SET d 1 PX 100");
    s.run("SET d 2");
    s.run("SETEX e 1 v");
    s.run("SET f v PX 100");
    s.run("GETEX f PERSIST");
    s.run("SET g 10 PX 100");
    s.run("INCRBY g 5");
    // As in Redis, a key still exists at its deadline and is gone one millisecond later.
    s.sleep(100);
    assert_eq!(s.run("GET a"), bulk("1"));
    s.sleep(1);
    assert_eq!(s.run("GET a"), Reply::Null);
    assert_eq!(s.run("GET b"), bulk("1"));
    assert_eq!(s.run("GET c"), Reply::Null);
    assert_eq!(s.run("GET d"), bulk("2"));
    assert_eq!(s.run("GET f"), bulk("v"));
    assert_eq!(s.run("GET g"), Reply::Null);
    s.sleep(900);
    assert_eq!(s.run("GET b"), Reply::Null);
    assert_eq!(s.run("GET e"), Reply::Null);
}

#[test]
fn absolute_times_in_the_past() {
    let mut s = Session::new();
    assert_eq!(s.run("SET k v PXAT 1"), Reply::ok());
    assert_eq!(s.run("GET k"), Reply::Null);
    s.run("SET k v");
    assert_eq!(s.run("SET k w EXAT 1 GET"), bulk("v"));
    assert_eq!(s.run("GET k"), Reply::Null);
    s.run("SET k v");
    assert_eq!(s.run("GETEX k PXAT 1"), bulk("v"));
    assert_eq!(s.run("GETEX k"), Reply::Null);
    let soon = (T0 + 50).to_string();
    s.run("SET k v");
    assert_eq!(s.run(&format!("GETEX k PXAT {soon}")), bulk("v"));
    s.sleep(51);
    assert_eq!(s.run("GET k"), Reply::Null);
}

#[test]
fn getdel_getset_mget_mset() {
    let mut s = Session::new();
    assert_eq!(s.run("GETSET k a"), Reply::Null);
    assert_eq!(s.run("GETSET k b"), bulk("a"));
    assert_eq!(s.run("GETDEL k"), bulk("b"));
    assert_eq!(s.run("GETDEL k"), Reply::Null);
    assert_eq!(s.run("MSET a 1 b 2 a 3"), Reply::ok());
    assert_eq!(
        s.run("MGET a b c"),
        Reply::Array(vec![bulk("3"), bulk("2"), Reply::Null])
    );
    assert_eq!(
        s.run("MSET a 1 b"),
        err("ERR wrong number of arguments for 'mset' command")
    );
    assert_eq!(
        s.run("MSETNX x 1 y"),
        err("ERR wrong number of arguments for 'msetnx' command")
    );
    assert_eq!(s.run("MSETNX x 1 a 2"), int(0));
    assert_eq!(s.run("GET x"), Reply::Null);
    assert_eq!(s.run("MSETNX x 1 y 2"), int(1));
}

#[test]
fn append_setrange_getrange() {
    let mut s = Session::new();
    assert_eq!(s.run("APPEND k Hello"), int(5));
    assert_eq!(s.run("APPEND k ,World"), int(11));
    assert_eq!(s.run("GETRANGE k 0 4"), bulk("Hello"));
    assert_eq!(s.run("GETRANGE k -5 -1"), bulk("World"));
    assert_eq!(s.run("GETRANGE k 5 1"), bulk(""));
    assert_eq!(s.run("GETRANGE k -1 -5"), bulk(""));
    assert_eq!(s.run("SUBSTR k 0 100"), bulk("Hello,World"));
    assert_eq!(s.run("SETRANGE k 13 !"), int(14));
    assert_eq!(s.run("GET k"), Reply::bulk(b"Hello,World\0\0!"));
    assert_eq!(s.run("SETRANGE k -1 x"), err("ERR offset is out of range"));
    assert_eq!(
        s.run("SETRANGE k 536870912 x"),
        err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
    assert_eq!(
        s.run("SETRANGE k 9223372036854775807 x"),
        err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
    assert_eq!(s.cmd(&[b"SETRANGE", b"new", b"5", b""]), int(0));
    assert_eq!(s.run("GET new"), Reply::Null);
    assert_eq!(s.run("SET n 12345"), Reply::ok());
    assert_eq!(s.run("SETRANGE n 1 x"), int(5));
    assert_eq!(s.run("GET n"), bulk("1x345"));
}

#[test]
fn integer_counters() {
    let mut s = Session::new();
    assert_eq!(s.run("INCR c"), int(1));
    assert_eq!(s.run("INCRBY c 41"), int(42));
    assert_eq!(s.run("DECRBY c 50"), int(-8));
    assert_eq!(s.run("DECR c"), int(-9));
    s.run("SET c 9223372036854775807");
    assert_eq!(
        s.run("INCR c"),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(s.run("GET c"), bulk("9223372036854775807"));
    s.run("SET c -9223372036854775808");
    assert_eq!(
        s.run("DECR c"),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(
        s.run("DECRBY c -9223372036854775808"),
        err("ERR decrement would overflow")
    );
    for bad in ["abc", "1.0", " 1", "01", "", "12345678901234567890"] {
        s.cmd(&[b"SET", b"c", bad.as_bytes()]);
        assert_eq!(
            s.run("INCR c"),
            err("ERR value is not an integer or out of range"),
            "{bad:?}"
        );
    }
}

#[test]
fn incrbyfloat_uses_long_double_precision() {
    let mut s = Session::new();
    let cases = [
        ("a", "10.5", "10.5"),
        ("a", "0.1", "10.6"),
        ("a", "-5", "5.6"),
        ("b", "0.1", "0.1"),
        ("b", "1.1", "1.2"),
        ("c", "5.0e3", "5000"),
        ("c", "2.0e2", "5200"),
        ("d", "3", "3"),
        ("e", "0x1p3", "8"),
        ("f", "0.000003814697265625", "0.00000381469726562"),
        ("g", "-0.00000000000000000001", "0"),
        ("h", "1.23456789012345678901234567", "1.23456789012345679"),
    ];
    for (key, by, want) in cases {
        assert_eq!(
            s.run(&format!("INCRBYFLOAT {key} {by}")),
            bulk(want),
            "{key} += {by}"
        );
    }
    let not_float = err("ERR value is not a valid float");
    for bad in ["abc", "nan", " 1", "1 ", "1e", "1e5000", "1e-5000", ""] {
        assert_eq!(
            s.cmd(&[b"INCRBYFLOAT", b"x", bad.as_bytes()]),
            not_float,
            "{bad:?}"
        );
    }
    let not_finite = err("ERR increment would produce NaN or Infinity");
    assert_eq!(s.run("INCRBYFLOAT x inf"), not_finite);
    s.run("INCRBYFLOAT big 1.18e4932");
    assert_eq!(s.run("INCRBYFLOAT big 1.18e4932"), not_finite);
    let Reply::Bulk(huge) = s.run("INCRBYFLOAT y 1e400") else {
        panic!("bulk reply expected");
    };
    assert_eq!(huge.len(), 401);
    assert!(huge.starts_with(b"10000000000000000000281880683947586514586453433629"));
}

fn encode(reply: &Reply, proto: Protocol) -> String {
    String::from_utf8(reply.encode(proto)).unwrap()
}

#[test]
fn lcs_replies_in_both_protocols() {
    let mut s = Session::new();
    s.run("MSET a ohmytext b mynewtext");
    assert_eq!(s.run("LCS a b"), bulk("mytext"));
    assert_eq!(s.run("LCS a b LEN"), int(6));
    let idx = s.run("LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN");
    assert_eq!(
        encode(&idx, Protocol::Resp2),
        "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_eq!(
        encode(&idx, Protocol::Resp3),
        "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"
    );
    let all = s.run("LCS a b IDX");
    assert_eq!(
        encode(&all, Protocol::Resp2),
        "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_eq!(
        s.run("LCS a b LEN IDX"),
        err("ERR If you want both the length and indexes, please just use IDX.")
    );
    assert_eq!(s.run("LCS a b MINMATCHLEN"), err("ERR syntax error"));
    assert_eq!(s.run("LCS a missing"), bulk(""));
}

#[test]
fn wrong_arity_is_reported_with_the_command_name() {
    let mut s = Session::new();
    for (line, name) in [
        ("GET", "get"),
        ("SET k", "set"),
        ("GETEX", "getex"),
        ("INCRBY k", "incrby"),
        ("LCS k", "lcs"),
        ("SUBSTR k 0", "substr"),
    ] {
        assert_eq!(
            s.run(line),
            err(&format!(
                "ERR wrong number of arguments for '{name}' command"
            ))
        );
    }
}

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

#[test]
fn arbitrary_arguments_never_panic() {
    const COMMANDS: &[&str] = &[
        "SET",
        "SETNX",
        "SETEX",
        "PSETEX",
        "GET",
        "GETDEL",
        "GETEX",
        "GETSET",
        "MGET",
        "MSET",
        "MSETNX",
        "APPEND",
        "STRLEN",
        "GETRANGE",
        "SUBSTR",
        "SETRANGE",
        "INCR",
        "DECR",
        "INCRBY",
        "DECRBY",
        "INCRBYFLOAT",
        "LCS",
    ];
    const WORDS: &[&str] = &[
        "k",
        "k2",
        "",
        "0",
        "1",
        "-1",
        "7",
        "100",
        "-100",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "1.5",
        "1e400",
        "-1e400",
        "inf",
        "nan",
        "0x1p-16445",
        "1e-4950",
        "NX",
        "XX",
        "GET",
        "EX",
        "PX",
        "EXAT",
        "PXAT",
        "KEEPTTL",
        "PERSIST",
        "IDX",
        "LEN",
        "MINMATCHLEN",
        "WITHMATCHLEN",
        "abc",
        "\u{0}",
        "\u{ff}",
        "1.18e4932",
    ];
    let mut s = Session::new();
    let mut rng = Lcg(7);
    for _ in 0..20_000 {
        let mut argv: Vec<&[u8]> = vec![COMMANDS[rng.next(COMMANDS.len())].as_bytes()];
        for _ in 0..rng.next(7) {
            argv.push(WORDS[rng.next(WORDS.len())].as_bytes());
        }
        s.cmd(&argv);
        s.sleep(rng.next(3) as u64);
    }
}
