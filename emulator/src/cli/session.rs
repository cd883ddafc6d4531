//! One console connected to the engine: what redis-cli does between reading a line and
//! printing its replies, minus the terminal.

use super::{format_reply, split_args};
use crate::client::ClientId;
use crate::server::Server;
use crate::util::eq_ignore_case;

/// The address the console pretends to be connected to, as redis-cli shows it in its prompt.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:6379";

/// What redis-cli 7.0 prints when a SUBSCRIBE-family command puts it in reading mode.
pub const READING_MESSAGES: &str = "Reading messages... (press Ctrl-C to quit)\n";

/// A console session: one engine client plus redis-cli's view of it.
pub struct Session {
    client: ClientId,
    address: String,
    /// After SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE redis-cli only prints what arrives, until Ctrl-C.
    reading_messages: bool,
}

impl Session {
    /// Connects a new client at host time `now_ms`.
    pub fn connect(server: &mut Server, now_ms: u64) -> Session {
        Session {
            client: server.connect(now_ms),
            address: DEFAULT_ADDRESS.to_string(),
            reading_messages: false,
        }
    }

    pub fn client_id(&self) -> ClientId {
        self.client
    }

    /// Whether the console only shows incoming messages (after SUBSCRIBE) and takes no commands.
    pub fn is_reading_messages(&self) -> bool {
        self.reading_messages
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
        let Some(name) = argv.first() else {
            return String::new();
        };
        let subscribes = ["subscribe", "psubscribe", "ssubscribe"]
            .iter()
            .any(|c| eq_ignore_case(name, c));
        let replies = server.execute(self.client, argv, now_ms);
        // Read after executing: HELLO's own reply is already in the protocol it selects.
        let proto = server.protocol(self.client);
        let mut out = String::new();
        if subscribes {
            // redis-cli announces reading mode before it reads the first confirmation.
            out.push_str(READING_MESSAGES);
            let failed = replies.iter().any(|r| r.is_error());
            self.reading_messages = !failed;
        }
        out.extend(replies.iter().map(|r| format_reply(r, proto)));
        out
    }

    /// What arrived for this console since the last call (messages, replies of a blocked
    /// command), formatted as redis-cli prints them.
    pub fn take_arrivals(&mut self, server: &mut Server) -> String {
        let proto = server.protocol(self.client);
        server
            .take_outbound(self.client)
            .iter()
            .map(|r| format_reply(r, proto))
            .collect()
    }

    /// Ctrl-C: redis-cli leaves reading mode (or stops waiting on a blocking command) by
    /// dropping the connection and connecting again, which ends subscriptions and blocks.
    pub fn interrupt(&mut self, server: &mut Server, now_ms: u64) {
        server.disconnect(self.client);
        self.client = server.connect(now_ms);
        self.reading_messages = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_reads_messages_until_interrupted() {
        let mut server = Server::new();
        let mut a = Session::connect(&mut server, 0);
        let mut b = Session::connect(&mut server, 0);
        let out = a.run_line(&mut server, "SUBSCRIBE room:42", 0);
        assert_eq!(out, "Reading messages... (press Ctrl-C to quit)\n1) \"subscribe\"\n2) \"room:42\"\n3) (integer) 1\n");
        assert!(a.is_reading_messages());
        assert_eq!(
            b.run_line(&mut server, "PUBLISH room:42 hi", 0),
            "(integer) 1\n"
        );
        assert_eq!(
            a.take_arrivals(&mut server),
            "1) \"message\"\n2) \"room:42\"\n3) \"hi\"\n"
        );
        a.interrupt(&mut server, 0);
        assert!(!a.is_reading_messages());
        assert_eq!(
            b.run_line(&mut server, "PUBLISH room:42 hi", 0),
            "(integer) 0\n"
        );
    }
}
