//! Round trips through the file format, the older encodings, and a never-panic check on
//! damaged input.

use super::legacy::build;
use super::*;
use crate::server::Server;

fn run(server: &mut Server, client: crate::ClientId, args: &[&str]) -> crate::Reply {
    let argv = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    server.execute(client, argv, 1_000_000).remove(0)
}

/// A server holding every type in every encoding, with expiries, in two databases.
fn sample_server() -> Server {
    let mut s = Server::new();
    let c = s.connect(1_000_000);
    let long = "x".repeat(100);
    let script = "#!lua name=mylib\nredis.register_function('f', function() return 1 end)";
    for cmd in [
        vec!["SET", "int", "12345"],
        vec!["SET", "bigint", "-9223372036854775808"],
        vec!["SET", "embstr", "hello"],
        vec!["SET", "raw", &long],
        vec![
            "SET",
            "random",
            "ab\u{7f}cdefghijklmnopqrstuvwxyz0123456789",
        ],
        vec!["SET", "ttl", "v", "PX", "5000000"],
        vec!["RPUSH", "list", "a", "1", "-300", "70000", "b"],
        vec!["HSET", "hash", "f", "v", "n", "7"],
        vec!["HSET", "bighash", "f", &long],
        vec!["SADD", "intset", "1", "-2", "70000"],
        vec!["SADD", "set", "a", "b", "3"],
        vec!["ZADD", "zset", "1", "a", "2.5", "b", "-0", "c", "inf", "d"],
        vec!["ZADD", "bigzset", "1", &long, "-inf", "y", "3e100", "z"],
        vec!["FUNCTION", "LOAD", script],
        vec!["SELECT", "3"],
        vec!["SET", "other", "db"],
    ] {
        let reply = run(&mut s, c, &cmd);
        assert!(!reply.is_error(), "{cmd:?}: {reply:?}");
    }
    for i in 0..300 {
        run(&mut s, c, &["RPUSH", "biglist", &format!("element-{i}")]);
    }
    add_streams(&mut s, c);
    s
}

/// Streams with several nodes, tombstones, fields differing from the master entry, groups,
/// pending entries and consumers, and an empty stream.
fn add_streams(s: &mut Server, c: crate::ClientId) {
    for i in 0..250u64 {
        let id = format!("{}-{}", 1000 + i / 3, i % 3);
        let field = if i % 7 == 0 { "other" } else { "f" };
        let reply = run(
            s,
            c,
            &["XADD", "stream", &id, field, &i.to_string(), "g", "v"],
        );
        assert!(!reply.is_error(), "{reply:?}");
    }
    for cmd in [
        vec!["XDEL", "stream", "1000-0", "1010-1", "1083-0"],
        vec!["XTRIM", "stream", "MAXLEN", "230"],
        vec!["XGROUP", "CREATE", "stream", "readers", "0"],
        vec!["XGROUP", "CREATE", "stream", "idle", "$"],
        vec![
            "XREADGROUP",
            "GROUP",
            "readers",
            "alice",
            "COUNT",
            "3",
            "STREAMS",
            "stream",
            ">",
        ],
        vec![
            "XREADGROUP",
            "GROUP",
            "readers",
            "bob",
            "COUNT",
            "2",
            "STREAMS",
            "stream",
            ">",
        ],
        vec!["XACK", "stream", "readers", "1006-2"],
        vec!["XGROUP", "CREATECONSUMER", "stream", "readers", "carol"],
        vec!["XADD", "emptied", "1-1", "a", "1"],
        vec!["XDEL", "emptied", "1-1"],
    ] {
        let reply = run(s, c, &cmd);
        assert!(!reply.is_error(), "{cmd:?}: {reply:?}");
    }
}

/// Everything a stream holds, its listpack layout included.
fn describe_stream(stream: &crate::types::stream::Stream) -> String {
    use crate::types::stream::StreamId;
    let mut out = format!(
        "len {} last {} first {} maxdel {} added {}\n",
        stream.len(),
        stream.last_id,
        stream.first_id,
        stream.max_deleted_entry_id,
        stream.entries_added
    );
    for (master, node, entries) in stream.nodes_with_entries() {
        out += &format!(
            "node {master} live {} deleted {} fields {:?} bytes {} last {}\n",
            node.live,
            node.deleted,
            node.master_fields,
            node.bytes(),
            node.last_id
        );
        for (id, fields, deleted) in entries {
            out += &format!("  {id} {fields:?} {deleted}\n");
        }
    }
    let live: Vec<_> = stream.range(StreamId::MIN, StreamId::MAX).collect();
    out += &format!("{live:?}\n{:?}", stream.groups);
    out
}

