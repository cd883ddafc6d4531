//! The append-only file: propagation forms, fsync policies and what a crash or restart keeps.

use emulator::persistence::MemoryDisk;
use emulator::{Reply, Server};

fn args(line: &str) -> Vec<Vec<u8>> {
    line.split_whitespace()
        .map(|a| a.as_bytes().to_vec())
        .collect()
}

struct Host {
    server: Server,
    client: emulator::ClientId,
    now: u64,
}

impl Host {
    fn new(config: &[&str]) -> Host {
        let mut server = Server::new();
        server.set_disk(Box::new(MemoryDisk::new()));
        let now = 1_700_000_000_000;
        let client = server.connect(now);
        let mut host = Host {
            server,
            client,
            now,
        };
        for line in config {
            host.ok(&format!("CONFIG SET {line}"));
        }
        host
    }

    fn run(&mut self, line: &str) -> Vec<Reply> {
        self.server.execute(self.client, args(line), self.now)
    }

    fn ok(&mut self, line: &str) {
        let replies = self.run(line);
        assert!(
            !matches!(replies.first(), Some(Reply::Error(_))),
            "{line}: {replies:?}"
        );
    }

    /// `CONFIG SET save ""` (an empty argument, which `run`'s word splitting cannot give).
    fn disable_snapshots(&mut self) {
        let no_save = vec![
            b"CONFIG".to_vec(),
            b"SET".to_vec(),
            b"save".to_vec(),
            Vec::new(),
        ];
        assert_eq!(
            self.server.execute(self.client, no_save, self.now),
            vec![Reply::ok()]
        );
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.server.tick(self.now);
    }

    fn reconnect(&mut self) {
        self.client = self.server.connect(self.now);
    }

