//! The network loop: one thread, one epoll instance, the engine owned directly.
//!
//! Like redis-server's own loop, each wakeup reads what clients sent, runs every complete
//! command in order, and answers with one write per client. Requests are parsed straight out
//! of a shared read buffer when they arrive whole (the common case, pipelined or not); only an
//! incomplete tail is copied into the connection's own buffer. Replies are encoded into the
//! connection's output buffer, which keeps its capacity between requests.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use emulator::client::ClientClass;
use emulator::resp::{Protocol, Reply};
use emulator::{ClientId, Server};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use crate::args::ServeOptions;
use crate::output_limits;
use crate::signals::Signals;
use redis_emu::request::{Parsed, RequestParser};

const LISTENER: Token = Token(0);
const SIGNALS: Token = Token(1);
/// Connection slot `i` is registered as token `i + FIRST_CONNECTION`.
const FIRST_CONNECTION: usize = 2;

/// Bytes read per read call.
const READ_CHUNK: usize = 64 * 1024;
/// Above this much unsent output, a client's further commands wait until it reads its replies.
const OUTPUT_PAUSE: usize = 64 * 1024 * 1024;
/// Buffers bigger than this are shrunk once empty, so one huge reply does not pin memory.
const KEEP_CAPACITY: usize = 1024 * 1024;

/// Milliseconds since the Unix epoch: the host time the engine is given.
fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Microseconds on the monotonic clock, to time commands: read twice per command, so read
/// directly rather than through `Instant`'s checked arithmetic.
fn monotonic_us() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given; CLOCK_MONOTONIC always
    // exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    (now.tv_sec as u64)
        .wrapping_mul(1_000_000)
        .wrapping_add(now.tv_nsec as u64 / 1000)
}

struct Connection {
    stream: TcpStream,
    client: ClientId,
    parser: RequestParser,
    /// Received bytes not yet parsed (an incomplete request).
    input: Vec<u8>,
    output: Vec<u8>,
    /// How much of `output` has been written.
    sent: usize,
    /// Cached from the engine after each command, to encode without a lookup.
    protocol: Protocol,
    auth_required: bool,
    /// QUIT, CLIENT KILL or a protocol error: close once the output is written.
    close_after_output: bool,
    /// Registered for writability because the socket buffer filled up.
    awaiting_writable: bool,
    /// Too much unsent output: stop running its commands until the client catches up.
    input_paused: bool,
    /// Cached from the engine after each command: which output buffer limit applies.
    class: ClientClass,
    /// Since when (Unix seconds) the output has been over its class's soft limit.
    soft_limit_since: Option<u64>,
    /// Over its output buffer limit: to be closed without sending what is pending.
    over_output_limit: bool,
}

impl Connection {
    fn unsent(&self) -> usize {
        self.output.len() - self.sent
    }
}

pub struct EventLoop {
    poll: Poll,
    listener: TcpListener,
    signals: Signals,
    server: Server,
    connections: Vec<Option<Connection>>,
    free_slots: Vec<usize>,
    open_connections: usize,
    slot_of: HashMap<ClientId, usize>,
    /// Shared read buffer.
    scratch: Vec<u8>,
    /// Reused list of clients the engine has output or a close for.
    attention: Vec<ClientId>,
    /// Reused vector the engine appends a command's replies to.
    replies: Vec<Reply>,
    /// Connections whose paused input can run again.
    resumable: Vec<usize>,
    /// Host time of the current wakeup.
    now: u64,
    /// When the engine's timers (`tick`) are next due.
    tick_due: Option<u64>,
}

