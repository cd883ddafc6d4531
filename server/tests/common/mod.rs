//! Starting the built `redis-emu` binary for a test.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use emulator::commands::Registry;
use integration_tests::connection::RespConnection;

/// A running `redis-emu`, killed when dropped.
pub struct Emu {
    child: Child,
    pub port: u16,
}

impl Emu {
    /// Starts the binary on a port of the system's choosing and waits until it listens.
    pub fn start() -> Emu {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redis-emu"))
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-emu");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the ready line");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in the ready line {line:?}"));
        Emu { child, port }
    }

    pub fn connect(&self) -> RespConnection {
        RespConnection::connect(self.port).expect("connect to redis-emu")
    }

    /// A plain socket, for raw protocol bytes.
    pub fn socket(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        stream
    }

    /// Sends `signal` (e.g. "TERM") and waits for the process to exit.
    pub fn signal_and_wait(mut self, signal: &str) -> Option<ExitStatus> {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the engine implements all of `commands` (tests of features still being built skip).
pub fn implemented(commands: &[&str]) -> bool {
    let registry = Registry::get();
    commands.iter().all(|c| registry.command(c).is_some())
}

/// Writes `request` and reads until the server closes the connection or `limit` passes.
/// Returns what was read and whether the connection was closed.
pub fn exchange_raw(stream: &mut TcpStream, request: &[u8], limit: Duration) -> (Vec<u8>, bool) {
    stream.write_all(request).expect("write");
    read_until_closed(stream, limit)
}

pub fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let deadline = Instant::now() + limit;
    let mut received = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (received, false);
        }
        stream.set_read_timeout(Some(left)).expect("timeout");
        match stream.read(&mut chunk) {
            Ok(0) => return (received, true),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return (received, false)
            }
            // A reset after the server closed with unread input still means closed.
            Err(_) => return (received, true),
        }
    }
}

/// Reads exactly `len` bytes.
pub fn read_exact(stream: &mut TcpStream, len: usize) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut buf = vec![0; len];
    stream.read_exact(&mut buf).expect("read replies");
    buf
}
