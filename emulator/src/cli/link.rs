//! What the console talks to: an engine client in the same process ([`Local`]), or, for
//! `redis-emu cli -h/-p`, a server over TCP (implemented by the native host).

use crate::client::ClientId;
use crate::resp::{Protocol, Reply};
use crate::server::Server;

/// A connection as redis-cli sees it.
pub trait Link {
    /// Sends one command and returns what came back for it: its reply, preceded by anything
    /// the command pushed to its own client (SUBSCRIBE's confirmations). Empty when the
    /// command blocked or its reply was switched off: the reply then arrives later.
    fn send(&mut self, argv: Vec<Vec<u8>>) -> Vec<Reply>;
    /// Replies and messages that arrived since the last call.
    fn arrivals(&mut self) -> Vec<Reply>;
    /// The protocol the replies were sent in (what the client sees of maps, doubles...).
    fn protocol(&self) -> Protocol;
    /// Drops the connection and opens a new one (Ctrl-C, quit in the browser).
    fn reconnect(&mut self);
    /// Engine time the last commands declared as spent (DEBUG SLEEP), in microseconds,
    /// as a running total; 0 where the host measures real time only.
    fn busy_us(&self) -> u64 {
        0
    }
    /// Up to `limit` key names of database `db` starting with `prefix`, sorted, for Tab.
    fn keys_with_prefix(&mut self, _db: usize, _prefix: &[u8], _limit: usize) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

/// One client of an engine in the same process, borrowed for the duration of a call.
pub struct Local<'a> {
    pub server: &'a mut Server,
    pub client: &'a mut ClientId,
    /// Host time, in milliseconds since the Unix epoch.
    pub now_ms: u64,
}

impl Link for Local<'_> {
    fn send(&mut self, argv: Vec<Vec<u8>>) -> Vec<Reply> {
        self.server.execute(*self.client, argv, self.now_ms)
    }

    fn arrivals(&mut self) -> Vec<Reply> {
        self.server.take_outbound(*self.client)
    }

    fn protocol(&self) -> Protocol {
        self.server.protocol(*self.client)
    }

    fn reconnect(&mut self) {
        self.server.disconnect(*self.client);
        *self.client = self.server.connect(self.now_ms);
    }

    fn busy_us(&self) -> u64 {
        self.server.busy_us()
    }

    fn keys_with_prefix(&mut self, db: usize, prefix: &[u8], limit: usize) -> Vec<Vec<u8>> {
        self.server.keys_with_prefix(db, prefix, limit)
    }
}