impl EventLoop {
    /// Listens on the configured address with a fresh engine.
    pub fn bind(options: &ServeOptions) -> io::Result<EventLoop> {
        let address = (options.bind.as_str(), options.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::other("the bind address resolves to nothing"))?;
        let poll = Poll::new()?;
        let mut listener = TcpListener::bind(address)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {address}: {e}")))?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        let mut signals = Signals::install()?;
        poll.registry()
            .register(signals.source(), SIGNALS, Interest::READABLE)?;
        let mut server = Server::new();
        server.set_micros_source(Box::new(monotonic_us));
        if let Some(dir) = &options.dir {
            let disk = crate::fs_disk::FsDisk::open(std::path::Path::new(dir))?;
            server.set_disk(Box::new(disk));
        }
        for (name, value) in &options.config {
            server
                .configure(name, value.as_bytes())
                .map_err(|e| io::Error::other(format!("--{name} {value}: {e}")))?;
        }
        // The engine reports the address it is really served on (CONFIG GET port/bind, INFO
        // tcp_port), as redis-server reports its own.
        let port = listener.local_addr()?.port().to_string();
        for (name, value) in [("port", port.as_str()), ("bind", options.bind.as_str())] {
            server
                .configure(name, value.as_bytes())
                .map_err(|e| io::Error::other(format!("--{name} {value}: {e}")))?;
        }
        // Loads the dataset (the AOF or the RDB file) as redis-server does at startup. The
        // log goes to standard error: standard output's first line is the ready line.
        for line in server.start(wall_ms()) {
            eprintln!("{line}");
        }
        if server.is_stopped() {
            return Err(io::Error::other("the dataset could not be loaded"));
        }
        Ok(EventLoop {
            poll,
            listener,
            signals,
            server,
            connections: Vec::new(),
            free_slots: Vec::new(),
            open_connections: 0,
            slot_of: HashMap::new(),
            scratch: vec![0; READ_CHUNK],
            attention: Vec::new(),
            replies: Vec::new(),
            resumable: Vec::new(),
            now: wall_ms(),
            tick_due: None,
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGINT or SIGTERM.
    pub fn run(&mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        loop {
            let timeout = self.poll_timeout();
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            self.now = wall_ms();
            let mut stop = false;
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept(),
                    SIGNALS => stop |= !self.signals.drain().is_empty(),
                    Token(token) => {
                        let slot = token - FIRST_CONNECTION;
                        if event.is_writable() {
                            self.flush(slot);
                        }
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            self.on_readable(slot, event.is_read_closed() || event.is_error());
                        }
                    }
                }
            }
            if stop {
                // SIGTERM/SIGINT: Redis's shutdown with its final save and AOF fsync; if the
                // save fails Redis keeps running, and so do we.
                let (stopped, log) = self.server.shutdown_on_signal(wall_ms());
                for line in log {
                    eprintln!("{line}");
                }
                if stopped {
                    self.shut_down();
                    return Ok(());
                }
            }
            if self.server.is_stopped() {
                // SHUTDOWN: its client gets no reply; every connection is closed.
                for line in self.server.take_log() {
                    eprintln!("{line}");
                }
                self.shut_down();
                return Ok(());
            }
            for slot in std::mem::take(&mut self.resumable) {
                self.resume(slot);
            }
            self.run_timers();
            self.deliver_outbound();
        }
    }

