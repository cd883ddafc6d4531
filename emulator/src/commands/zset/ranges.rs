//! Score and lexicographic range arguments (`(1.5`, `-inf`, `[a`, `-`, `+`) and how they
//! bound the ordering.

use crate::resp::Reply;
use crate::types::skiplist::RangeSpec;

/// A score interval; each end inclusive or exclusive.
#[derive(Clone, Copy, Debug)]
pub(super) struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub min_exclusive: bool,
    pub max_exclusive: bool,
}

impl RangeSpec for ScoreRange {
    fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_exclusive || self.max_exclusive))
    }

    fn above_min(&self, score: f64, _: &[u8]) -> bool {
        if self.min_exclusive {
            score > self.min
        } else {
            score >= self.min
        }
    }

    fn below_max(&self, score: f64, _: &[u8]) -> bool {
        if self.max_exclusive {
            score < self.max
        } else {
            score <= self.max
        }
    }
}

impl ScoreRange {
    /// Parses `min` and `max`, or Redis's error.
    pub fn parse(min: &[u8], max: &[u8]) -> Result<ScoreRange, Reply> {
        let error = || Reply::error("ERR min or max is not a float");
        let (min, min_exclusive) = parse_score_bound(min).ok_or_else(error)?;
        let (max, max_exclusive) = parse_score_bound(max).ok_or_else(error)?;
        Ok(ScoreRange {
            min,
            max,
            min_exclusive,
            max_exclusive,
        })
    }
}

/// One end of a score range: `(` makes it exclusive. Redis reads the number with plain
/// strtod (not its stricter string2d), so leading spaces, `inf` from overflow and an empty
/// string (zero) are accepted; only trailing junk and NaN are refused.
fn parse_score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    let arg = c_string(arg);
    match arg.split_first() {
        Some((b'(', rest)) => c_strtod(rest).map(|v| (v, true)),
        _ => c_strtod(arg).map(|v| (v, false)),
    }
}

/// The part of an argument C code sees: up to the first NUL byte.
fn c_string(arg: &[u8]) -> &[u8] {
    match arg.iter().position(|&b| b == 0) {
        Some(nul) => &arg[..nul],
        None => arg,
    }
}

/// C's strtod over a whole C string: the number must use every byte after any leading
/// whitespace; the empty string is 0; NaN is refused.
fn c_strtod(text: &[u8]) -> Option<f64> {
    if text.is_empty() {
        return Some(0.0);
    }
    let start = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let number = std::str::from_utf8(&text[start..]).ok()?;
    let lower = number.to_ascii_lowercase();
    let (negative, body) = match lower.as_bytes().first() {
        Some(b'-') => (true, &lower[1..]),
        Some(b'+') => (false, &lower[1..]),
        _ => (false, lower.as_str()),
    };
    let value = if let Some(hex) = body.strip_prefix("0x") {
        parse_hex(hex)?
    } else if body.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == 'i') {
        body.parse::<f64>().ok()?
    } else {
        return None;
    };
    if value.is_nan() {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// The digits of a hexadecimal float after `0x`: `1.8p3`.
fn parse_hex(text: &str) -> Option<f64> {
    let (mantissa, exponent) = match text.split_once('p') {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int_part.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(value * 2f64.powi(exponent))
}

/// One end of a lexicographic range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum LexBound {
    /// `-`: below every string.
    Lowest,
    /// `+`: above every string.
    Highest,
    Inclusive(Vec<u8>),
    Exclusive(Vec<u8>),
}

impl LexBound {
    fn parse(arg: &[u8]) -> Option<LexBound> {
        // Redis compares `-` and `+` as C strings: anything after a NUL is ignored.
        match arg.split_first() {
            Some((b'+', rest)) if rest.first().is_none_or(|&b| b == 0) => Some(LexBound::Highest),
            Some((b'-', rest)) if rest.first().is_none_or(|&b| b == 0) => Some(LexBound::Lowest),
            Some((b'(', rest)) => Some(LexBound::Exclusive(rest.to_vec())),
            Some((b'[', rest)) => Some(LexBound::Inclusive(rest.to_vec())),
            _ => None,
        }
    }

    fn is_exclusive(&self) -> bool {
        !matches!(self, LexBound::Inclusive(_))
    }

    /// Where the bound sorts relative to another, `-` and `+` being the extremes.
    fn compare(&self, other: &LexBound) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        use LexBound::*;
        match (self, other) {
            (Lowest, Lowest) | (Highest, Highest) => Equal,
            (Lowest, _) | (_, Highest) => Less,
            (Highest, _) | (_, Lowest) => Greater,
            (Inclusive(a) | Exclusive(a), Inclusive(b) | Exclusive(b)) => a.cmp(b),
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    /// Parses `min` and `max`, or Redis's error.
    pub fn parse(min: &[u8], max: &[u8]) -> Result<LexRange, Reply> {
        let error = || Reply::error("ERR min or max not valid string range item");
        Ok(LexRange {
            min: LexBound::parse(min).ok_or_else(error)?,
            max: LexBound::parse(max).ok_or_else(error)?,
        })
    }
}

impl RangeSpec for LexRange {
    fn is_empty(&self) -> bool {
        match self.min.compare(&self.max) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => self.min.is_exclusive() || self.max.is_exclusive(),
            std::cmp::Ordering::Less => false,
        }
    }

    fn above_min(&self, _: f64, member: &[u8]) -> bool {
        match &self.min {
            LexBound::Lowest => true,
            LexBound::Highest => false,
            LexBound::Inclusive(b) => member >= b.as_slice(),
            LexBound::Exclusive(b) => member > b.as_slice(),
        }
    }

    fn below_max(&self, _: f64, member: &[u8]) -> bool {
        match &self.max {
            LexBound::Lowest => false,
            LexBound::Highest => true,
            LexBound::Inclusive(b) => member <= b.as_slice(),
            LexBound::Exclusive(b) => member < b.as_slice(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bounds_parse_like_strtod() {
        let ok = |s: &[u8]| parse_score_bound(s);
        assert_eq!(ok(b"(1.5"), Some((1.5, true)));
        assert_eq!(ok(b""), Some((0.0, false)));
        assert_eq!(ok(b"("), Some((0.0, true)));
        assert_eq!(ok(b" 2"), Some((2.0, false)));
        assert_eq!(ok(b"1e400"), Some((f64::INFINITY, false)));
        assert_eq!(ok(b"-inf"), Some((f64::NEG_INFINITY, false)));
        assert_eq!(ok(b"3\x00junk"), Some((3.0, false)));
        for bad in [&b"nan"[..], b"1 ", b" ", b"(x", b"1e", b"--1", b"(("] {
            assert_eq!(ok(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn lex_bounds() {
        assert!(LexRange::parse(b"-", b"+").is_ok());
        assert!(LexRange::parse(b"a", b"+").is_err());
        assert!(LexRange::parse(b"", b"+").is_err());
        assert!(LexRange::parse(b"-x", b"+").is_err());
        let r = LexRange::parse(b"[b", b"(d").unwrap();
        assert!(r.contains(0.0, b"b") && r.contains(0.0, b"c") && !r.contains(0.0, b"d"));
        assert!(LexRange::parse(b"-", b"-").unwrap().is_empty());
        assert!(LexRange::parse(b"[a", b"(a").unwrap().is_empty());
        assert!(!LexRange::parse(b"[a", b"[a").unwrap().is_empty());
    }
}
