//! Geo commands driven through the public engine API: Redis's documented examples, and
//! searches checked against a brute-force scan of every point.

use std::collections::BTreeSet;

use emulator::{Protocol, Reply};

mod common;

use common::{bulk, err, int, Session};

fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) => String::from_utf8(b.clone()).unwrap(),
        Reply::DoubleText(t) => t.clone(),
        other => panic!("not text: {other:?}"),
    }
}

fn items(reply: Reply) -> Vec<Reply> {
    match reply {
        Reply::Array(items) => items,
        other => panic!("not an array: {other:?}"),
    }
}

fn names(reply: Reply) -> BTreeSet<String> {
    items(reply).iter().map(text).collect()
}

/// A small deterministic generator.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }
}

/// Haversine distance with Redis's earth radius.
fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let r = std::f64::consts::PI / 180.0;
    let u = ((lat2 * r - lat1 * r) / 2.0).sin();
    let v = ((lon2 * r - lon1 * r) / 2.0).sin();
    let a = u * u + (lat1 * r).cos() * (lat2 * r).cos() * v * v;
    2.0 * 6372797.560856 * a.sqrt().asin()
}

#[test]
fn the_documented_sicily_example() {
    let mut s = Session::new();
    let add = "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania";
    assert_eq!(s.run(add), int(2));
    assert_eq!(s.run("GEODIST Sicily Palermo Catania"), bulk("166274.1516"));
    assert_eq!(s.run("GEODIST Sicily Palermo Catania km"), bulk("166.2742"));
    assert_eq!(s.run("GEODIST Sicily Palermo Nowhere"), Reply::Null);
    assert_eq!(
        s.run("ZSCORE Sicily Palermo"),
        Reply::Double(3479099956230698.0)
    );
    let pos = items(s.run("GEOPOS Sicily Palermo Nowhere"));
    assert_eq!(pos[1], Reply::NullArray);
    let palermo: Vec<String> = items(pos[0].clone()).iter().map(text).collect();
    assert_eq!(palermo, ["13.36138933897018433", "38.11555639549629859"]);
    assert_eq!(
        items(s.run("GEOHASH Sicily Palermo Catania")),
        vec![bulk("sqc8b49rny0"), bulk("sqdtr74hyu0")]
    );
    let near = items(s.run("GEORADIUS Sicily 15 37 200 km WITHDIST ASC"));
    let first = items(near[0].clone());
    assert_eq!(first, vec![bulk("Catania"), bulk("56.4413")]);
    assert_eq!(
        s.run("GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 100 km"),
        Reply::Array(vec![bulk("Catania")])
    );
}

#[test]
fn coordinates_are_resp3_doubles_in_their_own_format() {
    let mut s = Session::new();
    s.run("GEOADD g 13.361389 38.115556 Palermo");
    let reply = items(s.run("GEOPOS g Palermo")).remove(0);
    let wire = reply.encode(Protocol::Resp3);
    assert_eq!(
        wire,
        b"*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n"
    );
    let wire = reply.encode(Protocol::Resp2);
    assert_eq!(
        wire,
        b"*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n"
    );
}

