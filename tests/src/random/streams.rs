//! Stream commands for random runs. IDs are always explicit (small numbers, so they collide
//! and go backwards), and only replies without times are compared: XPENDING's summary, XINFO
//! STREAM and GROUPS, XCLAIM and XAUTOCLAIM with JUSTID and no idle threshold.

use super::{integer, key, value, words, Check, Rng, Template};

pub(super) const TEMPLATES: &[Template] = &[
    Template::new("xadd", 10, Check::Exact, xadd),
    Template::new("xlen", 2, Check::Exact, xlen),
    Template::new("xrange", 3, Check::Exact, xrange),
    Template::new("xrevrange", 2, Check::Exact, xrevrange),
    Template::new("xdel", 2, Check::Exact, xdel),
    Template::new("xtrim", 2, Check::Exact, xtrim),
    Template::new("xsetid", 1, Check::Exact, xsetid),
    Template::new("xread", 2, Check::Exact, xread),
    Template::new("xgroup|create", 2, Check::Exact, xgroup_create),
    Template::new("xgroup|setid", 1, Check::Exact, xgroup_setid),
    Template::new(
        "xgroup|createconsumer",
        1,
        Check::Exact,
        xgroup_createconsumer,
    ),
    Template::new("xgroup|delconsumer", 1, Check::Exact, xgroup_delconsumer),
    Template::new("xgroup|destroy", 1, Check::Exact, xgroup_destroy),
    Template::new("xreadgroup", 3, Check::Exact, xreadgroup),
    Template::new("xack", 2, Check::Exact, xack),
    Template::new("xpending", 2, Check::Exact, xpending),
    Template::new("xclaim", 1, Check::Exact, xclaim),
    Template::new("xautoclaim", 1, Check::Exact, xautoclaim),
    Template::new("xinfo|stream", 1, Check::Exact, xinfo_stream),
    Template::new("xinfo|groups", 1, Check::Exact, xinfo_groups),
];

/// An ID: mostly small `ms-seq`, sometimes just `ms`, sometimes invalid.
fn id(rng: &mut Rng) -> Vec<u8> {
    match rng.below(12) {
        0 => rng.pick(&[&b"abc"[..], b"-1", b"1-x", b""]).to_vec(),
        1 => rng.below(30).to_string().into_bytes(),
        _ => format!("{}-{}", rng.below(30), rng.below(3)).into_bytes(),
    }
}

/// A range bound: an ID, `-`/`+`, or an exclusive ID.
fn bound(rng: &mut Rng, open: &str) -> Vec<u8> {
    match rng.below(6) {
        0 => open.as_bytes().to_vec(),
        1 => [b"(".to_vec(), id(rng)].concat(),
        _ => id(rng),
    }
}

fn group(rng: &mut Rng) -> Vec<u8> {
    rng.pick(&[&b"g1"[..], b"g2", b"nogroup"]).to_vec()
}

fn consumer(rng: &mut Rng) -> Vec<u8> {
    rng.pick(&[&b"alice"[..], b"bob", b"carol"]).to_vec()
}

fn field(rng: &mut Rng) -> Vec<u8> {
    rng.pick(&[&b"f"[..], b"g", b"", b"1"]).to_vec()
}

fn cmd(name: &str, rng: &mut Rng) -> Vec<Vec<u8>> {
    vec![name.as_bytes().to_vec(), key(rng)]
}

/// MAXLEN or MINID with `=` or `~`, sometimes LIMIT.
fn trim_args(rng: &mut Rng, argv: &mut Vec<Vec<u8>>) {
    if rng.chance(50) {
        argv.push(b"MAXLEN".to_vec());
        push_approx(rng, argv);
        argv.push(rng.below(8).to_string().into_bytes());
    } else {
        argv.push(b"MINID".to_vec());
        push_approx(rng, argv);
        argv.push(id(rng));
    }
    if rng.chance(20) {
        argv.push(b"LIMIT".to_vec());
        argv.push(integer(rng));
    }
}

fn push_approx(rng: &mut Rng, argv: &mut Vec<Vec<u8>>) {
    match rng.below(3) {
        0 => argv.push(b"~".to_vec()),
        1 => argv.push(b"=".to_vec()),
        _ => {}
    }
}

fn xadd(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XADD", rng);
    if rng.chance(10) {
        argv.push(b"NOMKSTREAM".to_vec());
    }
    if rng.chance(20) {
        trim_args(rng, &mut argv);
    }
    if rng.chance(15) {
        argv.push(format!("{}-*", rng.below(30)).into_bytes());
    } else {
        argv.push(id(rng));
    }
    for _ in 0..1 + rng.below(2) {
        argv.push(field(rng));
        argv.push(value(rng));
    }
    argv
}

fn xlen(rng: &mut Rng) -> Vec<Vec<u8>> {
    cmd("XLEN", rng)
}

