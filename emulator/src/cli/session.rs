//! One console connected to the engine: what redis-cli does between reading a line and
//! printing its replies, minus the terminal.

use super::{format_reply, split_args};
use crate::client::ClientId;
use crate::server::Server;

/// The address the console pretends to be connected to, as redis-cli shows it in its prompt.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:6379";

/// A console session: one engine client plus redis-cli's view of it.
pub struct Session {
    client: ClientId,
    address: String,
}

impl Session {
    /// Connects a new client at host time `now_ms`.
    pub fn connect(server: &mut Server, now_ms: u64) -> Session {
        Session {
            client: server.connect(now_ms),
            address: DEFAULT_ADDRESS.to_string(),
        }
    }

    pub fn client_id(&self) -> ClientId {
        self.client
    }

    /// redis-cli's prompt: `127.0.0.1:6379>`, with `[db]` when a non-zero db is selected and
    /// `(TX)` inside MULTI.
    pub fn prompt(&self, server: &Server) -> String {
        let mut prompt = self.address.clone();
        if let Some(client) = server.client(self.client) {
            if client.db != 0 {
                prompt.push_str(&format!("[{}]", client.db));
            }
            if client.multi.is_some() {
                prompt.push_str("(TX)");
            }
        }
        prompt.push('>');
        prompt
    }

    /// Runs one typed line and returns what redis-cli would print for it (each reply followed
    /// by a newline; nothing for a blank line).
    pub fn run_line(&mut self, server: &mut Server, line: &str, now_ms: u64) -> String {
        let argv = match split_args(line.as_bytes()) {
            Ok(argv) => argv,
            Err(e) => return format!("{e}\n"),
        };
        if argv.is_empty() {
            return String::new();
        }
        let replies = server.execute(self.client, argv, now_ms);
        // Read after executing: HELLO's own reply is already in the protocol it selects.
        let proto = server.protocol(self.client);
        replies.iter().map(|r| format_reply(r, proto)).collect()
    }
}
