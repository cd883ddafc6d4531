//! The engine alone, without the network: commands per second through `Server::execute` (with
//! reply encoding, as the server does it), and memory per key.
//!
//! `cargo bench -p redis-emu --bench engine` (part of `scripts/bench.sh`). `BENCH_KEYS` sets the
//! number of keys (default 1 000 000) and `BENCH_OPS` the commands per measurement (default
//! 1 000 000). Output lines are `engine <COMMAND> <ops/s>` and `memory ...`, for the script.
//!
//! Memory is measured with a counting global allocator: the bytes held by live allocations,
//! both as requested and as the system allocator actually reserves them (`malloc_usable_size`,
//! the figure comparable to Redis's `used_memory`, which counts jemalloc's size classes).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use emulator::commands::Registry;
use emulator::resp::Protocol;
use emulator::Server;

struct CountingAllocator;

static REQUESTED: AtomicUsize = AtomicUsize::new(0);
static USABLE: AtomicUsize = AtomicUsize::new(0);

fn usable_size(ptr: *mut u8) -> usize {
    // SAFETY: `ptr` was returned by the system allocator and is still live.
    unsafe { libc::malloc_usable_size(ptr.cast()) }
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            REQUESTED.fetch_add(layout.size(), Ordering::Relaxed);
            USABLE.fetch_add(usable_size(ptr), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        REQUESTED.fetch_sub(layout.size(), Ordering::Relaxed);
        USABLE.fetch_sub(usable_size(ptr), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old_usable = usable_size(ptr);
        let new_ptr = unsafe { System.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            REQUESTED.fetch_add(new_size, Ordering::Relaxed);
            REQUESTED.fetch_sub(layout.size(), Ordering::Relaxed);
            USABLE.fetch_add(usable_size(new_ptr), Ordering::Relaxed);
            USABLE.fetch_sub(old_usable, Ordering::Relaxed);
        }
        new_ptr
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn argv(words: &[&[u8]]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.to_vec()).collect()
}

/// Runs `ops` commands made by `make` and prints the rate.
fn measure(server: &mut Server, name: &str, ops: u64, mut make: impl FnMut(u64) -> Vec<Vec<u8>>) {
    if Registry::get().command(&name.to_lowercase()).is_none() {
        println!("engine {name} n/a");
        return;
    }
    let client = server.connect(1);
    let mut out = Vec::with_capacity(64 * 1024);
    let started = Instant::now();
    for i in 0..ops {
        for reply in server.execute(client, make(i), 1) {
            reply.encode_into(Protocol::Resp2, &mut out);
        }
        if out.len() > 60 * 1024 {
            black_box(&out);
            out.clear();
        }
    }
    let rate = ops as f64 / started.elapsed().as_secs_f64();
    println!("engine {name} {rate:.0}");
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let keys = env_count("BENCH_KEYS", 1_000_000);
    let ops = env_count("BENCH_OPS", 1_000_000);

    // Memory: the same data as Redis's `DEBUG POPULATE <keys>` (key:N -> value:N).
    let requested_before = REQUESTED.load(Ordering::Relaxed);
    let usable_before = USABLE.load(Ordering::Relaxed);
    let mut server = Server::new();
    let client = server.connect(1);
    if Registry::get().command("set").is_some() {
        for i in 0..keys {
            let key = format!("key:{i}");
            let value = format!("value:{i}");
            black_box(server.execute(client, argv(&[b"SET", key.as_bytes(), value.as_bytes()]), 1));
        }
        let per_key = |now: usize, before: usize| (now - before) as f64 / keys.max(1) as f64;
        println!(
            "memory engine {keys} keys: {:.1} bytes/key allocated ({:.1} requested)",
            per_key(USABLE.load(Ordering::Relaxed), usable_before),
            per_key(REQUESTED.load(Ordering::Relaxed), requested_before),
        );
    } else {
        println!("memory engine n/a (no SET)");
    }

    // Snapshots of that keyspace: writing the RDB file, then decoding and loading it.
    if Registry::get().command("set").is_some() {
        let started = std::time::Instant::now();
        let file = black_box(emulator::persistence::rdb::encode(&server));
        let write_s = started.elapsed().as_secs_f64();
        let started = std::time::Instant::now();
        let mut copy = Server::new();
        copy.connect(1);
        let loaded = copy.load_rdb_bytes(&file).map(|s| s.keys_loaded);
        let load_s = started.elapsed().as_secs_f64();
        println!(
            "rdb engine {keys} keys: {} bytes, write {write_s:.3} s, load {load_s:.3} s ({loaded:?} keys)",
            file.len()
        );
    }

    // Throughput over that keyspace.
    let key_of = |i: u64| format!("key:{}", i.wrapping_mul(2_654_435_761) % keys.max(1));
    measure(&mut server, "GET", ops, |i| {
        argv(&[b"GET", key_of(i).as_bytes()])
    });
    measure(&mut server, "SET", ops, |i| {
        argv(&[b"SET", key_of(i).as_bytes(), b"xxx"])
    });
    measure(&mut server, "INCR", ops, |i| {
        argv(&[b"INCR", format!("counter:{}", i % 1000).as_bytes()])
    });
    measure(&mut server, "PING", ops, |_| argv(&[b"PING"]));
}
