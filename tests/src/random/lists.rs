//! List commands for random runs. The blocking forms are left out: on an empty key they
//! would wait, and a single connection in lockstep cannot serve them.

use super::{integer, key, value, words, Check, Rng, Template};

pub(super) const TEMPLATES: &[Template] = &[
    Template::new("lpush", 6, Check::Exact, lpush),
    Template::new("rpush", 6, Check::Exact, rpush),
    Template::new("lpushx", 1, Check::Exact, lpushx),
    Template::new("rpushx", 1, Check::Exact, rpushx),
    Template::new("lpop", 3, Check::Exact, lpop),
    Template::new("rpop", 3, Check::Exact, rpop),
    Template::new("llen", 2, Check::Exact, llen),
    Template::new("lindex", 3, Check::Exact, lindex),
    Template::new("lrange", 4, Check::Exact, lrange),
    Template::new("lset", 2, Check::Exact, lset),
    Template::new("linsert", 3, Check::Exact, linsert),
    Template::new("lrem", 2, Check::Exact, lrem),
    Template::new("ltrim", 2, Check::Exact, ltrim),
    Template::new("lpos", 2, Check::Exact, lpos),
    Template::new("lmove", 2, Check::Exact, lmove),
    Template::new("rpoplpush", 1, Check::Exact, rpoplpush),
    Template::new("lmpop", 2, Check::Exact, lmpop),
];

/// List elements: mostly from a small pool, so pivots and LREM/LPOS targets are found.
fn element(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(70) {
        rng.pick(&[&b"a"[..], b"b", b"c", b"1", b"01", b""])
            .to_vec()
    } else {
        value(rng)
    }
}

/// An index or count: small, sometimes negative, rarely extreme or not a number.
fn index(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(85) {
        (rng.below(13) as i64 - 6).to_string().into_bytes()
    } else {
        integer(rng)
    }
}

fn end(rng: &mut Rng) -> Vec<u8> {
    rng.pick(&[&b"LEFT"[..], b"RIGHT", b"left", b"UP"]).to_vec()
}

fn push(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![command.as_bytes().to_vec(), key(rng)];
    for _ in 0..1 + rng.below(4) {
        argv.push(element(rng));
    }
    argv
}

fn lpush(rng: &mut Rng) -> Vec<Vec<u8>> {
    push("LPUSH", rng)
}

fn rpush(rng: &mut Rng) -> Vec<Vec<u8>> {
    push("RPUSH", rng)
}

fn lpushx(rng: &mut Rng) -> Vec<Vec<u8>> {
    push("LPUSHX", rng)
}

fn rpushx(rng: &mut Rng) -> Vec<Vec<u8>> {
    push("RPUSHX", rng)
}

fn pop(command: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![command.as_bytes().to_vec(), key(rng)];
    if rng.chance(40) {
        argv.push(index(rng));
    }
    argv
}

fn lpop(rng: &mut Rng) -> Vec<Vec<u8>> {
    pop("LPOP", rng)
}

fn rpop(rng: &mut Rng) -> Vec<Vec<u8>> {
    pop("RPOP", rng)
}

fn llen(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"LLEN".to_vec(), key(rng)]
}

fn lindex(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"LINDEX".to_vec(), key(rng), index(rng)]
}

fn lrange(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"LRANGE".to_vec(), key(rng), index(rng), index(rng)]
}

fn lset(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"LSET".to_vec(), key(rng), index(rng), element(rng)]
}

fn linsert(rng: &mut Rng) -> Vec<Vec<u8>> {
    let place = rng
        .pick(&[&b"BEFORE"[..], b"AFTER", b"after", b"MIDDLE"])
        .to_vec();
    vec![
        b"LINSERT".to_vec(),
        key(rng),
        place,
        element(rng),
        element(rng),
    ]
}

fn lrem(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"LREM".to_vec(), key(rng), index(rng), element(rng)]
}

fn ltrim(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"LTRIM".to_vec(), key(rng), index(rng), index(rng)]
}

fn lpos(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![b"LPOS".to_vec(), key(rng), element(rng)];
    for option in ["RANK", "COUNT", "MAXLEN"] {
        if rng.chance(35) {
            argv.push(option.as_bytes().to_vec());
            argv.push(index(rng));
        }
    }
    argv
}

fn lmove(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"LMOVE".to_vec(), key(rng), key(rng), end(rng), end(rng)]
}

fn rpoplpush(rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![b"RPOPLPUSH".to_vec(), key(rng), key(rng)]
}

fn lmpop(rng: &mut Rng) -> Vec<Vec<u8>> {
    let numkeys = 1 + rng.below(3);
    let mut argv = words(&["LMPOP"]);
    argv.push(numkeys.to_string().into_bytes());
    for _ in 0..numkeys {
        argv.push(key(rng));
    }
    argv.push(end(rng));
    if rng.chance(40) {
        argv.push(b"COUNT".to_vec());
        argv.push(index(rng));
    }
    argv
}
