//! How per-operation time grows with the size of one collection: each operation is timed on
//! a list, hash, set or sorted set of 1 000, 100 000 and 1 000 000 elements, and the ratio
//! between the largest and the smallest size is printed. Redis's complexities are O(1) or
//! O(log n) for all of them, so the ratio should stay small (cache misses on larger data
//! account for some growth).
//!
//! `cargo bench -p redis-emu --bench scaling`. `SCALING_OPS` sets the operations timed per
//! measurement (default 20 000).

use std::hint::black_box;
use std::time::Instant;

use emulator::resp::Protocol;
use emulator::{ClientId, Server};

const SIZES: [u64; 3] = [1_000, 100_000, 1_000_000];
/// Elements added per command while filling a collection.
const FILL_BATCH: u64 = 1_000;

/// A small deterministic generator (xorshift64*), to pick elements in no particular order.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

struct Bench {
    server: Server,
    client: ClientId,
    out: Vec<u8>,
}

impl Bench {
    fn new() -> Bench {
        let mut server = Server::new();
        let client = server.connect(1);
        Bench {
            server,
            client,
            out: Vec::with_capacity(64 * 1024),
        }
    }

    fn run(&mut self, argv: Vec<Vec<u8>>) {
        for reply in self.server.execute(self.client, argv, 1) {
            reply.encode_into(Protocol::Resp2, &mut self.out);
        }
        if self.out.len() > 60 * 1024 {
            black_box(&self.out);
            self.out.clear();
        }
    }

    /// Adds elements `0..size` with `command key [prefix] element...`, where each element
    /// is given by `element(i)` as one or more arguments.
    fn fill(&mut self, command: &str, size: u64, element: impl Fn(u64) -> Vec<Vec<u8>>) {
        let mut next = 0;
        while next < size {
            let mut argv = vec![command.as_bytes().to_vec(), b"key".to_vec()];
            for i in next..(next + FILL_BATCH).min(size) {
                argv.extend(element(i));
            }
            self.run(argv);
            next += FILL_BATCH;
        }
    }

    /// Nanoseconds per command over `ops` commands made by `make`; `undo` (untimed) runs
    /// after every batch of 1 000 so that the collection keeps its size.
    fn time(
        &mut self,
        ops: u64,
        mut make: impl FnMut(u64) -> Vec<Vec<u8>>,
        mut undo: impl FnMut(u64) -> Option<Vec<Vec<u8>>>,
    ) -> f64 {
        let mut spent = 0.0;
        let mut done = 0;
        while done < ops {
            let batch = (ops - done).min(1_000);
            let started = Instant::now();
            for i in done..done + batch {
                self.run(make(i));
            }
            spent += started.elapsed().as_secs_f64();
            for i in done..done + batch {
                if let Some(argv) = undo(i) {
                    self.run(argv);
                }
            }
            done += batch;
        }
        spent * 1e9 / ops as f64
    }
}

fn words(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

fn member(i: u64) -> Vec<u8> {
    format!("member:{i}").into_bytes()
}

/// A member that is not among those `fill` added.
fn fresh(i: u64) -> Vec<u8> {
    format!("fresh:{i}").into_bytes()
}

/// The timings of every operation at one size.
fn measure_size(size: u64, ops: u64) -> Vec<(&'static str, f64)> {
    let mut results = Vec::new();
    let mut random = Random(0x9e37_79b9_7f4a_7c15);

    let mut b = Bench::new();
    b.fill("ZADD", size, |i| {
        vec![i.to_string().into_bytes(), member(i)]
    });
    let ns = b.time(
        ops,
        |i| {
            words(&[
                b"ZADD",
                b"key",
                (i % 7919).to_string().as_bytes(),
                &fresh(i),
            ])
        },
        |i| Some(words(&[b"ZREM", b"key", &fresh(i)])),
    );
    results.push(("ZADD (new member)", ns));
    let ns = b.time(
        ops,
        |_| words(&[b"ZRANK", b"key", &member(random.below(size))]),
        |_| None,
    );
    results.push(("ZRANK", ns));
    let ns = b.time(
        ops,
        |_| {
            let start = random.below(size - 10);
            let (from, to) = (start.to_string(), (start + 9).to_string());
            words(&[b"ZRANGE", b"key", from.as_bytes(), to.as_bytes()])
        },
        |_| None,
    );
    results.push(("ZRANGE by rank, 10 elements", ns));
    drop(b);

    let mut b = Bench::new();
    b.fill("RPUSH", size, |i| vec![member(i)]);
    let ns = b.time(
        ops,
        |i| {
            if i % 2 == 0 {
                words(&[b"LPUSH", b"key", &fresh(i)])
            } else {
                words(&[b"RPOP", b"key"])
            }
        },
        |_| None,
    );
    results.push(("LPUSH / RPOP (alternating)", ns));
    drop(b);

    let mut b = Bench::new();
    b.fill("SADD", size, |i| vec![member(i)]);
    let ns = b.time(
        ops,
        |i| words(&[b"SADD", b"key", &fresh(i)]),
        |i| Some(words(&[b"SREM", b"key", &fresh(i)])),
    );
    results.push(("SADD (new member)", ns));
    let ns = b.time(
        ops,
        |_| words(&[b"SISMEMBER", b"key", &member(random.below(size))]),
        |_| None,
    );
    results.push(("SISMEMBER", ns));
    drop(b);

    let mut b = Bench::new();
    b.fill("HSET", size, |i| {
        vec![member(i), i.to_string().into_bytes()]
    });
    let ns = b.time(
        ops,
        |i| words(&[b"HSET", b"key", &fresh(i), b"value"]),
        |i| Some(words(&[b"HDEL", b"key", &fresh(i)])),
    );
    results.push(("HSET (new field)", ns));
    let ns = b.time(
        ops,
        |_| words(&[b"HGET", b"key", &member(random.below(size))]),
        |_| None,
    );
    results.push(("HGET", ns));
    results
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let ops = std::env::var("SCALING_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000u64);
    let by_size: Vec<Vec<(&str, f64)>> = SIZES.iter().map(|&n| measure_size(n, ops)).collect();
    println!("ns per operation, {ops} operations per measurement");
    println!(
        "{:<30} {:>10} {:>10} {:>10} {:>10}",
        "operation", "1K", "100K", "1M", "1M/1K"
    );
    for (row, (name, _)) in by_size[0].iter().enumerate() {
        let at = |size: usize| by_size[size][row].1;
        println!(
            "{:<30} {:>10.0} {:>10.0} {:>10.0} {:>10.2}",
            name,
            at(0),
            at(1),
            at(2),
            at(2) / at(0)
        );
    }
}
