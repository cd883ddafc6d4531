//! Shared helpers for the scripting tests: a server with one client, and shorthands for
//! replies.
#![allow(dead_code)]

use emulator::{Reply, Server};

pub const T0: u64 = 1_700_000_000_000;

pub struct Redis {
    pub server: Server,
    pub client: u64,
    pub now: u64,
}

impl Redis {
    pub fn new() -> Redis {
        let mut server = Server::new();
        let client = server.connect(T0);
        Redis {
            server,
            client,
            now: T0,
        }
    }

    /// Runs a command given as separate arguments.
    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        let argv = args.iter().map(|a| a.as_ref().to_vec()).collect();
        let mut replies = self.server.execute(self.client, argv, self.now);
        assert_eq!(replies.len(), 1, "one reply expected");
        replies.remove(0)
    }

    /// Runs a command line split the way redis-cli splits it.
    pub fn line(&mut self, line: &str) -> Reply {
        let argv = emulator::cli::split_args(line.as_bytes()).expect("valid line");
        self.cmd(&argv)
    }

    /// EVAL with keys and arguments.
    pub fn eval(&mut self, script: &str, keys: &[&str], args: &[&str]) -> Reply {
        let numkeys = keys.len().to_string();
        let mut argv: Vec<&str> = vec!["EVAL", script, &numkeys];
        argv.extend_from_slice(keys);
        argv.extend_from_slice(args);
        self.cmd(&argv)
    }

    /// EVAL without keys or arguments.
    pub fn eval0(&mut self, script: &str) -> Reply {
        self.eval(script, &[], &[])
    }

    /// Runs a command line that turns into a busy script (no reply yet), sends `kill`
    /// (SCRIPT KILL or FUNCTION KILL) from another client and checks its answer is OK, then
    /// runs the script to its end and returns the reply the first client got.
    pub fn killed(&mut self, line: &str, kill: &str) -> Reply {
        let argv = emulator::cli::split_args(line.as_bytes()).expect("valid line");
        let replies = self.server.execute(self.client, argv, self.now);
        assert!(
            replies.is_empty(),
            "{line}: busy, no reply yet: {replies:?}"
        );
        assert!(self.server.script_busy());
        let other = self.server.connect(self.now);
        let kill = emulator::cli::split_args(kill.as_bytes()).expect("valid line");
        assert_eq!(
            self.server.execute(other, kill, self.now),
            vec![Reply::ok()]
        );
        self.server.disconnect(other);
        while self.server.script_busy() {
            self.server.run_busy_script(self.now);
        }
        let mut replies = self.server.take_outbound(self.client);
        assert_eq!(replies.len(), 1, "one reply expected");
        replies.remove(0)
    }
}

pub fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

pub fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

pub fn err(s: &str) -> Reply {
    Reply::error(s)
}

pub fn arr(items: Vec<Reply>) -> Reply {
    Reply::Array(items)
}

/// The error text of a reply, for prefix/contains checks.
pub fn error_text(r: &Reply) -> String {
    match r {
        Reply::Error(e) => e.clone(),
        other => panic!("expected an error, got {other:?}"),
    }
}