fn snapshot_of(s: &mut Server) -> Vec<(usize, Vec<u8>, String, String)> {
    let mut keys = Vec::new();
    for (index, db) in s.dbs.iter().enumerate() {
        for (key, entry) in db.iter() {
            let description = match &entry.value {
                Value::String(v) => format!("{:?}", v.to_bytes()),
                Value::List(l) => format!("{:?}", l.nodes().collect::<Vec<_>>()),
                Value::Hash(h) => {
                    let mut pairs: Vec<_> = h.iter().collect();
                    pairs.sort();
                    format!("{pairs:?}")
                }
                Value::Set(set) => {
                    let mut members: Vec<_> = set.iter().map(|m| m.to_vec()).collect();
                    members.sort();
                    format!("{members:?}")
                }
                Value::ZSet(z) => format!("{:?}", z.iter().collect::<Vec<_>>()),
                Value::Stream(stream) => describe_stream(stream),
            };
            let ttl = format!("{:?}", db.expire_at(key));
            keys.push((
                index,
                key.to_vec(),
                format!("{} {}", entry.value.encoding(), ttl),
                description,
            ));
        }
    }
    keys.sort();
    keys
}

#[test]
fn files_round_trip_every_type_and_encoding() {
    let mut original = sample_server();
    let bytes = encode(&original);
    assert!(bytes.starts_with(b"REDIS0010"));
    let data = decode(&bytes).unwrap();
    assert_eq!(data.aux_field("redis-ver"), Some(&b"7.0.15"[..]));
    assert_eq!(data.functions.len(), 1);
    let mut copy = Server::new();
    copy.connect(1_000_000);
    let summary = copy.load_dataset(data).unwrap();
    assert_eq!(summary.keys_loaded, 17);
    assert_eq!(snapshot_of(&mut original), snapshot_of(&mut copy));
    // Encoding again gives the same bytes (the same time, the same memory figure aside).
    assert_eq!(copy.scripting.function_library_codes().len(), 1);
}

#[test]
fn checksum_and_truncation_are_reported() {
    let s = sample_server();
    let bytes = encode(&s);
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(matches!(decode(&bad), Err(RdbError::WrongChecksum { .. })));
    assert!(decode(&bad)
        .unwrap_err()
        .to_string()
        .starts_with("Wrong RDB checksum"));
    assert_eq!(
        decode(&bytes[..bytes.len() - 3]).unwrap_err(),
        RdbError::UnexpectedEof
    );
    assert_eq!(decode(b"RADIS0010").unwrap_err(), RdbError::WrongSignature);
    assert_eq!(
        decode(b"REDIS0011\xff").unwrap_err(),
        RdbError::UnsupportedVersion(11)
    );
    // A zero checksum means "saved without checksum".
    let mut unchecked = bytes.clone();
    let n = unchecked.len();
    unchecked[n - 8..].fill(0);
    assert!(decode(&unchecked).is_ok());
    let mut stream = b"REDIS0010".to_vec();
    stream.extend_from_slice(&[kind::STREAM_LISTPACKS_2, 1, b's', 0]);
    assert_eq!(decode(&stream).unwrap_err(), RdbError::UnexpectedEof);
    let mut unknown = b"REDIS0010".to_vec();
    unknown.extend_from_slice(&[8, 1, b'k']);
    assert_eq!(decode(&unknown).unwrap_err(), RdbError::UnknownType(8));
}

/// Builds a version-`v` file from raw records.
fn file(version: u32, records: &[u8]) -> Vec<u8> {
    let mut out = format!("REDIS{version:04}").into_bytes();
    out.extend_from_slice(records);
    out.push(opcode::EOF);
    if version >= 5 {
        let crc = crate::persistence::crc64::crc64(0, &out);
        out.extend_from_slice(&crc.to_le_bytes());
    }
    out
}

fn record(kind: u8, key: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind, key.len() as u8];
    out.extend_from_slice(key);
    out.extend_from_slice(body);
    out
}

fn blob(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    super::write::Writer {
        out: &mut out,
        compress: false,
    }
    .string(bytes);
    out
}

