//! The AOF manifest of Redis 7.0 (`appendonly.aof.manifest`): one line per file,
//! `file <name> seq <n> type <b|h|i>`, the base file first, then the incremental files in
//! the order they were opened.

use std::fmt::Write as _;

/// What a file listed in the manifest holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// The dataset as of the last rewrite (an RDB file or commands).
    Base,
    /// A file replaced by a rewrite, still awaiting deletion.
    History,
    /// Commands written since the base.
    Incr,
}

impl FileKind {
    fn letter(self) -> char {
        match self {
            FileKind::Base => 'b',
            FileKind::History => 'h',
            FileKind::Incr => 'i',
        }
    }
}

/// One line of the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestEntry {
    pub name: String,
    pub seq: u64,
    pub kind: FileKind,
}

/// The parsed manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<ManifestEntry>,
    pub incrs: Vec<ManifestEntry>,
    pub history: Vec<ManifestEntry>,
}

/// Longest manifest line Redis accepts.
const MAX_LINE: usize = 1024;

impl Manifest {
    /// The sequence number the next base file gets.
    pub fn next_base_seq(&self) -> u64 {
        self.base.as_ref().map_or(1, |b| b.seq.saturating_add(1))
    }

    /// The sequence number the next incremental file gets.
    pub fn next_incr_seq(&self) -> u64 {
        self.incrs.last().map_or(1, |i| i.seq.saturating_add(1))
    }

    /// The manifest's text, as Redis writes it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let lines = self
            .base
            .iter()
            .chain(self.history.iter())
            .chain(self.incrs.iter());
        for entry in lines {
            let _ = writeln!(
                out,
                "file {} seq {} type {}",
                quote_name(&entry.name),
                entry.seq,
                entry.kind.letter()
            );
        }
        out
    }

    /// Parses a manifest, with Redis's reasons for refusing one.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let mut manifest = Manifest::default();
        let mut any = false;
        for raw in bytes.split(|&b| b == b'\n') {
            if raw.len() > MAX_LINE {
                return Err("The AOF manifest file contains too long line".into());
            }
            let line = String::from_utf8_lossy(raw);
            let line = line.trim_matches(|c| c == ' ' || c == '\t' || c == '\r');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words = split_words(line).ok_or("Invalid AOF manifest file format")?;
            if words.len() % 2 != 0 {
                return Err("Invalid AOF manifest file format".into());
            }
            let (mut name, mut seq, mut kind) = (None, None, None);
            for pair in words.chunks(2) {
                let (key, value) = (&pair[0], &pair[1]);
                match key.as_str() {
                    "file" => name = Some(value.clone()),
                    "seq" => seq = value.parse::<u64>().ok(),
                    "type" => {
                        kind = match value.as_str() {
                            "b" => Some(FileKind::Base),
                            "h" => Some(FileKind::History),
                            "i" => Some(FileKind::Incr),
                            _ => None,
                        }
                    }
                    // Unknown keys are ignored, for forward compatibility.
                    _ => {}
                }
            }
            let (Some(name), Some(seq), Some(kind)) = (name, seq, kind) else {
                return Err("Invalid AOF manifest file format".into());
            };
            if name.contains('/') {
                return Err("Invalid AOF manifest file format".into());
            }
            let entry = ManifestEntry { name, seq, kind };
            match kind {
                FileKind::Base => {
                    if manifest.base.is_some() {
                        return Err("Found duplicate base file information".into());
                    }
                    manifest.base = Some(entry);
                }
                FileKind::History => manifest.history.push(entry),
                FileKind::Incr => {
                    if manifest.incrs.last().is_some_and(|last| last.seq >= seq) {
                        return Err("Found a non-monotonic sequence number".into());
                    }
                    manifest.incrs.push(entry);
                }
            }
            any = true;
        }
        if !any {
            return Err("Found an empty AOF manifest".into());
        }
        Ok(manifest)
    }
}

/// Splits a manifest line into words, honouring double quotes as Redis's sdssplitargs does
/// for the names it quoted.
fn split_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else {
            return Some(words);
        };
        let mut word = String::new();
        if first == '"' {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => word.push(chars.next()?),
                    c => word.push(c),
                }
            }
            if chars.peek().is_some_and(|c| !c.is_ascii_whitespace()) {
                return None;
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_ascii_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        words.push(word);
    }
}

/// Names with spaces or quotes are written quoted (Redis uses sdscatrepr for them).
fn quote_name(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
    {
        return name.to_string();
    }
    let mut out = String::from("\"");
    for c in name.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_parses_redis_layout() {
        let text = "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n";
        let manifest = Manifest::parse(text.as_bytes()).unwrap();
        assert_eq!(manifest.render(), text);
        assert_eq!(manifest.next_base_seq(), 3);
        assert_eq!(manifest.next_incr_seq(), 3);
    }

    #[test]
    fn refuses_bad_manifests() {
        assert!(Manifest::parse(b"").is_err());
        assert!(Manifest::parse(b"file a seq x type b\n").is_err());
        assert!(Manifest::parse(b"file a seq 1 type b\nfile b seq 1 type b\n").is_err());
        assert!(Manifest::parse(b"file \"unterminated seq 1 type b\n").is_err());
        assert!(Manifest::parse(b"file a/b seq 1 type i\n").is_err());
    }
}