#[test]
fn errors_match_redis() {
    let mut s = Session::new();
    assert_eq!(
        s.run("GEOADD g 181 10 x"),
        err("ERR invalid longitude,latitude pair 181.000000,10.000000")
    );
    assert_eq!(s.run("GEOADD g NX XX 1 1 x"), err("ERR syntax error"));
    assert_eq!(s.run("GEOADD g 1 1 x 2"), err("ERR syntax error"));
    s.run("GEOADD g 1 1 x");
    assert_eq!(
        s.run("GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 1 furlong"),
        err("ERR unsupported unit provided. please use M, KM, FT, MI")
    );
    assert_eq!(
        s.run("GEOSEARCH g BYRADIUS 1 km ASC WITHDIST"),
        err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH")
    );
    assert_eq!(
        s.run("geosearch g FROMMEMBER x ASC WITHDIST WITHHASH"),
        err("ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch")
    );
    assert_eq!(
        s.run("GEOSEARCH g FROMMEMBER y BYRADIUS 1 km"),
        err("ERR could not decode requested zset member")
    );
    assert_eq!(
        s.run("GEOSEARCH g FROMMEMBER x BYRADIUS 1 km ANY"),
        err("ERR the ANY argument requires COUNT argument")
    );
    assert_eq!(
        s.run("GEORADIUS g 1 1 1 km COUNT 0"),
        err("ERR COUNT must be > 0")
    );
    assert_eq!(
        s.run("GEORADIUS g 1 1 1 km STORE d WITHDIST"),
        err("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
    );
    assert_eq!(
        s.run("GEORADIUS_RO g 1 1 1 km STORE d"),
        err("ERR syntax error")
    );
    assert_eq!(
        s.run("GEOSEARCH g FROMMEMBER x BYBOX -1 1 km"),
        err("ERR height or width cannot be negative")
    );
    assert_eq!(
        s.run("GEOSEARCH g FROMMEMBER x BYRADIUS -1 km"),
        err("ERR radius cannot be negative")
    );
    s.run("SET str v");
    assert_eq!(
        s.run("GEOPOS str x"),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn store_forms_write_sorted_sets() {
    let mut s = Session::new();
    s.run("GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania");
    s.run("SET dst occupied");
    assert_eq!(s.run("GEORADIUS g 15 37 200 km STORE dst"), int(2));
    assert_eq!(
        s.run("ZSCORE dst Palermo"),
        Reply::Double(3479099956230698.0)
    );
    assert_eq!(
        s.run("GEOSEARCHSTORE dst g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST COUNT 1"),
        int(1)
    );
    match s.run("ZSCORE dst Catania") {
        Reply::Double(d) => assert!((d - 56.4413).abs() < 0.0001, "{d}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        s.run("GEOSEARCHSTORE dst g FROMLONLAT 0 0 BYRADIUS 1 km"),
        int(0)
    );
    assert_eq!(s.run("EXISTS dst"), int(0));
}

/// Every member within the radius is found, and no other, wherever the search is.
#[test]
fn radius_searches_find_exactly_the_points_within_reach() {
    let mut rng = Rng(7);
    for round in 0..25 {
        let mut s = Session::new();
        let center_lon = rng.between(-179.0, 179.0);
        let center_lat = rng.between(-70.0, 70.0);
        let spread = [0.05, 0.5, 3.0, 20.0][round % 4];
        let mut line = String::from("GEOADD pts");
        for i in 0..120 {
            let lon = (center_lon + rng.between(-spread, spread)).clamp(-180.0, 180.0);
            let lat = (center_lat + rng.between(-spread, spread)).clamp(-85.0, 85.0);
            line.push_str(&format!(" {lon} {lat} p{i}"));
        }
        s.run(&line);
        let positions: Vec<(String, f64, f64)> = (0..120)
            .map(|i| {
                let pos = items(items(s.run(&format!("GEOPOS pts p{i}"))).remove(0));
                let lon: f64 = text(&pos[0]).parse().unwrap();
                let lat: f64 = text(&pos[1]).parse().unwrap();
                (format!("p{i}"), lon, lat)
            })
            .collect();
        for radius_km in [spread * 10.0, spread * 50.0, spread * 111.0] {
            let found = names(s.run(&format!(
                "GEOSEARCH pts FROMLONLAT {center_lon} {center_lat} BYRADIUS {radius_km} km"
            )));
            // Points too close to the edge to decide from rounded coordinates are skipped.
            let radius = radius_km * 1000.0;
            for (name, lon, lat) in &positions {
                let d = distance(center_lon, center_lat, *lon, *lat);
                if (d - radius).abs() < 0.01 {
                    continue;
                }
                assert_eq!(
                    found.contains(name),
                    d < radius,
                    "{name} at {d} m of {radius}"
                );
            }
        }
    }
}

#[test]
fn results_come_sorted_and_counted() {
    let mut s = Session::new();
    s.run("GEOADD g 0 0 a 0 1 b 0 2 c 0 3 d 0 4 e");
    let asc = items(s.run("GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 1000 km ASC"));
    assert_eq!(asc, ["a", "b", "c", "d", "e"].map(bulk).to_vec());
    let desc = items(s.run("GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 1000 km DESC COUNT 2"));
    assert_eq!(desc, ["e", "d"].map(bulk).to_vec());
    // COUNT alone means the nearest ones.
    let nearest = items(s.run("GEOSEARCH g FROMLONLAT 0 4 BYRADIUS 1000 km COUNT 2"));
    assert_eq!(nearest, ["e", "d"].map(bulk).to_vec());
    let any = items(s.run("GEOSEARCH g FROMLONLAT 0 0 BYRADIUS 1000 km COUNT 3 ANY"));
    assert_eq!(any.len(), 3);
    let boxed = names(s.run("GEOSEARCH g FROMLONLAT 0 2 BYBOX 100 250 km"));
    assert_eq!(boxed, ["b", "c", "d"].map(String::from).into());
}
