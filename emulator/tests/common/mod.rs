//! Test scaffolding shared by the integration tests: several clients of one engine, driven the
//! way a host drives it (argument vectors, host time, outbound queues, timers).

#![allow(dead_code)]

use emulator::{ClientId, Reply, Server};

pub const T0: u64 = 1_700_000_000_000;

/// Several clients of one server, with a host clock.
pub struct Host {
    pub server: Server,
    pub now: u64,
}

impl Host {
    pub fn new() -> Host {
        Host {
            server: Server::new(),
            now: T0,
        }
    }

    pub fn client(&mut self) -> ClientId {
        self.server.connect(self.now)
    }

    /// Runs a command; returns what it answered at once (nothing if it blocked).
    pub fn send(&mut self, id: ClientId, line: &str) -> Vec<Reply> {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        self.server.execute(id, argv, self.now)
    }

    /// Runs a command that answers at once with one reply.
    pub fn run(&mut self, id: ClientId, line: &str) -> Reply {
        let mut replies = self.send(id, line);
        assert_eq!(replies.len(), 1, "{line}: {replies:?}");
        replies.remove(0)
    }

    /// Runs a command that blocks.
    pub fn block(&mut self, id: ClientId, line: &str) {
        let replies = self.send(id, line);
        assert!(replies.is_empty(), "{line} should block: {replies:?}");
        assert!(self.server.is_blocked(id));
    }

    /// What was sent to a client by other clients' commands or timers.
    pub fn received(&mut self, id: ClientId) -> Vec<Reply> {
        self.server.take_outbound(id)
    }

    /// Moves the host clock and runs the timers.
    pub fn wait(&mut self, ms: u64) {
        self.now += ms;
        self.server.tick(self.now);
    }
}
