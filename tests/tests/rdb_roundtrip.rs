//! RDB files exchanged with redis-server 7.0: a file our engine writes loads in redis-server
//! with the same keys, values, expiries and encodings, and a file redis-server writes loads
//! in our engine the same way. Values whose encoding has a fixed order also DUMP to the same
//! bytes on both sides after the exchange.

use std::path::Path;

use emulator::persistence::rdb;
use emulator::{Reply, Server};
use integration_tests::real_redis::{require_tool, RealRedis};

const NOW: u64 = 1_900_000_000_000;

/// Commands that create every type in every encoding Redis 7.0 saves, with expiries and
/// values large enough to be compressed.
fn fill_commands() -> Vec<Vec<Vec<u8>>> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    let mut add = |words: &[&str]| cmds.push(words.iter().map(|w| w.to_string()).collect());
    let long = "abc".repeat(200);
    add(&["SET", "s:int", "12345"]);
    add(&["SET", "s:bigint", "-9223372036854775808"]);
    add(&["SET", "s:emb", "hello"]);
    add(&["SET", "s:raw", &long]);
    add(&["SET", "s:empty", ""]);
    add(&["SET", "s:ttl", "v", "PXAT", "4102444800123"]);
    add(&["APPEND", "s:appended", "grown"]);
    add(&["RPUSH", "l:small", "a", "1", "-300", "70000", "b"]);
    add(&["HSET", "h:lp", "f", "v", "n", "7"]);
    add(&["HSET", "h:ht", "f", &long, "g", "1"]);
    add(&["SADD", "set:int", "1", "-2", "70000", "5000000000"]);
    add(&["SADD", "set:ht", "a", "b", "3"]);
    add(&[
        "ZADD", "z:lp", "1", "a", "2.5", "b", "-0", "c", "inf", "d", "-inf", "e",
    ]);
    add(&["ZADD", "z:skip", "0.1", &long, "3e100", "z"]);
    add(&["PEXPIREAT", "z:skip", "4102444800999"]);
    add(&["SELECT", "5"]);
    add(&["SET", "db5", "x"]);
    add(&["SELECT", "0"]);
    let mut big_list = vec!["RPUSH".to_string(), "l:big".to_string()];
    let mut big_hash = vec!["HSET".to_string(), "h:big".to_string()];
    let mut big_set = vec!["SADD".to_string(), "set:big".to_string()];
    let mut big_zset = vec!["ZADD".to_string(), "z:big".to_string()];
    for i in 0..2000 {
        big_list.push(format!("element-{i}"));
        big_hash.extend([format!("field-{i}"), format!("value-{i}")]);
        big_set.push(format!("member-{i}"));
        big_zset.extend([format!("{}", i as f64 * 0.25), format!("member-{i}")]);
    }
    cmds.extend([big_list, big_hash, big_set, big_zset]);
    cmds.extend(stream_commands());
    cmds.into_iter()
        .map(|c| c.into_iter().map(String::into_bytes).collect())
        .collect()
}

/// Streams: several listpack nodes, entries whose fields differ from the master entry,
/// tombstones from XDEL and exact trimming, values larger than a node, an emptied stream,
/// consumer groups with pending entries and consumers.
fn stream_commands() -> Vec<Vec<String>> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    let mut add = |words: &[&str]| cmds.push(words.iter().map(|w| w.to_string()).collect());
    for i in 0..260u64 {
        let id = format!("{}-{}", 1000 + i / 4, i % 4);
        let field = if i % 9 == 0 { "other" } else { "f" };
        add(&["XADD", "x:nodes", &id, field, &i.to_string(), "name", "v"]);
    }
    add(&["XDEL", "x:nodes", "1000-0", "1010-1", "1064-3"]);
    add(&["XTRIM", "x:nodes", "MAXLEN", "240"]);
    add(&["PEXPIREAT", "x:nodes", "4102444800555"]);
    let big = "xyz".repeat(1800);
    for i in 1..=6u64 {
        add(&[
            "XADD",
            "x:big",
            &format!("{i}-1"),
            "data",
            &big,
            "n",
            &i.to_string(),
        ]);
    }
    add(&["XDEL", "x:big", "2-1"]);
    add(&["XADD", "x:emptied", "5-5", "a", "1"]);
    add(&["XDEL", "x:emptied", "5-5"]);
    for i in 1..=120u64 {
        add(&[
            "XADD",
            "x:groups",
            &format!("{i}-0"),
            "k",
            &format!("value-{i}"),
        ]);
    }
    add(&["XGROUP", "CREATE", "x:groups", "g1", "0"]);
    add(&["XGROUP", "CREATE", "x:groups", "g2", "$"]);
    add(&[
        "XGROUP",
        "CREATE",
        "x:groups",
        "g3",
        "30-0",
        "ENTRIESREAD",
        "30",
    ]);
    add(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "alice",
        "COUNT",
        "4",
        "STREAMS",
        "x:groups",
        ">",
    ]);
    add(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "bob",
        "COUNT",
        "3",
        "STREAMS",
        "x:groups",
        ">",
    ]);
    add(&["XACK", "x:groups", "g1", "2-0"]);
    add(&[
        "XCLAIM",
        "x:groups",
        "g1",
        "bob",
        "0",
        "1-0",
        "TIME",
        "1700000000000",
        "RETRYCOUNT",
        "5",
        "JUSTID",
    ]);
    add(&["XGROUP", "CREATECONSUMER", "x:groups", "g1", "carol"]);
    add(&["XDEL", "x:groups", "3-0", "100-0"]);
    add(&[
        "XREADGROUP",
        "GROUP",
        "g3",
        "dave",
        "COUNT",
        "2",
        "STREAMS",
        "x:groups",
        ">",
    ]);
    cmds
}

