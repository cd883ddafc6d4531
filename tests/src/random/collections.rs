//! Set, sorted-set and HyperLogLog commands for random runs. Commands whose reply depends on
//! randomness (SPOP, SRANDMEMBER, ZRANDMEMBER) or on hash-table order beyond Redis's control
//! are left out or compared unordered.

use super::{integer, key, Check, Rng, Template};

pub(super) const TEMPLATES: &[Template] = &[
    Template::new("sadd", 8, Check::Exact, sadd),
    Template::new("srem", 3, Check::Exact, srem),
    Template::new("scard", 2, Check::Exact, scard),
    Template::new("sismember", 2, Check::Exact, sismember),
    Template::new("smismember", 1, Check::Exact, smismember),
    Template::new("smembers", 2, Check::Unordered, smembers),
    Template::new("smove", 1, Check::Exact, smove),
    Template::new("sinter", 1, Check::Unordered, sinter),
    Template::new("sintercard", 1, Check::Exact, sintercard),
    Template::new("sunionstore", 1, Check::Exact, sunionstore),
    Template::new("sdiffstore", 1, Check::Exact, sdiffstore),
    Template::new("zadd", 8, Check::Exact, zadd),
    Template::new("zincrby", 3, Check::Exact, zincrby),
    Template::new("zrem", 2, Check::Exact, zrem),
    Template::new("zscore", 2, Check::Exact, zscore),
    Template::new("zrank", 2, Check::Exact, zrank),
    Template::new("zrevrank", 2, Check::Exact, zrevrank),
    Template::new("zcard", 1, Check::Exact, zcard),
    Template::new("zcount", 2, Check::Exact, zcount),
    Template::new("zrange", 4, Check::Exact, zrange),
    Template::new("zrangebyscore", 2, Check::Exact, zrangebyscore),
    Template::new("zremrangebyrank", 1, Check::Exact, zremrangebyrank),
    Template::new("zpopmin", 1, Check::Exact, zpopmin),
    Template::new("zunionstore", 1, Check::Exact, zunionstore),
    Template::new("zinterstore", 1, Check::Exact, zinterstore),
    Template::new("pfadd", 3, Check::Exact, pfadd),
    Template::new("pfcount", 2, Check::Exact, pfcount),
    Template::new("pfmerge", 1, Check::Exact, pfmerge),
];

/// Members: small integers (intset/listpack territory), words, and rarely a long one that
/// forces the hashtable/skiplist encodings.
fn member(rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0..=4 => rng.below(40).to_string().into_bytes(),
        5..=8 => rng
            .pick(&[&b"a"[..], b"b", b"c", b"alice", b"bob", b"", b"\x00z"])
            .to_vec(),
        _ => vec![b'm'; 70],
    }
}

/// A score: integers, decimals, infinities, and occasionally something invalid.
fn score(rng: &mut Rng) -> Vec<u8> {
    match rng.below(12) {
        0 => rng
            .pick(&[&b"+inf"[..], b"-inf", b"1e3", b"-0", b"nan", b"x", b"0.1"])
            .to_vec(),
        1..=3 => format!("{}.5", rng.below(20) as i64 - 10).into_bytes(),
        _ => (rng.below(41) as i64 - 20).to_string().into_bytes(),
    }
}

fn bound(rng: &mut Rng) -> Vec<u8> {
    match rng.below(6) {
        0 => b"-inf".to_vec(),
        1 => b"+inf".to_vec(),
        2 => format!("({}", rng.below(41) as i64 - 20).into_bytes(),
        _ => (rng.below(41) as i64 - 20).to_string().into_bytes(),
    }
}

fn cmd(name: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![name.as_bytes().to_vec(), key(rng)]
}

fn with_members(name: &str, rng: &mut Rng, max: u64) -> Vec<Vec<u8>> {
    let mut argv = cmd(name, rng);
    for _ in 0..=rng.below(max) {
        argv.push(member(rng));
    }
    argv
}

fn with_keys(name: &str, rng: &mut Rng, first: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut argv = vec![name.as_bytes().to_vec()];
    argv.extend(first);
    for _ in 0..=rng.below(2) {
        argv.push(key(rng));
    }
    argv
}

