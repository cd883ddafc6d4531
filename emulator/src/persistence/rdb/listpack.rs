//! The listpack wire format (Redis 7.0's compact encoding of small lists, hashes and sorted
//! sets, saved to RDB files as one string): a header with the total size and the element
//! count, the entries, and an end byte. Each entry is an encoding byte (with the length of a
//! string, or the width of an integer), its payload, and a back-length that lets a reader walk
//! backwards.

use super::RdbError;
use crate::util::parse_i64;

const HEADER_BYTES: usize = 6;
const END: u8 = 0xFF;
/// The element count a header holds when the real count does not fit in 16 bits.
const COUNT_UNKNOWN: u16 = u16::MAX;

/// Builds a listpack as Redis's lpAppend does: canonical integers are stored as integers.
pub fn encode<'a>(elements: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = vec![0u8; HEADER_BYTES];
    let mut count = 0usize;
    for element in elements {
        append(&mut out, element);
        count += 1;
    }
    finish(out, count)
}

/// Appends one entry to a listpack under construction (after its reserved header).
pub fn append(out: &mut Vec<u8>, element: &[u8]) {
    let start = out.len();
    match parse_i64(element) {
        Some(n) => encode_integer(out, n),
        None => encode_string(out, element),
    }
    let encoded = out.len() - start;
    encode_back_length(out, encoded);
}

/// Appends an integer entry.
pub fn append_integer(out: &mut Vec<u8>, n: i64) {
    let start = out.len();
    encode_integer(out, n);
    let encoded = out.len() - start;
    encode_back_length(out, encoded);
}

/// Writes the end byte and the header of a listpack built with `append`.
pub fn finish(mut out: Vec<u8>, count: usize) -> Vec<u8> {
    out.push(END);
    let total = u32::try_from(out.len()).unwrap_or(u32::MAX);
    let count = u16::try_from(count)
        .ok()
        .filter(|&c| c != COUNT_UNKNOWN)
        .unwrap_or(COUNT_UNKNOWN);
    out[..4].copy_from_slice(&total.to_le_bytes());
    out[4..6].copy_from_slice(&count.to_le_bytes());
    out
}

/// A listpack with room reserved for its header, for `append` and `finish`.
pub fn start() -> Vec<u8> {
    vec![0u8; HEADER_BYTES]
}

fn encode_integer(out: &mut Vec<u8>, n: i64) {
    match n {
        0..=127 => out.push(n as u8),
        -4096..=4095 => {
            let v = (n as u16) & 0x1FFF;
            out.push(0xC0 | (v >> 8) as u8);
            out.push(v as u8);
        }
        -32_768..=32_767 => {
            out.push(0xF1);
            out.extend_from_slice(&(n as i16).to_le_bytes());
        }
        -8_388_608..=8_388_607 => {
            out.push(0xF2);
            out.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
        }
        -2_147_483_648..=2_147_483_647 => {
            out.push(0xF3);
            out.extend_from_slice(&(n as i32).to_le_bytes());
        }
        _ => {
            out.push(0xF4);
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
}

fn encode_string(out: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 64 {
        out.push(0x80 | len as u8);
    } else if len < 4096 {
        out.push(0xE0 | (len >> 8) as u8);
        out.push(len as u8);
    } else {
        out.push(0xF0);
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(s);
}

/// The size of the entry's encoding and payload, stored in 7-bit groups so that it can be
/// read from its last byte backwards.
fn encode_back_length(out: &mut Vec<u8>, len: usize) {
    let l = len as u64;
    let groups = match l {
        0..=127 => 1,
        128..=16_382 => 2,
        16_383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    };
    for i in (0..groups).rev() {
        let part = ((l >> (7 * i)) & 127) as u8;
        out.push(if i == groups - 1 { part } else { part | 128 });
    }
}

/// One decoded entry.
pub enum Element<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl Element<'_> {
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            Element::Str(s) => s.to_vec(),
            Element::Int(n) => n.to_string().into_bytes(),
        }
    }
}

fn corrupt() -> RdbError {
    RdbError::Corrupt("Listpack integrity check failed.".into())
}

