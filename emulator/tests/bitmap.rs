//! Bitmap commands driven through the public engine API, as a host would.

use emulator::Reply;

mod common;

use common::{err, int, Session};

fn ints(values: &[i64]) -> Reply {
    Reply::Array(values.iter().map(|&n| int(n)).collect())
}

const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";

#[test]
fn setbit_and_getbit() {
    let mut s = Session::new();
    assert_eq!(s.run("SETBIT k 7 1"), int(0));
    assert_eq!(s.run("GET k"), Reply::bulk(b"\x01"));
    assert_eq!(s.run("SETBIT k 7 0"), int(1));
    assert_eq!(s.run("SETBIT k 9 1"), int(0));
    assert_eq!(s.run("GET k"), Reply::bulk(b"\x00\x40"));
    assert_eq!(s.run("GETBIT k 9"), int(1));
    assert_eq!(s.run("GETBIT k 4294967295"), int(0));
    assert_eq!(s.run("GETBIT missing 3"), int(0));
    assert_eq!(s.run("GETBIT k 4294967296"), err(BAD_OFFSET));
    assert_eq!(s.run("SETBIT k -1 1"), err(BAD_OFFSET));
    assert_eq!(
        s.run("SETBIT k 0 2"),
        err("ERR bit is not an integer or out of range")
    );
    // Integers are bitmaps of their decimal digits.
    s.run("SET n 42");
    assert_eq!(s.run("GETBIT n 2"), int(1));
    assert_eq!(s.run("SETBIT n 7 1"), int(0));
    assert_eq!(s.run("GET n"), Reply::bulk("52"));
}

#[test]
fn bitcount_ranges() {
    let mut s = Session::new();
    s.run("SET k foobar");
    assert_eq!(s.run("BITCOUNT k"), int(26));
    assert_eq!(s.run("BITCOUNT k 1 1"), int(6));
    assert_eq!(s.run("BITCOUNT k -2 -1"), int(7));
    assert_eq!(s.run("BITCOUNT k 5 30 BIT"), int(17));
    assert_eq!(s.run("BITCOUNT k 1 6 BIT"), int(4));
    assert_eq!(s.run("BITCOUNT k -1 -2 WHATEVER"), int(0));
    assert_eq!(s.run("BITCOUNT k 0"), err("ERR syntax error"));
    assert_eq!(s.run("BITCOUNT missing 0"), int(0));
}

#[test]
fn bitpos_ranges() {
    let mut s = Session::new();
    s.cmd(&[b"SET", b"k", b"\xff\xf0\x00"]);
    assert_eq!(s.run("BITPOS k 0"), int(12));
    assert_eq!(s.run("BITPOS k 1 2"), int(-1));
    assert_eq!(s.cmd(&[b"SET", b"k", b"\xff\xff\xff"]), Reply::ok());
    assert_eq!(s.run("BITPOS k 0"), int(24), "zero padding past the end");
    assert_eq!(
        s.run("BITPOS k 0 0 -1"),
        int(-1),
        "but not with an explicit end"
    );
    s.cmd(&[b"SET", b"k", b"\x00\xff\xf0"]);
    assert_eq!(s.run("BITPOS k 1 7 15 BIT"), int(8));
    assert_eq!(s.run("BITPOS k 0 8 20 BIT"), int(20));
    assert_eq!(s.run("BITPOS k 1 -5 -1 BIT"), int(19));
    assert_eq!(
        s.run("BITPOS k 2"),
        err("ERR The bit argument must be 1 or 0.")
    );
    assert_eq!(s.run("BITPOS missing 1 junk"), int(-1));
    assert_eq!(s.run("BITPOS missing 0"), int(0));
}