#[test]
fn older_encodings_load() {
    let mut records = Vec::new();
    // A list of version 1: length and elements.
    records.extend(record(kind::LIST, b"l1", &[2, 1, b'a', 0xC0, 5]));
    // A list as one ziplist, and a quicklist of ziplists.
    records.extend(record(
        kind::LIST_ZIPLIST,
        b"l2",
        &blob(&build::ziplist(&[b"x", b"12"])),
    ));
    let mut ql = vec![2];
    ql.extend(blob(&build::ziplist(&[b"p", b"q"])));
    ql.extend(blob(&build::ziplist(&[b"r"])));
    records.extend(record(kind::LIST_QUICKLIST, b"l3", &ql));
    records.extend(record(
        kind::HASH_ZIPMAP,
        b"h1",
        &blob(&build::zipmap(&[(b"f1", b"v1"), (b"f2", b"v2")])),
    ));
    records.extend(record(
        kind::HASH_ZIPLIST,
        b"h2",
        &blob(&build::ziplist(&[b"f", b"1"])),
    ));
    records.extend(record(
        kind::ZSET_ZIPLIST,
        b"z1",
        &blob(&build::ziplist(&[b"m", b"1.5", b"n", b"2"])),
    ));
    // A sorted set of version 1: textual scores.
    records.extend(record(
        kind::ZSET,
        b"z2",
        &[2, 1, b'a', 3, b'1', b'.', b'5', 1, b'b', 254],
    ));
    records.extend(record(kind::SET, b"s1", &[2, 0xC0, 1, 0xC0, 2]));
    // An expiry in seconds (old format), far in the future.
    records.extend_from_slice(&[opcode::EXPIRETIME]);
    records.extend_from_slice(&i32::MAX.to_le_bytes());
    records.extend(record(kind::STRING, b"old", &[1, b'v']));
    for version in [3, 6, 9] {
        let data = decode(&file(version, &records)).unwrap();
        let mut s = Server::new();
        let c = s.connect(1_000_000);
        s.load_dataset(data).unwrap();
        let check = |s: &mut Server, args: &[&str], want: &str| {
            let reply = run(s, c, args);
            let text = String::from_utf8_lossy(&reply.encode(crate::Protocol::Resp2)).into_owned();
            assert_eq!(text, want, "{args:?}");
        };
        check(
            &mut s,
            &["LRANGE", "l1", "0", "-1"],
            "*2\r\n$1\r\na\r\n$1\r\n5\r\n",
        );
        check(
            &mut s,
            &["LRANGE", "l2", "0", "-1"],
            "*2\r\n$1\r\nx\r\n$2\r\n12\r\n",
        );
        check(&mut s, &["LLEN", "l3"], ":3\r\n");
        check(&mut s, &["HGET", "h1", "f2"], "$2\r\nv2\r\n");
        check(&mut s, &["OBJECT", "ENCODING", "h1"], "$8\r\nlistpack\r\n");
        check(&mut s, &["HGET", "h2", "f"], "$1\r\n1\r\n");
        check(&mut s, &["ZSCORE", "z1", "m"], "$3\r\n1.5\r\n");
        check(&mut s, &["ZSCORE", "z2", "b"], "$3\r\ninf\r\n");
        check(&mut s, &["OBJECT", "ENCODING", "s1"], "$6\r\nintset\r\n");
        check(&mut s, &["GET", "old"], "$1\r\nv\r\n");
        check(
            &mut s,
            &["EXPIRETIME", "old"],
            &format!(":{}\r\n", i32::MAX),
        );
    }
}

#[test]
fn expired_keys_are_dropped_on_load() {
    let mut records = vec![opcode::EXPIRETIME_MS];
    records.extend_from_slice(&1000i64.to_le_bytes());
    records.extend(record(kind::STRING, b"gone", &[1, b'v']));
    records.extend(record(kind::STRING, b"kept", &[1, b'v']));
    let data = decode(&file(10, &records)).unwrap();
    let mut s = Server::new();
    s.connect(1_000_000);
    let summary = s.load_dataset(data).unwrap();
    assert_eq!((summary.keys_loaded, summary.keys_expired), (1, 1));
    assert_eq!(
        summary.log_lines(1_000_000).last().unwrap(),
        "Done loading RDB, keys loaded: 1, keys expired: 1."
    );
}

/// A tiny deterministic generator for the damage below.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn damaged_files_and_payloads_never_panic() {
    let s = sample_server();
    let bytes = encode(&s);
    let mut rng = Lcg(7);
    let limits = LoadLimits::default();
    for cut in 0..bytes.len() {
        assert!(decode(&bytes[..cut]).is_err());
    }
    for _ in 0..4000 {
        let mut damaged = bytes.clone();
        for _ in 0..1 + rng.next() % 4 {
            let at = (rng.next() as usize) % damaged.len();
            damaged[at] = rng.next() as u8;
        }
        // Also with the checksum zeroed, so that the damage reaches the value decoders.
        let n = damaged.len();
        damaged[n - 8..].fill(0);
        let _ = decode(&damaged);
        let start = 9 + (rng.next() as usize) % (n - 9);
        let _ = decode_value(&damaged[start..], &limits);
    }
    // Values one by one, cut and mutated.
    let options = EncodeOptions::for_server(&s, 0);
    for db in &s.dbs {
        for (_, entry) in db.iter() {
            let mut payload = Vec::new();
            encode_value(&entry.value, &options, &mut payload);
            assert!(decode_value(&payload, &limits).is_ok());
            for cut in 0..payload.len() {
                let _ = decode_value(&payload[..cut], &limits);
            }
            for _ in 0..200 {
                let mut damaged = payload.clone();
                let at = (rng.next() as usize) % damaged.len();
                damaged[at] = rng.next() as u8;
                let _ = decode_value(&damaged, &limits);
            }
        }
    }
}