/// Validates a whole listpack (header, every entry and its back-length, end byte) and returns
/// its entries.
pub fn decode(blob: &[u8]) -> Result<Vec<Element<'_>>, RdbError> {
    let header = blob.get(..HEADER_BYTES).ok_or_else(corrupt)?;
    let total = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let count = u16::from_le_bytes([header[4], header[5]]);
    if total != blob.len() {
        return Err(corrupt());
    }
    let mut elements = Vec::new();
    let mut pos = HEADER_BYTES;
    loop {
        let first = *blob.get(pos).ok_or_else(corrupt)?;
        if first == END {
            if pos + 1 != blob.len() {
                return Err(corrupt());
            }
            break;
        }
        let (element, encoded) = decode_entry(blob, pos)?;
        let back = pos + encoded;
        let back_len = back_length_size(encoded);
        let stored = blob.get(back..back + back_len).ok_or_else(corrupt)?;
        let mut expected = Vec::with_capacity(5);
        encode_back_length(&mut expected, encoded);
        if stored != expected.as_slice() {
            return Err(corrupt());
        }
        elements.push(element);
        pos = back + back_len;
    }
    if count != COUNT_UNKNOWN && usize::from(count) != elements.len() {
        return Err(corrupt());
    }
    Ok(elements)
}

fn back_length_size(encoded: usize) -> usize {
    let mut v = Vec::with_capacity(5);
    encode_back_length(&mut v, encoded);
    v.len()
}

/// The entry at `pos` and the size of its encoding and payload.
fn decode_entry(blob: &[u8], pos: usize) -> Result<(Element<'_>, usize), RdbError> {
    let bytes = |from: usize, n: usize| -> Result<&[u8], RdbError> {
        let start = pos.checked_add(from).ok_or_else(corrupt)?;
        let end = start.checked_add(n).ok_or_else(corrupt)?;
        blob.get(start..end).ok_or_else(corrupt)
    };
    let first = bytes(0, 1)?[0];
    let signed = |raw: u64, bits: u32| -> i64 {
        let shift = 64 - bits;
        ((raw << shift) as i64) >> shift
    };
    let le = |s: &[u8]| {
        s.iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    };
    Ok(if first & 0x80 == 0 {
        (Element::Int(i64::from(first)), 1)
    } else if first & 0xC0 == 0x80 {
        let len = usize::from(first & 0x3F);
        (Element::Str(bytes(1, len)?), 1 + len)
    } else if first & 0xE0 == 0xC0 {
        let raw = (u64::from(first & 0x1F) << 8) | u64::from(bytes(1, 1)?[0]);
        (Element::Int(signed(raw, 13)), 2)
    } else if first & 0xF0 == 0xE0 {
        let len = (usize::from(first & 0x0F) << 8) | usize::from(bytes(1, 1)?[0]);
        (Element::Str(bytes(2, len)?), 2 + len)
    } else {
        match first {
            0xF1 => (Element::Int(signed(le(bytes(1, 2)?), 16)), 3),
            0xF2 => (Element::Int(signed(le(bytes(1, 3)?), 24)), 4),
            0xF3 => (Element::Int(signed(le(bytes(1, 4)?), 32)), 5),
            0xF4 => (Element::Int(le(bytes(1, 8)?) as i64), 9),
            0xF0 => {
                let len = le(bytes(1, 4)?) as usize;
                (Element::Str(bytes(5, len)?), 5 + len)
            }
            _ => return Err(corrupt()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_encoding() {
        let big = vec![b'x'; 5000];
        let mid = vec![b'y'; 300];
        let items: Vec<&[u8]> = vec![
            b"a",
            b"",
            b"0",
            b"127",
            b"128",
            b"-1",
            b"-4096",
            b"4095",
            b"32767",
            b"-32768",
            b"8388607",
            b"-8388609",
            b"2147483647",
            b"-9223372036854775808",
            b"01",
            &mid,
            &big,
        ];
        let lp = encode(items.iter().copied());
        let back: Vec<Vec<u8>> = decode(&lp).unwrap().iter().map(|e| e.to_vec()).collect();
        let want: Vec<Vec<u8>> = items.iter().map(|i| i.to_vec()).collect();
        assert_eq!(back, want);
        // What redis-server writes for RPUSH l a 1: 0c000000 0200 81 61 02 01 01 ff
        assert_eq!(
            encode([&b"a"[..], b"1"]),
            [0x0c, 0, 0, 0, 2, 0, 0x81, b'a', 2, 1, 1, 0xff]
        );
    }

    #[test]
    fn rejects_damage() {
        let lp = encode([&b"hello"[..], b"12345"]);
        for cut in 0..lp.len() {
            assert!(decode(&lp[..cut]).is_err());
        }
        let mut bad = lp.clone();
        bad[6] = 0xF5;
        assert!(decode(&bad).is_err());
    }
}
