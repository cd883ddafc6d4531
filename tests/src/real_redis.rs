//! The reference: a real `redis-server` 7.0 started on a free loopback port for the duration of
//! a test, and the rule for machines that lack it.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::announce;
use crate::connection::RespConnection;

/// Set to `1` to let tests that need Redis's own binaries pass (with a loud notice) where they
/// are not installed. Without it a missing binary fails the test: fidelity must not go
/// unmeasured by accident.
pub const ALLOW_NO_REDIS: &str = "ALLOW_NO_REDIS";

/// The full path of `binary` if it is on `PATH`.
pub fn find_on_path(binary: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(binary))
        .find(|candidate| candidate.is_file())
}

/// Finds a Redis tool (`redis-server`, `redis-cli`) a test needs. When it is missing the test
/// fails, unless `ALLOW_NO_REDIS=1`, in which case a notice is printed and None returned so the
/// caller can skip.
pub fn require_tool(binary: &str, test: &str) -> Option<PathBuf> {
    if let Some(found) = find_on_path(binary) {
        return Some(found);
    }
    if std::env::var(ALLOW_NO_REDIS).as_deref() == Ok("1") {
        announce(&format!(
            "\n!!!!! {test}: SKIPPED, `{binary}` is not on PATH ({ALLOW_NO_REDIS}=1) !!!!!\n"
        ));
        return None;
    }
    panic!(
        "{test}: `{binary}` is not on PATH. Install Redis 7.0 (Debian: apt-get install redis-server \
         redis-tools), or set {ALLOW_NO_REDIS}=1 to skip tests that need it."
    );
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running `redis-server`, stopped when dropped.
pub struct RealRedis {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl RealRedis {
    /// Starts the `redis-server` a test needs, or returns None when it is missing and
    /// `ALLOW_NO_REDIS=1` (see [`require_tool`]). Panics if it cannot be started.
    pub fn start_for_test(test: &str) -> Option<RealRedis> {
        let binary = require_tool("redis-server", test)?;
        match RealRedis::start(&binary, &[]) {
            Ok(redis) => Some(redis),
            Err(e) => panic!("{test}: could not start {}: {e}", binary.display()),
        }
    }

    /// Starts `binary` with no persistence on a free port, with `extra_args` appended, and
    /// waits until it answers PING.
    pub fn start(binary: &Path, extra_args: &[&str]) -> std::io::Result<RealRedis> {
        let mut last_error = None;
        // Another process may take the port between probing and binding: try a few.
        for _ in 0..5 {
            let port = free_port()?;
            let dir = std::env::temp_dir().join(format!(
                "redis-playground-ref-{}-{port}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir)?;
            let mut command = Command::new(binary);
            command
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(&dir)
                .args(extra_args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            die_with_parent(&mut command);
            let child = command.spawn()?;
            let mut redis = RealRedis { child, port, dir };
            match redis.wait_ready(Duration::from_secs(10)) {
                Ok(()) => return Ok(redis),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| std::io::Error::other("redis-server did not start")))
    }

    fn wait_ready(&mut self, limit: Duration) -> std::io::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(std::io::Error::other(format!(
                    "redis-server exited with {status} (port {} taken?)",
                    self.port
                )));
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                let mut conn = self.connect()?;
                if conn.call(&[b"PING"]).is_ok() {
                    return Ok(());
                }
            }
            if started.elapsed() > limit {
                return Err(std::io::Error::other("redis-server did not answer in time"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new connection to this server.
    pub fn connect(&self) -> std::io::Result<RespConnection> {
        RespConnection::connect(self.port)
    }
}

impl RealRedis {
    /// Sends SIGTERM and waits at most `limit` for the server to exit; its exit status.
    pub fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        // SAFETY: kill with the pid of a child this value owns and has not yet reaped.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Makes the child die if the thread that started it goes away without dropping it (a test
/// process killed by a signal), so no reference server outlives its test run.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe, which is all pre_exec requires.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}
