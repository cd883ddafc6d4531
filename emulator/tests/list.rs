//! List commands through the public engine API: replies in both protocols, deletion of
//! emptied lists, the quicklist layout as memory shows it, events and statistics.

use emulator::{Protocol, Reply};

mod common;

use common::{bulk, err, int, Session, T0};

impl Session {
    /// The reply's bytes in the client's protocol.
    fn wire(&mut self, line: &str) -> String {
        let reply = self.run(line);
        String::from_utf8_lossy(&reply.encode(self.server.protocol(self.client))).into_owned()
    }

    fn strings(&mut self, line: &str) -> Vec<String> {
        match self.run(line) {
            Reply::Array(items) => items
                .into_iter()
                .map(|r| match r {
                    Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
                    other => panic!("{line}: {other:?}"),
                })
                .collect(),
            other => panic!("{line}: {other:?}"),
        }
    }

    fn int(&mut self, line: &str) -> i64 {
        match self.run(line) {
            Reply::Integer(n) => n,
            other => panic!("{line}: {other:?}"),
        }
    }
}

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

#[test]
fn pushes_and_pops_at_both_ends() {
    let mut s = Session::new();
    assert_eq!(s.run("LPUSH l b a"), int(2));
    assert_eq!(s.run("RPUSH l c d"), int(4));
    assert_eq!(s.strings("LRANGE l 0 -1"), ["a", "b", "c", "d"]);
    assert_eq!(s.run("LPOP l"), bulk("a"));
    assert_eq!(s.run("RPOP l"), bulk("d"));
    assert_eq!(s.run("RPOP l 5"), Reply::Array(vec![bulk("c"), bulk("b")]));
    assert_eq!(s.run("EXISTS l"), int(0));
    assert_eq!(s.run("LPUSHX l x"), int(0));
    assert_eq!(s.run("EXISTS l"), int(0));
    let binary: &[u8] = b"\x00\xff\r\n";
    assert_eq!(s.cmd(&[b"RPUSH", b"bin", binary, b""]), int(2));
    assert_eq!(s.cmd(&[b"LINDEX", b"bin", b"0"]), Reply::bulk(binary));
    assert_eq!(s.cmd(&[b"LINDEX", b"bin", b"-1"]), bulk(""));
}

#[test]
fn null_shapes_follow_the_protocol() {
    let mut s = Session::new();
    assert_eq!(s.wire("LPOP nokey"), "$-1\r\n");
    assert_eq!(s.wire("LPOP nokey 1"), "*-1\r\n");
    assert_eq!(s.wire("LMPOP 1 nokey LEFT"), "*-1\r\n");
    assert_eq!(s.wire("LPOS nokey a"), "$-1\r\n");
    assert_eq!(s.wire("LPOS nokey a COUNT 0"), "*0\r\n");
    s.run("HELLO 3");
    assert_eq!(s.wire("LPOP nokey"), "_\r\n");
    assert_eq!(s.wire("LPOP nokey 1"), "_\r\n");
    assert_eq!(s.wire("LINDEX nokey 0"), "_\r\n");
    assert_eq!(s.wire("RPOPLPUSH nokey other"), "_\r\n");
    s.run("RPUSH l a");
    assert_eq!(s.wire("LPOP l 0"), "*0\r\n");
}

