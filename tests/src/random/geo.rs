//! Geo commands for random runs. Points come from a small grid around one place (plus a few
//! at the edges of the map), so searches keep finding each other's members, and several
//! members often share a position, which exercises the order of equal distances.

use super::{integer, key, Check, Rng, Template};

pub(super) const TEMPLATES: &[Template] = &[
    Template::new("geoadd", 8, Check::Exact, geoadd),
    Template::new("geopos", 2, Check::Exact, geopos),
    Template::new("geodist", 2, Check::Exact, geodist),
    Template::new("geohash", 1, Check::Exact, geohash),
    Template::new("geosearch", 5, Check::Exact, geosearch),
    Template::new("geosearchstore", 2, Check::Exact, geosearchstore),
    Template::new("georadius", 2, Check::Exact, georadius),
    Template::new("georadiusbymember", 2, Check::Exact, georadiusbymember),
    Template::new("georadius_ro", 1, Check::Exact, georadius_ro),
];

/// Members: a few names, shared with the other sorted-set commands' pool in part.
fn member(rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0..=6 => format!("p{}", rng.below(12)).into_bytes(),
        7..=8 => rng.pick(&[&b"a"[..], b"b", b"alice", b"1", b""]).to_vec(),
        _ => b"missing".to_vec(),
    }
}

/// A longitude and latitude: mostly a 5×5 grid of 0.5° cells near Rome, sometimes an edge of
/// the map, rarely something invalid.
fn position(rng: &mut Rng) -> [Vec<u8>; 2] {
    match rng.below(20) {
        0 => [
            rng.pick(&[&b"180"[..], b"-180", b"179.9999", b"0"])
                .to_vec(),
            rng.pick(&[&b"85.05112878"[..], b"-85.05112878", b"0", b"-0"])
                .to_vec(),
        ],
        1 => [
            rng.pick(&[&b"200"[..], b"x", b"12", b"nan", b""]).to_vec(),
            rng.pick(&[&b"86"[..], b"42", b"-inf", b"4e1"]).to_vec(),
        ],
        _ => [
            format!("{}", 12.0 + 0.5 * rng.below(5) as f64).into_bytes(),
            format!("{}", 41.0 + 0.5 * rng.below(5) as f64).into_bytes(),
        ],
    }
}

fn unit(rng: &mut Rng) -> Vec<u8> {
    rng.pick(&[&b"km"[..], b"km", b"m", b"mi", b"ft", b"KM", b"yd"])
        .to_vec()
}

/// A radius or box side in the unit chosen: usually one that reaches some of the grid.
fn size(rng: &mut Rng, unit: &[u8]) -> Vec<u8> {
    let km = match rng.below(12) {
        0 => return rng.pick(&[&b"0"[..], b"-1", b"x", b"1e9"]).to_vec(),
        1..=3 => 10 + rng.below(40),
        _ => 40 + rng.below(300),
    } as f64;
    let per_unit = match unit {
        b"m" => 0.001,
        b"mi" => 1.60934,
        b"ft" => 0.0003048,
        _ => 1.0,
    };
    format!("{}", (km / per_unit).round()).into_bytes()
}

fn push_radius(argv: &mut Vec<Vec<u8>>, rng: &mut Rng) {
    let unit = unit(rng);
    argv.push(size(rng, &unit));
    argv.push(unit);
}

/// The options every search accepts, in random order and combination.
fn push_options(argv: &mut Vec<Vec<u8>>, rng: &mut Rng, with: bool) {
    if with {
        for option in ["WITHDIST", "WITHHASH", "WITHCOORD"] {
            if rng.chance(35) {
                argv.push(option.as_bytes().to_vec());
            }
        }
    }
    if rng.chance(50) {
        argv.push(rng.pick(&[&b"ASC"[..], b"DESC"]).to_vec());
    }
    if rng.chance(40) {
        argv.push(b"COUNT".to_vec());
        argv.push(if rng.chance(80) {
            (1 + rng.below(6)).to_string().into_bytes()
        } else {
            integer(rng)
        });
        if rng.chance(30) {
            argv.push(b"ANY".to_vec());
        }
    } else if rng.chance(3) {
        argv.push(b"ANY".to_vec());
    }
}

fn geoadd(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![b"GEOADD".to_vec(), key(rng)];
    if rng.chance(20) {
        argv.push(rng.pick(&[&b"NX"[..], b"XX", b"CH"]).to_vec());
    }
    for _ in 0..=rng.below(3) {
        argv.extend(position(rng));
        argv.push(member(rng));
    }
    argv
}

fn with_members(name: &str, rng: &mut Rng, count: u64) -> Vec<Vec<u8>> {
    let mut argv = vec![name.as_bytes().to_vec(), key(rng)];
    for _ in 0..count {
        argv.push(member(rng));
    }
    argv
}

fn geopos(rng: &mut Rng) -> Vec<Vec<u8>> {
    let count = 1 + rng.below(3);
    with_members("GEOPOS", rng, count)
}

fn geohash(rng: &mut Rng) -> Vec<Vec<u8>> {
    let count = 1 + rng.below(3);
    with_members("GEOHASH", rng, count)
}

fn geodist(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = with_members("GEODIST", rng, 2);
    if rng.chance(60) {
        argv.push(unit(rng));
    }
    argv
}

/// GEOSEARCH's FROM and BY arguments.
fn push_search_area(argv: &mut Vec<Vec<u8>>, rng: &mut Rng) {
    if rng.chance(50) {
        argv.push(b"FROMMEMBER".to_vec());
        argv.push(member(rng));
    } else {
        argv.push(b"FROMLONLAT".to_vec());
        argv.extend(position(rng));
    }
    let unit = unit(rng);
    if rng.chance(50) {
        argv.push(b"BYRADIUS".to_vec());
        argv.push(size(rng, &unit));
    } else {
        argv.push(b"BYBOX".to_vec());
        argv.push(size(rng, &unit));
        argv.push(size(rng, &unit));
    }
    argv.push(unit);
}

fn geosearch(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![b"GEOSEARCH".to_vec(), key(rng)];
    push_search_area(&mut argv, rng);
    push_options(&mut argv, rng, true);
    argv
}

fn geosearchstore(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![b"GEOSEARCHSTORE".to_vec(), key(rng), key(rng)];
    push_search_area(&mut argv, rng);
    let with = rng.chance(5);
    push_options(&mut argv, rng, with);
    if rng.chance(40) {
        argv.push(b"STOREDIST".to_vec());
    }
    argv
}

fn push_store(argv: &mut Vec<Vec<u8>>, rng: &mut Rng) {
    if rng.chance(30) {
        argv.push(rng.pick(&[&b"STORE"[..], b"STOREDIST"]).to_vec());
        argv.push(key(rng));
    }
}

fn georadius(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![b"GEORADIUS".to_vec(), key(rng)];
    argv.extend(position(rng));
    push_radius(&mut argv, rng);
    let with = rng.chance(70);
    push_options(&mut argv, rng, with);
    push_store(&mut argv, rng);
    argv
}

fn georadius_ro(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![b"GEORADIUS_RO".to_vec(), key(rng)];
    argv.extend(position(rng));
    push_radius(&mut argv, rng);
    push_options(&mut argv, rng, true);
    argv
}

fn georadiusbymember(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut argv = vec![b"GEORADIUSBYMEMBER".to_vec(), key(rng), member(rng)];
    push_radius(&mut argv, rng);
    let with = rng.chance(70);
    push_options(&mut argv, rng, with);
    push_store(&mut argv, rng);
    argv
}
