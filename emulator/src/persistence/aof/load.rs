//! Reading the AOF back at startup (Redis's loadAppendOnlyFiles): the manifest, then the
//! base file (RDB or commands), then every incremental file, each command replayed through a
//! client of the server's own, as Redis replays them through a fake client.
//!
//! A file cut short in its last command (a crash in the middle of a write) is truncated to
//! its last complete command and loading goes on, as with `aof-load-truncated yes`; any
//! other damage stops the start with Redis's error.

use super::manifest::{FileKind, Manifest, ManifestEntry};
use crate::commands::{self, Lookup};
use crate::server::{Call, Server};
use crate::util::eq_ignore_case;

/// Longest line Redis reads with fgets while parsing the AOF (AOF_ANNOTATION_LINE_MAX_LEN).
const LINE_MAX: usize = 1024;

/// Why reading stopped before the end of the bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum ParseStop {
    /// The bytes end inside a command.
    UnexpectedEnd,
    /// Something other than the protocol (a line not starting with `*` or `$`).
    BadFormat,
}

/// Reads AOF commands from `bytes` one at a time.
pub struct CommandReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> CommandReader<'a> {
    pub fn new(bytes: &'a [u8], start: usize) -> CommandReader<'a> {
        CommandReader { bytes, pos: start }
    }

    /// The offset just after the last command read.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// One line like C's fgets with a 1024-byte buffer: up to and including `\n`, or
    /// LINE_MAX - 1 bytes. None at the end of the bytes.
    fn line(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let limit = rest.len().min(LINE_MAX - 1);
        let end = rest[..limit]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(limit, |i| i + 1);
        self.pos += end;
        Some(&rest[..end])
    }

    /// The next command; Ok(None) at a clean end of the bytes.
    pub fn next_command(&mut self) -> Result<Option<Vec<Vec<u8>>>, ParseStop> {
        let header = loop {
            let Some(line) = self.line() else {
                return Ok(None);
            };
            // Annotations (`#TS:...`) are skipped.
            if line.first() != Some(&b'#') {
                break line;
            }
        };
        if header.first() != Some(&b'*') {
            return Err(ParseStop::BadFormat);
        }
        if header.len() == 1 {
            return Err(ParseStop::UnexpectedEnd);
        }
        let argc = c_atol(&header[1..]);
        if argc < 1 {
            return Err(ParseStop::BadFormat);
        }
        let mut argv = Vec::new();
        for _ in 0..argc {
            let Some(line) = self.line() else {
                return Err(ParseStop::UnexpectedEnd);
            };
            if line.first() != Some(&b'$') {
                return Err(ParseStop::BadFormat);
            }
            // strtol into an unsigned length: a negative one asks for more than any file has.
            let len = usize::try_from(c_atol(&line[1..])).unwrap_or(usize::MAX);
            let start = self.pos;
            let Some(end) = start.checked_add(len).filter(|&e| e <= self.bytes.len()) else {
                self.pos = self.bytes.len();
                return Err(ParseStop::UnexpectedEnd);
            };
            argv.push(self.bytes[start..end].to_vec());
            // The two bytes after an argument are skipped without being checked, as Redis does.
            if end + 2 > self.bytes.len() {
                self.pos = self.bytes.len();
                return Err(ParseStop::UnexpectedEnd);
            }
            self.pos = end + 2;
        }
        Ok(Some(argv))
    }
}

/// C's atol/strtol on a line: optional spaces and sign, then digits, ignoring the rest.
fn c_atol(text: &[u8]) -> i64 {
    let mut i = 0;
    while text.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    let negative = match text.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut value: i64 = 0;
    while let Some(d) = text.get(i).filter(|b| b.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(i64::from(d - b'0'));
        i += 1;
    }
    if negative {
        -value
    } else {
        value
    }
}

/// How loading one file ended.
#[derive(Debug, PartialEq, Eq)]
enum FileOutcome {
    Loaded,
    /// Cut at the last complete command, which ends at this offset.
    Truncated(usize),
    Empty,
}

/// What `load_aof` found.
#[derive(Debug, PartialEq, Eq)]
pub enum AofLoad {
    /// No manifest: the AOF does not exist yet.
    Missing,
    /// Loaded (perhaps after truncating the last file).
    Loaded,
}