/// Both sides answer commands as RESP2 bytes.
trait Target {
    fn run(&mut self, argv: &[&[u8]]) -> Reply;
}

struct Engine {
    server: Server,
    client: emulator::ClientId,
}

impl Target for Engine {
    fn run(&mut self, argv: &[&[u8]]) -> Reply {
        let argv = argv.iter().map(|a| a.to_vec()).collect();
        self.server.execute(self.client, argv, NOW).remove(0)
    }
}

impl Target for integration_tests::connection::RespConnection {
    fn run(&mut self, argv: &[&[u8]]) -> Reply {
        self.call(argv).expect("redis-server answers")
    }
}

fn bulk_items(reply: Reply) -> Vec<Vec<u8>> {
    match reply {
        Reply::Map(pairs) => bulk_items(Reply::Array(
            pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        )),
        Reply::Set(items) => bulk_items(Reply::Array(items)),
        Reply::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Reply::Bulk(b) => b,
                // Scores are doubles in our reply tree: compare them as RESP2 sends them.
                other => {
                    let wire = other.encode(emulator::Protocol::Resp2);
                    match wire.iter().position(|&b| b == b'\n') {
                        Some(at) if wire.first() == Some(&b'$') => {
                            wire[at + 1..wire.len() - 2].to_vec()
                        }
                        _ => wire,
                    }
                }
            })
            .collect(),
        other => vec![format!("{other:?}").into_bytes()],
    }
}

/// Everything compared about one key: type, encoding, expiry and value (unordered
/// collections sorted).
fn describe(t: &mut dyn Target, db: &[u8], key: &[u8]) -> String {
    t.run(&[b"SELECT", db]);
    let kind = format!("{:?}", t.run(&[b"TYPE", key]));
    let encoding = format!("{:?}", t.run(&[b"OBJECT", b"ENCODING", key]));
    let expiry = format!("{:?}", t.run(&[b"PEXPIRETIME", key]));
    let value = if kind.contains("string") {
        vec![format!("{:?}", t.run(&[b"GET", key])).into_bytes()]
    } else if kind.contains("list") {
        bulk_items(t.run(&[b"LRANGE", key, b"0", b"-1"]))
    } else if kind.contains("hash") {
        let flat = bulk_items(t.run(&[b"HGETALL", key]));
        let mut pairs: Vec<Vec<u8>> = flat.chunks(2).map(|p| p.concat()).collect();
        pairs.sort();
        pairs
    } else if kind.contains("set") && !kind.contains("zset") {
        let mut members = bulk_items(t.run(&[b"SMEMBERS", key]));
        members.sort();
        members
    } else if kind.contains("stream") {
        // Entries, then the layout, counters, groups, pending entries and consumers.
        let mut items = bulk_items(t.run(&[b"XRANGE", key, b"-", b"+"]));
        items.extend(bulk_items(t.run(&[b"XINFO", b"STREAM", key, b"FULL"])));
        items
    } else {
        bulk_items(t.run(&[b"ZRANGE", key, b"0", b"-1", b"WITHSCORES"]))
    };
    format!(
        "{kind} {encoding} {expiry} {} items, {:x}",
        value.len(),
        emulator::persistence::crc64::crc64(0, &value.concat())
    )
}

fn all_keys(t: &mut dyn Target) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut keys = Vec::new();
    for db in 0..16 {
        let db = db.to_string().into_bytes();
        t.run(&[b"SELECT", &db]);
        for key in bulk_items(t.run(&[b"KEYS", b"*"])) {
            keys.push((db.clone(), key));
        }
    }
    keys.sort();
    keys
}

