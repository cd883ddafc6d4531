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

/// One client of a fresh engine, for tests of single-client behaviour.
pub struct Session {
    pub server: Server,
    pub client: ClientId,
}

impl Session {
    pub fn new() -> Session {
        let mut server = Server::new();
        let client = server.connect(T0);
        Session { server, client }
    }

    /// A session whose client may use DEBUG (DEBUG OBJECT shows encodings and existence without
    /// the generic key commands).
    pub fn with_debug() -> Session {
        let mut session = Session::new();
        // A valid value for a known parameter: this cannot fail.
        let _ = session.server.configure("enable-debug-command", b"local");
        session
    }

    /// Runs a command given as arguments; it must answer with exactly one reply.
    pub fn cmd(&mut self, args: &[&[u8]]) -> Reply {
        let argv = args.iter().map(|a| a.to_vec()).collect();
        let mut replies = self.server.execute(self.client, argv, T0);
        assert_eq!(replies.len(), 1, "one reply to {args:?}");
        replies.remove(0)
    }

    /// Runs a command written as space-separated words.
    pub fn run(&mut self, line: &str) -> Reply {
        let words: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        self.cmd(&words)
    }

    /// Runs a command for another client of the same server; returns all its replies.
    pub fn run_on(&mut self, client: ClientId, line: &str) -> Vec<Reply> {
        let argv = line.split(' ').map(|w| w.as_bytes().to_vec()).collect();
        self.server.execute(client, argv, T0)
    }

    /// The key's encoding per DEBUG OBJECT (needs `with_debug`), None if it does not exist.
    pub fn encoding(&mut self, key: &str) -> Option<String> {
        match self.run(&format!("DEBUG OBJECT {key}")) {
            Reply::Simple(text) => {
                let field = text.split(' ').find(|f| f.starts_with("encoding:"))?;
                Some(field["encoding:".len()..].to_string())
            }
            _ => None,
        }
    }
}

pub fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

pub fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

pub fn err(s: &str) -> Reply {
    Reply::error(s)
}
