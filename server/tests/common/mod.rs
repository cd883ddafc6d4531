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
        Emu::start_with(&[])
    }

    /// `start`, with more arguments (`--maxclients 5`, `--protected-mode no`, ...).
    pub fn start_with(args: &[&str]) -> Emu {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redis-emu"))
            .args(["--port", "0"])
            .args(args)
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

    /// Sends `signal` (e.g. "STOP", "CONT") and returns at once.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Sends `signal` (e.g. "TERM") and waits for the process to exit (at most 30 s: only
    /// reached when it does not).
    pub fn signal_and_wait(self, signal: &str) -> Option<ExitStatus> {
        self.signal_and_wait_for(signal, Duration::from_secs(30))
    }

    /// `signal_and_wait`, waiting at most `limit`.
    pub fn signal_and_wait_for(mut self, signal: &str, limit: Duration) -> Option<ExitStatus> {
        self.signal(signal);
        let deadline = Instant::now() + limit;
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

/// Polls `condition` until it holds, for at most `limit` (then panics with `what`): for
/// states another connection brings about, so no test depends on how fast a server is.
pub fn wait_until(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !condition() {
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A field of `INFO` as text (`connected_clients`, `blocked_clients`, ...).
pub fn info_field(conn: &mut RespConnection, field: &str) -> String {
    let reply = conn.call(&["INFO", "everything"]).expect("INFO");
    let emulator::resp::Reply::Bulk(text) = reply else {
        panic!("INFO answered {reply:?}");
    };
    let text = String::from_utf8_lossy(&text).into_owned();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("INFO has no {field}"))
        .to_string()
}

/// A TCP connection to `port` on 127.0.0.1 whose own address is `source` (another loopback
/// address such as 127.0.0.2): a peer that Redis's protected mode does not count as local,
/// without leaving this machine.
pub fn connect_from(source: std::net::Ipv4Addr, port: u16) -> TcpStream {
    use std::os::fd::FromRawFd;
    fn sockaddr(ip: std::net::Ipv4Addr, port: u16) -> libc::sockaddr_in {
        // SAFETY: sockaddr_in is plain data; all-zero is a valid value.
        let mut addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_port = port.to_be();
        addr.sin_addr.s_addr = u32::from(ip).to_be();
        addr
    }
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: plain socket calls on a descriptor this function owns until it is handed to
    // TcpStream; the addresses are valid sockaddr_in values of the given length.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let local = sockaddr(source, 0);
        let bound = libc::bind(fd, (&local as *const libc::sockaddr_in).cast(), len);
        assert_eq!(
            bound,
            0,
            "bind {source}: {}",
            std::io::Error::last_os_error()
        );
        let remote = sockaddr(std::net::Ipv4Addr::LOCALHOST, port);
        let connected = libc::connect(fd, (&remote as *const libc::sockaddr_in).cast(), len);
        assert_eq!(connected, 0, "connect: {}", std::io::Error::last_os_error());
        TcpStream::from_raw_fd(fd)
    }
}

/// What a server answers to `ECHO end-of-request`, in RESP2 and RESP3 alike.
const SENTINEL_REPLY: &[u8] = b"$14\r\nend-of-request\r\n";

/// Writes `request` (whole requests) followed by `ECHO end-of-request`, and reads until that
/// echo comes back or the server closes the connection. Returns what came before the echo and
/// whether the connection was closed: knowing a connection stayed open needs no waiting.
pub fn exchange(stream: &mut TcpStream, request: &[u8]) -> (Vec<u8>, bool) {
    let mut bytes = request.to_vec();
    bytes.extend_from_slice(b"*2\r\n$4\r\nECHO\r\n$14\r\nend-of-request\r\n");
    // The server may close before reading everything: that is part of the outcome.
    let _ = stream.write_all(&bytes);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut received = Vec::new();
    loop {
        if let Some(before) = received.strip_suffix(SENTINEL_REPLY) {
            return (before.to_vec(), false);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (received, false);
        }
        let (more, closed) = read_until_closed(stream, left.min(Duration::from_millis(100)));
        received.extend(more);
        if closed {
            return (received, true);
        }
    }
}
