//! Byte sizes of Redis's listpack format, which small lists (quicklist nodes) and small hashes
//! are stored in. The engine keeps its elements as plain byte strings; these sizes decide
//! when Redis would split or convert a listpack, and what memory it takes.
//!
//! A listpack is a 6-byte header (total bytes, element count), the entries, and a one-byte
//! end marker. Each entry is an encoding header with its payload, followed by a back-length
//! of 1 to 5 bytes. Strings that are canonical 64-bit integers are stored as integers.

use crate::util::parse_i64;

/// Header plus end marker: the size of an empty listpack.
pub const EMPTY_BYTES: usize = 7;

/// Bytes one entry holding `element` takes in a listpack.
pub fn entry_bytes(element: &[u8]) -> usize {
    let encoded = match parse_i64(element) {
        Some(n) => integer_encoding_bytes(n),
        None => string_encoding_bytes(element.len()),
    };
    encoded + back_length_bytes(encoded)
}

/// Bytes one entry holding the integer `n` takes in a listpack.
pub fn integer_entry_bytes(n: i64) -> usize {
    let encoded = integer_encoding_bytes(n);
    encoded + back_length_bytes(encoded)
}

/// Encoding header plus payload of an integer entry (7-bit unsigned, then 13, 16, 24, 32 and
/// 64-bit signed forms).
fn integer_encoding_bytes(n: i64) -> usize {
    match n {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32_768..=32_767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    }
}

/// Encoding header plus payload of a string entry (6, 12 and 32-bit length forms).
fn string_encoding_bytes(len: usize) -> usize {
    len.saturating_add(match len {
        0..=63 => 1,
        64..=4095 => 2,
        _ => 5,
    })
}

/// The back-length stores the entry's encoded size in 7-bit groups.
fn back_length_bytes(encoded: usize) -> usize {
    match encoded {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        2_097_152..=268_435_455 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_listpack_encodings() {
        assert_eq!(entry_bytes(b"a"), 3);
        assert_eq!(entry_bytes(b""), 2);
        assert_eq!(entry_bytes(b"1"), 2);
        assert_eq!(entry_bytes(b"127"), 2);
        assert_eq!(entry_bytes(b"128"), 3);
        assert_eq!(entry_bytes(b"-4096"), 3);
        assert_eq!(entry_bytes(b"40000"), 5);
        assert_eq!(entry_bytes(b"-9223372036854775808"), 10);
        // Not canonical integers: stored as strings.
        assert_eq!(entry_bytes(b"01"), 4);
        assert_eq!(entry_bytes(&[b'x'; 63]), 65);
        assert_eq!(entry_bytes(&[b'x'; 64]), 67);
        assert_eq!(entry_bytes(&[b'x'; 126]), 130);
        assert_eq!(entry_bytes(&[b'x'; 4096]), 4103);
    }
}
