//! Generic key commands for random runs: existence, deletion, renaming, expiry.

use super::{far_future, key, long_ttl, words, Check, Rng, Template};

pub(super) const TEMPLATES: &[Template] = &[
    Template::new("del", 4, Check::Exact, del),
    Template::new("unlink", 1, Check::Exact, unlink),
    Template::new("exists", 4, Check::Exact, exists),
    Template::new("touch", 1, Check::Exact, touch),
    Template::new("type", 3, Check::Exact, type_of),
    Template::new("rename", 2, Check::Exact, rename),
    Template::new("renamenx", 1, Check::Exact, renamenx),
    Template::new("copy", 1, Check::Exact, copy),
    Template::new("expire", 3, Check::Exact, expire),
    Template::new("pexpire", 2, Check::Exact, pexpire),
    Template::new("expireat", 2, Check::Exact, expireat),
    Template::new("pexpireat", 2, Check::Exact, pexpireat),
    Template::new("persist", 2, Check::Exact, persist),
    // Read at slightly different instants on the two servers.
    Template::new("ttl", 3, Check::Within(1), ttl),
    Template::new("pttl", 2, Check::Within(1000), pttl),
    Template::new("expiretime", 1, Check::Within(1), expiretime),
    Template::new("pexpiretime", 1, Check::Within(1000), pexpiretime),
    Template::new("dbsize", 1, Check::Exact, dbsize),
    Template::new("keys", 1, Check::Unordered, keys),
    Template::new("object|encoding", 2, Check::Exact, object_encoding),
];

fn some_keys(command: &str, rng: &mut Rng, max: u64) -> Vec<Vec<u8>> {
    let mut argv = words(&[command]);
    for _ in 0..1 + rng.below(max) {
        argv.push(key(rng));
    }
    argv
}

fn with_key(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![command.as_bytes().to_vec(), key(rng)]
}

fn del(rng: &mut Rng) -> Vec<Vec<u8>> {
    some_keys("DEL", rng, 3)
}

fn unlink(rng: &mut Rng) -> Vec<Vec<u8>> {
    some_keys("UNLINK", rng, 3)
}

fn exists(rng: &mut Rng) -> Vec<Vec<u8>> {
    some_keys("EXISTS", rng, 4)
}

fn touch(rng: &mut Rng) -> Vec<Vec<u8>> {
    some_keys("TOUCH", rng, 3)
}

fn type_of(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("TYPE", rng)
}

fn rename(rng: &mut Rng) -> Vec<Vec<u8>> {
    some_keys_exactly("RENAME", rng, 2)
}

fn renamenx(rng: &mut Rng) -> Vec<Vec<u8>> {
    some_keys_exactly("RENAMENX", rng, 2)
}

fn copy(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = some_keys_exactly("COPY", rng, 2);
    if rng.chance(40) {
        argv.push(b"REPLACE".to_vec());
    }
    argv
}

fn some_keys_exactly(command: &str, rng: &mut Rng, count: usize) -> Vec<Vec<u8>> {
    let mut argv = words(&[command]);
    for _ in 0..count {
        argv.push(key(rng));
    }
    argv
}

/// EXPIRE's NX/XX/GT/LT flags: usually none, sometimes one, rarely two (mostly an error).
fn expire_flags(rng: &mut Rng, argv: &mut Vec<Vec<u8>>) {
    let count = match rng.below(10) {
        0..=5 => 0,
        6..=8 => 1,
        _ => 2,
    };
    for _ in 0..count {
        argv.push(rng.pick(&[&b"NX"[..], b"XX", b"GT", b"LT", b"gt"]).to_vec());
    }
}

/// A relative TTL: long, or (rarely) zero or negative, which deletes the key at once.
fn relative(rng: &mut Rng, unit: u64) -> Vec<u8> {
    match rng.below(20) {
        0 => b"0".to_vec(),
        1 => b"-10".to_vec(),
        2 => b"abc".to_vec(),
        _ => long_ttl(rng, unit),
    }
}

/// An absolute time: far in the future, or (rarely) in the past, which deletes the key.
fn absolute(rng: &mut Rng, unit: u64) -> Vec<u8> {
    match rng.below(20) {
        0 => (1 + rng.below(1000)).to_string().into_bytes(),
        1 => b"-1".to_vec(),
        _ => far_future(rng, unit),
    }
}

fn expire(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("EXPIRE", rng);
    argv.push(relative(rng, 1));
    expire_flags(rng, &mut argv);
    argv
}

fn pexpire(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("PEXPIRE", rng);
    argv.push(relative(rng, 1000));
    expire_flags(rng, &mut argv);
    argv
}

fn expireat(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("EXPIREAT", rng);
    argv.push(absolute(rng, 1));
    expire_flags(rng, &mut argv);
    argv
}

fn pexpireat(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("PEXPIREAT", rng);
    argv.push(absolute(rng, 1000));
    expire_flags(rng, &mut argv);
    argv
}

fn persist(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("PERSIST", rng)
}

fn ttl(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("TTL", rng)
}

fn pttl(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("PTTL", rng)
}

fn expiretime(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("EXPIRETIME", rng)
}

fn pexpiretime(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("PEXPIRETIME", rng)
}

fn dbsize(_rng: &mut Rng) -> Vec<Vec<u8>> {
    words(&["DBSIZE"])
}

fn keys(rng: &mut Rng) -> Vec<Vec<u8>> {
    let pattern = rng.pick(&["*", "k*", "k[0-2]", "?1", "bin*", "nomatch"]);
    words(&["KEYS", pattern])
}

fn object_encoding(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["OBJECT", "ENCODING"]);
    argv.push(key(rng));
    argv
}
