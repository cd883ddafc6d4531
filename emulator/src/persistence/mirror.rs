//! A disk that is copied, change by change, into storage the host can only write
//! asynchronously (the browser's IndexedDB).
//!
//! The engine writes to a [`MirroredDisk`] synchronously. Every change is also journaled as a
//! [`MirrorOp`] for the host to apply to its storage later, in order. Files are stored as
//! numbered segments so an append costs only the appended bytes: a replace or remove deletes
//! a file's segments and (for a replace) stores segment 0 anew; an append adds the next
//! segment. [`MirroredDisk::from_segments`] reassembles the files when the page starts.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::disk::{Disk, DiskError, MemoryDisk};

/// Separates a file name from its segment number in storage keys (never in file names).
const SEGMENT_SEPARATOR: char = '\u{1}';

/// The storage key of a file's segment: the name, a separator, and the number padded to ten
/// digits, so that keys sort in segment order.
pub fn segment_key(name: &str, seq: u32) -> String {
    format!("{name}{SEGMENT_SEPARATOR}{seq:010}")
}

/// One change for the host's storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MirrorOp {
    /// Delete every segment of `name`, then store `bytes` as segment `seq` (always 0).
    Replace {
        name: String,
        seq: u32,
        bytes: Vec<u8>,
    },
    /// Store `bytes` as segment `seq` of `name`.
    Append {
        name: String,
        seq: u32,
        bytes: Vec<u8>,
    },
    /// Delete every segment of `name`.
    Remove { name: String },
}

/// A [`MemoryDisk`] that journals its changes.
#[derive(Debug, Default)]
pub struct MirroredDisk {
    files: MemoryDisk,
    /// The next segment number of each file.
    next_segment: HashMap<String, u32>,
    journal: Vec<MirrorOp>,
}

impl MirroredDisk {
    pub fn new() -> MirroredDisk {
        MirroredDisk::default()
    }

    /// Rebuilds the disk from stored segments (any order). Keys that are not segment keys are
    /// ignored. The journal starts empty: the storage already holds these files.
    pub fn from_segments(segments: impl IntoIterator<Item = (String, Vec<u8>)>) -> MirroredDisk {
        let mut parts: Vec<(String, u32, Vec<u8>)> = segments
            .into_iter()
            .filter_map(|(key, bytes)| {
                let (name, seq) = key.rsplit_once(SEGMENT_SEPARATOR)?;
                Some((name.to_owned(), seq.parse().ok()?, bytes))
            })
            .collect();
        parts.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let mut disk = MirroredDisk::new();
        for (name, seq, bytes) in parts {
            // Appending to a MemoryDisk cannot fail.
            let _ = disk.files.append(&name, &bytes);
            disk.next_segment.insert(name, seq + 1);
        }
        disk
    }

    /// Takes the changes not yet handed to the host, oldest first.
    pub fn take_journal(&mut self) -> Vec<MirrorOp> {
        std::mem::take(&mut self.journal)
    }
}

impl Disk for MirroredDisk {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, DiskError> {
        self.files.read(name)
    }

    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        self.files.write(name, bytes)?;
        self.next_segment.insert(name.to_owned(), 1);
        // An earlier change to the same file that the host has not applied yet is superseded.
        self.journal.retain(|op| op_file(op) != name);
        self.journal.push(MirrorOp::Replace {
            name: name.to_owned(),
            seq: 0,
            bytes: bytes.to_vec(),
        });
        Ok(())
    }

    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.files.append(name, bytes)?;
        let seq = self.next_segment.entry(name.to_owned()).or_insert(0);
        self.journal.push(MirrorOp::Append {
            name: name.to_owned(),
            seq: *seq,
            bytes: bytes.to_vec(),
        });
        *seq += 1;
        Ok(())
    }

    fn remove(&mut self, name: &str) -> Result<(), DiskError> {
        self.files.remove(name)?;
        self.next_segment.remove(name);
        self.journal.retain(|op| op_file(op) != name);
        self.journal.push(MirrorOp::Remove {
            name: name.to_owned(),
        });
        Ok(())
    }

    fn list(&self) -> Result<Vec<String>, DiskError> {
        self.files.list()
    }
}

