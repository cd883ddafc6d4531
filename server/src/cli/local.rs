//! The console's engine when no server is named: a fresh one in this process, like a
//! redis-server started with its defaults.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use emulator::cli::{Link, Local};
use emulator::{ClientId, Protocol, Reply, Server};

pub struct LocalLink {
    server: Server,
    client: ClientId,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl LocalLink {
    pub fn new() -> LocalLink {
        let mut server = Server::new();
        let started = Instant::now();
        server.set_micros_source(Box::new(move || started.elapsed().as_micros() as u64));
        let client = server.connect(now_ms());
        LocalLink { server, client }
    }

    fn local(&mut self) -> Local<'_> {
        Local {
            server: &mut self.server,
            client: &mut self.client,
            now_ms: now_ms(),
        }
    }

    /// The `benchmark` built-in: a redis-benchmark-like load on this engine, run to the end.
    pub fn benchmark(&mut self, args: &[String]) -> String {
        let started = Instant::now();
        let mut clock = move || started.elapsed().as_micros() as u64;
        emulator::cli::benchmark::run_blocking(&mut self.server, args, now_ms(), &mut clock).0
    }

    /// Runs the engine's timed work (expiry, timeouts).
    pub fn tick(&mut self) {
        self.server.tick(now_ms());
    }
}

impl Link for LocalLink {
    fn send(&mut self, argv: Vec<Vec<u8>>) -> Vec<Reply> {
        self.local().send(argv)
    }

    fn arrivals(&mut self) -> Vec<Reply> {
        self.local().arrivals()
    }

    fn protocol(&self) -> Protocol {
        self.server.protocol(self.client)
    }

    fn reconnect(&mut self) {
        self.local().reconnect()
    }

    fn busy_us(&self) -> u64 {
        self.server.busy_us()
    }

    fn keys_with_prefix(&mut self, db: usize, prefix: &[u8], limit: usize) -> Vec<Vec<u8>> {
        self.server.keys_with_prefix(db, prefix, limit)
    }
}
