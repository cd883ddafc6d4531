//! Simulated persistence: the storage interface hosts provide, and (in submodules) the RDB
//! and AOF formats Redis 7.0 writes to it.

pub mod aof;
pub mod disk;
pub(crate) mod rdb_bridge;

pub use disk::{Disk, DiskError, MemoryDisk};
