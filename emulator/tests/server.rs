//! Server commands through the public API: INFO, CONFIG, SLOWLOG, DEBUG, MEMORY, TIME,
//! WAIT, LOLWUT, FLUSHALL/SWAPDB bookkeeping.

use std::cell::Cell;
use std::rc::Rc;

use emulator::config::Config;
use emulator::{Reply, Server};

const T0: u64 = 1_700_000_000_123;

fn cmd(srv: &mut Server, client: u64, line: &str) -> Reply {
    let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
    let mut replies = srv.execute(client, argv, T0);
    assert_eq!(replies.len(), 1, "{line}");
    replies.remove(0)
}

fn text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) | Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Simple(s) | Reply::Error(s) => s.clone(),
        other => panic!("not text: {other:?}"),
    }
}

fn info_field(srv: &mut Server, client: u64, section: &str, field: &str) -> String {
    let info = text(&cmd(srv, client, &format!("INFO {section}")));
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in {info}"))
        .to_string()
}

/// A server whose commands each take `step` microseconds.
fn timed_server(step: u64) -> (Server, u64) {
    let mut srv = Server::new();
    let clock = Rc::new(Cell::new(0u64));
    srv.set_micros_source(Box::new(move || {
        let now = clock.get();
        clock.set(now + step);
        now
    }));
    let client = srv.connect(T0);
    (srv, client)
}

#[test]
fn info_sections_and_order() {
    let (mut srv, c) = timed_server(1);
    let all = text(&cmd(&mut srv, c, "INFO everything"));
    let headers: Vec<&str> = all.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        headers,
        [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Commandstats",
            "# Errorstats",
            "# Latencystats",
            "# Cluster",
            "# Keyspace"
        ]
    );
    assert!(all.contains("\r\n\r\n# Clients\r\n"));
    let default = text(&cmd(&mut srv, c, "INFO"));
    assert!(!default.contains("# Commandstats") && default.contains("# Keyspace"));
    assert_eq!(text(&cmd(&mut srv, c, "INFO nosuch")), "");
    assert_eq!(
        text(&cmd(&mut srv, c, "INFO CLUSTER")),
        "# Cluster\r\ncluster_enabled:0\r\n"
    );
    assert!(matches!(
        cmd(&mut srv, c, "INFO"),
        Reply::Verbatim("txt", _)
    ));
}

#[test]
fn info_reports_keyspace_clients_and_stats() {
    let (mut srv, c) = timed_server(1);
    cmd(&mut srv, c, "SET a 1");
    cmd(&mut srv, c, "SET b 2");
    cmd(&mut srv, c, "GET a");
    cmd(&mut srv, c, "GET nokey");
    assert_eq!(
        info_field(&mut srv, c, "keyspace", "db0"),
        "keys=2,expires=0,avg_ttl=0"
    );
    assert_eq!(info_field(&mut srv, c, "stats", "keyspace_hits"), "1");
    assert_eq!(info_field(&mut srv, c, "stats", "keyspace_misses"), "1");
    assert_eq!(info_field(&mut srv, c, "clients", "connected_clients"), "1");
    srv.connect(T0);
    assert_eq!(info_field(&mut srv, c, "clients", "connected_clients"), "2");
    assert_eq!(
        info_field(&mut srv, c, "persistence", "rdb_changes_since_last_save"),
        "2"
    );
    // With the default `save` rules FLUSHALL saves the emptied dataset at once.
    cmd(&mut srv, c, "FLUSHALL");
    assert_eq!(
        info_field(&mut srv, c, "persistence", "rdb_changes_since_last_save"),
        "0"
    );
    let input: u64 = info_field(&mut srv, c, "stats", "total_net_input_bytes")
        .parse()
        .unwrap();
    assert!(input > 0);
    assert_eq!(info_field(&mut srv, c, "server", "redis_version"), "7.0.15");
    assert_eq!(info_field(&mut srv, c, "server", "uptime_in_seconds"), "0");
    srv.advance_clock(90_000);
    assert_eq!(info_field(&mut srv, c, "server", "uptime_in_seconds"), "90");
}

