//! Hash commands for random runs. Fields come from a small pool, so hashes stay small
//! (listpack-encoded, in insertion order) and replies compare exactly. HRANDFIELD is left out:
//! its picks are random.

use super::{integer, key, value, words, Check, Rng, Template};

pub(super) const TEMPLATES: &[Template] = &[
    Template::new("hset", 6, Check::Exact, hset),
    Template::new("hmset", 1, Check::Exact, hmset),
    Template::new("hsetnx", 2, Check::Exact, hsetnx),
    Template::new("hget", 4, Check::Exact, hget),
    Template::new("hmget", 2, Check::Exact, hmget),
    Template::new("hgetall", 3, Check::Exact, hgetall),
    Template::new("hkeys", 1, Check::Exact, hkeys),
    Template::new("hvals", 1, Check::Exact, hvals),
    Template::new("hdel", 3, Check::Exact, hdel),
    Template::new("hexists", 2, Check::Exact, hexists),
    Template::new("hlen", 2, Check::Exact, hlen),
    Template::new("hstrlen", 2, Check::Exact, hstrlen),
    Template::new("hincrby", 3, Check::Exact, hincrby),
    Template::new("hincrbyfloat", 2, Check::Exact, hincrbyfloat),
    Template::new("hscan", 1, Check::Exact, hscan),
];

fn field(rng: &mut Rng) -> Vec<u8> {
    rng.pick(&[&b"f1"[..], b"f2", b"f3", b"n", b"", b"\x00f"])
        .to_vec()
}

fn with_key(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![command.as_bytes().to_vec(), key(rng)]
}

fn pairs(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key(command, rng);
    for _ in 0..1 + rng.below(3) {
        argv.push(field(rng));
        argv.push(value(rng));
    }
    if rng.chance(3) {
        // A field without its value: a wrong number of arguments.
        argv.push(field(rng));
    }
    argv
}

fn hset(rng: &mut Rng) -> Vec<Vec<u8>> {
    pairs("HSET", rng)
}

fn hmset(rng: &mut Rng) -> Vec<Vec<u8>> {
    pairs("HMSET", rng)
}

fn hsetnx(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("HSETNX", rng);
    argv.push(field(rng));
    argv.push(value(rng));
    argv
}

fn with_field(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key(command, rng);
    argv.push(field(rng));
    argv
}

fn hget(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_field("HGET", rng)
}

fn hexists(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_field("HEXISTS", rng)
}

fn hstrlen(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_field("HSTRLEN", rng)
}

fn some_fields(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key(command, rng);
    for _ in 0..1 + rng.below(3) {
        argv.push(field(rng));
    }
    argv
}

fn hmget(rng: &mut Rng) -> Vec<Vec<u8>> {
    some_fields("HMGET", rng)
}

fn hdel(rng: &mut Rng) -> Vec<Vec<u8>> {
    some_fields("HDEL", rng)
}

fn hgetall(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("HGETALL", rng)
}

fn hkeys(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("HKEYS", rng)
}

fn hvals(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("HVALS", rng)
}

fn hlen(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("HLEN", rng)
}

fn hincrby(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_field("HINCRBY", rng);
    argv.push(integer(rng));
    argv
}

fn hincrbyfloat(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_field("HINCRBYFLOAT", rng);
    argv.push(if rng.chance(50) {
        value(rng)
    } else {
        rng.pick(&[&b"0.1"[..], b"-1.5", b"1e3", b"3", b"inf", b"x"])
            .to_vec()
    });
    argv
}

fn hscan(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("HSCAN", rng);
    argv.push(rng.pick(&[&b"0"[..], b"0", b"x"]).to_vec());
    if rng.chance(30) {
        argv.extend(words(&["MATCH", "f*"]));
    }
    if rng.chance(30) {
        argv.push(b"COUNT".to_vec());
        argv.push(integer(rng));
    }
    argv
}