/// A [`MirroredDisk`] shared between the engine, which owns it as its `Disk`, and the host,
/// which takes the journal between commands.
#[derive(Clone, Debug, Default)]
pub struct SharedMirror(pub Rc<RefCell<MirroredDisk>>);

impl SharedMirror {
    pub fn new(disk: MirroredDisk) -> SharedMirror {
        SharedMirror(Rc::new(RefCell::new(disk)))
    }

    /// The changes not yet copied to the host's storage.
    pub fn take_journal(&self) -> Vec<MirrorOp> {
        self.0.borrow_mut().take_journal()
    }
}

impl Disk for SharedMirror {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, DiskError> {
        self.0.borrow().read(name)
    }
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        self.0.borrow_mut().write(name, bytes)
    }
    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        self.0.borrow_mut().append(name, bytes)
    }
    fn remove(&mut self, name: &str) -> Result<(), DiskError> {
        self.0.borrow_mut().remove(name)
    }
    fn list(&self) -> Result<Vec<String>, DiskError> {
        self.0.borrow().list()
    }
}

fn op_file(op: &MirrorOp) -> &str {
    match op {
        MirrorOp::Replace { name, .. }
        | MirrorOp::Append { name, .. }
        | MirrorOp::Remove { name } => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies ops to a key-value store the way the browser's storage does.
    fn apply(store: &mut Vec<(String, Vec<u8>)>, ops: Vec<MirrorOp>) {
        for op in ops {
            let file = op_file(&op).to_owned();
            if !matches!(op, MirrorOp::Append { .. }) {
                store.retain(|(key, _)| {
                    key.rsplit_once(SEGMENT_SEPARATOR).map(|k| k.0) != Some(file.as_str())
                });
            }
            match op {
                MirrorOp::Replace { name, seq, bytes } | MirrorOp::Append { name, seq, bytes } => {
                    store.push((segment_key(&name, seq), bytes))
                }
                MirrorOp::Remove { .. } => {}
            }
        }
    }

    #[test]
    fn the_mirrored_segments_reassemble_into_the_same_files() {
        let mut store = Vec::new();
        let mut disk = MirroredDisk::new();
        disk.write("dump.rdb", b"REDIS0010").unwrap();
        disk.append("appendonlydir/a.incr.aof", b"*1\r\n").unwrap();
        apply(&mut store, disk.take_journal());
        for i in 0..12 {
            disk.append("appendonlydir/a.incr.aof", format!("${i}\r\n").as_bytes())
                .unwrap();
        }
        disk.write("dump.rdb", b"REDIS0010v2").unwrap();
        disk.write("gone", b"x").unwrap();
        disk.remove("gone").unwrap();
        apply(&mut store, disk.take_journal());
        assert!(disk.take_journal().is_empty());
        store.reverse();
        let loaded = MirroredDisk::from_segments(store);
        for name in ["dump.rdb", "appendonlydir/a.incr.aof", "gone"] {
            assert_eq!(
                loaded.read(name).unwrap(),
                disk.read(name).unwrap(),
                "{name}"
            );
        }
        assert_eq!(loaded.list().unwrap(), disk.list().unwrap());
    }

    #[test]
    fn a_replace_supersedes_pending_changes_to_the_same_file() {
        let mut disk = MirroredDisk::new();
        disk.append("f", b"a").unwrap();
        disk.append("f", b"b").unwrap();
        disk.write("f", b"c").unwrap();
        disk.append("f", b"d").unwrap();
        let journal = disk.take_journal();
        assert_eq!(
            journal,
            [
                MirrorOp::Replace {
                    name: "f".into(),
                    seq: 0,
                    bytes: b"c".to_vec()
                },
                MirrorOp::Append {
                    name: "f".into(),
                    seq: 1,
                    bytes: b"d".to_vec()
                },
            ]
        );
    }

    #[test]
    fn keys_that_are_not_segments_are_ignored() {
        let disk = MirroredDisk::from_segments([
            ("junk".to_owned(), b"x".to_vec()),
            (segment_key("f", 0), b"y".to_vec()),
        ]);
        assert_eq!(disk.list().unwrap(), ["f"]);
    }
}
