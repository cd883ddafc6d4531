//! The RDB primitives: lengths, strings (integer-encoded, LZF-compressed or plain), times
//! and doubles.

use crate::persistence::lzf;
use crate::util::parse_i64;

/// Appends RDB records to a byte vector.
pub(super) struct Writer<'a> {
    pub out: &'a mut Vec<u8>,
    /// `rdbcompression`: strings longer than 20 bytes are LZF-compressed when that saves at
    /// least four bytes.
    pub compress: bool,
}

impl Writer<'_> {
    pub fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    /// A length: 6 bits, 14 bits, or a marker byte and 32 or 64 bits big-endian.
    pub fn len(&mut self, len: u64) {
        if len < 1 << 6 {
            self.out.push(len as u8);
        } else if len < 1 << 14 {
            self.out.push(0x40 | (len >> 8) as u8);
            self.out.push(len as u8);
        } else if len <= u64::from(u32::MAX) {
            self.out.push(0x80);
            self.out.extend_from_slice(&(len as u32).to_be_bytes());
        } else {
            self.out.push(0x81);
            self.out.extend_from_slice(&len.to_be_bytes());
        }
    }

    /// The compact integer form of a 32-bit value, if it fits (Redis's rdbEncodeInteger).
    fn integer(&mut self, n: i64) -> bool {
        if let Ok(v) = i8::try_from(n) {
            self.out.extend_from_slice(&[0xC0, v as u8]);
        } else if let Ok(v) = i16::try_from(n) {
            self.out.push(0xC1);
            self.out.extend_from_slice(&v.to_le_bytes());
        } else if let Ok(v) = i32::try_from(n) {
            self.out.push(0xC2);
            self.out.extend_from_slice(&v.to_le_bytes());
        } else {
            return false;
        }
        true
    }

    /// An integer-encoded string object (Redis's rdbSaveLongLongAsStringObject).
    pub fn int_string(&mut self, n: i64) {
        if !self.integer(n) {
            let text = n.to_string();
            self.len(text.len() as u64);
            self.out.extend_from_slice(text.as_bytes());
        }
    }

    /// A string (Redis's rdbSaveRawString).
    pub fn string(&mut self, s: &[u8]) {
        if s.len() <= 11 {
            if let Some(n) = parse_i64(s) {
                if self.integer(n) {
                    return;
                }
            }
        }
        if self.compress && s.len() > 20 {
            if let Some(compressed) = lzf::compress(s, s.len() - 4) {
                self.lzf_blob(&compressed, s.len());
                return;
            }
        }
        self.len(s.len() as u64);
        self.out.extend_from_slice(s);
    }

    /// Already-compressed bytes with their compressed and original lengths.
    pub fn lzf_blob(&mut self, compressed: &[u8], original_len: usize) {
        self.out.push(0xC3);
        self.len(compressed.len() as u64);
        self.len(original_len as u64);
        self.out.extend_from_slice(compressed);
    }

    pub fn millis(&mut self, ms: i64) {
        self.out.extend_from_slice(&ms.to_le_bytes());
    }

    pub fn binary_double(&mut self, d: f64) {
        self.out.extend_from_slice(&d.to_le_bytes());
    }
}
