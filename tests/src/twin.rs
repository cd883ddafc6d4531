//! One client on each side, fed the same commands in lockstep: a connection to the real Redis
//! and a client of a fresh in-process engine.

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use emulator::resp::Protocol;
use emulator::{ClientId, Server};

use crate::connection::RespConnection;

/// How long Redis gets to send a reply the engine produced.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// When the engine produces no reply (a blocked client, CLIENT REPLY OFF), how long to watch
/// for Redis answering anyway.
const SILENCE_WINDOW: Duration = Duration::from_millis(50);

/// What both sides sent back for one step.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    /// The engine's replies, encoded for the client's protocol, in order.
    pub ours: Vec<u8>,
    pub ours_count: usize,
    /// Redis's bytes: as many replies as the engine gave, plus anything else already sent.
    pub theirs: Vec<u8>,
    /// Set when Redis did not send as many replies in time: the connection is out of step
    /// and the run cannot go on.
    pub lost_sync: Option<String>,
}

pub struct Twin {
    redis: RespConnection,
    engine: Server,
    client: ClientId,
    /// Time slept for `advance`. The engine's host clock is wall time minus this, and its
    /// own clock is moved forward by the same amount, so both sides see the same time.
    slept_ms: u64,
}

pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Twin {
    /// A fresh engine and a new connection to Redis (whose data the caller has reset).
    pub fn new(redis_port: u16) -> io::Result<Twin> {
        let redis = RespConnection::connect(redis_port)?;
        let mut engine = Server::new();
        let client = engine.connect(wall_ms());
        Ok(Twin {
            redis,
            engine,
            client,
            slept_ms: 0,
        })
    }

    fn host_now(&self) -> u64 {
        wall_ms().saturating_sub(self.slept_ms)
    }

    pub fn protocol(&self) -> Protocol {
        self.engine.protocol(self.client)
    }

    pub fn engine(&mut self) -> &mut Server {
        &mut self.engine
    }

    /// Whether the engine wants the connection closed (after QUIT).
    pub fn closing(&self) -> bool {
        self.engine.is_closing(self.client)
    }

    /// Runs one command on both sides.
    pub fn command(&mut self, argv: &[Vec<u8>]) -> io::Result<Exchange> {
        self.redis.send(argv)?;
        let now = self.host_now();
        let mut replies = self.engine.execute(self.client, argv.to_vec(), now);
        // The host's event loop turns once per command (BCAST invalidations go out then).
        self.engine.before_sleep();
        // Pushes caused by the command itself belong in the replies; anything queued for the
        // client comes after them.
        replies.extend(self.engine.take_outbound(self.client));
        let protocol = self.protocol();
        let mut ours = Vec::new();
        for reply in &replies {
            reply.encode_into(protocol, &mut ours);
        }
        self.collect_theirs(ours, replies.len(), SILENCE_WINDOW)
    }

    /// Lets `ms` pass: sleeps against Redis, moves the engine's clock, runs its timers, and
    /// collects what each side sent meanwhile.
    pub fn advance(&mut self, ms: u64) -> io::Result<Exchange> {
        std::thread::sleep(Duration::from_millis(ms));
        self.slept_ms += ms;
        self.engine.advance_clock(ms);
        let now = self.host_now();
        self.engine.tick(now);
        let replies = self.engine.take_outbound(self.client);
        let protocol = self.protocol();
        let mut ours = Vec::new();
        for reply in &replies {
            reply.encode_into(protocol, &mut ours);
        }
        self.collect_theirs(ours, replies.len(), Duration::ZERO)
    }

    /// Reads from Redis as many replies as the engine produced, then whatever else already
    /// arrived (extra replies show up as a difference).
    fn collect_theirs(
        &mut self,
        ours: Vec<u8>,
        ours_count: usize,
        silence_window: Duration,
    ) -> io::Result<Exchange> {
        let mut exchange = Exchange {
            ours,
            ours_count,
            ..Exchange::default()
        };
        for received in 0..ours_count {
            match self.redis.read_reply(REPLY_TIMEOUT)? {
                Some(reply) => exchange.theirs.extend_from_slice(&reply.raw),
                None => {
                    exchange.lost_sync = Some(format!(
                        "redis sent {received} of {ours_count} replies within {REPLY_TIMEOUT:?}"
                    ));
                    exchange
                        .theirs
                        .extend(self.redis.take_unsolicited(Duration::ZERO)?);
                    return Ok(exchange);
                }
            }
        }
        let wait = if ours_count == 0 {
            silence_window
        } else {
            Duration::ZERO
        };
        exchange.theirs.extend(self.redis.take_unsolicited(wait)?);
        Ok(exchange)
    }
}
