//! Writes the starting corpus of each fuzz target into `fuzz/corpus/<target>/`: valid
//! requests, command lines, DUMP payloads of every type and encoding, an RDB file and AOF
//! files made by the engine itself. Run once: `cargo run -p fuzz-targets --example seeds`.

use std::path::Path;

use emulator::persistence::MemoryDisk;
use emulator::{Reply, Server};

const T0: u64 = 1_700_000_000_000;

/// Commands that leave one key of each type and encoding.
const KEYSPACE: &[&str] = &[
    "SET str hello",
    "SET num 42",
    "SETRANGE long 100 x",
    "RPUSH list a b c 1 2 3",
    "HSET hash f1 v1 f2 2",
    "SADD set a b c",
    "SADD intset 1 2 3",
    "ZADD zset 1 a 2 b 3.5 c",
    "PFADD hll a b c",
    "XADD stream 1-1 f v",
    "XADD stream 2-1 g w",
    "XGROUP CREATE stream grp 0",
    "XREADGROUP GROUP grp alice COUNT 1 STREAMS stream >",
    "GEOADD geo 13.361389 38.115556 Palermo",
    "CONFIG SET hash-max-listpack-entries 1",
    "HSET bighash a 1 b 2 c 3",
    "CONFIG SET set-max-intset-entries 1",
    "SADD bigset 1 2 3",
    "CONFIG SET zset-max-listpack-entries 1",
    "ZADD bigzset 1 a 2 b",
    "CONFIG SET list-max-listpack-size 1",
    "RPUSH biglist a b c d",
    "PEXPIREAT str 4102444800000",
];

fn words(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    std::fs::create_dir_all(&dir).expect("corpus directory");
    std::fs::write(dir.join(name), bytes).expect("corpus file");
}

fn main() {
    let mut server = Server::new();
    server.set_disk(Box::new(MemoryDisk::new()));
    server.configure("appendonly", b"yes").expect("appendonly");
    server
        .configure("aof-use-rdb-preamble", b"no")
        .expect("preamble");
    server.start(T0);
    let client = server.connect(T0);
    let mut requests = Vec::new();
    for line in KEYSPACE {
        server.execute(client, words(line), T0);
        let argv = words(line);
        requests.extend(format!("*{}\r\n", argv.len()).into_bytes());
        for arg in &argv {
            requests.extend(format!("${}\r\n", arg.len()).into_bytes());
            requests.extend(arg);
            requests.extend(b"\r\n");
        }
        requests.extend(line.as_bytes());
        requests.extend(b"\r\n");
        write(
            "cli_split",
            &format!("line-{}", line.replace(' ', "_")),
            line.as_bytes(),
        );
    }
    for piece in [1u8, 3, 7, 0x80 | 5] {
        let mut seed = vec![piece];
        seed.extend(&requests);
        write("request_parser", &format!("requests-{piece}"), &seed);
    }
    write("cli_split", "quotes", b"SET \"a b\\x41\\n\" 'it\\'s' \"\"");
    for key in [
        "str", "long", "list", "hash", "set", "intset", "zset", "hll", "stream", "geo", "bighash",
        "bigset", "bigzset", "biglist",
    ] {
        if let [Reply::Bulk(payload)] =
            &server.execute(client, words(&format!("DUMP {key}")), T0)[..]
        {
            // The target appends the version and checksum itself after a 0 byte.
            write(
                "restore_payload",
                key,
                &[&[0u8][..], &payload[..payload.len() - 10]].concat(),
            );
        }
    }
    server.execute(client, words("SAVE"), T0);
    let disk = server.disk();
    let rdb = disk.read("dump.rdb").expect("read").expect("dump.rdb");
    let unsummed = &rdb[..rdb.len() - 8];
    write("rdb_load", "keyspace.rdb", &[&[0u8][..], unsummed].concat());
    let incr = disk
        .read("appendonlydir/appendonly.aof.1.incr.aof")
        .expect("read")
        .expect("incremental AOF");
    write("aof_load", "incr", &[&[0u8][..], &incr].concat());
    write(
        "aof_load",
        "manifest",
        b"\x01file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    );
    write(
        "aof_load",
        "base-rdb",
        &[&[0x82u8, 0][..], unsummed].concat(),
    );
    // Commands: control byte, two bytes of command index, argument count, then arguments.
    for seed in 0u8..8 {
        let bytes: Vec<u8> = (0..96)
            .map(|i: u8| i.wrapping_mul(37).wrapping_add(seed * 11))
            .collect();
        write("commands", &format!("walk-{seed}"), &bytes);
    }
}