fn compare(ours: &mut dyn Target, theirs: &mut dyn Target) -> usize {
    let keys = all_keys(ours);
    assert_eq!(keys, all_keys(theirs), "the same keys");
    for (db, key) in &keys {
        assert_eq!(
            describe(ours, db, key),
            describe(theirs, db, key),
            "key {}",
            String::from_utf8_lossy(key)
        );
    }
    keys.len()
}

fn filled_engine() -> Engine {
    let mut server = Server::new();
    let client = server.connect(NOW);
    let mut engine = Engine { server, client };
    for cmd in fill_commands() {
        let argv: Vec<&[u8]> = cmd.iter().map(|a| a.as_slice()).collect();
        assert!(!engine.run(&argv).is_error(), "{cmd:?}");
    }
    engine
}

fn start_with_file(binary: &Path, dir: &Path, file: &str) -> RealRedis {
    let dir = dir.to_string_lossy().into_owned();
    RealRedis::start(binary, &["--dir", &dir, "--dbfilename", file]).expect("redis-server")
}

#[test]
fn redis_server_loads_our_files() {
    let Some(binary) = require_tool("redis-server", "redis_server_loads_our_files") else {
        return;
    };
    let mut engine = filled_engine();
    let bytes = rdb::encode(&engine.server);
    let dir = std::env::temp_dir().join(format!("rdb-ours-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ours.rdb"), &bytes).unwrap();
    let redis = start_with_file(&binary, &dir, "ours.rdb");
    let mut conn = redis.connect().unwrap();
    let compared = compare(&mut engine, &mut conn);
    assert_eq!(compared, 19 + STREAM_KEYS.len());
    // Streams keep their exact listpack layout through the exchange.
    engine.run(&[b"SELECT", b"0"]);
    assert_eq!(conn.run(&[b"SELECT", b"0"]), Reply::ok());
    for key in STREAM_KEYS {
        let ours = engine.run(&[b"DUMP", key.as_bytes()]);
        let theirs = conn.run(&[b"DUMP", key.as_bytes()]);
        assert_eq!(ours, theirs, "DUMP {key}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Keys whose DUMP is the same bytes on both sides (hash tables iterate in an order that
/// depends on a random seed in redis-server).
const ORDERED_KEYS: &[&str] = &[
    "s:int",
    "s:bigint",
    "s:emb",
    "s:raw",
    "s:empty",
    "s:ttl",
    "s:appended",
    "l:small",
    "h:lp",
    "set:int",
    "z:lp",
    "z:skip",
    "l:big",
    "z:big",
    "x:nodes",
    "x:big",
    "x:emptied",
    "x:groups",
];

const STREAM_KEYS: &[&str] = &["x:nodes", "x:big", "x:emptied", "x:groups"];

#[test]
fn our_engine_loads_redis_server_files() {
    let Some(binary) = require_tool("redis-server", "our_engine_loads_redis_server_files") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("rdb-theirs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let redis = start_with_file(&binary, &dir, "theirs.rdb");
    let mut conn = redis.connect().unwrap();
    for cmd in fill_commands() {
        let argv: Vec<&[u8]> = cmd.iter().map(|a| a.as_slice()).collect();
        conn.run(&argv);
    }
    let script = "#!lua name=lib\nredis.register_function('f', function() return 1 end)";
    conn.run(&[b"FUNCTION", b"LOAD", script.as_bytes()]);
    assert_eq!(conn.run(&[b"SAVE"]), Reply::ok());
    let bytes = std::fs::read(dir.join("theirs.rdb")).unwrap();
    let data = rdb::decode(&bytes).expect("redis-server's file decodes");
    assert_eq!(data.functions, vec![script.as_bytes().to_vec()]);
    let mut server = Server::new();
    let client = server.connect(NOW);
    let summary = server.load_dataset(data).unwrap();
    assert_eq!(summary.keys_loaded, 19 + STREAM_KEYS.len() as u64);
    let mut engine = Engine { server, client };
    compare(&mut engine, &mut conn);
    // Re-encoding what was loaded gives redis-server's bytes value by value.
    engine.run(&[b"SELECT", b"0"]);
    for key in ORDERED_KEYS {
        let ours = engine.run(&[b"DUMP", key.as_bytes()]);
        let theirs = conn.run(&[b"SELECT", b"0"]);
        assert_eq!(theirs, Reply::ok());
        let theirs = conn.run(&[b"DUMP", key.as_bytes()]);
        assert_eq!(ours, theirs, "DUMP {key}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