#[test]
fn command_and_error_statistics() {
    let (mut srv, c) = timed_server(10);
    cmd(&mut srv, c, "SET a 1");
    cmd(&mut srv, c, "SET a 1 extra");
    cmd(&mut srv, c, "GET");
    cmd(&mut srv, c, "NOSUCH");
    let stats = text(&cmd(&mut srv, c, "INFO commandstats"));
    assert!(
        stats.contains(
            "cmdstat_set:calls=2,usec=20,usec_per_call=10.00,rejected_calls=0,failed_calls=1\r\n"
        ),
        "{stats}"
    );
    assert!(stats.contains(
        "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n"
    ));
    assert_eq!(
        text(&cmd(&mut srv, c, "INFO errorstats")),
        "# Errorstats\r\nerrorstat_ERR:count=3\r\n"
    );
    let latency = text(&cmd(&mut srv, c, "INFO latencystats"));
    assert!(latency.contains("latency_percentiles_usec_set:p50=10.047,p99=10.047,p99.9=10.047"));
    assert_eq!(cmd(&mut srv, c, "CONFIG RESETSTAT"), Reply::ok());
    let stats = text(&cmd(&mut srv, c, "INFO commandstats"));
    assert_eq!(
        stats,
        "# Commandstats\r\ncmdstat_config|resetstat:calls=1,usec=10,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n"
    );
    assert_eq!(
        text(&cmd(&mut srv, c, "INFO errorstats")),
        "# Errorstats\r\n"
    );
}

#[test]
fn slowlog_records_slow_commands_newest_first() {
    let (mut srv, c) = timed_server(20_000);
    cmd(&mut srv, c, "SLOWLOG RESET");
    cmd(&mut srv, c, "SET k v");
    cmd(&mut srv, c, "GET k");
    let Reply::Array(entries) = cmd(&mut srv, c, "SLOWLOG GET") else {
        panic!()
    };
    // SLOWLOG RESET itself was slow too (it is logged after it ran).
    assert_eq!(entries.len(), 3);
    let Reply::Array(newest) = &entries[0] else {
        panic!()
    };
    assert_eq!(newest[0], Reply::Integer(2));
    assert_eq!(newest[1], Reply::Integer((T0 / 1000) as i64));
    assert_eq!(newest[2], Reply::Integer(20_000));
    assert_eq!(
        newest[3],
        Reply::Array(vec![Reply::bulk("GET"), Reply::bulk("k")])
    );
    assert!(text(&newest[4]).starts_with("127.0.0.1:"));
    assert_eq!(newest[5], Reply::bulk(""));
    assert_eq!(cmd(&mut srv, c, "SLOWLOG LEN"), Reply::Integer(4));
    let Reply::Array(one) = cmd(&mut srv, c, "SLOWLOG GET 1") else {
        panic!()
    };
    assert_eq!(one.len(), 1);
    assert_eq!(
        cmd(&mut srv, c, "SLOWLOG GET -2"),
        Reply::error("ERR count should be greater than or equal to -1")
    );
    cmd(&mut srv, c, "CONFIG SET slowlog-max-len 2");
    assert_eq!(cmd(&mut srv, c, "SLOWLOG LEN"), Reply::Integer(2));
    cmd(&mut srv, c, "CONFIG SET slowlog-log-slower-than -1");
    cmd(&mut srv, c, "SLOWLOG RESET");
    cmd(&mut srv, c, "PING");
    assert_eq!(cmd(&mut srv, c, "SLOWLOG LEN"), Reply::Integer(0));
}

#[test]
fn slowlog_hides_passwords_and_trims_arguments() {
    let (mut srv, c) = timed_server(20_000);
    cmd(
        &mut srv,
        c,
        "CONFIG SET requirepass hunter2 maxmemory-samples 5",
    );
    let long = "x".repeat(200);
    cmd(&mut srv, c, &format!("ECHO {long}"));
    let Reply::Array(entries) = cmd(&mut srv, c, "SLOWLOG GET 2") else {
        panic!()
    };
    let args = |i: usize| -> Vec<Reply> {
        let Reply::Array(e) = &entries[i] else {
            panic!()
        };
        let Reply::Array(a) = &e[3] else { panic!() };
        a.clone()
    };
    assert_eq!(
        args(1),
        [
            "CONFIG",
            "SET",
            "requirepass",
            "(redacted)",
            "maxmemory-samples",
            "5"
        ]
        .map(Reply::bulk)
        .to_vec()
    );
    assert_eq!(
        args(0)[1],
        Reply::bulk(format!("{}... (72 more bytes)", "x".repeat(128)))
    );
}

