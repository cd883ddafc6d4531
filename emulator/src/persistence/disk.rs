//! The "disk" a host lends the engine.
//!
//! Redis keeps its files in one directory (`dir`): `dump.rdb`, and since 7.0 an
//! `appendonlydir/` holding the AOF manifest and its parts. A [`Disk`] is that directory.
//! Whatever the engine hands to a `Disk` counts as durable: it survives a crash. Bytes the
//! simulated operating system still buffers (AOF appends not yet fsynced) stay inside the
//! engine until the fsync policy pushes them here, so a crash loses exactly those.
//!
//! Hosts: `redis-emu` maps names to files under `--dir`; the browser keeps a [`MemoryDisk`]
//! mirrored into IndexedDB; tests use a [`MemoryDisk`].

use std::collections::BTreeMap;
use std::fmt;

/// Why a storage operation failed, in words fit for a log line or an error reply
/// (for example "No space left on device" when a browser quota is exhausted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskError(pub String);

impl fmt::Display for DiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A flat namespace of files relative to Redis's `dir`. Names may contain one `/`, for the
/// files inside the AOF directory (`appendonlydir/appendonly.aof.1.incr.aof`).
pub trait Disk {
    /// The whole content of a file, None if it does not exist.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, DiskError>;
    /// Creates or replaces a file with `bytes`, atomically: readers see the old content or
    /// the new, never a mix (Redis writes a temporary file and renames it).
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError>;
    /// Appends to a file, creating it if needed.
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError>;
    /// Deletes a file; deleting a missing file is not an error.
    fn remove(&mut self, name: &str) -> Result<(), DiskError>;
    /// The names of every file, sorted.
    fn list(&self) -> Result<Vec<String>, DiskError>;
}

/// A disk held in memory: for tests, and for the browser, which mirrors it into IndexedDB.
#[derive(Clone, Debug, Default)]
pub struct MemoryDisk {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemoryDisk {
    pub fn new() -> MemoryDisk {
        MemoryDisk::default()
    }

    /// Total bytes stored, as a host reports storage use.
    pub fn used_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

impl Disk for MemoryDisk {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, DiskError> {
        Ok(self.files.get(name).cloned())
    }

    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        self.files.insert(name.to_owned(), bytes.to_vec());
        Ok(())
    }

    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        self.files
            .entry(name.to_owned())
            .or_default()
            .extend_from_slice(bytes);
        Ok(())
    }

    fn remove(&mut self, name: &str) -> Result<(), DiskError> {
        self.files.remove(name);
        Ok(())
    }

    fn list(&self) -> Result<Vec<String>, DiskError> {
        Ok(self.files.keys().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_disk_writes_appends_lists_and_removes() {
        let mut disk = MemoryDisk::new();
        disk.write("dump.rdb", b"REDIS").unwrap();
        disk.append("appendonlydir/a.incr.aof", b"*1\r\n").unwrap();
        disk.append("appendonlydir/a.incr.aof", b"$4\r\nPING\r\n")
            .unwrap();
        assert_eq!(
            disk.read("appendonlydir/a.incr.aof").unwrap().unwrap(),
            b"*1\r\n$4\r\nPING\r\n"
        );
        assert_eq!(
            disk.list().unwrap(),
            ["appendonlydir/a.incr.aof", "dump.rdb"]
        );
        assert_eq!(disk.used_bytes(), 19);
        disk.remove("dump.rdb").unwrap();
        disk.remove("missing").unwrap();
        assert_eq!(disk.read("dump.rdb").unwrap(), None);
    }
}