impl Server {
    /// Loads the AOF the manifest describes. Err carries the fatal log line.
    pub(crate) fn load_aof(&mut self, now: u64) -> Result<AofLoad, String> {
        let path = self.manifest_path();
        let text = match self.snapshot.disk.read(&path) {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(AofLoad::Missing),
            Err(e) => {
                return Err(format!(
                    "Fatal error: can't open the AOF manifest {path} for reading: {e}"
                ))
            }
        };
        let manifest = Manifest::parse(&text)
            .map_err(|e| format!("\n*** FATAL AOF MANIFEST FILE ERROR ***\n{e}"))?;
        let files: Vec<ManifestEntry> = manifest
            .base
            .iter()
            .chain(manifest.incrs.iter())
            .cloned()
            .collect();
        if files.is_empty() {
            return Err("Found an empty AOF manifest".into());
        }
        let started = (self.micros)();
        let mut total = 0u64;
        let mut base_size = 0u64;
        self.aof.loading = true;
        let result = (|| -> Result<(), String> {
            for (index, entry) in files.iter().enumerate() {
                let last = index + 1 == files.len();
                let file_started = (self.micros)();
                let size = self.load_aof_file(entry, last, now)?;
                total += size;
                let seconds = elapsed_seconds(file_started, (self.micros)());
                match entry.kind {
                    FileKind::Base => {
                        base_size = size;
                        self.log_notice(format!(
                            "DB loaded from base file {}: {seconds:.3} seconds",
                            entry.name
                        ));
                    }
                    _ => self.log_notice(format!(
                        "DB loaded from incr file {}: {seconds:.3} seconds",
                        entry.name
                    )),
                }
            }
            Ok(())
        })();
        self.aof.loading = false;
        result?;
        let seconds = elapsed_seconds(started, (self.micros)());
        self.log_notice(format!(
            "DB loaded from append only file: {seconds:.3} seconds"
        ));
        self.aof.manifest = manifest;
        self.aof.set_loaded_sizes(base_size, total);
        Ok(AofLoad::Loaded)
    }

    /// Reads the manifest without loading anything (the AOF is off); a missing or damaged
    /// one leaves the numbering at its start.
    pub(crate) fn read_manifest_quietly(&mut self) {
        let path = self.manifest_path();
        if let Ok(Some(text)) = self.snapshot.disk.read(&path) {
            if let Ok(manifest) = Manifest::parse(&text) {
                self.aof.manifest = manifest;
            }
        }
    }

