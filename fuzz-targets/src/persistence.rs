//! Loaders of what a disk or a client hands the engine: DUMP payloads, RDB files, AOFs.

use emulator::persistence::{Disk, MemoryDisk};
use emulator::{ClientId, Server};

use crate::{words, T0};

/// Reads, writes and a reload that every loaded key goes through, whatever its type
/// (commands for other types answer WRONGTYPE).
const KEY_WORKOUT: &[&str] = &[
    "TYPE k",
    "OBJECT ENCODING k",
    "MEMORY USAGE k",
    "STRLEN k",
    "GETRANGE k 0 -1",
    "LRANGE k 0 -1",
    "LINDEX k -1",
    "HGETALL k",
    "HRANDFIELD k -5 WITHVALUES",
    "SMEMBERS k",
    "SRANDMEMBER k -5",
    "ZRANGE k 0 -1 WITHSCORES",
    "ZRANGEBYLEX k - +",
    "ZRANK k a",
    "XRANGE k - +",
    "XINFO STREAM k FULL",
    "XINFO GROUPS k",
    "XPENDING k g",
    "PFCOUNT k",
    "GEOPOS k a",
    "DUMP k",
    "RPUSH k x",
    "HSET k f v",
    "SADD k 7 x",
    "ZADD k 1 x",
    "XADD k * f v",
    "PFADD k x",
    "APPEND k x",
    "SETRANGE k 3 x",
    "LPOP k",
    "SPOP k",
    "ZPOPMIN k",
    "HDEL k f",
    "XTRIM k MAXLEN 1",
    "PFDEBUG GETREG k",
    "DEBUG RELOAD",
    "DUMP k",
    "EXPIRE k 100",
    "DEBUG RELOAD",
    "TYPE k",
];

fn run(server: &mut Server, client: ClientId, lines: &[&str]) {
    for (i, line) in lines.iter().enumerate() {
        server.execute(client, words(line), T0 + i as u64);
    }
}

/// A server on an in-memory disk holding `files`, started (which loads them) with `config`.
fn start_with(files: &[(&str, &[u8])], config: &[(&str, &[u8])]) -> Server {
    let mut disk = MemoryDisk::new();
    for (name, bytes) in files {
        disk.write(name, bytes).expect("memory disk write");
    }
    let mut server = Server::new();
    server.set_disk(Box::new(disk));
    for (name, value) in config {
        server.configure(name, value).expect("valid configuration");
    }
    server.start(T0);
    server
}

/// Every key of every database goes through the workout (under the name `k`).
fn work_out_every_key(server: &mut Server) {
    if server.is_stopped() {
        return;
    }
    let client = server.connect(T0);
    for db in 0..16 {
        server.execute(client, words(&format!("SELECT {db}")), T0);
        let keys = match &server.execute(client, words("KEYS *"), T0)[..] {
            [emulator::Reply::Array(keys)] => keys.len(),
            _ => 0,
        };
        if keys > 0 {
            // One key at a time under a fixed name, so the workout's lines stay fixed.
            server.execute(client, words("RANDOMKEY"), T0);
            let key = match &server.execute(client, words("RANDOMKEY"), T0)[..] {
                [emulator::Reply::Bulk(key)] => key.clone(),
                _ => continue,
            };
            server.execute(client, vec![b"RENAME".to_vec(), key, b"k".to_vec()], T0);
            run(server, client, KEY_WORKOUT);
        }
    }
    run(
        server,
        client,
        &["SAVE", "DEBUG RELOAD", "DBSIZE", "FLUSHALL"],
    );
}

/// The input without its first byte; when that byte is even, with a valid checksum appended
/// (`footer` bytes first: the payload's RDB version), so the fuzzer reaches the decoder
/// instead of spending itself on CRC-64 mismatches.
fn checksummed(data: &[u8], footer: &[u8]) -> Vec<u8> {
    let Some((&control, body)) = data.split_first() else {
        return Vec::new();
    };
    let mut bytes = body.to_vec();
    if control % 2 == 0 {
        bytes.extend_from_slice(footer);
        let crc = emulator::persistence::crc64::crc64(0, &bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
    }
    bytes
}

/// What DUMP puts before a payload's checksum: RDB version 10.
const DUMP_VERSION: &[u8] = &[10, 0];

/// RESTORE of an arbitrary payload, then the key workout if it was accepted.
pub fn restore_payload(data: &[u8]) {
    let mut server = Server::new();
    let client = server.connect(T0);
    let mut argv = words("RESTORE k 0");
    argv.push(checksummed(data, DUMP_VERSION));
    let restored = server.execute(client, argv, T0);
    if restored.first() == Some(&emulator::Reply::ok()) {
        run(&mut server, client, KEY_WORKOUT);
    }
}

/// An arbitrary `dump.rdb` loaded at startup, then its keys worked out, saved and reloaded.
pub fn rdb_load(data: &[u8]) {
    let mut server = start_with(&[("dump.rdb", &checksummed(data, b""))], &[]);
    work_out_every_key(&mut server);
}

const MANIFEST: &[u8] = b"file appendonly.aof.1.base.aof seq 1 type b\n\
file appendonly.aof.1.incr.aof seq 1 type i\n";

/// An arbitrary AOF: the first byte chooses which file the rest is (the incremental file,
/// the manifest, or the base file with or without an RDB preamble, whose checksum the second
/// byte may fix up as in `rdb_load`).
pub fn aof_load(data: &[u8]) {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    // A base file with an RDB preamble carries a checksum like dump.rdb.
    let base = checksummed(bytes, b"");
    let files: Vec<(&str, &[u8])> = match which % 3 {
        0 => vec![
            ("appendonlydir/appendonly.aof.manifest", MANIFEST),
            ("appendonlydir/appendonly.aof.1.base.aof", b""),
            ("appendonlydir/appendonly.aof.1.incr.aof", bytes),
        ],
        1 => vec![
            ("appendonlydir/appendonly.aof.manifest", bytes),
            ("appendonlydir/appendonly.aof.1.base.aof", b""),
            (
                "appendonlydir/appendonly.aof.1.incr.aof",
                b"*1\r\n$4\r\nPING\r\n",
            ),
        ],
        _ => vec![
            ("appendonlydir/appendonly.aof.manifest", MANIFEST),
            ("appendonlydir/appendonly.aof.1.base.aof", &base),
            ("appendonlydir/appendonly.aof.1.incr.aof", b""),
        ],
    };
    let preamble: &[u8] = if which & 0x80 != 0 { b"yes" } else { b"no" };
    let mut server = start_with(
        &files,
        &[("appendonly", b"yes"), ("aof-use-rdb-preamble", preamble)],
    );
    work_out_every_key(&mut server);
}
