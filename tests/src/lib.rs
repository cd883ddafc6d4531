//! Workspace-level test support.
//!
//! Fidelity is measured by running the same commands against a real `redis-server` 7.0 and
//! against the engine, and comparing the raw reply bytes:
//! - [`script`] reads the `tests/differential/*.redis` format and [`differential`] runs it;
//! - [`random`] generates random command sequences and shrinks any divergence it finds;
//! - [`twin`] is what both share: one Redis connection and one engine client fed in lockstep;
//! - [`real_redis`] starts the reference server, [`connection`] speaks raw RESP to it, and
//!   [`admin`] puts it back in its initial state between runs.

pub mod admin;
pub mod compare;
pub mod connection;
pub mod differential;
pub mod random;
pub mod real_redis;
pub mod script;
pub mod twin;

use std::io::Write;

/// Writes a line to the real standard error, bypassing the test harness's output capture, so
/// summaries and notices show up even when the test passes.
pub fn announce(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}