#[test]
fn bitop_operations() {
    let mut s = Session::new();
    s.cmd(&[b"SET", b"a", b"\xff\x0f"]);
    s.cmd(&[b"SET", b"b", b"\xf0"]);
    assert_eq!(s.run("BITOP AND d a b"), int(2));
    assert_eq!(s.run("GET d"), Reply::bulk(b"\xf0\x00"));
    assert_eq!(s.run("BITOP OR d a b"), int(2));
    assert_eq!(s.run("GET d"), Reply::bulk(b"\xff\x0f"));
    assert_eq!(s.run("BITOP XOR d a b"), int(2));
    assert_eq!(s.run("GET d"), Reply::bulk(b"\x0f\x0f"));
    assert_eq!(s.run("BITOP NOT d a"), int(2));
    assert_eq!(s.run("GET d"), Reply::bulk(b"\x00\xf0"));
    assert_eq!(
        s.run("BITOP NOT d a b"),
        err("ERR BITOP NOT must be called with a single source key.")
    );
    assert_eq!(s.run("BITOP NAND d a b"), err("ERR syntax error"));
    assert_eq!(s.run("BITOP AND d x y"), int(0));
    assert_eq!(
        s.run("GET d"),
        Reply::Null,
        "an empty result deletes the target"
    );
}

#[test]
fn bitfield_operations() {
    let mut s = Session::new();
    let nil_then = |values: &[Option<i64>]| {
        Reply::Array(values.iter().map(|v| v.map_or(Reply::Null, int)).collect())
    };
    for expected in [[1, 1], [2, 2], [3, 3], [0, 3]] {
        assert_eq!(
            s.run("BITFIELD k INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1"),
            ints(&expected)
        );
    }
    assert_eq!(
        s.run("BITFIELD f OVERFLOW FAIL INCRBY u2 0 5 INCRBY u2 0 3"),
        nil_then(&[None, Some(3)])
    );
    assert_eq!(
        s.run("BITFIELD w SET i8 #1 100 GET i8 #1 GET u16 #0"),
        ints(&[0, 100, 100])
    );
    assert_eq!(
        s.run("BITFIELD w SET i64 0 9223372036854775807 INCRBY i64 0 1"),
        ints(&[100 << 48, i64::MIN])
    );
    assert_eq!(
        s.run("BITFIELD w OVERFLOW SAT SET u8 0 -1 GET u8 0"),
        ints(&[128, 255])
    );
    assert_eq!(
        s.run("BITFIELD w GET u64 0"),
        err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
    );
    assert_eq!(s.run("BITFIELD w GET u8 #536870912"), err(BAD_OFFSET));
    assert_eq!(
        s.run("BITFIELD w OVERFLOW MAYBE"),
        err("ERR Invalid OVERFLOW type specified")
    );
    assert_eq!(s.run("BITFIELD_RO w GET u8 0"), ints(&[255]));
    assert_eq!(
        s.run("BITFIELD_RO w SET u8 0 1"),
        err("ERR BITFIELD_RO only supports the GET subcommand")
    );
    assert_eq!(s.run("BITFIELD_RO nothing GET u8 0"), ints(&[0]));
    assert_eq!(s.run("GET nothing"), Reply::Null, "reads create nothing");
}

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
        "SETBIT",
        "GETBIT",
        "BITCOUNT",
        "BITPOS",
        "BITOP",
        "BITFIELD",
        "BITFIELD_RO",
    ];
    // Offsets stay small (or invalid): valid huge ones would allocate 512 MB as in Redis.
    const WORDS: &[&str] = &[
        "k",
        "k2",
        "",
        "0",
        "1",
        "-1",
        "7",
        "63",
        "64",
        "100",
        "-100",
        "9223372036854775807",
        "-9223372036854775808",
        "4294967296",
        "#-1",
        "#3",
        "#",
        "AND",
        "OR",
        "XOR",
        "NOT",
        "BIT",
        "BYTE",
        "GET",
        "SET",
        "INCRBY",
        "OVERFLOW",
        "WRAP",
        "SAT",
        "FAIL",
        "i1",
        "i8",
        "i64",
        "u1",
        "u8",
        "u63",
        "u64",
        "i0",
        "abc",
        "\u{0}",
    ];
    let mut s = Session::new();
    let mut rng = Lcg(11);
    for _ in 0..20_000 {
        let mut argv: Vec<&[u8]> = vec![COMMANDS[rng.next(COMMANDS.len())].as_bytes()];
        for _ in 0..rng.next(9) {
            argv.push(WORDS[rng.next(WORDS.len())].as_bytes());
        }
        s.cmd(&argv);
    }
}
