//! Simulated persistence: the storage interface hosts provide, and (in submodules) the RDB
//! and AOF formats Redis 7.0 writes to it.

pub mod crc64;
pub mod disk;
pub mod lzf;
pub mod mirror;
pub mod rdb;
mod snapshot;

pub use disk::{Disk, DiskError, MemoryDisk};
pub use mirror::{MirrorOp, MirroredDisk};
pub use snapshot::SnapshotState;