fn count_option(rng: &mut Rng, argv: &mut Vec<Vec<u8>>) {
    if rng.chance(40) {
        argv.push(b"COUNT".to_vec());
        argv.push(integer(rng));
    }
}

fn xrange(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XRANGE", rng);
    argv.push(bound(rng, "-"));
    argv.push(bound(rng, "+"));
    count_option(rng, &mut argv);
    argv
}

fn xrevrange(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XREVRANGE", rng);
    argv.push(bound(rng, "+"));
    argv.push(bound(rng, "-"));
    count_option(rng, &mut argv);
    argv
}

fn xdel(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XDEL", rng);
    for _ in 0..1 + rng.below(3) {
        argv.push(id(rng));
    }
    argv
}

fn xtrim(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XTRIM", rng);
    trim_args(rng, &mut argv);
    argv
}

fn xsetid(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XSETID", rng);
    argv.push(id(rng));
    if rng.chance(30) {
        argv.push(b"ENTRIESADDED".to_vec());
        argv.push(rng.below(20).to_string().into_bytes());
    }
    if rng.chance(30) {
        argv.push(b"MAXDELETEDID".to_vec());
        argv.push(id(rng));
    }
    argv
}

fn xread(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["XREAD"]);
    count_option(rng, &mut argv);
    argv.push(b"STREAMS".to_vec());
    let n = 1 + rng.below(2);
    for _ in 0..n {
        argv.push(key(rng));
    }
    for _ in 0..n {
        argv.push(if rng.chance(20) {
            b"$".to_vec()
        } else {
            id(rng)
        });
    }
    argv
}

fn xgroup_create(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["XGROUP", "CREATE"]);
    argv.push(key(rng));
    argv.push(group(rng));
    argv.push(if rng.chance(30) {
        b"$".to_vec()
    } else {
        id(rng)
    });
    if rng.chance(50) {
        argv.push(b"MKSTREAM".to_vec());
    }
    if rng.chance(20) {
        argv.push(b"ENTRIESREAD".to_vec());
        argv.push(integer(rng));
    }
    argv
}

fn xgroup_setid(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["XGROUP", "SETID"]);
    argv.push(key(rng));
    argv.push(group(rng));
    argv.push(if rng.chance(30) {
        b"$".to_vec()
    } else {
        id(rng)
    });
    argv
}

fn xgroup_createconsumer(rng: &mut Rng) -> Vec<Vec<u8>> {
    xgroup_consumer_command(rng, "CREATECONSUMER")
}

fn xgroup_delconsumer(rng: &mut Rng) -> Vec<Vec<u8>> {
    xgroup_consumer_command(rng, "DELCONSUMER")
}

/// `XGROUP <subcommand> key group consumer`.
fn xgroup_consumer_command(rng: &mut Rng, subcommand: &str) -> Vec<Vec<u8>> {
    let mut argv = words(&["XGROUP", subcommand]);
    argv.push(key(rng));
    argv.push(group(rng));
    argv.push(consumer(rng));
    argv
}

fn xgroup_destroy(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["XGROUP", "DESTROY"]);
    argv.push(key(rng));
    argv.push(group(rng));
    argv
}

fn xreadgroup(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["XREADGROUP", "GROUP"]);
    argv.push(group(rng));
    argv.push(consumer(rng));
    count_option(rng, &mut argv);
    if rng.chance(20) {
        argv.push(b"NOACK".to_vec());
    }
    argv.push(b"STREAMS".to_vec());
    argv.push(key(rng));
    argv.push(if rng.chance(60) {
        b">".to_vec()
    } else {
        id(rng)
    });
    argv
}

fn xack(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XACK", rng);
    argv.push(group(rng));
    for _ in 0..1 + rng.below(3) {
        argv.push(id(rng));
    }
    argv
}

fn xpending(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XPENDING", rng);
    argv.push(group(rng));
    argv
}

fn xclaim(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XCLAIM", rng);
    argv.push(group(rng));
    argv.push(consumer(rng));
    argv.push(b"0".to_vec());
    for _ in 0..1 + rng.below(2) {
        argv.push(id(rng));
    }
    if rng.chance(20) {
        argv.push(b"FORCE".to_vec());
    }
    argv.push(b"JUSTID".to_vec());
    argv
}

fn xautoclaim(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = cmd("XAUTOCLAIM", rng);
    argv.push(group(rng));
    argv.push(consumer(rng));
    argv.push(b"0".to_vec());
    argv.push(bound(rng, "-"));
    count_option(rng, &mut argv);
    argv.push(b"JUSTID".to_vec());
    argv
}

fn xinfo_stream(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["XINFO", "STREAM"]);
    argv.push(key(rng));
    argv
}

fn xinfo_groups(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = words(&["XINFO", "GROUPS"]);
    argv.push(key(rng));
    argv
}
