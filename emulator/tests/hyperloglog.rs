//! HyperLogLog commands driven through the public engine API. Counts and bytes were recorded
//! from Redis 7.0 for the same inputs.

use emulator::Reply;

mod common;

use common::{int, Session, T0};

impl Session {
    /// PFADD `key` with `element:<i>` for i in 0..n, a thousand at a time.
    fn add_elements(&mut self, key: &str, n: usize) {
        for start in (0..n).step_by(1000) {
            let elements: Vec<String> = (start..n.min(start + 1000))
                .map(|i| format!("element:{i}"))
                .collect();
            let mut args: Vec<&[u8]> = vec![b"PFADD", key.as_bytes()];
            args.extend(elements.iter().map(|e| e.as_bytes()));
            self.cmd(&args);
        }
    }

    fn get(&mut self, key: &str) -> Vec<u8> {
        match self.run(&format!("GET {key}")) {
            Reply::Bulk(b) => b,
            other => panic!("GET {key}: {other:?}"),
        }
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn counts_and_bytes_match_redis() {
    let mut s = Session::new();
    // (elements, PFCOUNT, length and FNV-1a of GET after the count, encoding)
    let recorded: &[(usize, i64, usize, u64, &str)] = &[
        (1, 1, 21, 0xee0d_c2da_ee40_50ac, "sparse"),
        (2, 2, 24, 0x5d89_3b7a_822f_218c, "sparse"),
        (10, 10, 48, 0x911d_3109_64eb_aba7, "sparse"),
        (100, 99, 285, 0x033e_4e4e_6be9_ec79, "sparse"),
        (1000, 997, 1897, 0xb2a2_cc50_8fc5_ee31, "sparse"),
        (5000, 5005, 12304, 0x34cb_6bb2_d0f2_df6a, "dense"),
        (20000, 19986, 12304, 0x73d1_f56d_b36c_fbff, "dense"),
        (100000, 100039, 12304, 0xf9c0_1647_cea5_9fdd, "dense"),
    ];
    for &(n, count, len, digest, encoding) in recorded {
        let key = format!("h{n}");
        s.add_elements(&key, n);
        assert_eq!(s.run(&format!("PFCOUNT {key}")), int(count), "{n} elements");
        let bytes = s.get(&key);
        assert_eq!(bytes.len(), len, "{n} elements");
        assert_eq!(fnv1a(&bytes), digest, "{n} elements");
        assert_eq!(
            s.run(&format!("PFDEBUG ENCODING {key}")),
            Reply::simple(encoding)
        );
    }
    assert_eq!(s.run("PFCOUNT h10 h1000 h5000"), int(5005));
    let mut args: Vec<Vec<u8>> = vec![b"PFADD".to_vec(), b"ints".to_vec()];
    args.extend((0..3000).map(|i: i32| i.to_string().into_bytes()));
    let refs: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    s.cmd(&refs);
    assert_eq!(s.run("PFCOUNT ints"), int(3004));
}

#[test]
fn sketches_move_between_redis_and_the_engine_with_get_and_set() {
    let mut s = Session::new();
    // GET of a Redis sketch holding element:0..element:9, with its cached count of 10.
    let from_redis: &[u8] = b"HYLL\x01\x00\x00\x00\x0a\x00\x00\x00\x00\x00\x00\x00\x44\x8e\x80\x45\x3b\x84\x41\xed\x88\x44\x1b\x80\x40\x7c\x90\x45\x01\x80\x4a\xb3\x84\x40\x72\x80\x58\xdc\x80\x44\x4f\x84\x42\x4d";
    s.cmd(&[b"SET", b"copy", from_redis]);
    assert_eq!(s.run("PFCOUNT copy"), int(10));
    s.add_elements("mine", 10);
    assert_eq!(s.run("PFCOUNT mine"), int(10));
    assert_eq!(s.get("mine"), from_redis);
    // Adding what is already there changes nothing.
    assert_eq!(s.run("PFADD copy element:3"), int(0));
    assert_eq!(s.run("PFADD copy element:10"), int(1));
    assert_eq!(s.run("PFCOUNT copy mine"), int(11));
}

#[test]
fn invalid_values_get_redis_errors() {
    let mut s = Session::new();
    s.run("SET plain hello");
    let not_hll = Reply::error("WRONGTYPE Key is not a valid HyperLogLog string value.");
    assert_eq!(s.run("PFADD plain a"), not_hll);
    assert_eq!(s.run("PFCOUNT plain"), not_hll);
    s.run("SET number 123");
    assert_eq!(s.run("PFCOUNT number"), not_hll);
    s.run("SADD set a");
    assert_eq!(
        s.run("PFADD set a"),
        Reply::error("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    // A sparse body that does not cover the 16384 registers.
    s.cmd(&[
        b"SET",
        b"corrupt",
        b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe",
    ]);
    let corrupt = Reply::error("INVALIDOBJ Corrupted HLL object detected");
    assert_eq!(s.run("PFCOUNT corrupt"), corrupt);
    assert_eq!(s.run("PFMERGE dst corrupt"), corrupt);
    assert_eq!(s.run("PFDEBUG TODENSE corrupt"), corrupt);
}

#[test]
fn promotion_to_dense_follows_the_sparse_size_limit() {
    let mut s = Session::new();
    s.run("CONFIG SET hll-sparse-max-bytes 100");
    s.add_elements("h", 20);
    assert_eq!(s.run("PFDEBUG ENCODING h"), Reply::simple("sparse"));
    s.add_elements("h", 60);
    assert_eq!(s.run("PFDEBUG ENCODING h"), Reply::simple("dense"));
    assert_eq!(s.get("h").len(), 12304);
    assert_eq!(s.run("PFCOUNT h"), int(60));
}

#[test]
fn merge_takes_the_densest_encoding_and_counts_the_union() {
    let mut s = Session::new();
    s.add_elements("a", 3000);
    s.run("PFADD b x y z");
    assert_eq!(s.run("PFMERGE m b"), Reply::ok());
    assert_eq!(s.run("PFDEBUG ENCODING m"), Reply::simple("sparse"));
    assert_eq!(s.run("PFMERGE m a"), Reply::ok());
    assert_eq!(s.run("PFDEBUG ENCODING m"), Reply::simple("dense"));
    let union = s.run("PFCOUNT a b");
    assert_eq!(s.run("PFCOUNT m"), union);
}

#[test]
fn keyspace_events_match_redis() {
    let mut s = Session::new();
    let subscriber = s.server.connect(T0);
    for line in ["HELLO 3", "PSUBSCRIBE __keyevent@0__:*"] {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        s.server.execute(subscriber, argv, T0);
    }
    s.run("CONFIG SET notify-keyspace-events KEA");
    s.server.take_outbound(subscriber);
    // Recorded from Redis 7.0 with a separate subscriber.
    for (line, events) in [
        ("PFADD h a b", vec!["pfadd"]),
        ("PFADD h a", vec![]),
        ("PFADD h2", vec!["pfadd"]),
        ("PFCOUNT h", vec![]),
        ("PFMERGE h3 h h2", vec!["pfadd"]),
    ] {
        s.run(line);
        let pushes = s.server.take_outbound(subscriber);
        assert_eq!(pushes.len(), events.len(), "{line}");
    }
}

#[test]
fn pfcount_caches_its_result_in_the_value() {
    let mut s = Session::new();
    s.run("PFADD h a b c");
    let stale = s.get("h");
    assert_eq!(stale[15] & 0x80, 0x80, "a fresh sketch's cache is stale");
    assert_eq!(s.run("PFCOUNT h"), int(3));
    let cached = s.get("h");
    assert_eq!(&cached[8..16], &3u64.to_le_bytes());
    // A count read back from a valid cache is believed, even if the registers disagree.
    let mut forged = cached.clone();
    forged[8] = 42;
    s.cmd(&[b"SET", b"forged", &forged]);
    assert_eq!(s.run("PFCOUNT forged"), int(42));
}

#[test]
fn self_test_passes() {
    let mut s = Session::new();
    assert_eq!(s.run("PFSELFTEST"), Reply::ok());
}