    /// Loads one file of the manifest and returns its size (after any truncation).
    fn load_aof_file(
        &mut self,
        entry: &ManifestEntry,
        last: bool,
        now: u64,
    ) -> Result<u64, String> {
        let name = &entry.name;
        let path = self.aof_path(name);
        let bytes = match self.snapshot.disk.read(&path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Err(format!(
                    "The append log file {name} doesn't exist: No such file or directory"
                ))
            }
            Err(e) => {
                return Err(format!(
                    "Fatal error: can't open the append log file {name} for reading: {e}"
                ))
            }
        };
        match self.replay_aof_bytes(&bytes, name, entry.kind, now)? {
            FileOutcome::Loaded | FileOutcome::Empty => Ok(bytes.len() as u64),
            FileOutcome::Truncated(valid) => {
                if !last {
                    return Err("Fatal error: the truncated file is not the last file".into());
                }
                let kept = bytes.get(..valid).unwrap_or(&bytes);
                self.snapshot
                    .disk
                    .write(&path, kept)
                    .map_err(|e| format!("Error truncating the AOF file {name}: {e}"))?;
                self.log_warning(format!(
                    "AOF {name} loaded anyway because aof-load-truncated is enabled"
                ));
                Ok(valid as u64)
            }
        }
    }

    /// Redis's loadSingleAppendOnlyFile on bytes already read.
    fn replay_aof_bytes(
        &mut self,
        bytes: &[u8],
        name: &str,
        kind: FileKind,
        now: u64,
    ) -> Result<FileOutcome, String> {
        if bytes.is_empty() {
            return Ok(FileOutcome::Empty);
        }
        let mut start = 0;
        if bytes.starts_with(b"REDIS") {
            let old_style = kind != FileKind::Base;
            self.log_notice(
                if old_style {
                    "Reading RDB preamble from AOF file..."
                } else {
                    "Reading RDB base file on AOF loading..."
                }
                .into(),
            );
            match crate::persistence::rdb_bridge::load_for_aof(self, bytes, now) {
                Ok(consumed) => start = consumed,
                Err(e) => {
                    self.log_warning(e);
                    return Err(if old_style {
                        format!("Error reading the RDB preamble of the AOF file {name}, AOF loading aborted")
                    } else {
                        format!("Error reading the RDB base file {name}, AOF loading aborted")
                    });
                }
            }
            if old_style {
                self.log_notice("Reading the remaining AOF tail...".into());
            }
        }
        let fake = self.connect_observer(now);
        let result = self.replay_commands(fake, bytes, start, name, now);
        self.disconnect(fake);
        result
    }

    fn replay_commands(
        &mut self,
        fake: crate::ClientId,
        bytes: &[u8],
        start: usize,
        name: &str,
        now: u64,
    ) -> Result<FileOutcome, String> {
        let mut reader = CommandReader::new(bytes, start);
        let mut valid_up_to = start;
        let mut valid_before_multi = start;
        let mut multi: Option<Vec<Vec<Vec<u8>>>> = None;
        let bad_format = || {
            format!("Bad file format reading the append only file {name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>")
        };
        loop {
            let argv = match reader.next_command() {
                Ok(Some(argv)) => argv,
                Ok(None) => break,
                Err(ParseStop::BadFormat) => return Err(bad_format()),
                Err(ParseStop::UnexpectedEnd) => {
                    return self.short_read(name, valid_up_to);
                }
            };
            let command = match commands::lookup(&argv) {
                Lookup::Found(command) => command,
                Lookup::Unknown(_) => {
                    let first = argv
                        .first()
                        .map(|a| String::from_utf8_lossy(a).into_owned());
                    return Err(format!(
                        "Unknown command '{}' reading the append only file {name}",
                        first.unwrap_or_default()
                    ));
                }
            };
            if !command.spec.arity_ok(argv.len()) {
                return Err(bad_format());
            }
            let name_is = |n: &str| argv.first().is_some_and(|a| eq_ignore_case(a, n));
            if name_is("multi") {
                valid_before_multi = valid_up_to;
                multi = Some(Vec::new());
            } else if name_is("exec") {
                for queued in multi.take().unwrap_or_default() {
                    self.replay_one(fake, queued, now);
                }
            } else if let Some(queue) = multi.as_mut() {
                queue.push(argv);
            } else {
                self.replay_one(fake, argv, now);
            }
            valid_up_to = reader.offset();
        }
        if multi.is_some() {
            self.log_warning(format!(
                "Revert incomplete MULTI/EXEC transaction in AOF file {name}"
            ));
            return self.short_read(name, valid_before_multi);
        }
        Ok(FileOutcome::Loaded)
    }

    /// A file that ends inside a command: truncated when `aof-load-truncated` allows.
    fn short_read(&mut self, name: &str, valid_up_to: usize) -> Result<FileOutcome, String> {
        if self.config.aof_load_truncated {
            self.log_warning(format!(
                "!!! Warning: short read while loading the AOF file {name}!!!"
            ));
            self.log_warning(format!(
                "!!! Truncating the AOF {name} at offset {valid_up_to} !!!"
            ));
            return Ok(FileOutcome::Truncated(valid_up_to));
        }
        Err(format!("Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."))
    }

    /// Runs one command of the file for the fake client, directly (no statistics, no
    /// propagation, never blocking).
    fn replay_one(&mut self, fake: crate::ClientId, argv: Vec<Vec<u8>>, now: u64) {
        let Lookup::Found(command) = commands::lookup(&argv) else {
            return;
        };
        if !command.spec.arity_ok(argv.len()) {
            return;
        }
        let db = self.client(fake).map_or(0, |c| c.db);
        let mut call = Call {
            client: fake,
            argv,
            db,
            spec: command.spec,
            now,
            nested: true,
            block: None,
        };
        let _ = (command.handler)(self, &mut call);
        self.settle_memory();
    }
}

fn elapsed_seconds(from_us: u64, to_us: u64) -> f64 {
    to_us.saturating_sub(from_us) as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> (Vec<Vec<Vec<u8>>>, Option<ParseStop>) {
        let mut reader = CommandReader::new(bytes, 0);
        let mut out = Vec::new();
        loop {
            match reader.next_command() {
                Ok(Some(c)) => out.push(c),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    #[test]
    fn reads_commands_and_skips_annotations() {
        let (cmds, stop) = read_all(b"#TS:1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n");
        assert_eq!(stop, None);
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0], vec![b"GET".to_vec(), b"k".to_vec()]);
    }

    #[test]
    fn tells_truncation_from_bad_format() {
        assert_eq!(
            read_all(b"*2\r\n$3\r\nGET\r\n$1\r").1,
            Some(ParseStop::UnexpectedEnd)
        );
        assert_eq!(
            read_all(b"*2\r\n$3\r\nGE").1,
            Some(ParseStop::UnexpectedEnd)
        );
        assert_eq!(read_all(b"*2\r\n").1, Some(ParseStop::UnexpectedEnd));
        assert_eq!(read_all(b"hello\r\n").1, Some(ParseStop::BadFormat));
        assert_eq!(read_all(b"*0\r\n").1, Some(ParseStop::BadFormat));
        assert_eq!(read_all(b"*1\r\n+x\r\n").1, Some(ParseStop::BadFormat));
        assert_eq!(read_all(b"*1\r\n$-5\r\n").1, Some(ParseStop::UnexpectedEnd));
    }

    #[test]
    fn never_panics_on_random_bytes() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"*$\r\n0123456789-#abc";
        for _ in 0..20_000 {
            let len = (state % 40) as usize;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = read_all(&bytes);
        }
    }
}
