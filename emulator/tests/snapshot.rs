//! SAVE, BGSAVE, LASTSAVE, the `save` rules, DEBUG RELOAD and loading the snapshot file.

use emulator::persistence::{Disk, MemoryDisk};
use emulator::{Reply, Server};

const T0: u64 = 1_700_000_000_000;

fn run(s: &mut Server, c: emulator::ClientId, at: u64, args: &[&str]) -> Reply {
    let argv = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    s.execute(c, argv, at).remove(0)
}

fn info_field(s: &mut Server, c: emulator::ClientId, at: u64, name: &str) -> String {
    let reply = run(s, c, at, &["INFO", "persistence"]);
    let text = String::from_utf8(reply.encode(emulator::Protocol::Resp2)).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap()
        .to_string()
}

#[test]
fn save_writes_the_file_and_resets_the_change_count() {
    let mut s = Server::new();
    let c = s.connect(T0);
    run(&mut s, c, T0, &["SET", "k", "v"]);
    assert_eq!(
        info_field(&mut s, c, T0, "rdb_changes_since_last_save"),
        "1"
    );
    assert_eq!(run(&mut s, c, T0 + 5000, &["SAVE"]), Reply::ok());
    assert_eq!(
        info_field(&mut s, c, T0, "rdb_changes_since_last_save"),
        "0"
    );
    assert_eq!(info_field(&mut s, c, T0, "rdb_saves"), "1");
    assert_eq!(
        run(&mut s, c, T0 + 5000, &["LASTSAVE"]),
        Reply::Integer((T0 / 1000 + 5) as i64)
    );
    let file = s.disk().read("dump.rdb").unwrap().unwrap();
    assert!(file.starts_with(b"REDIS0010"));
}

#[test]
fn bgsave_is_in_progress_until_its_command_ends() {
    let mut s = Server::new();
    let c = s.connect(T0);
    run(&mut s, c, T0, &["SET", "k", "v"]);
    assert_eq!(
        run(&mut s, c, T0, &["BGSAVE"]),
        Reply::simple("Background saving started")
    );
    assert_eq!(info_field(&mut s, c, T0, "rdb_bgsave_in_progress"), "0");
    assert_eq!(info_field(&mut s, c, T0, "rdb_last_bgsave_time_sec"), "0");
    assert_eq!(
        info_field(&mut s, c, T0, "rdb_changes_since_last_save"),
        "0"
    );
    assert_eq!(
        run(&mut s, c, T0, &["BGSAVE", "nope"]),
        Reply::error("ERR syntax error")
    );
    // Inside a transaction the save is scheduled for the periodic job.
    run(&mut s, c, T0, &["SET", "k2", "v"]);
    run(&mut s, c, T0, &["MULTI"]);
    run(&mut s, c, T0, &["BGSAVE", "SCHEDULE"]);
    assert_eq!(
        run(&mut s, c, T0, &["EXEC"]),
        Reply::Array(vec![Reply::simple("Background saving scheduled")])
    );
    assert_eq!(
        info_field(&mut s, c, T0, "rdb_changes_since_last_save"),
        "1"
    );
    s.tick(T0 + 1);
    assert_eq!(
        info_field(&mut s, c, T0 + 1, "rdb_changes_since_last_save"),
        "0"
    );
    assert_eq!(info_field(&mut s, c, T0 + 1, "rdb_saves"), "2");
}

#[test]
fn save_rules_snapshot_from_the_periodic_job() {
    let mut s = Server::new();
    let c = s.connect(T0);
    run(&mut s, c, T0, &["CONFIG", "SET", "save", "10 2"]);
    run(&mut s, c, T0, &["SET", "a", "1"]);
    assert_eq!(s.next_deadline(), None, "one change is not enough");
    run(&mut s, c, T0, &["SET", "b", "1"]);
    let due = s.next_deadline().unwrap();
    assert_eq!(due, (T0 / 1000 + 11) * 1000);
    s.tick(due - 1000);
    assert!(s.disk().read("dump.rdb").unwrap().is_none());
    s.tick(due);
    assert!(s.disk().read("dump.rdb").unwrap().is_some());
    assert_eq!(
        info_field(&mut s, c, due, "rdb_changes_since_last_save"),
        "0"
    );
    run(&mut s, c, due, &["CONFIG", "SET", "save", ""]);
    run(&mut s, c, due, &["SET", "c", "1"]);
    assert_eq!(s.next_deadline(), None);
}

#[test]
fn debug_reload_and_startup_loading() {
    let mut s = Server::new();
    let c = s.connect(T0);
    s.configure("enable-debug-command", b"yes").unwrap();
    run(&mut s, c, T0, &["RPUSH", "l", "a", "b"]);
    run(&mut s, c, T0, &["SET", "t", "v", "PX", "100000"]);
    assert_eq!(run(&mut s, c, T0, &["DEBUG", "RELOAD"]), Reply::ok());
    assert_eq!(run(&mut s, c, T0, &["LLEN", "l"]), Reply::Integer(2));
    assert_eq!(info_field(&mut s, c, T0, "rdb_last_load_keys_loaded"), "2");
    assert_eq!(
        run(&mut s, c, T0, &["DEBUG", "RELOAD", "bad"]),
        Reply::error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
    );
    // Another server started on the same disk, after the key with a TTL expired.
    let file = s.disk().read("dump.rdb").unwrap().unwrap();
    let mut disk = MemoryDisk::new();
    disk.write("dump.rdb", &file).unwrap();
    let mut restarted = Server::new();
    restarted.set_disk(Box::new(disk));
    let c2 = restarted.connect(T0 + 200_000);
    let summary = restarted.load_from_disk().unwrap().unwrap();
    assert_eq!((summary.keys_loaded, summary.keys_expired), (1, 1));
    assert_eq!(
        run(&mut restarted, c2, T0 + 200_000, &["EXISTS", "t"]),
        Reply::Integer(0)
    );
    assert_eq!(Server::new().load_from_disk(), Ok(None));
}
