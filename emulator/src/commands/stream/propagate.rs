//! What consumer-group commands send to the AOF, as Redis 7.0 propagates them.
//!
//! XREADGROUP, XCLAIM and XAUTOCLAIM are never propagated as they were called: each pending
//! entry they create, move or drop becomes an idempotent
//! `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID group-last-id`,
//! a group position that moved without one (NOACK reads, XCLAIM ... LASTID) becomes
//! `XGROUP SETID key group id ENTRIESREAD n`, and a consumer that a NOACK read created (no
//! XCLAIM names it) becomes `XGROUP CREATECONSUMER`. The commands are collected while the
//! stream is borrowed and queued once the handler is done with it.

use crate::server::Server;
use crate::types::stream::{ConsumerGroup, Nack, StreamId};

/// The commands a stream command propagates, in order.
pub(super) struct Effects {
    /// Whether anything listens (nothing is built otherwise).
    wanted: bool,
    commands: Vec<Vec<Vec<u8>>>,
}

impl Effects {
    pub(super) fn new(srv: &Server) -> Effects {
        Effects {
            wanted: srv.propagation_wanted(),
            commands: Vec::new(),
        }
    }

    /// Redis's streamPropagateXCLAIM: `nack` (as it is now) of entry `id`, written as
    /// `id_text`, with the group's current last delivered ID.
    pub(super) fn claim(
        &mut self,
        key: &[u8],
        group_name: &[u8],
        id_text: &[u8],
        nack: &Nack,
        group_last_id: StreamId,
    ) {
        if !self.wanted {
            return;
        }
        self.commands.push(vec![
            b"XCLAIM".to_vec(),
            key.to_vec(),
            group_name.to_vec(),
            nack.consumer.to_vec(),
            b"0".to_vec(),
            id_text.to_vec(),
            b"TIME".to_vec(),
            nack.delivery_time.to_string().into_bytes(),
            b"RETRYCOUNT".to_vec(),
            nack.delivery_count.to_string().into_bytes(),
            b"FORCE".to_vec(),
            b"JUSTID".to_vec(),
            b"LASTID".to_vec(),
            group_last_id.to_bytes(),
        ]);
    }

    /// Redis's streamPropagateGroupID: the group's last delivered ID and read counter (-1
    /// when unknown).
    pub(super) fn group_position(&mut self, key: &[u8], group_name: &[u8], group: &ConsumerGroup) {
        if !self.wanted {
            return;
        }
        self.commands.push(vec![
            b"XGROUP".to_vec(),
            b"SETID".to_vec(),
            key.to_vec(),
            group_name.to_vec(),
            group.last_id.to_bytes(),
            b"ENTRIESREAD".to_vec(),
            group.entries_read.unwrap_or(-1).to_string().into_bytes(),
        ]);
    }

    /// Redis's streamPropagateConsumerCreation.
    pub(super) fn consumer_created(&mut self, key: &[u8], group_name: &[u8], consumer: &[u8]) {
        if !self.wanted {
            return;
        }
        self.commands.push(vec![
            b"XGROUP".to_vec(),
            b"CREATECONSUMER".to_vec(),
            key.to_vec(),
            group_name.to_vec(),
            consumer.to_vec(),
        ]);
    }

    /// Queues the collected commands in database `db`.
    pub(super) fn send(self, srv: &mut Server, db: usize) {
        for argv in self.commands {
            srv.also_propagate(db, argv);
        }
    }
}