#[test]
fn config_set_is_all_or_nothing() {
    let (mut srv, c) = timed_server(1);
    assert_eq!(
        cmd(&mut srv, c, "CONFIG SET maxmemory-samples 9 lfu-log-factor -1"),
        Reply::error("ERR CONFIG SET failed (possibly related to argument 'lfu-log-factor') - argument must be between 0 and 2147483647 inclusive")
    );
    assert_eq!(srv.config().maxmemory_samples, 5);
    assert_eq!(
        cmd(&mut srv, c, "CONFIG SET maxmemory 2mb hz 1000"),
        Reply::ok()
    );
    assert_eq!(srv.config().maxmemory, 2 * 1024 * 1024);
    assert_eq!(srv.config().hz, 500);
    cmd(&mut srv, c, "CONFIG SET notify-keyspace-events KEA");
    assert_eq!(
        srv.config().notify_keyspace_events,
        emulator::notify::class::ALL
            | emulator::notify::class::KEYSPACE
            | emulator::notify::class::KEYEVENT
    );
}

#[test]
fn protected_and_immutable_parameters() {
    let (mut srv, c) = timed_server(1);
    assert_eq!(
        cmd(&mut srv, c, "CONFIG SET dbfilename x.rdb"),
        Reply::error("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config")
    );
    let mut config = Config::default();
    config.load("enable-protected-configs", b"local").unwrap();
    config.load("databases", b"4").unwrap();
    let mut srv = Server::with_config(config);
    let local = srv.connect(T0);
    let remote = srv.connect_from(T0, "10.1.2.3:5000".into());
    assert_eq!(
        cmd(&mut srv, local, "CONFIG SET dbfilename x.rdb"),
        Reply::ok()
    );
    assert_eq!(
        cmd(&mut srv, local, "CONFIG SET dbfilename a/b.rdb"),
        Reply::error("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename")
    );
    assert!(cmd(&mut srv, remote, "CONFIG SET dbfilename y.rdb").is_error());
    assert_eq!(
        cmd(&mut srv, local, "SWAPDB 0 4"),
        Reply::error("ERR DB index is out of range")
    );
    assert_eq!(cmd(&mut srv, local, "SWAPDB 0 3"), Reply::ok());
    assert_eq!(
        srv.configure("databases", b"8"),
        Err("can't set immutable config".into())
    );
    assert_eq!(
        srv.configure("port", b"70000"),
        Err("argument must be between 0 and 65535 inclusive".into())
    );
    srv.configure("port", b"6380").unwrap();
    assert_eq!(info_field(&mut srv, local, "server", "tcp_port"), "6380");
}

