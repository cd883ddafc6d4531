//! Redis Playground's engine: Redis 7.0 semantics with no I/O of its own.

pub mod scripting;
#[cfg(target_arch = "wasm32")]
pub mod wasm_libc;