#[test]
fn errors_are_checked_in_redis_order() {
    let mut s = Session::new();
    s.run("SET str v");
    // Arguments before the key for LRANGE, LTRIM, LREM; the key first for LINDEX and LSET.
    assert_eq!(
        s.run("LRANGE str a 1"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(s.run("LINDEX str a"), err(WRONGTYPE));
    assert_eq!(s.run("LINDEX nokey a"), Reply::Null);
    assert_eq!(s.run("LSET nokey a x"), err("ERR no such key"));
    assert_eq!(s.run("LSET str a x"), err(WRONGTYPE));
    assert_eq!(
        s.run("LPOP str -1"),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(s.run("LPOP str 0"), err(WRONGTYPE));
    assert_eq!(
        s.run("LPOP str 1 2"),
        err("ERR wrong number of arguments for 'lpop' command")
    );
    assert_eq!(s.run("BLPOP str -1"), err("ERR timeout is negative"));
    assert_eq!(s.run("BLPOP str 1"), err(WRONGTYPE));
    assert_eq!(
        s.run("BLMPOP x 0 str LEFT"),
        err("ERR numkeys should be greater than 0")
    );
    assert_eq!(s.run("LMOVE nokey str LEFT LEFT"), Reply::Null);
    s.run("RPUSH src a");
    assert_eq!(s.run("LMOVE src str LEFT LEFT"), err(WRONGTYPE));
    assert_eq!(s.strings("LRANGE src 0 -1"), ["a"]);
}

#[test]
fn linsert_lrem_ltrim_and_lpos() {
    let mut s = Session::new();
    s.run("RPUSH l a b c b a");
    assert_eq!(s.run("LINSERT l BEFORE b x"), int(6));
    assert_eq!(s.run("LINSERT l AFTER a y"), int(7));
    assert_eq!(s.run("LINSERT l AFTER z y"), int(-1));
    assert_eq!(
        s.strings("LRANGE l 0 -1"),
        ["a", "y", "x", "b", "c", "b", "a"]
    );
    assert_eq!(s.run("LPOS l b"), int(3));
    assert_eq!(s.run("LPOS l b RANK -1"), int(5));
    assert_eq!(
        s.run("LPOS l a COUNT 0"),
        Reply::Array(vec![int(0), int(6)])
    );
    assert_eq!(s.run("LREM l -1 b"), int(1));
    assert_eq!(s.strings("LRANGE l 0 -1"), ["a", "y", "x", "b", "c", "a"]);
    assert_eq!(s.run("LTRIM l 1 -2"), Reply::ok());
    assert_eq!(s.strings("LRANGE l 0 -1"), ["y", "x", "b", "c"]);
    assert_eq!(s.run("LREM l 0 x"), int(1));
    assert_eq!(s.run("LTRIM l 10 20"), Reply::ok());
    assert_eq!(s.run("EXISTS l"), int(0));
}

#[test]
fn long_lists_keep_order_across_nodes() {
    let mut s = Session::new();
    for i in 0..3000 {
        let end = if i % 2 == 0 { "RPUSH" } else { "LPUSH" };
        s.run(&format!("{end} l e{i}"));
    }
    assert_eq!(s.int("LLEN l"), 3000);
    // Odd elements were pushed on the left: the head is the last odd one.
    assert_eq!(s.run("LINDEX l 0"), bulk("e2999"));
    assert_eq!(s.run("LINDEX l 1499"), bulk("e1"));
    assert_eq!(s.run("LINDEX l 1500"), bulk("e0"));
    assert_eq!(s.run("LINDEX l -1"), bulk("e2998"));
    assert_eq!(s.strings("LRANGE l 1498 1501"), ["e3", "e1", "e0", "e2"]);
    assert_eq!(s.run("LSET l 1500 middle"), Reply::ok());
    assert_eq!(s.run("LINSERT l AFTER middle next"), int(3001));
    assert_eq!(s.strings("LRANGE l 1500 1501"), ["middle", "next"]);
    assert_eq!(s.run("LPOS l next"), int(1501));
    assert_eq!(s.run("LTRIM l 1000 1999"), Reply::ok());
    assert_eq!(s.int("LLEN l"), 1000);
    assert_eq!(s.run("LINDEX l 500"), bulk("middle"));
    let popped = match s.run("RPOP l 1000") {
        Reply::Array(items) => items.len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(popped, 1000);
    assert_eq!(s.run("EXISTS l"), int(0));
}

#[test]
fn memory_follows_the_quicklist_layout() {
    // Figures from Redis 7.0.15 (MEMORY USAGE ... SAMPLES 0).
    let mut s = Session::new();
    s.run("RPUSH one a");
    assert_eq!(s.int("MEMORY USAGE one"), 144);
    for i in 1..=2000 {
        s.run(&format!("RPUSH big element-{i}"));
    }
    assert_eq!(s.int("MEMORY USAGE big SAMPLES 0"), 27384);
    s.run("CONFIG SET list-max-listpack-size 4");
    s.run("RPUSH small a b c d e f g h i j");
    for pivot in ["c", "e", "g", "a", "j"] {
        s.run(&format!("LINSERT small AFTER {pivot} x{pivot}"));
        s.run(&format!("LINSERT small BEFORE {pivot} y{pivot}"));
    }
    assert_eq!(
        s.strings("LRANGE small 0 -1").join(" "),
        "ya a xa b yc c xc d ye e xe f yg g xg h i yj j xj"
    );
    assert_eq!(s.int("MEMORY USAGE small SAMPLES 0"), 488);
    assert_eq!(s.run("LREM small 0 xc"), int(1));
    assert_eq!(s.int("MEMORY USAGE small SAMPLES 0"), 488);
    s.run("LTRIM small 2 -3");
    assert_eq!(s.int("MEMORY USAGE small SAMPLES 0"), 376);
    assert_eq!(s.run("OBJECT ENCODING small"), bulk("quicklist"));
}

#[test]
fn writes_publish_keyspace_events() {
    let mut s = Session::new();
    let listener = s.server.connect(T0);
    s.run("CONFIG SET notify-keyspace-events Elgn");
    s.server
        .execute(listener, vec![b"PSUBSCRIBE".to_vec(), b"*".to_vec()], T0);
    for line in [
        "LPUSH src a",
        "LMOVE src dst LEFT RIGHT",
        "LINSERT dst BEFORE a b",
        "LSET dst 0 c",
        "LREM dst 0 zz",
        "LREM dst 1 c",
        "LTRIM dst 0 -1",
        "RPOP dst",
    ] {
        s.run(line);
    }
    let events: Vec<String> = s
        .server
        .take_outbound(listener)
        .into_iter()
        .filter_map(|r| match r {
            Reply::Array(items) | Reply::Push(items) => match (items.get(2), items.get(3)) {
                (Some(Reply::Bulk(channel)), Some(Reply::Bulk(key))) => Some(format!(
                    "{} {}",
                    String::from_utf8_lossy(channel).rsplit(':').next().unwrap(),
                    String::from_utf8_lossy(key)
                )),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(
        events,
        [
            "new src",
            "lpush src",
            "new dst",
            "rpush dst",
            "lpop src",
            "del src",
            "linsert dst",
            "lset dst",
            "lrem dst",
            "ltrim dst",
            "rpop dst",
            "del dst"
        ]
    );
}

#[test]
fn changes_are_counted_as_redis_counts_them() {
    let mut s = Session::new();
    let dirty = |s: &mut Session| -> i64 {
        let text = match s.run("INFO persistence") {
            Reply::Bulk(t) | Reply::Verbatim(_, t) => String::from_utf8(t).unwrap(),
            other => panic!("{other:?}"),
        };
        text.lines()
            .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
            .unwrap()
            .parse()
            .unwrap()
    };
    let base = dirty(&mut s);
    s.run("RPUSH l a b c d e");
    assert_eq!(dirty(&mut s) - base, 5);
    s.run("LTRIM l 1 -2");
    assert_eq!(dirty(&mut s) - base, 7);
    s.run("LPOP l 2");
    assert_eq!(dirty(&mut s) - base, 9);
    s.run("LREM l 0 nothere");
    s.run("LINSERT l BEFORE nothere x");
    assert_eq!(dirty(&mut s) - base, 9);
    s.run("LMOVE l l LEFT RIGHT");
    assert_eq!(dirty(&mut s) - base, 10);
}

#[test]
fn type_and_encoding() {
    let mut s = Session::new();
    s.run("RPUSH l a");
    assert_eq!(s.run("TYPE l"), Reply::simple("list"));
    assert_eq!(s.run("OBJECT ENCODING l"), bulk("quicklist"));
    assert_eq!(s.server.protocol(s.client), Protocol::Resp2);
}