fn sadd(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("SADD", rng, 4)
}
fn srem(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("SREM", rng, 2)
}
fn scard(rng: &mut Rng) -> Vec<Vec<u8>> {
    cmd("SCARD", rng)
}
fn sismember(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("SISMEMBER", rng, 0)
}
fn smismember(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("SMISMEMBER", rng, 3)
}
fn smembers(rng: &mut Rng) -> Vec<Vec<u8>> {
    cmd("SMEMBERS", rng)
}
fn smove(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("SMOVE", rng);
    argv.push(key(rng));
    argv.push(member(rng));
    argv
}
fn sinter(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_keys("SINTER", rng, vec![])
}
fn sintercard(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![b"SINTERCARD".to_vec(), b"2".to_vec(), key(rng), key(rng)];
    if rng.chance(30) {
        argv.push(b"LIMIT".to_vec());
        argv.push(integer(rng));
    }
    argv
}
fn sunionstore(rng: &mut Rng) -> Vec<Vec<u8>> {
    let destination = key(rng);
    with_keys("SUNIONSTORE", rng, vec![destination])
}
fn sdiffstore(rng: &mut Rng) -> Vec<Vec<u8>> {
    let destination = key(rng);
    with_keys("SDIFFSTORE", rng, vec![destination])
}

fn zadd(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("ZADD", rng);
    if rng.chance(25) {
        argv.push(
            rng.pick(&[&b"NX"[..], b"XX", b"GT", b"LT", b"CH", b"INCR"])
                .to_vec(),
        );
    }
    for _ in 0..=rng.below(3) {
        argv.push(score(rng));
        argv.push(member(rng));
    }
    argv
}
fn zincrby(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("ZINCRBY", rng);
    argv.push(score(rng));
    argv.push(member(rng));
    argv
}
fn zrem(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("ZREM", rng, 2)
}
fn zscore(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("ZSCORE", rng, 0)
}
fn zrank(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("ZRANK", rng, 0)
}
fn zrevrank(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("ZREVRANK", rng, 0)
}
fn zcard(rng: &mut Rng) -> Vec<Vec<u8>> {
    cmd("ZCARD", rng)
}
fn zcount(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("ZCOUNT", rng);
    argv.push(bound(rng));
    argv.push(bound(rng));
    argv
}
fn zrange(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("ZRANGE", rng);
    argv.push(integer(rng));
    argv.push(integer(rng));
    if rng.chance(30) {
        argv.push(b"REV".to_vec());
    }
    if rng.chance(50) {
        argv.push(b"WITHSCORES".to_vec());
    }
    argv
}
fn zrangebyscore(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("ZRANGEBYSCORE", rng);
    argv.push(bound(rng));
    argv.push(bound(rng));
    if rng.chance(40) {
        argv.push(b"LIMIT".to_vec());
        argv.push(integer(rng));
        argv.push(integer(rng));
    }
    argv
}
fn zremrangebyrank(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("ZREMRANGEBYRANK", rng);
    argv.push(integer(rng));
    argv.push(integer(rng));
    argv
}
fn zpopmin(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("ZPOPMIN", rng);
    if rng.chance(50) {
        argv.push(rng.below(4).to_string().into_bytes());
    }
    argv
}
fn zunionstore(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![
        b"ZUNIONSTORE".to_vec(),
        key(rng),
        b"2".to_vec(),
        key(rng),
        key(rng),
    ]
}
fn zinterstore(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![
        b"ZINTERSTORE".to_vec(),
        key(rng),
        b"2".to_vec(),
        key(rng),
        key(rng),
    ];
    if rng.chance(30) {
        argv.extend([
            b"AGGREGATE".to_vec(),
            rng.pick(&[&b"SUM"[..], b"MIN", b"MAX"]).to_vec(),
        ]);
    }
    argv
}
fn pfadd(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_members("PFADD", rng, 5)
}
fn pfcount(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_keys("PFCOUNT", rng, vec![])
}
fn pfmerge(rng: &mut Rng) -> Vec<Vec<u8>> {
    let destination = key(rng);
    with_keys("PFMERGE", rng, vec![destination])
}
