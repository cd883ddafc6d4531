//! maxmemory through the public API: the OOM refusal and the allkeys eviction policies.

use emulator::{Reply, Server};

const T0: u64 = 1_700_000_000_000;

fn run(srv: &mut Server, client: u64, line: &str, now: u64) -> Reply {
    let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
    let mut replies = srv.execute(client, argv, now);
    assert_eq!(replies.len(), 1, "{line}");
    replies.remove(0)
}

fn fill(srv: &mut Server, client: u64, keys: usize, now: u64) {
    for i in 0..keys {
        run(srv, client, &format!("SET key:{i} {}", "x".repeat(50)), now);
    }
}

/// A server with one client, without per-command latency histograms (they take memory as
/// commands are first used, which would move the limits these tests compute).
fn server() -> (Server, u64) {
    let mut srv = Server::new();
    let c = srv.connect(T0);
    run(&mut srv, c, "CONFIG SET latency-tracking no", T0);
    (srv, c)
}

fn evicted(srv: &Server) -> u64 {
    srv.stats().evicted_keys
}

/// Lowers maxmemory so that about `fraction` of the dataset must go.
fn squeeze(srv: &mut Server, client: u64, fraction: f64, empty: usize, now: u64) {
    let used = srv.used_memory();
    let limit = used - ((used - empty) as f64 * fraction) as usize;
    assert_eq!(
        run(srv, client, &format!("CONFIG SET maxmemory {limit}"), now),
        Reply::ok()
    );
}

#[test]
fn noeviction_refuses_writes_but_not_reads() {
    let (mut srv, c) = server();
    fill(&mut srv, c, 10, T0);
    run(&mut srv, c, "CONFIG SET maxmemory 1", T0);
    assert_eq!(
        run(&mut srv, c, "SET other v", T0),
        Reply::error("OOM command not allowed when used memory > 'maxmemory'.")
    );
    assert_eq!(
        run(&mut srv, c, "GET key:1", T0),
        Reply::bulk("x".repeat(50))
    );
    assert_eq!(run(&mut srv, c, "DBSIZE", T0), Reply::Integer(10));
    assert_eq!(evicted(&srv), 0);
    let stats = run(&mut srv, c, "INFO commandstats", T0);
    let Reply::Verbatim(_, text) = stats else {
        panic!()
    };
    assert!(String::from_utf8_lossy(&text).contains("cmdstat_set:calls=10,"));
    assert!(String::from_utf8_lossy(&text).contains("rejected_calls=1,failed_calls=0"));
}

#[test]
fn allkeys_random_evicts_until_under_the_limit() {
    let (mut srv, c) = server();
    let empty = srv.used_memory();
    fill(&mut srv, c, 1000, T0);
    run(
        &mut srv,
        c,
        "CONFIG SET maxmemory-policy allkeys-random",
        T0,
    );
    squeeze(&mut srv, c, 0.5, empty, T0);
    let left = match run(&mut srv, c, "DBSIZE", T0) {
        Reply::Integer(n) => n,
        other => panic!("{other:?}"),
    };
    assert!((480..=520).contains(&left), "{left} keys left");
    assert_eq!(evicted(&srv), 1000 - left as u64);
    assert!(srv.used_memory() as u64 <= srv.config().maxmemory);
    // New writes keep evicting instead of failing.
    for i in 0..100 {
        assert_eq!(
            run(&mut srv, c, &format!("SET new:{i} {}", "y".repeat(50)), T0),
            Reply::ok()
        );
    }
    assert!(srv.used_memory() as u64 <= srv.config().maxmemory + 200);
}

#[test]
fn allkeys_lru_keeps_recently_used_keys() {
    let (mut srv, c) = server();
    let empty = srv.used_memory();
    fill(&mut srv, c, 1000, T0);
    // Read the first half a minute later: the second half is idle.
    let later = T0 + 60_000;
    for i in 0..500 {
        run(&mut srv, c, &format!("GET key:{i}"), later);
    }
    run(
        &mut srv,
        c,
        "CONFIG SET maxmemory-policy allkeys-lru",
        later,
    );
    run(&mut srv, c, "CONFIG SET maxmemory-samples 10", later);
    squeeze(&mut srv, c, 0.4, empty, later);
    let recent = (0..500)
        .filter(|i| run(&mut srv, c, &format!("MEMORY USAGE key:{i}"), later) != Reply::Null)
        .count();
    let idle = (500..1000)
        .filter(|i| run(&mut srv, c, &format!("MEMORY USAGE key:{i}"), later) != Reply::Null)
        .count();
    assert!(recent > 480, "recently used keys kept: {recent}");
    assert!(idle < 150, "idle keys kept: {idle}");
}

#[test]
fn allkeys_lfu_keeps_frequently_used_keys() {
    let (mut srv, c) = server();
    run(&mut srv, c, "CONFIG SET maxmemory-policy allkeys-lfu", T0);
    let empty = srv.used_memory();
    fill(&mut srv, c, 1000, T0);
    // Keys 0..200 are read often; the rest never after being written.
    for _ in 0..30 {
        for i in 0..200 {
            run(&mut srv, c, &format!("GET key:{i}"), T0);
        }
    }
    squeeze(&mut srv, c, 0.5, empty, T0);
    let hot = (0..200)
        .filter(|i| run(&mut srv, c, &format!("MEMORY USAGE key:{i}"), T0) != Reply::Null)
        .count();
    assert!(hot > 190, "frequently used keys kept: {hot}");
}

#[test]
fn eviction_counts_and_exceeded_time() {
    let (mut srv, c) = server();
    run(&mut srv, c, "CONFIG SET maxmemory-policy allkeys-lru", T0);
    run(&mut srv, c, "SET k v", T0);
    // Below the server's own footprint: every key goes and writes still fail.
    run(&mut srv, c, "CONFIG SET maxmemory 1", T0);
    assert_eq!(evicted(&srv), 1);
    assert_eq!(
        run(&mut srv, c, "SET k v", T0 + 10),
        Reply::error("OOM command not allowed when used memory > 'maxmemory'.")
    );
    let Reply::Verbatim(_, info) = run(&mut srv, c, "INFO stats", T0 + 510) else {
        panic!()
    };
    let info = String::from_utf8_lossy(&info).into_owned();
    assert!(info.contains("evicted_keys:1\r\n"));
    assert!(
        info.contains("current_eviction_exceeded_time:510\r\n"),
        "{info}"
    );
    run(&mut srv, c, "CONFIG SET maxmemory 0", T0 + 600);
    assert_eq!(run(&mut srv, c, "SET k v", T0 + 600), Reply::ok());
}

#[test]
fn evictions_are_published_as_keyspace_events() {
    let (mut srv, c) = server();
    let subscriber = srv.connect(T0);
    run(&mut srv, c, "CONFIG SET notify-keyspace-events Ee", T0);
    let argv = vec![b"SUBSCRIBE".to_vec(), b"__keyevent@0__:evicted".to_vec()];
    assert_eq!(srv.execute(subscriber, argv, T0).len(), 1);
    run(&mut srv, c, "SET k v", T0);
    run(
        &mut srv,
        c,
        "CONFIG SET maxmemory-policy allkeys-random",
        T0,
    );
    run(&mut srv, c, "CONFIG SET maxmemory 1", T0);
    let messages: Vec<Vec<u8>> = srv
        .take_outbound(subscriber)
        .iter()
        .map(|r| r.encode(emulator::Protocol::Resp2))
        .collect();
    assert_eq!(
        messages,
        vec![b"*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted\r\n$1\r\nk\r\n".to_vec()]
    );
}
