//! The append-only file compared with redis-server 7.0's: the same commands run on a real
//! server with `appendonly yes` and `appendfsync always` and on the engine, and the
//! incremental files they write must hold the same commands. Only absolute times derived
//! from the clock (relative expiries, pending entries' delivery times, and the milliseconds
//! of stream IDs that XADD generated) are normalised; fixed EXAT/PXAT times, explicit IDs and
//! explicit XCLAIM times are compared as they are. Then each side's AOF directory is loaded
//! by the other and every key, value and expiry compared.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use emulator::persistence::aof::encode_command;
use emulator::persistence::aof::load::CommandReader;
use emulator::persistence::{Disk, MemoryDisk};
use emulator::{Protocol, Reply, Server};
use integration_tests::compare::decode_all;
use integration_tests::connection::RespConnection;
use integration_tests::real_redis::{require_tool, RealRedis};

/// One step of the comparison script.
enum Step {
    /// A command on the main connection.
    Run(&'static str),
    /// A command sent on the second connection without waiting (it blocks).
    Block(&'static str),
    /// Reads the second connection's reply after it was served.
    Served,
    Sleep(u64),
}

use Step::*;

const SCRIPT: &[Step] = &[
    // Keys expire only when touched, so that both sides delete them at the same point.
    Run("DEBUG SET-ACTIVE-EXPIRE 0"),
    Run("SET a 1"),
    Run("SET b 2 EX 100"),
    Run("SET c 3 PXAT 4000000000000"),
    Run("SET c 4 GET"),
    Run("SET c 5 EXAT 4000000000 GET"),
    Run("SETEX se 100 v"),
    Run("PSETEX pse 100000 v"),
    Run("SETNX a 2"),
    Run("GETSET a 9"),
    Run("GETDEL b"),
    Run("GETDEL missing"),
    Run("GETEX c PXAT 4000000001000"),
    Run("GETEX c PERSIST"),
    Run("GETEX c EX 50"),
    Run("GETEX c EXAT 1"),
    Run("EXPIREAT a 4000000000"),
    Run("PEXPIREAT a 4000000000123 GT"),
    Run("PEXPIRE a 100000"),
    Run("EXPIRE a 100 NX"),
    Run("PERSIST a"),
    Run("SET p 1"),
    Run("EXPIREAT p 1"),
    Run("INCRBYFLOAT f 1.5"),
    Run("INCRBYFLOAT f 0.1"),
    Run("HINCRBYFLOAT h x 2.5"),
    Run("HSET h y 1 z 2"),
    Run("SADD s m"),
    Run("SPOP s"),
    Run("SADD s2 a b c"),
    Run("SPOP s2 3"),
    Run("RPUSH l a b c d e"),
    Run("BLPOP l 0"),
    Run("BRPOP l 0"),
    Run("LMPOP 1 l LEFT COUNT 5"),
    Run("RPUSH l2 a b"),
    Run("BLMOVE l2 l3 left RIGHT 0"),
    Run("BRPOPLPUSH l3 l2 0"),
    Run("ZADD z 1 a 2 b 3 c 4 d"),
    Run("ZMPOP 1 z MIN COUNT 2"),
    Run("BZPOPMAX z 0"),
    Run("BZMPOP 0 1 z MIN COUNT 9"),
    Run("MULTI"),
    Run("SET m 1"),
    Run("INCR m"),
    Run("GET m"),
    Run("EXEC"),
    Run("MULTI"),
    Run("SET single 1"),
    Run("EXEC"),
    Run("SELECT 3"),
    Run("SET in3 1"),
    Run("EVAL \"redis.call('set','e','1') redis.call('incr','e')\" 0"),
    Run("EVAL \"return redis.call('set','e1','1')\" 0"),
    Run("SELECT 0"),
    Run("SET x 1 PX 1"),
    Run("SET y 1 PX 1"),
    Sleep(20),
    Run("GET x"),
    Run("SET y 2"),
    Block("BLPOP q 0"),
    Run("RPUSH q v1 v2"),
    Served,
    Block("BZPOPMIN zq 0"),
    Run("ZADD zq 1 m"),
    Served,
    Run("DEL nothing"),
    Run("FLUSHDB"),
    Run("FLUSHALL"),
    Run("SET final 1"),
];

/// Streams and geo: the forms Redis rewrites them to (generated IDs, exact trimming
/// thresholds, pending entries as XCLAIM, group positions as XGROUP SETID, GEOADD as ZADD).
/// Only one XADD per key generates its ID from the clock, so that both sides produce the
/// sequence 0 whatever the millisecond.
const STREAM_SCRIPT: &[Step] = &[
    // Small nodes, so that approximate trimming removes some and keeps others.
    Run("CONFIG SET stream-node-max-entries 2"),
    Run("XADD s 1-1 f v"),
    Run("XADD s 2 f v"),
    Run("XADD s 2-* f v"),
    Run("XADD s 3-* f v"),
    Run("XADD s 4-1 f v"),
    Run("XADD s 5-1 f v"),
    Run("XADD s 6-1 f v"),
    Run("XADD s 7-1 f v"),
    Run("XADD s 8-1 f v"),
    Run("XADD s 9-1 f v"),
    Run("XADD s MAXLEN 100 10-1 f v"),
    Run("XADD s MAXLEN = 100 11-1 f v"),
    Run("XTRIM s MAXLEN 12"),
    Run("XTRIM s MAXLEN ~ 7"),
    Run("XTRIM s MAXLEN ~ 7"),
    Run("XADD s MAXLEN ~ 7 12-1 f v"),
    Run("XADD s MAXLEN ~ 4 LIMIT 2 13-1 f v"),
    Run("XTRIM s MINID ~ 9-1"),
    Run("XDEL s 9-1"),
    Run("XADD s MINID ~ 1 14-1 f v"),
    Run("XTRIM s MINID ~ 1"),
    Run("XTRIM s MINID 11"),
    Run("XTRIM s MINID = 12-1 LIMIT 0"),
    Run("XADD s NOMKSTREAM 15-1 f v"),
    // MINID made exact names the first ID the nodes hold, even a deleted one.
    Run("XADD s 16-1 f v"),
    Run("XADD s 17-1 f v"),
    Run("XDEL s 14-1 15-1"),
    Run("XADD s MINID ~ 1 18-1 f v"),
    Run("XTRIM s MINID ~ 16-5"),
    Run("XADD t 1-1 f v"),
    Run("XADD t 2-1 f v"),
    Run("XADD t 3-1 f v"),
    Run("XTRIM t MINID ~ 100"),
    Run("XADD t2 1-1 f v"),
    Run("XADD t2 2-1 f v"),
    Run("XADD t2 3-1 f v"),
    Run("XTRIM t2 MAXLEN ~ 0"),
    Run("XADD u 1-1 f v"),
    Run("XADD u 2-1 f v"),
    Run("XADD u 3-1 f v"),
    Run("XADD u 4-1 f v"),
    Run("XADD u 5-1 f v"),
    Run("XDEL u 1-1"),
    Run("XADD u MINID ~ 1 6-1 f v"),
    Run("XTRIM u MINID 4"),
    Run("XADD u MINID ~ 1 7-1 f v"),
    Run("XTRIM u MAXLEN ~ 1"),
    Run("XADD nostream NOMKSTREAM 1-1 f v"),
    Run("XADD gen * f v"),
    Run("XADD gen2 MAXLEN ~ 0 * f v"),
    Run("XSETID s 100-1"),
    Run("XSETID s 200-1 ENTRIESADDED 100 MAXDELETEDID 150-0"),
    Run("XDEL s 1-1 12-1 999-9"),
    Run("XDEL s 1-1"),
    // Consumer groups.
    Run("XADD g 1-1 a 1"),
    Run("XADD g 2-1 b 2"),
    Run("XADD g 3-1 c 3"),
    Run("XADD g 4-1 d 4"),
    Run("XADD g 5-1 e 5"),
    Run("XGROUP CREATE g grp 0"),
    Run("XGROUP CREATE g late $"),
    Run("XGROUP CREATE g grp 0"),
    Run("XGROUP CREATE mk grp $ MKSTREAM ENTRIESREAD 0"),
    Run("XREADGROUP GROUP grp alice COUNT 1 STREAMS g >"),
    Run("XREADGROUP GROUP grp bob COUNT 2 STREAMS g >"),
    Run("XREADGROUP GROUP grp alice STREAMS g 0"),
    Run("XREADGROUP GROUP grp newbie STREAMS g 0"),
    Run("XREADGROUP GROUP grp carol NOACK COUNT 1 STREAMS g >"),
    Run("XREADGROUP GROUP grp carol NOACK COUNT 1 STREAMS g >"),
    Run("XREADGROUP GROUP grp alice STREAMS g >"),
    Run("XREADGROUP GROUP late dave STREAMS g mk > >"),
    Run("XGROUP CREATECONSUMER g grp erin"),
    Run("XGROUP CREATECONSUMER g grp erin"),
    Run("XACK g grp 1-1 99-0"),
    Run("XACK g grp 99-0"),
    Run("XCLAIM g grp erin 0 2-1"),
    Run("XCLAIM g grp erin 3600000 3-1"),
    Run("XCLAIM g grp frank 0 3 TIME 1000000000000 RETRYCOUNT 7 JUSTID"),
    Run("XCLAIM g grp frank 0 2-1 IDLE 5000"),
    Run("XCLAIM g grp frank 0 88-0 FORCE"),
    Run("XCLAIM g grp frank 0 LASTID 50-0"),
    Run("XCLAIM g grp frank 0 LASTID 40-0"),
    Run("XADD g 60-1 f v"),
    Run("XREADGROUP GROUP grp alice STREAMS g >"),
    Run("XDEL g 2-1 3-1"),
    Run("XCLAIM g grp erin 0 2-1 5-1"),
    Run("XAUTOCLAIM g grp gina 0 0 COUNT 10 JUSTID"),
    Run("XDEL g 60-1"),
    Run("XAUTOCLAIM g grp gina 0 0"),
    Run("XAUTOCLAIM g grp gina 3600000 0"),
    Run("XGROUP SETID g grp 4-1"),
    Run("XGROUP SETID g grp $ ENTRIESREAD 3"),
    Run("XGROUP DELCONSUMER g grp frank"),
    Run("XGROUP DELCONSUMER g grp nobody"),
    Run("XGROUP DESTROY g late"),
    Run("XGROUP DESTROY g late"),
    Run("MULTI"),
    Run("XADD g 70-1 f v"),
    Run("XREADGROUP GROUP grp alice STREAMS g >"),
    Run("EXEC"),
    Run("EVAL \"return redis.call('xadd','sc','9-*','f','v')\" 0"),
    Run("EVAL \"return redis.call('xreadgroup','group','grp','alice','streams','g','>')\" 0"),
    Run("XADD g 80-1 f v"),
    Run("EVAL \"return redis.call('xreadgroup','group','grp','alice','streams','g','>')\" 0"),
    // XCLAIM propagates the IDs as they were written.
    Run("XADD h2 1 f v"),
    Run("XADD h2 2 f v"),
    Run("XGROUP CREATE h2 g 0"),
    Run("XREADGROUP GROUP g a STREAMS h2 >"),
    Run("XCLAIM h2 g b 0 1 2-0 JUSTID"),
    Run("XDEL h2 1"),
    Run("XCLAIM h2 g c 0 1 2"),
    Run("XDEL h2 2"),
    Run("XAUTOCLAIM h2 g d 0 - COUNT 1"),
    // Clients blocked in XREAD and XREADGROUP, served by later XADDs.
    Block("XREADGROUP GROUP grp hank BLOCK 0 STREAMS g >"),
    Run("XADD g 90-1 f v"),
    Served,
    Block("XREADGROUP GROUP grp ivy NOACK BLOCK 0 STREAMS g >"),
    Run("XADD g 91-1 f v"),
    Served,
    Block("XREAD BLOCK 0 STREAMS g $"),
    Run("XADD g 92-1 f v"),
    Served,
    // Geo.
    Run("GEOADD geo 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"),
    Run("GEOADD geo NX CH 13.361389 38.115556 Palermo 12.5 41.9 Rome"),
    Run("GEOADD geo XX 13.361389 38.115556 Palermo"),
    Run("GEOADD geo 200 100 Invalid"),
    Run("GEOSEARCHSTORE dst geo FROMLONLAT 15 37 BYRADIUS 200 km ASC"),
    Run("GEOSEARCHSTORE dst geo FROMLONLAT 15 37 BYRADIUS 200 km ASC STOREDIST"),
    Run("GEOSEARCHSTORE dst geo FROMLONLAT 0 0 BYRADIUS 1 km"),
    Run("GEOSEARCHSTORE dst geo FROMLONLAT 0 0 BYRADIUS 1 km"),
    Run("GEORADIUS geo 15 37 200 km STORE r1"),
    Run("GEORADIUS geo 15 37 200 km STOREDIST r2"),
    Run("GEORADIUSBYMEMBER geo Palermo 500 km COUNT 2 STORE r3"),
    Run("GEORADIUS geo 15 37 200 km"),
    Run("SET final 1"),
];

/// Splits a line as redis-cli does for the plain and double-quoted words used above.
fn words(line: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                word.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        out.push(word.into_bytes());
    }
    out
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The commands of an AOF, with times within a day of now (set from relative expiries, or
/// pending entries delivered now) replaced by a marker, also as the milliseconds of a stream
/// ID (generated by XADD from the clock).
fn normalised(bytes: &[u8]) -> Vec<String> {
    let now = now_ms() as i64;
    let mut reader = CommandReader::new(bytes, 0);
    let mut out = Vec::new();
    while let Ok(Some(argv)) = reader.next_command() {
        let argv: Vec<Vec<u8>> = argv
            .into_iter()
            .map(|arg| {
                let text = String::from_utf8_lossy(&arg);
                let recent = |ms: &str| {
                    ms.len() == 13
                        && ms
                            .parse::<i64>()
                            .is_ok_and(|t| (t - now).abs() < 86_400_000)
                };
                match text.split_once('-') {
                    _ if recent(&text) => b"<now>".to_vec(),
                    Some((ms, seq)) if recent(ms) => format!("<now>-{seq}").into_bytes(),
                    _ => arg,
                }
            })
            .collect();
        let mut encoded = Vec::new();
        encode_command(&mut encoded, &argv);
        out.push(String::from_utf8_lossy(&encoded).replace("\r\n", " "));
    }
    out
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aof-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn start_redis(binary: &Path, dir: &Path) -> RealRedis {
    let dir = dir.to_string_lossy().into_owned();
    let args = [
        "--dir",
        &dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--enable-debug-command",
        "yes",
    ];
    let redis = RealRedis::start(binary, &args).expect("redis-server starts");
    // PING answers while the dataset is still loading; DBSIZE waits for the end.
    let mut conn = redis.connect().expect("connect");
    for _ in 0..500 {
        match conn.call(&[b"DBSIZE"]) {
            Ok(Reply::Error(e)) if e.starts_with("LOADING") => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => break,
        }
    }
    redis
}

/// A field of INFO (INFO is not propagated, so asking leaves the AOF as it is).
fn info_field(conn: &mut RespConnection, field: &str) -> String {
    match conn
        .call(&[b"INFO".as_slice(), b"everything"])
        .expect("INFO")
    {
        Reply::Bulk(text) => String::from_utf8_lossy(&text)
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_string))
            .unwrap_or_default(),
        other => panic!("INFO answered {other:?}"),
    }
}

/// Polls INFO until `field` reads `value` (at most 20 s: only reached when a test fails).
fn wait_for_info(conn: &mut RespConnection, field: &str, value: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while info_field(conn, field) != value {
        assert!(
            std::time::Instant::now() < deadline,
            "{field} never read {value}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs a script on redis-server; returns its incremental AOF.
fn run_on_redis(redis: &RealRedis, dir: &Path, script: &[Step]) -> Vec<u8> {
    let mut main = redis.connect().expect("connect");
    let mut second = redis.connect().expect("connect");
    for step in script {
        match step {
            Run(line) => {
                main.call(&words(line)).expect("reply");
            }
            Block(line) => {
                second.send(&words(line)).expect("send");
                // The next step may serve it only once the server has it blocked.
                wait_for_info(&mut main, "blocked_clients", "1");
            }
            Served => {
                second
                    .read_reply(Duration::from_secs(20))
                    .expect("read")
                    .expect("served");
            }
            Sleep(ms) => std::thread::sleep(Duration::from_millis(*ms)),
        }
    }
    std::fs::read(dir.join("appendonlydir/appendonly.aof.1.incr.aof")).expect("incr file")
}

/// Runs a script on the engine; returns its incremental AOF and the server.
fn run_on_engine(script: &[Step]) -> (Vec<u8>, Server) {
    let mut server = Server::new();
    server.set_disk(Box::new(MemoryDisk::new()));
    server.configure("appendonly", b"yes").unwrap();
    server.configure("appendfsync", b"always").unwrap();
    server.configure("save", b"").unwrap();
    server.configure("enable-debug-command", b"yes").unwrap();
    let start = now_ms();
    server.start(start);
    let main = server.connect(start);
    let second = server.connect(start);
    let mut now = start;
    for step in script {
        match step {
            Run(line) => {
                server.execute(main, words(line), now);
            }
            Block(line) => {
                server.execute(second, words(line), now);
            }
            Served => {
                assert!(!server.take_outbound(second).is_empty(), "served");
            }
            Sleep(ms) => {
                now += ms;
                server.tick(now);
            }
        }
    }
    let incr = server
        .disk()
        .read("appendonlydir/appendonly.aof.1.incr.aof")
        .unwrap()
        .expect("incr file");
    (incr, server)
}

/// Runs `script` on both sides and returns their normalised incremental AOFs, or None
/// without redis-server.
fn both_aofs(script: &[Step], test: &str) -> Option<(Vec<String>, Vec<String>)> {
    let binary = require_tool("redis-server", test)?;
    let dir = temp_dir(test);
    let redis = start_redis(&binary, &dir);
    let theirs = run_on_redis(&redis, &dir, script);
    drop(redis);
    let _ = std::fs::remove_dir_all(&dir);
    let (ours, _) = run_on_engine(script);
    Some((normalised(&ours), normalised(&theirs)))
}

#[test]
fn aof_matches_redis_server() {
    let Some((ours, theirs)) = both_aofs(SCRIPT, "aof_matches_redis_server") else {
        return;
    };
    for (i, (t, o)) in theirs.iter().zip(ours.iter()).enumerate() {
        assert_eq!(o, t, "command {i} differs");
    }
    assert_eq!(
        ours.len(),
        theirs.len(),
        "ours: {ours:#?}\ntheirs: {theirs:#?}"
    );
    assert!(
        ours.len() > 60,
        "the script propagates many commands: {ours:#?}"
    );
}

#[test]
fn stream_and_geo_aof_matches_redis_server() {
    let Some((ours, theirs)) = both_aofs(STREAM_SCRIPT, "stream_and_geo_aof_matches_redis_server")
    else {
        return;
    };
    for (i, (t, o)) in theirs.iter().zip(ours.iter()).enumerate() {
        assert_eq!(o, t, "command {i} differs\nours: {ours:#?}");
    }
    assert_eq!(
        ours.len(),
        theirs.len(),
        "ours: {ours:#?}\ntheirs: {theirs:#?}"
    );
    assert!(ours.len() > 80, "{ours:#?}");
}

/// Every key of every database, with its type, value and expiry, as a client sees them.
fn snapshot(query: &mut dyn FnMut(Vec<Vec<u8>>) -> Reply) -> Vec<String> {
    let mut out = Vec::new();
    for db in 0..16 {
        query(vec![b"SELECT".to_vec(), db.to_string().into_bytes()]);
        let keys = match query(vec![b"KEYS".to_vec(), b"*".to_vec()]) {
            Reply::Array(keys) => keys,
            other => panic!("KEYS: {other:?}"),
        };
        let mut keys: Vec<Vec<u8>> = keys
            .into_iter()
            .filter_map(|k| match k {
                Reply::Bulk(b) => Some(b),
                _ => None,
            })
            .collect();
        keys.sort();
        for key in keys {
            let ty = query(vec![b"TYPE".to_vec(), key.clone()]);
            let dump = match &ty {
                Reply::Simple(t) if t == "string" => query(vec![b"GET".to_vec(), key.clone()]),
                Reply::Simple(t) if t == "list" => query(vec![
                    b"LRANGE".to_vec(),
                    key.clone(),
                    b"0".to_vec(),
                    b"-1".to_vec(),
                ]),
                Reply::Simple(t) if t == "hash" => {
                    sorted(query(vec![b"HGETALL".to_vec(), key.clone()]))
                }
                Reply::Simple(t) if t == "set" => {
                    sorted(query(vec![b"SMEMBERS".to_vec(), key.clone()]))
                }
                _ => query(vec![
                    b"ZRANGE".to_vec(),
                    key.clone(),
                    b"0".to_vec(),
                    b"-1".to_vec(),
                    b"WITHSCORES".to_vec(),
                ]),
            };
            let expiry = query(vec![b"PEXPIRETIME".to_vec(), key.clone()]);
            out.push(format!(
                "db{db} {} {ty:?} {dump:?} {expiry:?}",
                String::from_utf8_lossy(&key)
            ));
        }
    }
    out
}

fn sorted(reply: Reply) -> Reply {
    match reply {
        Reply::Array(mut items) => {
            items.sort_by_key(|r| format!("{r:?}"));
            Reply::Array(items)
        }
        other => other,
    }
}

/// A dataset with every type, several databases, expiries and binary data.
const DATASET: &[&str] = &[
    "SET s1 hello",
    "SET n 12345",
    "SET big 123456789012345678901234567890",
    "SET t1 v PXAT 4000000000000",
    "RPUSH l a b c 1 2 3",
    "HSET h f1 v1 f2 2",
    "SADD s a b c",
    "SADD si 1 2 3 400000",
    "ZADD z 1.5 a -2 b 3e10 c",
    "EXPIREAT h 4000000001",
    "SELECT 5",
    "SET in5 x",
    "INCRBYFLOAT fl 3.25",
    "SELECT 0",
];

fn fill_engine(server: &mut Server, client: emulator::ClientId, now: u64) {
    for line in DATASET {
        server.execute(client, words(line), now);
    }
    // Lists and sets large enough for their big encodings.
    for i in 0..200 {
        let n = i.to_string().into_bytes();
        server.execute(
            client,
            vec![b"RPUSH".to_vec(), b"biglist".to_vec(), n.clone()],
            now,
        );
        server.execute(
            client,
            vec![
                b"SADD".to_vec(),
                b"bigset".to_vec(),
                [b"m".to_vec(), n.clone()].concat(),
            ],
            now,
        );
        server.execute(
            client,
            vec![b"ZADD".to_vec(), b"bigz".to_vec(), n.clone(), n.clone()],
            now,
        );
        server.execute(
            client,
            vec![b"HSET".to_vec(), b"bigh".to_vec(), n.clone(), n],
            now,
        );
    }
}

fn copy_disk_to_dir(server: &Server, dir: &Path) {
    for name in server.disk().list().unwrap() {
        let bytes = server.disk().read(&name).unwrap().unwrap();
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// The engine's view, through RESP2 as a client of redis-server sees it.
fn engine_snapshot(server: &mut Server, now: u64) -> Vec<String> {
    let client = server.connect(now);
    snapshot(&mut |argv| {
        let bytes = server
            .execute(client, argv, now)
            .remove(0)
            .encode(Protocol::Resp2);
        decode_all(&bytes).unwrap().remove(0)
    })
}

/// Compares two snapshots, naming the first keys that differ.
fn assert_same(ours: &[String], theirs: &[String], what: &str) {
    let differing: Vec<(&String, &String)> = ours
        .iter()
        .zip(theirs)
        .filter(|(a, b)| a != b)
        .take(3)
        .collect();
    assert!(
        differing.is_empty() && ours.len() == theirs.len(),
        "{what}: {} vs {} keys; first differences (ours, theirs): {differing:?}",
        ours.len(),
        theirs.len()
    );
}

#[test]
fn our_aof_loads_in_redis_and_theirs_in_ours() {
    let Some(binary) = require_tool("redis-server", "our_aof_loads_in_redis_and_theirs_in_ours")
    else {
        return;
    };
    for preamble in ["yes", "no"] {
        // Ours, loaded by redis-server.
        let now = now_ms();
        let mut server = Server::new();
        server.set_disk(Box::new(MemoryDisk::new()));
        server.configure("appendonly", b"yes").unwrap();
        server.configure("appendfsync", b"always").unwrap();
        server
            .configure("aof-use-rdb-preamble", preamble.as_bytes())
            .unwrap();
        server.start(now);
        let client = server.connect(now);
        fill_engine(&mut server, client, now);
        // Half in the base file, half in the incremental file.
        server.execute(client, words("BGREWRITEAOF"), now);
        server.execute(client, words("SET after rewrite"), now);
        server.execute(client, words("RPUSH l more"), now);
        let ours = engine_snapshot(&mut server, now);
        let dir = temp_dir(&format!("ours-{preamble}"));
        copy_disk_to_dir(&server, &dir);
        let redis = start_redis(&binary, &dir);
        let mut conn = redis.connect().unwrap();
        let theirs = snapshot(&mut |argv| conn.call(&argv).unwrap());
        assert_same(
            &ours,
            &theirs,
            &format!("redis-server loading our AOF (preamble {preamble})"),
        );
        assert!(ours.len() > 15);

        // Theirs, loaded by the engine.
        let mut conn = redis.connect().unwrap();
        conn.call(&words("SET theirs 1 PXAT 4000000000000"))
            .unwrap();
        conn.call(&words("BGREWRITEAOF")).unwrap();
        wait_for_info(&mut conn, "aof_rewrite_in_progress", "0");
        wait_for_info(&mut conn, "aof_rewrite_scheduled", "0");
        conn.call(&words("HSET h extra 1")).unwrap();
        let expected = snapshot(&mut |argv| conn.call(&argv).unwrap());
        drop(conn);
        drop(redis);
        let mut loaded = Server::new();
        let mut disk = MemoryDisk::new();
        load_dir_into(&dir, &dir, &mut disk);
        loaded.set_disk(Box::new(disk));
        loaded.configure("appendonly", b"yes").unwrap();
        loaded
            .configure("aof-use-rdb-preamble", preamble.as_bytes())
            .unwrap();
        let log = loaded.start(now);
        assert!(!loaded.is_stopped(), "{log:?}");
        let got = engine_snapshot(&mut loaded, now);
        assert_same(
            &got,
            &expected,
            &format!("the engine loading redis-server's AOF (preamble {preamble})"),
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn load_dir_into(root: &Path, dir: &Path, disk: &mut MemoryDisk) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            load_dir_into(root, &path, disk);
        } else {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            disk.write(&name, &std::fs::read(&path).unwrap()).unwrap();
        }
    }
}
