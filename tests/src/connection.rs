//! A raw RESP connection that keeps the exact bytes of every reply.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use emulator::resp::{decode, Reply};

/// How long [`RespConnection::call`] waits for a reply.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// One reply as received: decoded, and the exact bytes it came in.
#[derive(Debug, Clone)]
pub struct Received {
    pub reply: Reply,
    pub raw: Vec<u8>,
}

pub struct RespConnection {
    stream: TcpStream,
    /// Bytes received and not yet returned as replies.
    unread: Vec<u8>,
}

/// A command as a RESP multibulk request.
pub fn encode_command<A: AsRef<[u8]>>(argv: &[A]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(16 + argv.iter().map(|a| a.as_ref().len() + 16).sum::<usize>());
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        let arg = arg.as_ref();
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl RespConnection {
    pub fn connect(port: u16) -> io::Result<RespConnection> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        Ok(RespConnection {
            stream,
            unread: Vec::new(),
        })
    }

    pub fn send<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> io::Result<()> {
        self.send_raw(&encode_command(argv))
    }

    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Sends a command and returns its reply (an error reply is still `Ok`).
    pub fn call<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> io::Result<Reply> {
        self.send(argv)?;
        match self.read_reply(CALL_TIMEOUT)? {
            Some(received) => Ok(received.reply),
            None => Err(io::Error::new(io::ErrorKind::TimedOut, "no reply")),
        }
    }

    /// The next whole reply, or None if none completed within `timeout`.
    pub fn read_reply(&mut self, timeout: Duration) -> io::Result<Option<Received>> {
        let deadline = Instant::now() + timeout;
        loop {
            match decode(&self.unread) {
                Ok(Some((reply, used))) => {
                    let raw = self.unread.drain(..used).collect();
                    return Ok(Some(Received { reply, raw }));
                }
                Ok(None) => {}
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e.0)),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.receive(left)? {
                return Ok(None);
            }
        }
    }

    /// Whatever the server sent that was not asked for: bytes already buffered plus anything
    /// arriving within `wait` (zero: only what is already there).
    pub fn take_unsolicited(&mut self, wait: Duration) -> io::Result<Vec<u8>> {
        if wait.is_zero() {
            self.stream.set_nonblocking(true)?;
            let result = self.receive_available();
            self.stream.set_nonblocking(false)?;
            result?;
        } else {
            let deadline = Instant::now() + wait;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() || !self.receive(left)? {
                    break;
                }
            }
        }
        Ok(std::mem::take(&mut self.unread))
    }

    /// Reads until the server closes the connection, discarding what it sends.
    pub fn wait_closed(&mut self, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the server did not close the connection",
                ));
            }
            match self.receive(left) {
                Ok(_) => self.unread.clear(),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads once, waiting at most `timeout`; false on timeout. The peer closing is an error.
    fn receive(&mut self, timeout: Duration) -> io::Result<bool> {
        self.stream.set_read_timeout(Some(timeout))?;
        let mut chunk = [0u8; 64 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed by the server",
            )),
            Ok(n) => {
                self.unread.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Reads everything already available without blocking.
    fn receive_available(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(()),
                Ok(n) => self.unread.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }
}
