//! Stream entry IDs: `<milliseconds>-<sequence>`, two unsigned 64-bit numbers ordered as one
//! 128-bit number.

use std::fmt;

use crate::util::parse_i64;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(&self) -> bool {
        *self == StreamId::MIN
    }

    /// The next ID, or None past the largest one.
    pub fn next(self) -> Option<StreamId> {
        if self.seq < u64::MAX {
            Some(StreamId::new(self.ms, self.seq + 1))
        } else if self.ms < u64::MAX {
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            None
        }
    }

    /// The previous ID, or None before the smallest one.
    pub fn prev(self) -> Option<StreamId> {
        if self.seq > 0 {
            Some(StreamId::new(self.ms, self.seq - 1))
        } else if self.ms > 0 {
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            None
        }
    }

    /// The ID as Redis stores it in its radix trees: 16 big-endian bytes.
    pub fn to_be_bytes(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.ms.to_be_bytes());
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }

    pub fn to_bytes(self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// How an ID argument was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParsedId {
    /// A full or partial ID (a missing sequence filled in by the caller's default).
    Id(StreamId),
    /// `<ms>-*`: the sequence is to be generated.
    MsOnly(u64),
}

/// Longest argument Redis accepts as an ID (it copies it into a 128-byte buffer).
const MAX_ID_LEN: usize = 127;

/// Parses an ID argument as Redis does: `-` and `+` (unless `strict`), `<ms>`, `<ms>-<seq>`,
/// and `<ms>-*` when `allow_ms_only`. A missing sequence becomes `missing_seq`. Redis reads
/// the argument as a C string, so it ends at the first NUL byte.
pub fn parse_id(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    allow_ms_only: bool,
) -> Option<ParsedId> {
    if arg.len() > MAX_ID_LEN {
        return None;
    }
    let text = match arg.iter().position(|&b| b == 0) {
        Some(end) => &arg[..end],
        None => arg,
    };
    match text {
        b"-" | b"+" if strict => return None,
        b"-" => return Some(ParsedId::Id(StreamId::MIN)),
        b"+" => return Some(ParsedId::Id(StreamId::MAX)),
        _ => {}
    }
    let (ms_part, seq_part) = match text.iter().position(|&b| b == b'-') {
        Some(dash) => (&text[..dash], Some(&text[dash + 1..])),
        None => (text, None),
    };
    let ms = parse_u64(ms_part)?;
    match seq_part {
        Some(b"*") if allow_ms_only => Some(ParsedId::MsOnly(ms)),
        Some(seq) => Some(ParsedId::Id(StreamId::new(ms, parse_u64(seq)?))),
        None => Some(ParsedId::Id(StreamId::new(ms, missing_seq))),
    }
}

/// Parses an ID that may not be `<ms>-*`.
pub fn parse_full_id(arg: &[u8], missing_seq: u64, strict: bool) -> Option<StreamId> {
    match parse_id(arg, missing_seq, strict, false)? {
        ParsedId::Id(id) => Some(id),
        ParsedId::MsOnly(_) => None,
    }
}

/// Redis's string2ull: a canonical integer that is not negative, or else what C's `strtoull`
/// accepts for the whole text (leading spaces, a sign, digits; a minus sign negates modulo
/// 2^64).
pub fn parse_u64(text: &[u8]) -> Option<u64> {
    if let Some(n) = parse_i64(text) {
        return u64::try_from(n).ok();
    }
    let mut rest = text;
    while let [first, tail @ ..] = rest {
        if matches!(first, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            rest = tail;
        } else {
            break;
        }
    }
    let negative = match rest.first() {
        Some(b'-') => {
            rest = &rest[1..];
            true
        }
        Some(b'+') => {
            rest = &rest[1..];
            false
        }
        _ => false,
    };
    if rest.is_empty() || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: u64 = 0;
    for digit in rest {
        value = value
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
    }
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> Option<StreamId> {
        parse_full_id(text.as_bytes(), 0, true)
    }

    #[test]
    fn ids_parse_like_redis() {
        assert_eq!(id("1-2"), Some(StreamId::new(1, 2)));
        assert_eq!(id("5"), Some(StreamId::new(5, 0)));
        assert_eq!(id("-"), None);
        assert_eq!(id("1-"), None);
        assert_eq!(id("-1"), None);
        assert_eq!(id(" 1-1"), Some(StreamId::new(1, 1)));
        assert_eq!(id("1--0"), Some(StreamId::new(1, 0)));
        assert_eq!(
            id("18446744073709551615-18446744073709551615"),
            Some(StreamId::MAX)
        );
        assert_eq!(id("18446744073709551616"), None);
        assert_eq!(id("1-2-3"), None);
        assert_eq!(parse_id(b"7-*", 0, true, true), Some(ParsedId::MsOnly(7)));
        assert_eq!(parse_full_id(b"+", 0, false), Some(StreamId::MAX));
        assert_eq!(StreamId::MAX.next(), None);
        assert_eq!(StreamId::new(1, u64::MAX).next(), Some(StreamId::new(2, 0)));
    }
}
