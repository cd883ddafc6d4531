//! Replaying generated commands on both servers, and shrinking a divergent sequence.

use std::io;
use std::time::{Duration, Instant};

use emulator::resp::Protocol;

use super::{Check, Op};
use crate::admin::Admin;
use crate::compare::{agree, command_line, decode_all, Mode};
use crate::twin::{Exchange, Twin};

/// The first command whose replies differ.
#[derive(Debug, Clone)]
pub struct Divergence {
    pub index: usize,
    pub exchange: Exchange,
}

/// Whether both sides' replies agree under a template's check.
pub fn agrees(check: Check, exchange: &Exchange) -> bool {
    if exchange.lost_sync.is_some() {
        return false;
    }
    match check {
        Check::Exact => agree(Mode::Exact, &exchange.ours, &exchange.theirs),
        Check::Unordered => agree(Mode::Unordered, &exchange.ours, &exchange.theirs),
        Check::Within(tolerance) => {
            let (Ok(ours), Ok(theirs)) = (decode_all(&exchange.ours), decode_all(&exchange.theirs))
            else {
                return false;
            };
            ours.len() == theirs.len()
                && ours.iter().zip(&theirs).all(|pair| match pair {
                    (emulator::Reply::Integer(a), emulator::Reply::Integer(b)) => {
                        a.abs_diff(*b) <= tolerance.unsigned_abs()
                    }
                    (a, b) => a == b,
                })
        }
    }
}

/// Runs `ops` from an empty Redis and a fresh engine in `protocol`, stopping at the first
/// command whose replies differ.
pub fn replay(
    port: u16,
    admin: &mut Admin,
    ops: &[Op],
    protocol: Protocol,
) -> io::Result<Option<Divergence>> {
    admin.flush()?;
    let mut twin = Twin::new(port)?;
    if protocol == Protocol::Resp3 {
        let exchange = twin.command(&[b"HELLO".to_vec(), b"3".to_vec()])?;
        if exchange.lost_sync.is_some() || !agree(Mode::Shape, &exchange.ours, &exchange.theirs) {
            return Err(io::Error::other("the replies to HELLO 3 differ in shape"));
        }
    }
    for (index, op) in ops.iter().enumerate() {
        let exchange = twin.command(&op.argv)?;
        if !agrees(op.check, &exchange) {
            return Ok(Some(Divergence { index, exchange }));
        }
    }
    Ok(None)
}

/// A short command sequence that still makes the servers diverge.
#[derive(Debug, Clone)]
pub struct Reproduction {
    pub ops: Vec<Op>,
    pub divergence: Divergence,
    /// How many replays shrinking took.
    pub replays: usize,
}

impl Reproduction {
    /// The sequence as a differential script, ready to paste into `tests/differential/`.
    pub fn script(&self, protocol: Protocol) -> String {
        let mut out = String::new();
        if protocol == Protocol::Resp3 {
            out.push_str("!resp3-only\n");
        }
        for op in &self.ops {
            out.push_str(&command_line(&op.argv));
            out.push('\n');
        }
        out
    }
}

/// Shrinks a divergent sequence: cuts it after the first divergence, then repeatedly removes
/// chunks of commands (halving the chunk size down to single commands) as long as some
/// divergence remains, until nothing more can go or `budget` runs out.
pub fn shrink(
    port: u16,
    admin: &mut Admin,
    ops: &[Op],
    first: Divergence,
    protocol: Protocol,
    budget: Duration,
) -> io::Result<Reproduction> {
    let started = Instant::now();
    let mut best = Reproduction {
        ops: ops[..=first.index].to_vec(),
        divergence: first,
        replays: 0,
    };
    let mut chunk = (best.ops.len() / 2).max(1);
    loop {
        let mut removed_any = false;
        let mut start = 0;
        while start < best.ops.len() && started.elapsed() < budget {
            let end = (start + chunk).min(best.ops.len());
            let mut candidate = best.ops[..start].to_vec();
            candidate.extend_from_slice(&best.ops[end..]);
            best.replays += 1;
            match replay(port, admin, &candidate, protocol)? {
                Some(divergence) => {
                    candidate.truncate(divergence.index + 1);
                    best.ops = candidate;
                    best.divergence = divergence;
                    removed_any = true;
                }
                None => start = end,
            }
        }
        if started.elapsed() >= budget {
            break;
        }
        if !removed_any {
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
        chunk = chunk.min(best.ops.len()).max(1);
    }
    Ok(best)
}