    fn file(&self, name: &str) -> Option<String> {
        self.server
            .disk()
            .read(name)
            .unwrap()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn incr(&self) -> String {
        let manifest = self.file("appendonlydir/appendonly.aof.manifest").unwrap();
        let name = manifest
            .lines()
            .rfind(|l| l.ends_with("type i"))
            .and_then(|l| l.split(' ').nth(1))
            .unwrap()
            .to_string();
        self.file(&format!("appendonlydir/{name}")).unwrap()
    }

    fn get(&mut self, key: &str) -> Reply {
        self.run(&format!("GET {key}")).remove(0)
    }
}

/// Commands as the AOF holds them, from space-separated lines.
fn resp(lines: &[&str]) -> String {
    let mut out = String::new();
    for line in lines {
        let parts: Vec<&str> = line.split(' ').collect();
        out.push_str(&format!("*{}\r\n", parts.len()));
        for p in parts {
            out.push_str(&format!("${}\r\n{}\r\n", p.len(), p));
        }
    }
    out
}

#[test]
fn turning_aof_on_writes_the_multi_part_layout() {
    let mut h = Host::new(&["aof-use-rdb-preamble no", "appendfsync always"]);
    h.ok("SET before 1");
    h.ok("CONFIG SET appendonly yes");
    assert_eq!(
        h.file("appendonlydir/appendonly.aof.manifest").unwrap(),
        "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    assert_eq!(
        h.file("appendonlydir/appendonly.aof.1.base.aof").unwrap(),
        resp(&["SELECT 0", "SET before 1"])
    );
    h.ok("SET a 1");
    h.ok("EXPIREAT a 4000000000");
    h.ok("INCRBYFLOAT f 1.5");
    h.ok("GET a");
    assert_eq!(
        h.incr(),
        resp(&[
            "SELECT 0",
            "SET a 1",
            "PEXPIREAT a 4000000000000",
            "SET f 1.5 KEEPTTL"
        ])
    );
    assert_eq!(
        h.run("BGREWRITEAOF"),
        vec![Reply::simple(
            "Background append only file rewriting started"
        )]
    );
    assert_eq!(
        h.file("appendonlydir/appendonly.aof.manifest").unwrap(),
        "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    assert_eq!(h.file("appendonlydir/appendonly.aof.1.incr.aof"), None);
    assert_eq!(h.file("appendonlydir/appendonly.aof.1.base.aof"), None);
}

#[test]
fn transactions_scripts_and_spop_are_wrapped() {
    let mut h = Host::new(&[
        "aof-use-rdb-preamble no",
        "appendfsync always",
        "appendonly yes",
    ]);
    h.ok("SADD s a");
    h.ok("SPOP s");
    h.ok("MULTI");
    h.ok("SET x 1");
    h.ok("INCR x");
    h.ok("EXEC");
    h.ok("SELECT 2");
    h.ok("EVAL return(redis.call('set','y','2')) 0");
    assert_eq!(
        h.incr(),
        resp(&[
            "SELECT 0", "SADD s a", "SREM s a", "MULTI", "SET x 1", "INCR x", "EXEC", "SELECT 2",
            "set y 2",
        ])
    );
}

#[test]
fn crash_loses_only_what_was_not_fsynced() {
    // always: nothing acknowledged is lost.
    let mut h = Host::new(&[
        "aof-use-rdb-preamble no",
        "appendfsync always",
        "appendonly yes",
    ]);
    h.ok("SET k 1");
    h.server.crash(h.now);
    h.reconnect();
    assert_eq!(h.get("k"), Reply::bulk("1"));

    // everysec: writes of the last second are lost, older ones kept.
    let mut h = Host::new(&[
        "aof-use-rdb-preamble no",
        "appendfsync everysec",
        "appendonly yes",
    ]);
    h.ok("SET old 1");
    h.advance(1000);
    h.ok("SET new 1");
    assert!(h.server.aof_unsynced_bytes() > 0);
    h.server.crash(h.now);
    h.reconnect();
    assert_eq!(h.get("old"), Reply::bulk("1"));
    assert_eq!(h.get("new"), Reply::Null);

    // no: the OS writes back after 30 seconds.
    let mut h = Host::new(&[
        "aof-use-rdb-preamble no",
        "appendfsync no",
        "appendonly yes",
    ]);
    h.ok("SET a 1");
    h.advance(29_000);
    assert!(h.server.aof_unsynced_bytes() > 0);
    h.advance(1_000);
    assert_eq!(h.server.aof_unsynced_bytes(), 0);
    h.ok("SET b 1");
    h.advance(10_000);
    h.server.crash(h.now);
    h.reconnect();
    assert_eq!(h.get("a"), Reply::bulk("1"));
    assert_eq!(h.get("b"), Reply::Null);
}

#[test]
fn restart_keeps_everything_and_logs_loading() {
    let mut h = Host::new(&[
        "aof-use-rdb-preamble no",
        "appendfsync no",
        "appendonly yes",
    ]);
    h.disable_snapshots();
    h.ok("SET k v");
    h.ok("HSET h f 1");
    let log = h.server.restart(h.now);
    assert!(
        log.contains(
            &"* DB loaded from incr file appendonly.aof.1.incr.aof: 0.000 seconds".to_string()
        ),
        "{log:?}"
    );
    assert!(
        log.contains(&"* Ready to accept connections".to_string()),
        "{log:?}"
    );
    h.reconnect();
    assert_eq!(h.get("k"), Reply::bulk("v"));
    assert_eq!(h.run("HGET h f"), vec![Reply::bulk("1")]);
}

#[test]
fn truncated_tail_is_cut_and_corruption_refused() {
    let mut h = Host::new(&[
        "aof-use-rdb-preamble no",
        "appendfsync always",
        "appendonly yes",
    ]);
    h.ok("SET a 1");
    h.ok("SET b 2");
    let manifest = h.file("appendonlydir/appendonly.aof.manifest").unwrap();
    let incr = h.incr();

    let mut cut = MemoryDisk::new();
    disk_write(&mut cut, "appendonlydir/appendonly.aof.manifest", &manifest);
    disk_write(&mut cut, "appendonlydir/appendonly.aof.1.base.aof", "");
    disk_write(
        &mut cut,
        "appendonlydir/appendonly.aof.1.incr.aof",
        &incr[..incr.len() - 3],
    );
    let (mut server, log) = start_on(cut);
    assert!(!server.is_stopped(), "{log:?}");
    assert!(
        log.iter()
            .any(|l| l == "# !!! Truncating the AOF appendonly.aof.1.incr.aof at offset 50 !!!"),
        "{log:?}"
    );
    let c = server.connect(0);
    assert_eq!(server.execute(c, args("GET a"), 0), vec![Reply::bulk("1")]);
    assert_eq!(server.execute(c, args("GET b"), 0), vec![Reply::Null]);
    // The file was cut at the last complete command.
    let kept = server
        .disk()
        .read("appendonlydir/appendonly.aof.1.incr.aof")
        .unwrap()
        .unwrap();
    assert_eq!(kept.len(), 50);

    let mut bad = MemoryDisk::new();
    disk_write(&mut bad, "appendonlydir/appendonly.aof.manifest", &manifest);
    disk_write(&mut bad, "appendonlydir/appendonly.aof.1.base.aof", "");
    disk_write(
        &mut bad,
        "appendonlydir/appendonly.aof.1.incr.aof",
        "garbage\r\n",
    );
    let (server, log) = start_on(bad);
    assert!(server.is_stopped());
    assert!(
        log.iter().any(|l| l.starts_with(
            "# Bad file format reading the append only file appendonly.aof.1.incr.aof"
        )),
        "{log:?}"
    );
}

/// A fresh process started with `appendonly yes` on `disk`.
fn start_on(disk: MemoryDisk) -> (Server, Vec<String>) {
    let mut server = Server::new();
    server.set_disk(Box::new(disk));
    server.configure("appendonly", b"yes").unwrap();
    server.configure("aof-use-rdb-preamble", b"no").unwrap();
    let log = server.start(1_700_000_000_000);
    (server, log)
}

#[test]
fn corrupt_files_never_panic() {
    let mut h = Host::new(&[
        "aof-use-rdb-preamble no",
        "appendfsync always",
        "appendonly yes",
    ]);
    h.ok("SET a 1");
    h.ok("RPUSH l x y z");
    h.ok("MULTI");
    h.ok("ZADD z 1 m");
    h.ok("HSET h f v");
    h.ok("EXEC");
    let manifest = h.file("appendonlydir/appendonly.aof.manifest").unwrap();
    let incr = h.incr().into_bytes();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut bytes = incr.clone();
        for _ in 0..(next() % 4 + 1) {
            let at = (next() % bytes.len() as u64) as usize;
            match next() % 3 {
                0 => bytes[at] = next() as u8,
                1 => bytes.truncate(at),
                _ => bytes.insert(at, b"*$\r\n0-9"[(next() % 7) as usize]),
            }
            if bytes.is_empty() {
                break;
            }
        }
        let mut disk = MemoryDisk::new();
        disk_write(
            &mut disk,
            "appendonlydir/appendonly.aof.manifest",
            &manifest,
        );
        disk_write(&mut disk, "appendonlydir/appendonly.aof.1.base.aof", "");
        use emulator::persistence::Disk;
        disk.write("appendonlydir/appendonly.aof.1.incr.aof", &bytes)
            .unwrap();
        let _ = start_on(disk);
    }
    let mut manifest_bytes = manifest.into_bytes();
    for _ in 0..300 {
        let at = (next() % manifest_bytes.len() as u64) as usize;
        manifest_bytes[at] = next() as u8;
        let mut disk = MemoryDisk::new();
        use emulator::persistence::Disk;
        disk.write("appendonlydir/appendonly.aof.manifest", &manifest_bytes)
            .unwrap();
        disk_write(
            &mut disk,
            "appendonlydir/appendonly.aof.1.incr.aof",
            &h.incr(),
        );
        let _ = start_on(disk);
    }
}

fn disk_write(disk: &mut MemoryDisk, name: &str, text: &str) {
    use emulator::persistence::Disk;
    disk.write(name, text.as_bytes()).unwrap();
}

#[test]
fn rdb_preamble_base_round_trips() {
    let mut h = Host::new(&["appendfsync always", "appendonly yes"]);
    h.ok("SET k v");
    h.ok("PEXPIREAT k 4000000000000");
    h.ok("BGREWRITEAOF");
    assert_eq!(
        h.file("appendonlydir/appendonly.aof.manifest").unwrap(),
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    h.ok("RPUSH l a b");
    let log = h.server.crash(h.now);
    assert!(
        log.contains(&"* Reading RDB base file on AOF loading...".to_string()),
        "{log:?}"
    );
    assert!(log.contains(&"* RDB is base AOF".to_string()), "{log:?}");
    assert!(
        log.contains(&"* Done loading RDB, keys loaded: 1, keys expired: 0.".to_string()),
        "{log:?}"
    );
    h.reconnect();
    assert_eq!(h.get("k"), Reply::bulk("v"));
    assert_eq!(
        h.run("PEXPIRETIME k"),
        vec![Reply::Integer(4_000_000_000_000)]
    );
    assert_eq!(h.run("LLEN l"), vec![Reply::Integer(2)]);
}

#[test]
fn rdb_only_loses_everything_since_the_last_snapshot() {
    let mut h = Host::new(&[]);
    h.ok("SET saved 1");
    // A clean restart saves first (save points are configured by default).
    let log = h.server.restart(h.now);
    assert!(
        log.contains(&"* Saving the final RDB snapshot before exiting.".to_string()),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.starts_with("* DB loaded from disk: ")),
        "{log:?}"
    );
    h.reconnect();
    h.ok("SET unsaved 1");
    h.server.crash(h.now);
    h.reconnect();
    assert_eq!(h.get("saved"), Reply::bulk("1"));
    assert_eq!(h.get("unsaved"), Reply::Null);
}

#[test]
fn shutdown_stops_the_server_without_a_reply() {
    let mut h = Host::new(&["appendonly yes"]);
    h.ok("SET k 1");
    assert_eq!(
        h.run("SHUTDOWN NOSAVE SAVE"),
        vec![Reply::error("ERR syntax error")]
    );
    assert_eq!(
        h.run("SHUTDOWN ABORT"),
        vec![Reply::error("ERR No shutdown in progress.")]
    );
    assert_eq!(
        h.run("SHUTDOWN ABORT NOW"),
        vec![Reply::error("ERR syntax error")]
    );
    assert_eq!(h.run("SHUTDOWN"), vec![]);
    assert!(h.server.is_stopped());
    assert!(h.server.is_closing(h.client));
    assert_eq!(h.run("GET k"), vec![]);
    h.server.start(h.now);
    h.reconnect();
    assert_eq!(h.get("k"), Reply::bulk("1"));
}

#[test]
fn a_rewritten_aof_recreates_streams_with_their_groups_and_pending_entries() {
    let mut h = Host::new(&["aof-use-rdb-preamble no", "appendonly yes"]);
    h.ok("XADD s 1-1 temp 20");
    h.ok("XADD s 2-1 temp 21 hum 40");
    h.ok("XADD s 3-1 temp 22");
    h.ok("XDEL s 2-1");
    h.ok("XGROUP CREATE s g 0");
    h.ok("XREADGROUP GROUP g alice COUNT 1 STREAMS s >");
    h.ok("XGROUP CREATECONSUMER s g bob");
    h.ok("XGROUP CREATE s late $");
    h.ok("XADD empty 5-5 a b");
    h.ok("XDEL empty 5-5");
    let inspect = |h: &mut Host| {
        [
            "XINFO STREAM s FULL",
            "XINFO STREAM empty FULL",
            "XPENDING s g - + 10",
        ]
        .map(|line| h.run(line))
    };
    let before = inspect(&mut h);
    h.ok("BGREWRITEAOF");
    let base = h
        .file("appendonlydir/appendonly.aof.2.base.aof")
        .expect("a commands base");
    assert!(base.contains("XSETID"), "{base}");
    assert!(base.contains("XCLAIM"), "{base}");
    h.server.restart(h.now);
    h.reconnect();
    assert_eq!(inspect(&mut h), before);
}

/// A reply with the fields a replay does not keep masked, in Redis as here: consumers'
/// seen-time (set when a command touches the consumer, so to the time of loading) and a
/// group's read counter and the lag computed from it (the XCLAIM ... LASTID that recreates
/// a delivery moves the group without counting the read; see the test below).
fn without_replay_dependent(reply: Reply) -> Reply {
    let is_masked = |r: &Reply| matches!(r, Reply::Bulk(b) if [&b"seen-time"[..], b"entries-read", b"lag"].contains(&b.as_slice()));
    match reply {
        Reply::Map(pairs) => Reply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let v = if is_masked(&k) {
                        Reply::Integer(0)
                    } else {
                        without_replay_dependent(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Reply::Array(items) => {
            let mut out: Vec<Reply> = Vec::with_capacity(items.len());
            for item in items {
                let masked = if out.last().is_some_and(is_masked) {
                    Reply::Integer(0)
                } else {
                    without_replay_dependent(item)
                };
                out.push(masked);
            }
            Reply::Array(out)
        }
        other => other,
    }
}

/// Everything a restart must keep of the consumer groups of `s`: pending entries with their
/// owners, delivery times and counts, consumers, group positions and read counters.
fn groups_of_s(h: &mut Host) -> Vec<Reply> {
    [
        "XINFO STREAM s FULL",
        "XINFO GROUPS s",
        "XPENDING s g - + 100",
        "XPENDING s quiet - + 100",
    ]
    .iter()
    .map(|line| without_replay_dependent(h.run(line).remove(0)))
    .collect()
}

/// Group g of `key`: its entries-read and lag, as XINFO GROUPS shows them.
fn read_counter(h: &mut Host, key: &str) -> (Reply, Reply) {
    let groups = h.run(&format!("XINFO GROUPS {key}")).remove(0);
    let field = |name: &str| {
        let Reply::Array(groups) = &groups else {
            panic!("{groups:?}")
        };
        groups
            .iter()
            .find_map(|group| match group {
                Reply::Map(pairs) if pairs.first().map(|p| &p.1) == Some(&Reply::bulk("g")) => {
                    pairs
                        .iter()
                        .find(|(k, _)| *k == Reply::bulk(name))
                        .map(|(_, v)| v.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{groups:?}"))
    };
    (field("entries-read"), field("lag"))
}

fn aof_only_host() -> Host {
    let mut h = Host::new(&[
        "aof-use-rdb-preamble no",
        "appendfsync always",
        "appendonly yes",
    ]);
    h.disable_snapshots();
    h
}

#[test]
fn consumer_groups_survive_a_restart_from_the_incremental_aof() {
    let mut h = aof_only_host();
    for n in 1..=6 {
        h.ok(&format!("XADD s {n}-1 field {n}"));
    }
    h.ok("XGROUP CREATE s g 0");
    h.ok("XGROUP CREATE s quiet 0");
    h.ok("XADD t 1-1 f v");
    h.ok("XADD t 2-1 f v");
    h.ok("XGROUP CREATE t g 0");
    h.ok("XREADGROUP GROUP g alice COUNT 1 STREAMS t >");
    h.ok("XREADGROUP GROUP g alice COUNT 2 STREAMS s >");
    h.advance(1000);
    h.ok("XREADGROUP GROUP g bob COUNT 2 STREAMS s >");
    h.advance(1000);
    h.ok("XREADGROUP GROUP quiet carol NOACK COUNT 3 STREAMS s >");
    h.ok("XGROUP CREATECONSUMER s quiet idle");
    // alice's 1-1 has waited 2 s, bob's 3-1 only 1 s.
    assert_eq!(
        h.run("XCLAIM s g bob 1500 1-1 3-1 JUSTID"),
        vec![Reply::Array(vec![Reply::bulk("1-1")])]
    );
    h.ok("XCLAIM s g dave 0 2-1 RETRYCOUNT 5");
    h.ok("XCLAIM s g dave 0 4-1 IDLE 300 JUSTID");
    h.ok("XCLAIM s g dave 0 6-1 FORCE TIME 1699999999000");
    h.ok("XCLAIM s g erin 0 LASTID 6-1");
    h.advance(500);
    h.ok("XDEL s 3-1");
    h.ok("XAUTOCLAIM s g frank 700 0 COUNT 10");
    // A reader blocked on the group, served by a later XADD.
    let blocked = h.server.connect(h.now);
    assert_eq!(
        h.server.execute(
            blocked,
            args("XREADGROUP GROUP g gina BLOCK 0 STREAMS s >"),
            h.now
        ),
        vec![]
    );
    h.advance(100);
    h.ok("XADD s 7-1 field 7");
    assert_eq!(h.server.take_outbound(blocked).len(), 1);
    let incr = h.incr();
    for never in ["XREADGROUP", "XAUTOCLAIM", "IDLE"] {
        assert!(!incr.contains(never), "{never} in {incr}");
    }
    let before = groups_of_s(&mut h);
    let counters_before = [read_counter(&mut h, "s"), read_counter(&mut h, "t")];
    h.server.restart(h.now);
    h.reconnect();
    assert_eq!(groups_of_s(&mut h), before);
    // What redis-server 7.0.15 itself reloads (checked with DEBUG LOADAOF): g on s keeps the
    // counter its XGROUP SETID propagated (4) without the later read of 7-1, propagated as
    // XCLAIM ... LASTID, which moves the group without counting; g on t, only ever moved by
    // XCLAIM ... LASTID, has no counter at all (its lag is still estimated).
    assert_eq!(
        counters_before,
        [
            (Reply::Integer(5), Reply::Integer(2)),
            (Reply::Integer(1), Reply::Integer(1))
        ]
    );
    assert_eq!(
        [read_counter(&mut h, "s"), read_counter(&mut h, "t")],
        [
            (Reply::Integer(4), Reply::Integer(3)),
            (Reply::Null, Reply::Integer(1))
        ]
    );
    // The pending entries kept their delivery counts.
    assert_eq!(
        h.run("XPENDING s g - + 100"),
        vec![Reply::Array(
            [
                ("1-1", "bob", 600, 1),
                ("2-1", "dave", 600, 5),
                ("4-1", "frank", 100, 2),
                ("6-1", "frank", 100, 3),
                ("7-1", "gina", 0, 1),
            ]
            .iter()
            .map(|&(id, consumer, idle, count)| Reply::Array(vec![
                Reply::bulk(id),
                Reply::bulk(consumer),
                Reply::Integer(idle),
                Reply::Integer(count),
            ]))
            .collect()
        )]
    );
}

#[test]
fn stream_and_geo_commands_propagate_in_their_rewritten_forms() {
    let mut h = aof_only_host();
    h.ok("CONFIG SET stream-node-max-entries 2");
    h.ok("XADD s * a 1");
    h.ok("XADD s 1700000000000-* a 2");
    h.ok("XADD s 1700000000001 a 3");
    h.ok("XADD s MAXLEN ~ 1 * a 4");
    h.ok("XTRIM s MAXLEN ~ 0");
    h.ok("XTRIM s MAXLEN ~ 0");
    h.ok("XGROUP CREATE s g $");
    h.ok("XADD s 1700000000005-0 a 5");
    h.ok("XREADGROUP GROUP g alice NOACK STREAMS s >");
    h.ok("XADD s 1700000000006-0 a 6");
    h.ok("XREADGROUP GROUP g alice STREAMS s >");
    h.advance(10);
    h.ok("XAUTOCLAIM s g bob 5 0 JUSTID");
    h.ok("GEOADD geo XX CH 13.361389 38.115556 Palermo");
    h.ok("GEOADD geo 13.361389 38.115556 Palermo");
    assert_eq!(
        h.incr(),
        resp(&[
            "SELECT 0",
            "XADD s 1700000000000-0 a 1",
            "XADD s 1700000000000-1 a 2",
            "XADD s 1700000000001 a 3",
            "XADD s MAXLEN = 2 1700000000001-1 a 4",
            "XTRIM s MAXLEN = 0",
            "XGROUP CREATE s g $",
            "XADD s 1700000000005-0 a 5",
            "MULTI",
            "XGROUP CREATECONSUMER s g alice",
            "XGROUP SETID s g 1700000000005-0 ENTRIESREAD 5",
            "EXEC",
            "XADD s 1700000000006-0 a 6",
            "XCLAIM s g alice 0 1700000000006-0 TIME 1700000000000 RETRYCOUNT 1 FORCE JUSTID LASTID 1700000000006-0",
            "XCLAIM s g bob 0 1700000000006-0 TIME 1700000000010 RETRYCOUNT 1 FORCE JUSTID LASTID 1700000000006-0",
            "zadd geo 3479099956230698 Palermo",
        ])
    );
}

/// A disk with no space left: every write fails.
struct FullDisk;

impl emulator::persistence::Disk for FullDisk {
    fn read(&self, _: &str) -> Result<Option<Vec<u8>>, emulator::persistence::DiskError> {
        Ok(None)
    }
    fn write(&mut self, _: &str, _: &[u8]) -> Result<(), emulator::persistence::DiskError> {
        Err(emulator::persistence::DiskError(
            "No space left on device".into(),
        ))
    }
    fn append(&mut self, _: &str, _: &[u8]) -> Result<(), emulator::persistence::DiskError> {
        Err(emulator::persistence::DiskError(
            "No space left on device".into(),
        ))
    }
    fn remove(&mut self, _: &str) -> Result<(), emulator::persistence::DiskError> {
        Ok(())
    }
    fn list(&self) -> Result<Vec<String>, emulator::persistence::DiskError> {
        Ok(Vec::new())
    }
}

#[test]
fn config_set_is_all_or_nothing_when_a_setting_fails_to_take_effect() {
    let mut server = Server::new();
    server.set_disk(Box::new(FullDisk));
    let now = 1_700_000_000_000;
    let client = server.connect(now);
    assert_eq!(
        server.execute(client, args("CONFIG SET maxmemory 1000000 appendonly yes"), now),
        vec![Reply::error(
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn on AOF. Check server logs."
        )]
    );
    let bulk = |s: &str| Reply::Bulk(s.as_bytes().to_vec());
    for (name, value) in [("maxmemory", "0"), ("appendonly", "no")] {
        assert_eq!(
            server.execute(client, args(&format!("CONFIG GET {name}")), now),
            vec![Reply::Map(vec![(bulk(name), bulk(value))])]
        );
    }
}