#[test]
fn debug_needs_enable_debug_command() {
    let (mut srv, c) = timed_server(1);
    let refused = cmd(&mut srv, c, "DEBUG SLEEP 0");
    assert!(text(&refused).starts_with("ERR DEBUG command not allowed."));
    srv.configure("enable-debug-command", b"local").unwrap();
    let remote = srv.connect_from(T0, "192.168.1.9:4000".into());
    assert!(cmd(&mut srv, remote, "DEBUG SLEEP 0").is_error());
    assert_eq!(cmd(&mut srv, c, "DEBUG SLEEP 0"), Reply::ok());
    assert_eq!(
        cmd(&mut srv, c, "DEBUG JMAP"),
        Reply::error(
            "ERR unknown subcommand or wrong number of arguments for 'JMAP'. Try DEBUG HELP."
        )
    );
    let Reply::Array(help) = cmd(&mut srv, c, "DEBUG HELP") else {
        panic!()
    };
    assert_eq!(
        help[0],
        Reply::simple("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    );
}

#[test]
fn debug_subcommands() {
    let (mut srv, c) = timed_server(1);
    srv.configure("enable-debug-command", b"yes").unwrap();
    assert_eq!(cmd(&mut srv, c, "DEBUG SLEEP 1.5"), Reply::ok());
    let Reply::Array(time) = cmd(&mut srv, c, "TIME") else {
        panic!()
    };
    assert_eq!(text(&time[0]), ((T0 + 1500) / 1000).to_string());
    // The sleep made the command slow.
    let Reply::Array(entries) = cmd(&mut srv, c, "SLOWLOG GET 1") else {
        panic!()
    };
    let Reply::Array(entry) = &entries[0] else {
        panic!()
    };
    assert_eq!(entry[2], Reply::Integer(1_500_001));
    assert_eq!(cmd(&mut srv, c, "DEBUG POPULATE 10"), Reply::ok());
    assert_eq!(cmd(&mut srv, c, "DBSIZE"), Reply::Integer(10));
    assert_eq!(cmd(&mut srv, c, "GET key:3"), Reply::bulk("value:3"));
    cmd(&mut srv, c, "DEBUG POPULATE 3 p 10");
    assert_eq!(cmd(&mut srv, c, "GET p:2"), Reply::bulk(b"value:2\0\0\0"));
    assert_eq!(
        cmd(&mut srv, c, "DEBUG POPULATE -1"),
        Reply::error("ERR value is out of range, must be positive")
    );
    let object = text(&cmd(&mut srv, c, "DEBUG OBJECT key:3"));
    assert!(object.starts_with("Value at:0x"), "{object}");
    assert!(object.contains(" refcount:1 encoding:embstr serializedlength:8 lru:"));
    cmd(&mut srv, c, "SET n 7");
    assert!(text(&cmd(&mut srv, c, "DEBUG OBJECT n"))
        .contains("refcount:2147483647 encoding:int serializedlength:2"));
    assert_eq!(
        cmd(&mut srv, c, "DEBUG OBJECT nokey"),
        Reply::error("ERR no such key")
    );
    assert_eq!(
        cmd(&mut srv, c, "DEBUG SDSLEN key:3"),
        Reply::simple("key_sds_len:5, key_sds_avail:0, key_zmalloc: 8, val_sds_len:7, val_sds_avail:0, val_zmalloc: 16")
    );
    assert_eq!(cmd(&mut srv, c, "DEBUG ERROR WRONG"), Reply::error("WRONG"));
    assert!(text(&cmd(&mut srv, c, "DEBUG ERROR WRONG thing"))
        .starts_with("ERR unknown subcommand or wrong number of arguments for 'ERROR'"));
    assert_eq!(cmd(&mut srv, c, "DEBUG SET-ACTIVE-EXPIRE 0"), Reply::ok());
}

#[test]
fn memory_usage_follows_redis_sizes() {
    let (mut srv, c) = timed_server(1);
    cmd(&mut srv, c, "SET foo bar");
    assert_eq!(cmd(&mut srv, c, "MEMORY USAGE foo"), Reply::Integer(64));
    cmd(&mut srv, c, "SET foo 12345");
    assert_eq!(cmd(&mut srv, c, "MEMORY USAGE foo"), Reply::Integer(48));
    assert_eq!(cmd(&mut srv, c, "MEMORY USAGE nokey"), Reply::Null);
    assert_eq!(
        cmd(&mut srv, c, "MEMORY USAGE foo SAMPLES -1"),
        Reply::error("ERR syntax error")
    );
    let Reply::Map(stats) = cmd(&mut srv, c, "MEMORY STATS") else {
        panic!()
    };
    assert_eq!(stats.len(), 28);
    assert!(stats.contains(&(Reply::bulk("keys.count"), Reply::Integer(1))));
    assert!(text(&cmd(&mut srv, c, "MEMORY DOCTOR")).starts_with("Hi Sam, this instance is empty"));
    assert_eq!(
        cmd(&mut srv, c, "MEMORY MALLOC-STATS"),
        Reply::bulk("Stats not supported for the current allocator")
    );
}

#[test]
fn used_memory_tracks_the_dataset() {
    let (mut srv, c) = timed_server(1);
    // Each command's first run allocates its latency histogram, as in Redis.
    let before = srv.used_memory();
    cmd(&mut srv, c, "PING");
    assert_eq!(srv.used_memory() - before, 24_688);
    cmd(&mut srv, c, "PING");
    assert_eq!(srv.used_memory() - before, 24_688);
    cmd(&mut srv, c, "CONFIG SET latency-tracking no");
    let empty = srv.used_memory();
    for i in 0..100 {
        cmd(&mut srv, c, &format!("SET key:{i} {}", "v".repeat(100)));
    }
    let full = srv.used_memory();
    // 100 keys of 100 bytes: about 170 bytes each with Redis's overheads.
    assert!(
        (full - empty) > 100 * 160 && (full - empty) < 100 * 220,
        "{}",
        full - empty
    );
    cmd(&mut srv, c, "FLUSHALL");
    assert_eq!(srv.used_memory(), empty);
    let peak: usize = info_field(&mut srv, c, "memory", "used_memory_peak")
        .parse()
        .unwrap();
    assert_eq!(peak, full);
}

#[test]
fn time_wait_lolwut() {
    let (mut srv, c) = timed_server(1);
    assert_eq!(
        cmd(&mut srv, c, "TIME"),
        Reply::Array(vec![Reply::bulk("1700000000"), Reply::bulk("123000")])
    );
    assert_eq!(cmd(&mut srv, c, "WAIT 0 0"), Reply::Integer(0));
    assert_eq!(
        cmd(&mut srv, c, "WAIT 0 -1"),
        Reply::error("ERR timeout is negative")
    );
    // No replica will ever acknowledge: the client blocks.
    let blocked = srv.execute(c, vec![b"WAIT".to_vec(), b"1".to_vec(), b"0".to_vec()], T0);
    assert!(blocked.is_empty());
    let c = srv.connect(T0);
    assert_eq!(
        cmd(&mut srv, c, "LOLWUT"),
        Reply::Verbatim("txt", b"Redis ver. 7.0.15\n".to_vec())
    );
    let art = text(&cmd(&mut srv, c, "LOLWUT VERSION 5 20"));
    assert!(art.ends_with("Georg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n"));
    assert!(art
        .chars()
        .any(|ch| ('\u{2801}'..='\u{28ff}').contains(&ch)));
    let city = text(&cmd(&mut srv, c, "LOLWUT VERSION 6 10 4"));
    assert_eq!(city.matches("\x1b[0m").count(), 40);
    assert_eq!(
        cmd(&mut srv, c, "LOLWUT VERSION 5 x"),
        Reply::error("ERR value is not an integer or out of range")
    );
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let mut srv = Server::new();
    let active = srv.connect(T0);
    let idle = srv.connect(T0);
    assert_eq!(cmd(&mut srv, active, "CONFIG SET timeout 2"), Reply::ok());
    srv.tick(T0 + 2_500);
    assert!(!srv.is_closing(idle));
    srv.execute(active, vec![b"PING".to_vec()], T0 + 2_900);
    assert_eq!(srv.next_deadline(), Some(T0 - T0 % 1000 + 3_000));
    srv.tick(T0 + 3_100);
    assert!(srv.is_closing(idle));
    assert!(!srv.is_closing(active));
    cmd(&mut srv, active, "CONFIG SET timeout 0");
    srv.tick(T0 + 60_000);
    assert!(!srv.is_closing(active));
}

#[test]
fn extreme_arguments_stay_safe() {
    let (mut srv, c) = timed_server(1);
    let art = text(&cmd(&mut srv, c, "LOLWUT VERSION 5 1000 1 200"));
    assert!(art.len() < 20 * 1024 * 1024);
    srv.configure("enable-debug-command", b"yes").unwrap();
    assert_eq!(cmd(&mut srv, c, "DEBUG SLEEP 1e300"), Reply::ok());
    assert_eq!(cmd(&mut srv, c, "DEBUG SLEEP 1e300"), Reply::ok());
    assert_eq!(cmd(&mut srv, c, "DEBUG SLEEP -5"), Reply::ok());
    assert_eq!(cmd(&mut srv, c, "DEBUG SLEEP nan"), Reply::ok());
    assert!(text(&cmd(&mut srv, c, "INFO commandstats")).contains("cmdstat_debug:calls=4,"));
    assert_eq!(
        cmd(&mut srv, c, "CONFIG SET maxmemory 18446744073709551615"),
        Reply::ok()
    );
    assert_eq!(cmd(&mut srv, c, "SET k v"), Reply::ok());
    assert!(text(&cmd(&mut srv, c, "INFO memory")).contains("maxmemory:18446744073709551615\r\n"));
}
