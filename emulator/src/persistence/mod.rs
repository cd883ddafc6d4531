//! Simulated persistence: the storage interface hosts provide, and (in submodules) the RDB
//! and AOF formats Redis 7.0 writes to it.

pub mod disk;
pub mod mirror;

pub use disk::{Disk, DiskError, MemoryDisk};
pub use mirror::{MirrorOp, MirroredDisk};
