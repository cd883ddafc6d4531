//! A throwaway real redis-server (Debian's 7.0, installed by scripts/setup.sh) for the content
//! checks that compare lessons with Redis itself: it listens only on a Unix socket in its own
//! scratch folder, and is killed and removed when dropped.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A running redis-server and its scratch folder.
pub struct RedisServer {
    child: Child,
    dir: PathBuf,
}

/// What went wrong starting a server: Redis's own words (its FATAL CONFIG FILE ERROR report).
pub type StartError = String;

/// Long enough for any machine; only a server that neither starts nor exits reaches it.
const START_LIMIT: Duration = Duration::from_secs(120);

impl RedisServer {
    /// A fresh scratch folder for a server (and for a config file to write into it).
    pub fn scratch_dir() -> PathBuf {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "curriculum-redis-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    }

    /// Starts `redis-server [config] args...` with no TCP port, a Unix socket, its working
    /// directory and log in `dir`, and waits until it answers or exits. Options given after
    /// the config file override it, as on Redis's own command line.
    pub fn start(dir: PathBuf, config: Option<&Path>, args: &[&str]) -> Result<Self, StartError> {
        let socket = dir.join("redis.sock");
        let mut command = Command::new("redis-server");
        if let Some(config) = config {
            command.arg(config);
        }
        command
            .args(["--port", "0", "--daemonize", "no", "--logfile", ""])
            .arg("--unixsocket")
            .arg(&socket)
            .arg("--dir")
            .arg(&dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("stdout")).expect("log file"))
            .stderr(std::fs::File::create(dir.join("stderr")).expect("log file"));
        let child = command
            .spawn()
            .expect("redis-server runs (scripts/setup.sh installs it)");
        let mut server = RedisServer { child, dir };
        let started = std::time::Instant::now();
        loop {
            if server.child.try_wait().expect("wait").is_some() {
                return Err(server.output());
            }
            if answers_ping(&socket) {
                return Ok(server);
            }
            assert!(
                started.elapsed() < START_LIMIT,
                "redis-server neither started nor exited:\n{}",
                server.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The Unix socket clients connect to.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("redis.sock")
    }

    /// Runs `lines` through one `redis-cli` connection, printing replies as redis-cli does on
    /// a terminal (`--no-raw`), and returns its output.
    pub fn redis_cli(&self, lines: &[&str], extra_args: &[&str]) -> String {
        let mut cli = Command::new("redis-cli")
            .arg("--no-raw")
            .arg("-s")
            .arg(self.socket())
            .args(extra_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("redis-cli runs (scripts/setup.sh installs redis-tools)");
        let mut input = lines.join("\n");
        input.push('\n');
        cli.stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("redis-cli reads its input");
        let output = cli.wait_with_output().expect("redis-cli ends");
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr)
    }

    fn output(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!("{}{}", read("stderr"), read("stdout"))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether a server answers on the socket (any reply counts: a server with a password answers
/// PING with NOAUTH, and it is up all the same).
fn answers_ping(socket: &Path) -> bool {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut first = [0u8; 1];
    stream.write_all(b"PING\r\n").is_ok() && stream.read(&mut first).is_ok_and(|n| n == 1)
}