#[test]
fn dump_payloads_match_redis() {
    // What redis-server 7.0.15 answers to DUMP after RPUSH l a 1.
    let mut s = Server::new();
    let c = s.connect(1_000_000);
    run(&mut s, c, &["RPUSH", "l", "a", "1"]);
    let reply = run(&mut s, c, &["DUMP", "l"]);
    let want = b"\x12\x01\x02\x0c\x0c\x00\x00\x00\x02\x00\x81a\x02\x01\x01\xff\n\x00\x94\x96+#\xac\x17\xaa\x85";
    assert_eq!(reply, crate::Reply::Bulk(want.to_vec()));
    assert!(verify_payload(want));
}

/// A value serialization with a DUMP footer (version and checksum), as RESTORE expects.
fn sealed(value: &[u8]) -> Vec<u8> {
    let mut payload = value.to_vec();
    payload.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crate::persistence::crc64::crc64(0, &payload);
    payload.extend_from_slice(&crc.to_le_bytes());
    payload
}

#[test]
fn damaged_stream_payloads_never_panic_and_what_loads_stays_usable() {
    let mut s = Server::new();
    let c = s.connect(1_000_000);
    add_streams(&mut s, c);
    for i in 0..40u64 {
        let id = format!("{}-1", i + 1);
        let value = "v".repeat(300 + i as usize);
        run(&mut s, c, &["XADD", "small", &id, "a", &value, "b", "1"]);
    }
    run(&mut s, c, &["XDEL", "small", "3-1", "40-1"]);
    let options = EncodeOptions {
        compress: false,
        ..EncodeOptions::for_server(&s, 0)
    };
    let limits = LoadLimits::default();
    let mut payloads = Vec::new();
    for key in ["stream", "emptied", "small"] {
        let entry = s.dbs[0].iter().find(|(k, _)| *k == key.as_bytes()).unwrap();
        let mut payload = Vec::new();
        encode_value(&entry.1.value, &options, &mut payload);
        assert!(decode_value(&payload, &limits).is_ok(), "{key}");
        payloads.push(payload);
    }
    let mut rng = Lcg(11);
    let mut loaded = 0;
    let mut target = Server::new();
    let tc = target.connect(1_000_000);
    for payload in &payloads {
        for cut in 0..payload.len() {
            assert!(decode_value(&payload[..cut], &limits).is_err());
        }
        for round in 0..1500 {
            let mut damaged = payload.clone();
            for _ in 0..1 + round % 3 {
                let at = (rng.next() as usize) % damaged.len();
                damaged[at] = match rng.next() % 3 {
                    0 => rng.next() as u8,
                    1 => damaged[at].wrapping_add(1),
                    _ => damaged[at].wrapping_sub(1),
                };
            }
            if decode_value(&damaged, &limits).is_err() {
                continue;
            }
            // Whatever loads must behave: read it, change it, save it.
            loaded += 1;
            let argv = vec![
                b"RESTORE".to_vec(),
                b"k".to_vec(),
                b"0".to_vec(),
                sealed(&damaged),
                b"REPLACE".to_vec(),
            ];
            let reply = target.execute(tc, argv, 1_000_000).remove(0);
            assert!(!reply.is_error(), "{reply:?}");
            for cmd in [
                vec!["XRANGE", "k", "-", "+"],
                vec!["XREVRANGE", "k", "+", "-", "COUNT", "5"],
                vec!["XINFO", "STREAM", "k", "FULL"],
                vec!["XINFO", "GROUPS", "k"],
                vec!["XPENDING", "k", "readers", "-", "+", "10"],
                vec!["XREADGROUP", "GROUP", "readers", "zed", "STREAMS", "k", ">"],
                vec!["XAUTOCLAIM", "k", "readers", "zed", "0", "0-0"],
                vec!["XDEL", "k", "1000-1", "1001-0", "5-1"],
                vec!["XADD", "k", "*", "a", "1"],
                vec!["XTRIM", "k", "MAXLEN", "~", "3"],
                vec!["XTRIM", "k", "MINID", "1050"],
                vec!["DUMP", "k"],
                vec!["MEMORY", "USAGE", "k"],
                vec!["DEBUG", "RELOAD"],
            ] {
                run(&mut target, tc, &cmd);
            }
        }
    }
    assert!(loaded > 0);
}
