//! `redis-emu cli -h HOST -p PORT`: the console's link to a server over TCP, as redis-cli's
//! hiredis connection: one request, then its reply; whatever else arrives is read later.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use emulator::cli::Link;
use emulator::resp::decode;
use emulator::{Protocol, Reply};

pub struct TcpLink {
    host: String,
    port: u16,
    stream: Option<TcpStream>,
    /// Bytes read but not yet decoded.
    buffer: Vec<u8>,
    /// Replies decoded beyond the one a command waited for.
    early: Vec<Reply>,
}

/// A request as redis-cli sends it: a RESP array of bulk strings.
fn encode_request(argv: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl TcpLink {
    pub fn connect(host: &str, port: u16) -> io::Result<TcpLink> {
        let mut link = TcpLink {
            host: host.to_string(),
            port,
            stream: None,
            buffer: Vec::new(),
            early: Vec::new(),
        };
        link.open()?;
        Ok(link)
    }

    fn open(&mut self) -> io::Result<()> {
        let stream = TcpStream::connect((self.host.as_str(), self.port))?;
        let _ = stream.set_nodelay(true);
        self.stream = Some(stream);
        self.buffer.clear();
        self.early.clear();
        Ok(())
    }

    /// Decodes the replies complete in the buffer.
    fn decode_buffered(&mut self) -> Vec<Reply> {
        let mut replies = Vec::new();
        while let Ok(Some((reply, used))) = decode(&self.buffer) {
            self.buffer.drain(..used);
            replies.push(reply);
        }
        replies
    }

    /// Reads once, waiting at most `timeout` (None: until something comes). False when the
    /// connection is gone.
    fn read_some(&mut self, timeout: Option<Duration>) -> bool {
        let Some(stream) = self.stream.as_mut() else {
            return false;
        };
        let _ = stream.set_read_timeout(timeout);
        let mut chunk = [0u8; 16 * 1024];
        match stream.read(&mut chunk) {
            Ok(0) => {
                self.stream = None;
                false
            }
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                true
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => true,
            Err(_) => {
                self.stream = None;
                false
            }
        }
    }

    pub fn is_connected(&self) -> bool {
        self.stream.is_some()
    }

    /// Waits up to `timeout` for something to arrive.
    pub fn wait(&mut self, timeout: Duration) {
        if self.early.is_empty() {
            self.read_some(Some(timeout));
            let replies = self.decode_buffered();
            self.early.extend(replies);
        }
    }
}

impl Link for TcpLink {
    fn send(&mut self, argv: Vec<Vec<u8>>) -> Vec<Reply> {
        if self.stream.is_none() && self.open().is_err() {
            return vec![Reply::Error(format!(
                "Could not connect to Redis at {}:{}: Connection refused",
                self.host, self.port
            ))];
        }
        let request = encode_request(&argv);
        if let Some(stream) = self.stream.as_mut() {
            if stream.write_all(&request).is_err() {
                self.stream = None;
                return Vec::new();
            }
        }
        loop {
            let mut replies = self.decode_buffered();
            if !replies.is_empty() {
                let first = replies.remove(0);
                self.early.extend(replies);
                return vec![first];
            }
            if !self.read_some(None) {
                return Vec::new();
            }
        }
    }

    fn arrivals(&mut self) -> Vec<Reply> {
        self.read_some(Some(Duration::from_millis(1)));
        let mut replies = std::mem::take(&mut self.early);
        replies.extend(self.decode_buffered());
        replies
    }

    fn protocol(&self) -> Protocol {
        // Replies are shown as they came off the wire, which RESP3 formatting keeps intact.
        Protocol::Resp3
    }

    fn reconnect(&mut self) {
        self.stream = None;
        let _ = self.open();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_resp_arrays() {
        assert_eq!(
            encode_request(&[b"GET".to_vec(), b"k".to_vec()]),
            b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
        );
    }
}
