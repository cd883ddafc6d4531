//! Redis Playground's engine: Redis 7.0 semantics with no I/O of its own.
//!
//! Hosts (the browser app, the `redis-emu` TCP server, tests) drive a [`Server`]: they connect
//! clients, pass each command as a vector of byte strings together with the current time, and
//! receive [`Reply`] values to encode with [`Reply::encode`] for the client's protocol.

pub mod admission;
pub mod blocking;
pub mod cli;
pub mod client;
pub mod clock;
pub mod command_stats;
pub mod commands;
pub mod config;
pub mod db;
pub mod dict;
pub mod errors;
pub mod eviction;
pub mod glob;
mod keyspace;
pub mod lifecycle;
pub mod memory;
pub mod notify;
pub mod pause;
pub mod persistence;
mod propagate;
pub mod pubsub;
pub mod resp;
pub mod scripting;
pub mod server;
pub mod tracking;
pub mod types;
pub mod util;
#[cfg(target_arch = "wasm32")]
pub mod wasm_libc;
mod watch;

pub use client::ClientId;
pub use resp::{Protocol, Reply};
pub use server::Server;
