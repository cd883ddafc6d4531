//! redis-emu when the disk fails it, beside redis-server 7.0: a full disk makes background
//! saves fail, and with `stop-writes-on-bgsave-error` writes are refused with MISCONF until
//! that is lifted; SIGTERM in the middle of a SAVE still ends in a clean shutdown that keeps
//! every key.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{info_field, wait_until, Emu};
use integration_tests::connection::RespConnection;
use integration_tests::real_redis::{require_tool, RealRedis};

const LONG: Duration = Duration::from_secs(60);

/// A tmpfs of `kb` KiB mounted for the test's life: a disk that fills up.
struct TinyDisk(PathBuf);

impl TinyDisk {
    /// None when mounting is not allowed (not root): the caller says so and skips.
    fn mount(name: &str, kb: usize) -> Option<TinyDisk> {
        let dir =
            std::env::temp_dir().join(format!("redis-playground-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kb}k"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        mounted.then(|| TinyDisk(dir))
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn call_text(conn: &mut RespConnection, argv: &[&str]) -> String {
    format!("{:?}", conn.call(argv).expect("reply"))
}

/// What a client sees when a background save hits a full disk, one line per command.
fn full_disk_scenario(port: u16) -> Vec<String> {
    let mut conn = RespConnection::connect(port).expect("connect");
    let mut seen = vec![];
    let mut run = |conn: &mut RespConnection, argv: &[&str]| {
        seen.push(format!("{} -> {}", argv.join(" "), call_text(conn, argv)));
    };
    run(&mut conn, &["CONFIG", "SET", "save", "3600 1"]);
    // 20,000 keys make a dump.rdb of about 500 KB: more than the disk holds.
    run(&mut conn, &["DEBUG", "POPULATE", "20000"]);
    run(&mut conn, &["BGSAVE"]);
    wait_until("the background save's end", LONG, || {
        info_field(&mut conn, "rdb_bgsave_in_progress") == "0"
    });
    let status = info_field(&mut conn, "rdb_last_bgsave_status");
    let mut seen = seen;
    seen.push(format!("rdb_last_bgsave_status:{status}"));
    for argv in [
        &["SET", "a", "1"][..],
        &["GET", "key:1"],
        &["PING"],
        &["DEL", "key:1"],
        &["DBSIZE"],
        &["MULTI"],
        &["GET", "key:1"],
        &["SET", "a", "1"],
        &["EXEC"],
        &["FLUSHALL"],
        &["EVAL", "return redis.call('GET', 'key:1')", "0"],
        &["EVAL", "return redis.call('SET', 'a', '1')", "0"],
        &["EVAL", "return redis.pcall('SET', 'a', '1')", "0"],
        &["EVAL", "#!lua\nreturn 1", "0"],
        &[
            "EVAL",
            "#!lua flags=no-writes\nreturn redis.call('GET', 'key:1')",
            "0",
        ],
        &["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"],
        &["SET", "a", "1"],
        &["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"],
        &["SET", "a", "2"],
        &["CONFIG", "SET", "save", ""],
        &["SET", "a", "3"],
        &["GET", "a"],
    ] {
        seen.push(format!(
            "{} -> {}",
            argv.join(" "),
            call_text(&mut conn, argv)
        ));
    }
    seen
}

#[test]
fn a_full_disk_stops_writes_with_misconf() {
    let Some(binary) = require_tool("redis-server", "full disk") else {
        return;
    };
    let (Some(ours), Some(theirs)) = (TinyDisk::mount("emu", 256), TinyDisk::mount("redis", 256))
    else {
        eprintln!("a_full_disk_stops_writes_with_misconf: SKIPPED, mounting a tmpfs needs root");
        return;
    };
    let emu = Emu::start_with(&["--dir", ours.path(), "--enable-debug-command", "yes"]);
    let mut redis = RealRedis::start(
        &binary,
        &["--dir", theirs.path(), "--enable-debug-command", "yes"],
    )
    .expect("redis-server");
    let ours_seen = full_disk_scenario(emu.port);
    let theirs_seen = full_disk_scenario(redis.port());
    assert_eq!(
        ours_seen, theirs_seen,
        "redis-emu (left) and redis-server (right) differ"
    );
    assert_eq!(ours_seen[3], "rdb_last_bgsave_status:err");
    assert!(
        ours_seen[4].starts_with("SET a 1 -> Error(\"MISCONF "),
        "{ours_seen:?}"
    );
    assert_eq!(ours_seen.last().unwrap(), "GET a -> Bulk([51])");
    let _ = redis.terminate(LONG);
}

/// SIGTERM while a big SAVE runs: the server finishes, saves again as its shutdown does, and
/// exits cleanly; a new server on the same directory has every key.
#[test]
fn sigterm_during_save_keeps_every_key() {
    let Some(binary) = require_tool("redis-server", "SIGTERM during SAVE") else {
        return;
    };
    const KEYS: &str = "200000";
    let dirs: Vec<PathBuf> = ["emu", "redis"]
        .iter()
        .map(|side| {
            std::env::temp_dir().join(format!(
                "redis-playground-sigterm-{side}-{}",
                std::process::id()
            ))
        })
        .collect();
    for dir in &dirs {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
    }
    let dir_of = |i: usize| dirs[i].to_str().unwrap().to_string();
    let start_and_save = |port: u16| {
        let mut conn = RespConnection::connect(port).expect("connect");
        assert_eq!(
            call_text(&mut conn, &["DEBUG", "POPULATE", KEYS]),
            "Simple(\"OK\")"
        );
        // SAVE is sent, not awaited: the signal arrives while it runs (or just before).
        conn.send(&["SAVE"]).unwrap();
        conn
    };
    // Ours.
    let emu = Emu::start_with(&["--dir", &dir_of(0), "--enable-debug-command", "yes"]);
    let _conn = start_and_save(emu.port);
    let status = emu
        .signal_and_wait_for("TERM", LONG)
        .expect("redis-emu exits");
    assert!(status.success(), "redis-emu: {status}");
    let again = Emu::start_with(&["--dir", &dir_of(0)]);
    let mut conn = again.connect();
    let ours = call_text(&mut conn, &["DBSIZE"]);
    // Theirs.
    let mut redis = RealRedis::start(
        &binary,
        &[
            "--dir",
            &dir_of(1),
            "--save",
            "3600 1",
            "--enable-debug-command",
            "yes",
        ],
    )
    .expect("redis-server");
    let _conn = start_and_save(redis.port());
    let status = redis.terminate(LONG).expect("redis-server exits");
    assert!(status.success(), "redis-server: {status}");
    let mut redis = RealRedis::start(&binary, &["--dir", &dir_of(1)]).expect("redis-server");
    let mut conn = redis.connect().unwrap();
    // redis-server answers LOADING until the file is read.
    let mut theirs = String::new();
    wait_until("redis-server's loading", LONG, || {
        theirs = call_text(&mut conn, &["DBSIZE"]);
        !theirs.contains("LOADING")
    });
    let _ = redis.terminate(LONG);
    assert_eq!(ours, theirs);
    assert_eq!(ours, format!("Integer({KEYS})"));
    for dir in &dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}
