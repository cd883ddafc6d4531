//! AOF rewrite and load of 1 000 000 string keys: the engine (base file in RDB format and
//! as commands) beside redis-server 7.0 when it is on PATH (BGREWRITEAOF timed until INFO
//! shows it finished, DEBUG LOADAOF for the load).
//!
//! `cargo bench -p redis-emu --bench aof`. `AOF_BENCH_KEYS` changes the key count.

use std::time::{Duration, Instant};

use emulator::persistence::MemoryDisk;
use emulator::{Reply, Server};
use integration_tests::real_redis::{find_on_path, RealRedis};

fn keys() -> u64 {
    std::env::var("AOF_BENCH_KEYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn engine(preamble: &str, n: u64) {
    let mut server = Server::new();
    server.set_disk(Box::new(MemoryDisk::new()));
    server
        .configure("aof-use-rdb-preamble", preamble.as_bytes())
        .unwrap();
    server.configure("save", b"").unwrap();
    let client = server.connect(0);
    for i in 0..n {
        let key = format!("key:{i:012}").into_bytes();
        server.execute(client, vec![b"SET".to_vec(), key, b"value".to_vec()], 0);
    }
    let started = Instant::now();
    let reply = server.execute(client, argv(&["CONFIG", "SET", "appendonly", "yes"]), 0);
    assert_eq!(reply, vec![Reply::ok()]);
    let rewrite = started.elapsed();
    let started = Instant::now();
    let log = server.restart(0);
    let load = started.elapsed();
    assert!(!server.is_stopped(), "{log:?}");
    println!(
        "engine (aof-use-rdb-preamble {preamble:>3}): rewrite {:>8.1} ms, load {:>8.1} ms",
        rewrite.as_secs_f64() * 1000.0,
        load.as_secs_f64() * 1000.0
    );
}

fn redis(preamble: &str, n: u64) {
    let Some(binary) = find_on_path("redis-server") else {
        println!("redis-server not on PATH: no reference figures");
        return;
    };
    let redis = RealRedis::start(
        &binary,
        &[
            "--aof-use-rdb-preamble",
            preamble,
            "--enable-debug-command",
            "yes",
        ],
    )
    .expect("redis-server starts");
    let mut conn = redis.connect().unwrap();
    let count = n.to_string();
    conn.call(&argv(&["DEBUG", "POPULATE", &count, "key", "5"]))
        .unwrap();
    let started = Instant::now();
    conn.call(&argv(&["CONFIG", "SET", "appendonly", "yes"]))
        .unwrap();
    loop {
        let Ok(Reply::Bulk(info)) = conn.call(&argv(&["INFO", "persistence"])) else {
            panic!("INFO");
        };
        let text = String::from_utf8_lossy(&info);
        if text.contains("aof_rewrite_in_progress:0") && text.contains("aof_rewrite_scheduled:0") {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let rewrite = started.elapsed();
    let started = Instant::now();
    conn.call(&argv(&["DEBUG", "LOADAOF"])).unwrap();
    let load = started.elapsed();
    println!(
        "redis-server (aof-use-rdb-preamble {preamble:>3}): rewrite {:>8.1} ms, load {:>8.1} ms",
        rewrite.as_secs_f64() * 1000.0,
        load.as_secs_f64() * 1000.0
    );
}

fn main() {
    let n = keys();
    println!("AOF rewrite (turning appendonly on) and load of {n} string keys");
    for preamble in ["yes", "no"] {
        engine(preamble, n);
        redis(preamble, n);
    }
}
