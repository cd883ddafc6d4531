//! One console connected to an engine in the same process: a [`Repl`] plus the engine client
//! it talks through. The browser's panes and `redis-emu cli` without `-h/-p` use it.

use super::link::Local;
use super::repl::{Mode, Outcome, Repl};
use crate::client::ClientId;
use crate::server::Server;

/// The address the console pretends to be connected to, as redis-cli shows it in its prompt.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:6379";

/// A console session: one engine client plus redis-cli's view of it.
pub struct Session {
    client: ClientId,
    repl: Repl,
}

impl Session {
    /// Connects a new client at host time `now_ms`.
    pub fn connect(server: &mut Server, now_ms: u64) -> Session {
        Session {
            client: server.connect(now_ms),
            repl: Repl::default(),
        }
    }

    pub fn client_id(&self) -> ClientId {
        self.client
    }

    pub fn repl(&self) -> &Repl {
        &self.repl
    }

    pub fn repl_mut(&mut self) -> &mut Repl {
        &mut self.repl
    }

    /// Whether the console only shows what arrives (after SUBSCRIBE or MONITOR, or while a
    /// blocking command waits) and takes no commands until Ctrl-C.
    pub fn is_reading_messages(&self) -> bool {
        self.repl.mode() != Mode::Prompt
    }

    pub fn mode(&self) -> Mode {
        self.repl.mode()
    }

    /// redis-cli's prompt, e.g. `127.0.0.1:6379[2](TX)>`.
    pub fn prompt(&self, _server: &Server) -> String {
        self.repl.prompt()
    }

    fn link<'a>(&'a mut self, server: &'a mut Server, now_ms: u64) -> (&'a mut Repl, Local<'a>) {
        let link = Local {
            server,
            client: &mut self.client,
            now_ms,
        };
        (&mut self.repl, link)
    }

    /// Runs one typed line; see [`Repl::run`].
    pub fn run(&mut self, server: &mut Server, line: &str, now_ms: u64) -> Outcome {
        let (repl, mut link) = self.link(server, now_ms);
        repl.run(&mut link, line)
    }

    /// Runs one typed line and returns what redis-cli prints for it.
    pub fn run_line(&mut self, server: &mut Server, line: &str, now_ms: u64) -> String {
        self.run(server, line, now_ms).text
    }

    /// What arrived for this console since the last call (messages, monitor lines, replies
    /// of a blocked command), formatted as redis-cli prints them.
    pub fn take_arrivals(&mut self, server: &mut Server) -> String {
        let (repl, mut link) = self.link(server, 0);
        repl.arrivals(&mut link)
    }

    /// Ctrl-C: a new connection, on the database the console was on.
    pub fn interrupt(&mut self, server: &mut Server, now_ms: u64) -> String {
        let (repl, mut link) = self.link(server, now_ms);
        repl.interrupt(&mut link)
    }

    /// `quit` in the browser: a fresh client with no state from the old one.
    pub fn restart(&mut self, server: &mut Server, now_ms: u64) {
        server.disconnect(self.client);
        self.client = server.connect(now_ms);
        self.repl.forget();
    }

    /// Key names of the console's database starting with `prefix`, for Tab.
    pub fn keys_with_prefix(
        &self,
        server: &mut Server,
        prefix: &[u8],
        limit: usize,
    ) -> Vec<Vec<u8>> {
        let db = usize::try_from(self.repl.db()).unwrap_or(0);
        server.keys_with_prefix(db, prefix, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::READING_MESSAGES;

    #[test]
    fn subscribe_reads_messages_until_interrupted() {
        let mut server = Server::new();
        let mut a = Session::connect(&mut server, 0);
        let mut b = Session::connect(&mut server, 0);
        let out = a.run_line(&mut server, "SUBSCRIBE room:42", 0);
        assert_eq!(
            out,
            format!("{READING_MESSAGES}1) \"subscribe\"\n2) \"room:42\"\n3) (integer) 1\n")
        );
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

    #[test]
    fn restart_forgets_the_connection() {
        let mut server = Server::new();
        let mut a = Session::connect(&mut server, 0);
        a.run_line(&mut server, "SELECT 1", 0);
        a.run_line(&mut server, "SET k v", 0);
        a.run_line(&mut server, "SET kk v", 0);
        assert_eq!(
            a.keys_with_prefix(&mut server, b"k", 10),
            vec![b"k".to_vec(), b"kk".to_vec()]
        );
        let old = a.client_id();
        a.restart(&mut server, 0);
        assert_ne!(a.client_id(), old);
        assert_eq!(a.prompt(&server), "127.0.0.1:6379>");
    }
}
