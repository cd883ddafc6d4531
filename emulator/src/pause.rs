//! CLIENT PAUSE (Redis 7.0's pauseClients): until a deadline on the engine clock, or CLIENT
//! UNPAUSE, commands of every client (ALL) or only those that may write (WRITE) wait: the
//! client is postponed, its command and any it sends afterwards run in order once the pause
//! ends. Meanwhile the dataset stays constant: expired keys read as missing but are not
//! deleted, and nothing is evicted.

use crate::client::ClientId;
use crate::commands::flags;
use crate::server::Server;

/// What a pause holds back; ALL is the more restrictive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PauseKind {
    /// Commands that may write or replicate (EXEC of a transaction holding one included).
    Write,
    /// Every command, CLIENT UNPAUSE included.
    All,
}

/// The pause in force.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pause {
    kind: PauseKind,
    /// Engine time after which it ends.
    end_ms: u64,
}

impl Server {
    /// CLIENT PAUSE: a pause already in force keeps the later end and the stricter kind.
    pub(crate) fn pause_clients(&mut self, kind: PauseKind, end_ms: u64) {
        self.pause = Some(match self.pause {
            Some(p) => Pause {
                kind: p.kind.max(kind),
                end_ms: p.end_ms.max(end_ms),
            },
            None => Pause { kind, end_ms },
        });
    }

    /// CLIENT UNPAUSE, or the end of the pause: postponed clients run again, in the order
    /// they were postponed, each with the commands it sent meanwhile.
    pub(crate) fn unpause_clients(&mut self) {
        self.pause = None;
        self.release_postponed_clients();
    }

    /// Whether clients are paused at `now`, ending a pause whose time is up (Redis's
    /// checkClientPauseTimeoutAndReturnIfPaused).
    pub(crate) fn clients_paused(&mut self, now: u64) -> bool {
        match self.pause {
            Some(p) if p.end_ms < now => {
                self.unpause_clients();
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    /// Whether the pause holds back a command with these flags (`command_flags`: Redis's
    /// getCommandFlags; `queued_flags`: those of the commands an EXEC would run).
    pub(crate) fn pause_holds(
        &mut self,
        id: ClientId,
        command: &str,
        command_flags: u32,
        queued_flags: u32,
        now: u64,
    ) -> bool {
        if self.pause.is_none()
            || self.clients.get(&id).is_some_and(|c| c.observer)
            || !self.clients_paused(now)
        {
            return false;
        }
        let may_replicate = flags::WRITE | flags::MAY_REPLICATE;
        match self.pause.map(|p| p.kind) {
            Some(PauseKind::All) => true,
            Some(PauseKind::Write) => {
                command_flags & may_replicate != 0
                    || (command == "exec" && queued_flags & may_replicate != 0)
            }
            None => false,
        }
    }

    /// When `tick` must run to end the pause.
    pub(crate) fn next_pause_end(&self) -> Option<u64> {
        self.pause.map(|p| p.end_ms.saturating_add(1))
    }
}