    fn poll_timeout(&mut self) -> Option<Duration> {
        if !self.resumable.is_empty() {
            return Some(Duration::ZERO);
        }
        self.tick_due = match (self.tick_due, self.server.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.tick_due
            .map(|due| Duration::from_millis(due.saturating_sub(wall_ms())))
    }

    /// Runs the engine's time-driven work (active expiry, blocking timeouts) when due. The due
    /// time is kept rather than asked for again on every wakeup, so steady traffic cannot keep
    /// pushing it back.
    fn run_timers(&mut self) {
        let Some(due) = self.tick_due else {
            return;
        };
        self.now = wall_ms();
        if self.now >= due {
            self.server.tick(self.now);
            self.tick_due = self.server.next_deadline();
        }
    }

    // ----- connections -----

    fn connection(&mut self, slot: usize) -> Option<&mut Connection> {
        self.connections.get_mut(slot).and_then(Option::as_mut)
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, peer)) => self.add_connection(stream, peer),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Out of file descriptors, usually; the clients waiting can retry.
                    eprintln!("redis-emu: accepting a connection failed: {e}");
                    return;
                }
            }
        }
    }

    fn add_connection(&mut self, mut stream: TcpStream, peer: SocketAddr) {
        let local = stream
            .local_addr()
            .map_or_else(|_| String::new(), |a| a.to_string());
        let accepted = self
            .server
            .accept_connection(self.now, peer.to_string(), local);
        let client = match accepted {
            Ok(client) => client,
            Err(refusal) => {
                // Best effort, as in Redis: the error goes out if the socket takes it now.
                let _ = stream.write(refusal.error_line());
                return;
            }
        };
        let _ = stream.set_nodelay(true);
        let slot = self.free_slots.pop().unwrap_or_else(|| {
            self.connections.push(None);
            self.connections.len() - 1
        });
        let token = Token(slot + FIRST_CONNECTION);
        if self
            .poll
            .registry()
            .register(&mut stream, token, Interest::READABLE)
            .is_err()
        {
            self.free_slots.push(slot);
            self.server.disconnect(client);
            return;
        }
        let auth_required = self.server.client(client).is_some_and(|c| !c.authenticated);
        self.connections[slot] = Some(Connection {
            stream,
            client,
            parser: RequestParser::default(),
            input: Vec::new(),
            output: Vec::new(),
            sent: 0,
            protocol: Protocol::Resp2,
            auth_required,
            close_after_output: false,
            awaiting_writable: false,
            input_paused: false,
            class: ClientClass::Normal,
            soft_limit_since: None,
            over_output_limit: false,
        });
        self.slot_of.insert(client, slot);
        self.open_connections += 1;
    }

    fn close(&mut self, slot: usize) {
        let Some(mut conn) = self.connections.get_mut(slot).and_then(Option::take) else {
            return;
        };
        let _ = self.poll.registry().deregister(&mut conn.stream);
        self.server.disconnect(conn.client);
        self.slot_of.remove(&conn.client);
        self.free_slots.push(slot);
        self.open_connections -= 1;
    }

    // ----- input -----

    /// Reads what the client sent and runs its complete commands. Readiness is edge-triggered:
    /// a short read normally means the socket is empty, but when the peer has also closed
    /// (`until_empty`) the end of the stream is read too, or no later event would report it.
    fn on_readable(&mut self, slot: usize, until_empty: bool) {
        if !self.take_pending_pushes(slot) {
            return;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        while let Some(conn) = self.connection(slot) {
            if conn.input_paused || conn.close_after_output {
                break;
            }
            let n = match conn.stream.read(&mut scratch) {
                Ok(0) => {
                    // The client is gone (or half-closed): answer what it sent, then close.
                    self.take_pending_pushes(slot);
                    self.flush(slot);
                    self.close(slot);
                    break;
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.close(slot);
                    break;
                }
            };
            self.feed(slot, &scratch[..n]);
            // A short read emptied the socket; more data will raise a new event.
            if n < scratch.len() && !until_empty {
                break;
            }
        }
        self.scratch = scratch;
        self.flush(slot);
    }

    /// Encodes the pushes other clients' commands queued for this client since the last
    /// delivery, so they go out ahead of the replies to its next commands. False if the
    /// engine disconnected the client (killed by another one): its connection is closed.
    fn take_pending_pushes(&mut self, slot: usize) -> bool {
        let Some(conn) = self.connections.get_mut(slot).and_then(Option::as_mut) else {
            return false;
        };
        match self.server.client(conn.client) {
            None => {
                self.close(slot);
                false
            }
            Some(state) => {
                conn.close_after_output |= state.closing;
                if !state.outbound.is_empty() {
                    for push in self.server.take_outbound(conn.client) {
                        push.encode_into(conn.protocol, &mut conn.output);
                    }
                    return !self.close_if_over_output_limit(slot);
                }
                true
            }
        }
    }

    /// Runs the commands in `data` (after any incomplete request already buffered) and keeps
    /// the unparsed rest.
    fn feed(&mut self, slot: usize, data: &[u8]) {
        let Some(conn) = self.connection(slot) else {
            return;
        };
        if conn.input.is_empty() {
            let used = self.run_commands(slot, data);
            if let Some(conn) = self.connection(slot) {
                conn.input.extend_from_slice(&data[used..]);
            }
        } else {
            conn.input.extend_from_slice(data);
            let mut input = std::mem::take(&mut conn.input);
            let used = self.run_commands(slot, &input);
            input.drain(..used);
            if let Some(conn) = self.connection(slot) {
                conn.input = input;
            }
        }
        if self.close_if_over_output_limit(slot) {
            return;
        }
        let query_limit = self.server.config().client_query_buffer_limit;
        if self
            .connection(slot)
            .is_some_and(|conn| conn.input.len() as i64 > query_limit)
        {
            eprintln!("redis-emu: closing a client that reached the max query buffer length");
            self.close(slot);
        }
    }

    /// Closes a connection whose unsent output went over its class's
    /// `client-output-buffer-limit`, dropping that output, as Redis does. True if closed.
    fn close_if_over_output_limit(&mut self, slot: usize) -> bool {
        let now_s = self.now / 1000;
        let EventLoop {
            server,
            connections,
            ..
        } = self;
        let Some(conn) = connections.get_mut(slot).and_then(Option::as_mut) else {
            return false;
        };
        let used = conn.unsent();
        conn.over_output_limit |= output_limits::exceeded(
            server.config(),
            conn.class,
            used,
            now_s,
            &mut conn.soft_limit_since,
        );
        if !conn.over_output_limit {
            return false;
        }
        eprintln!(
            "redis-emu: client id={} closed for overcoming of output buffer limits ({used} bytes unsent)",
            conn.client
        );
        self.close(slot);
        true
    }

    /// Parses and runs complete commands from `buf`; returns how many bytes were used.
    fn run_commands(&mut self, slot: usize, buf: &[u8]) -> usize {
        let EventLoop {
            server,
            connections,
            now,
            replies,
            ..
        } = self;
        let Some(conn) = connections.get_mut(slot).and_then(Option::as_mut) else {
            return buf.len();
        };
        conn.parser.max_bulk_len = server.config().proto_max_bulk_len;
        let now_s = *now / 1000;
        let mut pos = 0;
        while pos < buf.len() && !conn.close_after_output && !conn.over_output_limit {
            if conn.unsent() > OUTPUT_PAUSE {
                conn.input_paused = true;
                break;
            }
            match conn.parser.parse(buf, &mut pos, conn.auth_required) {
                Parsed::Incomplete => break,
                Parsed::Nothing => {}
                Parsed::Command(argv) => {
                    run_command(server, conn, argv, *now, replies);
                    conn.over_output_limit = output_limits::exceeded(
                        server.config(),
                        conn.class,
                        conn.unsent(),
                        now_s,
                        &mut conn.soft_limit_since,
                    );
                }
                Parsed::Error(text) => {
                    conn.output.extend_from_slice(b"-ERR ");
                    conn.output.extend_from_slice(&text);
                    conn.output.extend_from_slice(b"\r\n");
                    conn.close_after_output = true;
                }
            }
        }
        pos
    }

    /// Runs what a paused connection had buffered, then reads on.
    fn resume(&mut self, slot: usize) {
        self.feed(slot, &[]);
        // Whatever arrived while paused (the end of the stream included) raised no new event.
        self.on_readable(slot, true);
    }

    // ----- output -----

    /// Hands the engine's pending pushes (messages, unblocked replies) to their connections,
    /// and closes the connections it marked for closing or disconnected.
    ///
    /// Called once per wakeup rather than after each command, which would scan every client
    /// each time. The order each client sees is the same: its own replies are encoded as its
    /// commands run, and pushes caused by others are taken ahead of its next commands
    /// (`take_pending_pushes`), so nothing a client receives is reordered.
    fn deliver_outbound(&mut self) {
        // As Redis before it sleeps: BCAST invalidations for what this wakeup's commands did.
        self.server.before_sleep();
        let mut attention = std::mem::take(&mut self.attention);
        attention.clear();
        attention.extend(self.server.clients_needing_attention());
        for &client in &attention {
            let Some(&slot) = self.slot_of.get(&client) else {
                continue;
            };
            let pushes = self.server.take_outbound(client);
            let closing = self.server.is_closing(client);
            let Some(conn) = self.connection(slot) else {
                continue;
            };
            for push in &pushes {
                push.encode_into(conn.protocol, &mut conn.output);
            }
            conn.close_after_output |= closing;
            if !self.close_if_over_output_limit(slot) {
                self.flush(slot);
            }
        }
        self.attention = attention;
        if self.server.client_count() != self.open_connections {
            self.close_vanished_clients();
        }
    }

    /// Closes the connections of clients the engine disconnected (killed by another client).
    fn close_vanished_clients(&mut self) {
        for slot in 0..self.connections.len() {
            let vanished = self
                .connections
                .get(slot)
                .and_then(Option::as_ref)
                .is_some_and(|conn| self.server.client(conn.client).is_none());
            if vanished {
                self.close(slot);
            }
        }
    }

    /// Writes pending output; waits for writability if the socket is full.
    fn flush(&mut self, slot: usize) {
        let registry = self.poll.registry();
        let Some(conn) = self.connections.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        while conn.sent < conn.output.len() {
            match conn.stream.write(&conn.output[conn.sent..]) {
                Ok(0) => return self.close(slot),
                Ok(n) => conn.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if !conn.awaiting_writable {
                        conn.awaiting_writable = true;
                        let token = Token(slot + FIRST_CONNECTION);
                        let interest = Interest::READABLE | Interest::WRITABLE;
                        if registry
                            .reregister(&mut conn.stream, token, interest)
                            .is_err()
                        {
                            self.close(slot);
                        }
                    }
                    return;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return self.close(slot),
            }
        }
        conn.output.clear();
        conn.sent = 0;
        if conn.output.capacity() > KEEP_CAPACITY {
            conn.output.shrink_to(KEEP_CAPACITY);
        }
        if conn.awaiting_writable {
            conn.awaiting_writable = false;
            let token = Token(slot + FIRST_CONNECTION);
            let _ = registry.reregister(&mut conn.stream, token, Interest::READABLE);
        }
        if conn.close_after_output {
            self.close(slot);
        } else if conn.input_paused {
            conn.input_paused = false;
            self.resumable.push(slot);
        }
    }

    /// Sends what can be sent without waiting, then closes every connection.
    fn shut_down(&mut self) {
        eprintln!("redis-emu: received a shutdown signal, closing connections");
        for slot in 0..self.connections.len() {
            self.flush(slot);
            self.close(slot);
        }
    }
}

/// Runs one command and encodes its replies, then refreshes what the connection caches about
/// its client. `replies` is an empty vector lent for the replies (and left empty).
fn run_command(
    server: &mut Server,
    conn: &mut Connection,
    argv: Vec<Vec<u8>>,
    now: u64,
    replies: &mut Vec<Reply>,
) {
    server.execute_into(conn.client, argv, now, replies);
    if let Some(argv) = server.take_spare_argv() {
        conn.parser.recycle(argv);
    }
    let mut pushes_waiting = false;
    match server.client(conn.client) {
        Some(state) => {
            conn.protocol = state.protocol;
            conn.class = state.class();
            conn.auth_required = !state.authenticated;
            conn.close_after_output |= state.closing;
            pushes_waiting = !state.outbound.is_empty();
        }
        None => conn.close_after_output = true,
    }
    for reply in replies.drain(..) {
        reply.encode_into(conn.protocol, &mut conn.output);
    }
    if pushes_waiting {
        for push in server.take_outbound(conn.client) {
            push.encode_into(conn.protocol, &mut conn.output);
        }
    }
}
