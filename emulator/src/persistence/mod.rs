//! Simulated persistence: the storage interface hosts provide, and (in submodules) the RDB
//! and AOF formats Redis 7.0 writes to it.

pub mod aof;
pub mod crc64;
pub mod disk;
pub mod durability;
pub mod lzf;
pub mod mirror;
pub mod rdb;
pub(crate) mod rdb_bridge;
mod snapshot;

pub use disk::{Disk, DiskError, MemoryDisk};
pub use mirror::{segment_key, MirrorOp, MirroredDisk, SharedMirror};
pub use snapshot::SnapshotState;
