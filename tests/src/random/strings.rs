//! String commands for random runs.

use super::{far_future, integer, key, long_ttl, value, words, Check, Rng, Template};

pub(super) const TEMPLATES: &[Template] = &[
    Template::new("set", 12, Check::Exact, set),
    Template::new("get", 10, Check::Exact, get),
    Template::new("setnx", 2, Check::Exact, setnx),
    Template::new("setex", 1, Check::Exact, setex),
    Template::new("psetex", 1, Check::Exact, psetex),
    Template::new("getset", 2, Check::Exact, getset),
    Template::new("getdel", 2, Check::Exact, getdel),
    Template::new("getex", 2, Check::Exact, getex),
    Template::new("mset", 3, Check::Exact, mset),
    Template::new("msetnx", 1, Check::Exact, msetnx),
    Template::new("mget", 3, Check::Exact, mget),
    Template::new("incr", 4, Check::Exact, incr),
    Template::new("decr", 2, Check::Exact, decr),
    Template::new("incrby", 4, Check::Exact, incrby),
    Template::new("decrby", 2, Check::Exact, decrby),
    Template::new("incrbyfloat", 2, Check::Exact, incrbyfloat),
    Template::new("append", 4, Check::Exact, append),
    Template::new("strlen", 3, Check::Exact, strlen),
    Template::new("getrange", 3, Check::Exact, getrange),
    Template::new("substr", 1, Check::Exact, substr),
    Template::new("setrange", 3, Check::Exact, setrange),
];

fn with_key(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![command.as_bytes().to_vec(), key(rng)]
}

/// An expiry option for SET/GETEX, with its argument.
fn expiry_option(rng: &mut Rng) -> Vec<Vec<u8>> {
    match rng.below(5) {
        0 => vec![b"EX".to_vec(), long_ttl(rng, 1)],
        1 => vec![b"PX".to_vec(), long_ttl(rng, 1000)],
        2 => vec![b"EXAT".to_vec(), far_future(rng, 1)],
        3 => vec![b"PXAT".to_vec(), far_future(rng, 1000)],
        // Invalid times: zero, negative, not a number.
        _ => vec![
            rng.pick(&[&b"EX"[..], b"PX", b"EXAT", b"PXAT"]).to_vec(),
            rng.pick(&[&b"0"[..], b"-5", b"x", b"9223372036854775807"])
                .to_vec(),
        ],
    }
}

/// A TTL argument Redis rejects. (A short valid TTL would make the outcome depend on timing.)
fn invalid_ttl(rng: &mut Rng) -> Vec<u8> {
    rng.pick(&[&b"0"[..], b"-5", b"x", b"", b"9223372036854775807"])
        .to_vec()
}

fn set(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("SET", rng);
    argv.push(value(rng));
    let mut options = Vec::new();
    if rng.chance(20) {
        options.push(vec![rng.pick(&[&b"NX"[..], b"XX", b"nx"]).to_vec()]);
    }
    if rng.chance(15) {
        options.push(vec![b"GET".to_vec()]);
    }
    if rng.chance(30) {
        options.push(if rng.chance(15) {
            vec![b"KEEPTTL".to_vec()]
        } else {
            expiry_option(rng)
        });
    }
    if rng.chance(3) {
        // Conflicting or unknown options: syntax errors.
        options.push(vec![rng
            .pick(&[&b"XX"[..], b"KEEPTTL", b"EX", b"BOGUS"])
            .to_vec()]);
    }
    // Redis accepts options in any order.
    if options.len() > 1 && rng.chance(50) {
        options.reverse();
    }
    argv.extend(options.into_iter().flatten());
    argv
}

fn get(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("GET", rng)
}

fn setnx(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("SETNX", rng);
    argv.push(value(rng));
    argv
}

fn setex(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("SETEX", rng);
    argv.push(if rng.chance(90) {
        long_ttl(rng, 1)
    } else {
        invalid_ttl(rng)
    });
    argv.push(value(rng));
    argv
}

fn psetex(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("PSETEX", rng);
    argv.push(if rng.chance(90) {
        long_ttl(rng, 1000)
    } else {
        invalid_ttl(rng)
    });
    argv.push(value(rng));
    argv
}

fn getset(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("GETSET", rng);
    argv.push(value(rng));
    argv
}

fn getdel(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("GETDEL", rng)
}

fn getex(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("GETEX", rng);
    match rng.below(4) {
        0 => {}
        1 => argv.push(b"PERSIST".to_vec()),
        _ => argv.extend(expiry_option(rng)),
    }
    argv
}

fn pairs(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&[command]);
    for _ in 0..1 + rng.below(3) {
        argv.push(key(rng));
        argv.push(value(rng));
    }
    argv
}

fn mset(rng: &mut Rng) -> Vec<Vec<u8>> {
    pairs("MSET", rng)
}

fn msetnx(rng: &mut Rng) -> Vec<Vec<u8>> {
    pairs("MSETNX", rng)
}

fn mget(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["MGET"]);
    for _ in 0..1 + rng.below(4) {
        argv.push(key(rng));
    }
    argv
}

fn incr(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("INCR", rng)
}

fn decr(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("DECR", rng)
}

fn incrby(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("INCRBY", rng);
    argv.push(integer(rng));
    argv
}

fn decrby(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("DECRBY", rng);
    argv.push(integer(rng));
    argv
}

fn incrbyfloat(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("INCRBYFLOAT", rng);
    const INCREMENTS: &[&[u8]] = &[
        b"1", b"-1", b"0.5", b"-0.25", b"1.1", b"3e2", b"1e-3", b"0", b"abc", b"", b"inf",
        b"5.0e3", b"10.50",
    ];
    argv.push(rng.pick(INCREMENTS).to_vec());
    argv
}

fn append(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("APPEND", rng);
    argv.push(value(rng));
    argv
}

fn strlen(rng: &mut Rng) -> Vec<Vec<u8>> {
    with_key("STRLEN", rng)
}

fn range_bound(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(10) {
        integer(rng)
    } else {
        (rng.below(30) as i64 - 15).to_string().into_bytes()
    }
}

fn getrange(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("GETRANGE", rng);
    argv.push(range_bound(rng));
    argv.push(range_bound(rng));
    argv
}

fn substr(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("SUBSTR", rng);
    argv.push(range_bound(rng));
    argv.push(range_bound(rng));
    argv
}

fn setrange(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_key("SETRANGE", rng);
    // Small offsets only: a huge one would allocate hundreds of megabytes on both sides.
    argv.push(if rng.chance(5) {
        b"-1".to_vec()
    } else {
        rng.below(40).to_string().into_bytes()
    });
    argv.push(value(rng));
    argv
}
