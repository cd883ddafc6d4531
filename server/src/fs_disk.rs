//! The engine's Disk on a real directory (`--dir`): Redis's files under it, the AOF's in its
//! `appenddirname` subdirectory. Writes are atomic (a temporary file, fsynced, renamed over
//! the old one) and appends are fsynced, since the engine hands a Disk only what it means
//! to be durable.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use emulator::persistence::{Disk, DiskError};

pub struct FsDisk {
    root: PathBuf,
}

fn error(e: std::io::Error) -> DiskError {
    DiskError(e.to_string())
}

impl FsDisk {
    /// A disk rooted at `root`, created if missing.
    pub fn open(root: &Path) -> std::io::Result<FsDisk> {
        fs::create_dir_all(root)?;
        Ok(FsDisk {
            root: root.to_path_buf(),
        })
    }

    /// The path of a name; names with `..` or an absolute path are refused.
    fn path(&self, name: &str) -> Result<PathBuf, DiskError> {
        let relative = Path::new(name);
        let plain = relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !plain {
            return Err(DiskError(format!("invalid file name {name}")));
        }
        Ok(self.root.join(relative))
    }

    fn create_parent(path: &Path) -> Result<(), DiskError> {
        match path.parent() {
            Some(parent) => fs::create_dir_all(parent).map_err(error),
            None => Ok(()),
        }
    }
}

impl Disk for FsDisk {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>, DiskError> {
        match fs::read(self.path(name)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(error(e)),
        }
    }

    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        let path = self.path(name)?;
        Self::create_parent(&path)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = path.with_file_name(format!("temp-{}-{file_name}", std::process::id()));
        let mut file = File::create(&temp).map_err(error)?;
        file.write_all(bytes).map_err(error)?;
        file.sync_all().map_err(error)?;
        fs::rename(&temp, &path).map_err(error)
    }

    fn append(&mut self, name: &str, bytes: &[u8]) -> Result<(), DiskError> {
        let path = self.path(name)?;
        Self::create_parent(&path)?;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(error)?;
        file.write_all(bytes).map_err(error)?;
        file.sync_data().map_err(error)
    }

    fn remove(&mut self, name: &str) -> Result<(), DiskError> {
        match fs::remove_file(self.path(name)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(error(e)),
        }
    }

    fn list(&self) -> Result<Vec<String>, DiskError> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.root).map_err(error)? {
            let entry = entry.map_err(error)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() {
                for inner in fs::read_dir(entry.path()).map_err(error)? {
                    let inner = inner.map_err(error)?;
                    if inner.path().is_file() {
                        names.push(format!("{name}/{}", inner.file_name().to_string_lossy()));
                    }
                }
            } else {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_appends_lists_and_refuses_escapes() {
        let root = std::env::temp_dir().join(format!("fs-disk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let mut disk = FsDisk::open(&root).unwrap();
        disk.write("dump.rdb", b"REDIS").unwrap();
        disk.write("dump.rdb", b"REDIS2").unwrap();
        disk.append("appendonlydir/a.incr.aof", b"*1\r\n").unwrap();
        disk.append("appendonlydir/a.incr.aof", b"$4\r\nPING\r\n")
            .unwrap();
        assert_eq!(disk.read("dump.rdb").unwrap().unwrap(), b"REDIS2");
        assert_eq!(
            disk.read("appendonlydir/a.incr.aof").unwrap().unwrap(),
            b"*1\r\n$4\r\nPING\r\n"
        );
        assert_eq!(
            disk.list().unwrap(),
            ["appendonlydir/a.incr.aof", "dump.rdb"]
        );
        assert!(disk.read("../x").is_err());
        assert!(disk.write("/etc/x", b"").is_err());
        disk.remove("dump.rdb").unwrap();
        disk.remove("dump.rdb").unwrap();
        assert_eq!(disk.read("dump.rdb").unwrap(), None);
        let _ = fs::remove_dir_all(&root);
    }
}
