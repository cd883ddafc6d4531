//! Reading the RDB primitives back, checking every bound: bad input yields an error, never a
//! panic or an allocation the input cannot back.

use super::RdbError;
use crate::persistence::lzf;

/// A length, or the marker of a specially encoded string.
pub(super) enum Length {
    Plain(u64),
    Encoded(u8),
}

pub(super) struct Reader<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn byte(&mut self) -> Result<u8, RdbError> {
        let b = *self.data.get(self.pos).ok_or(RdbError::UnexpectedEof)?;
        self.pos += 1;
        Ok(b)
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], RdbError> {
        let end = self.pos.checked_add(n).ok_or(RdbError::UnexpectedEof)?;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or(RdbError::UnexpectedEof)?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RdbError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    pub fn length_or_encoding(&mut self) -> Result<Length, RdbError> {
        let first = self.byte()?;
        Ok(match first >> 6 {
            0 => Length::Plain(u64::from(first & 0x3F)),
            1 => Length::Plain((u64::from(first & 0x3F) << 8) | u64::from(self.byte()?)),
            2 if first == 0x80 => Length::Plain(u64::from(u32::from_be_bytes(self.array()?))),
            2 if first == 0x81 => Length::Plain(u64::from_be_bytes(self.array()?)),
            2 => {
                return Err(RdbError::Corrupt(format!(
                    "Unknown length encoding {} in rdbLoadLen()",
                    first >> 6
                )))
            }
            _ => Length::Encoded(first & 0x3F),
        })
    }

    pub fn len(&mut self) -> Result<u64, RdbError> {
        match self.length_or_encoding()? {
            Length::Plain(n) => Ok(n),
            Length::Encoded(_) => Err(RdbError::Corrupt("Unexpected encoded length".into())),
        }
    }

    /// A length used as a count of things still to read: each needs at least one byte, so a
    /// count beyond the remaining input is corrupt (and must not size an allocation).
    pub fn count(&mut self) -> Result<usize, RdbError> {
        let n = self.len()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.remaining())
            .ok_or(RdbError::UnexpectedEof)
    }

    /// A string in any of its encodings.
    pub fn string(&mut self) -> Result<Vec<u8>, RdbError> {
        match self.length_or_encoding()? {
            Length::Plain(len) => {
                let len = usize::try_from(len).map_err(|_| RdbError::UnexpectedEof)?;
                Ok(self.bytes(len)?.to_vec())
            }
            Length::Encoded(0) => Ok((self.byte()? as i8).to_string().into_bytes()),
            Length::Encoded(1) => Ok(i16::from_le_bytes(self.array()?).to_string().into_bytes()),
            Length::Encoded(2) => Ok(i32::from_le_bytes(self.array()?).to_string().into_bytes()),
            Length::Encoded(3) => {
                let compressed_len = self.len()?;
                let len = self.len()?;
                let compressed_len =
                    usize::try_from(compressed_len).map_err(|_| RdbError::UnexpectedEof)?;
                let compressed = self.bytes(compressed_len)?;
                // LZF expands at most about 100 times; a larger claim is corrupt.
                let len = usize::try_from(len)
                    .ok()
                    .filter(|&l| l <= compressed_len.saturating_mul(300).saturating_add(300))
                    .ok_or_else(|| RdbError::Corrupt("Invalid LZF compressed string".into()))?;
                lzf::decompress(compressed, len)
                    .ok_or_else(|| RdbError::Corrupt("Invalid LZF compressed string".into()))
            }
            Length::Encoded(other) => Err(RdbError::Corrupt(format!(
                "Unknown RDB string encoding type {other}"
            ))),
        }
    }

    /// A string holding an integer value as Redis encodes one (`Ok(Ok(n))`), or its bytes.
    pub fn string_or_int(&mut self) -> Result<Result<i64, Vec<u8>>, RdbError> {
        let start = self.pos;
        match self.length_or_encoding()? {
            Length::Encoded(0) => Ok(Ok(i64::from(self.byte()? as i8))),
            Length::Encoded(1) => Ok(Ok(i64::from(i16::from_le_bytes(self.array()?)))),
            Length::Encoded(2) => Ok(Ok(i64::from(i32::from_le_bytes(self.array()?)))),
            _ => {
                self.pos = start;
                Ok(Err(self.string()?))
            }
        }
    }

    pub fn millis(&mut self) -> Result<i64, RdbError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    pub fn seconds(&mut self) -> Result<i32, RdbError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    pub fn binary_double(&mut self) -> Result<f64, RdbError> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A score of the first sorted set format: its length then its text; 253, 254 and 255
    /// stand for nan, inf and -inf.
    pub fn text_double(&mut self) -> Result<f64, RdbError> {
        let len = self.byte()?;
        Ok(match len {
            253 => f64::NAN,
            254 => f64::INFINITY,
            255 => f64::NEG_INFINITY,
            n => {
                let text = self.bytes(usize::from(n))?;
                crate::util::parse_f64(text)
                    .or_else(|| std::str::from_utf8(text).ok()?.trim().parse().ok())
                    .ok_or_else(|| RdbError::Corrupt("Invalid double value".into()))?
            }
        })
    }
}
