//! Compact encodings RDB files hold as strings besides listpacks: the intset (still written by
//! Redis 7.0 for small integer sets) and the ziplist and zipmap of older Redis versions, which
//! 7.0 still loads (converting them to listpacks).

use super::RdbError;

fn corrupt(what: &str) -> RdbError {
    RdbError::Corrupt(format!("{what} integrity check failed."))
}

fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

// ----- intset -----

/// An intset blob: the byte width of every member, the count, then the members in ascending
/// order, all little-endian.
pub fn encode_intset(values: &[i64], width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + values.len() * width);
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(values.len() as u32).to_le_bytes());
    for &v in values {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

/// Validates an intset blob (known width, exact size, strictly ascending members) and returns
/// its members and width.
pub fn decode_intset(blob: &[u8]) -> Result<(Vec<i64>, usize), RdbError> {
    let err = || corrupt("Intset");
    let header = blob.get(..8).ok_or_else(err)?;
    let width = le(&header[..4]) as usize;
    let count = le(&header[4..8]) as usize;
    if !matches!(width, 2 | 4 | 8) || count == 0 {
        return Err(err());
    }
    let body = &blob[8..];
    if count.checked_mul(width) != Some(body.len()) {
        return Err(err());
    }
    let shift = 64 - 8 * width as u32;
    let mut values = Vec::with_capacity(count);
    for chunk in body.chunks_exact(width) {
        let v = ((le(chunk) << shift) as i64) >> shift;
        if values.last().is_some_and(|&last| last >= v) {
            return Err(err());
        }
        values.push(v);
    }
    Ok((values, width))
}

// ----- ziplist -----

const ZIPLIST_HEADER: usize = 10;
const ZIPLIST_END: u8 = 0xFF;

/// Validates a ziplist (header sizes, every entry's previous-length, end byte) and returns its
/// entries as strings (integers rendered in decimal).
pub fn decode_ziplist(blob: &[u8], what: &str) -> Result<Vec<Vec<u8>>, RdbError> {
    let err = || corrupt(what);
    let header = blob.get(..ZIPLIST_HEADER).ok_or_else(err)?;
    let total = le(&header[..4]) as usize;
    let tail = le(&header[4..8]) as usize;
    let count = le(&header[8..10]) as usize;
    if total != blob.len() || tail >= blob.len() {
        return Err(err());
    }
    let mut entries = Vec::new();
    let mut pos = ZIPLIST_HEADER;
    let mut previous_len = 0usize;
    let mut last_start = ZIPLIST_HEADER;
    loop {
        let first = *blob.get(pos).ok_or_else(err)?;
        if first == ZIPLIST_END {
            if pos + 1 != blob.len() {
                return Err(err());
            }
            break;
        }
        let start = pos;
        // The previous entry's size: one byte, or 254 and four bytes.
        let stored_previous = if first < 254 {
            pos += 1;
            usize::from(first)
        } else if first == 254 {
            let b = blob.get(pos + 1..pos + 5).ok_or_else(err)?;
            pos += 5;
            le(b) as usize
        } else {
            return Err(err());
        };
        if stored_previous != previous_len {
            return Err(err());
        }
        let (entry, next) = decode_ziplist_payload(blob, pos).ok_or_else(err)?;
        entries.push(entry);
        previous_len = next - start;
        last_start = start;
        pos = next;
    }
    let tail_ok = if entries.is_empty() {
        tail == ZIPLIST_HEADER
    } else {
        tail == last_start
    };
    // A count of 65535 means "too many to count in the header".
    if !tail_ok || (count != usize::from(u16::MAX) && count != entries.len()) {
        return Err(err());
    }
    Ok(entries)
}

/// The entry whose encoding starts at `pos`, and where the next entry starts.
fn decode_ziplist_payload(blob: &[u8], pos: usize) -> Option<(Vec<u8>, usize)> {
    let take = |from: usize, n: usize| blob.get(from..from.checked_add(n)?);
    let first = *blob.get(pos)?;
    let signed = |raw: u64, bits: u32| ((raw << (64 - bits)) as i64) >> (64 - bits);
    let int = |n: i64| n.to_string().into_bytes();
    Some(match first >> 6 {
        0 => {
            let len = usize::from(first & 0x3F);
            (take(pos + 1, len)?.to_vec(), pos + 1 + len)
        }
        1 => {
            let len = (usize::from(first & 0x3F) << 8) | usize::from(*blob.get(pos + 1)?);
            (take(pos + 2, len)?.to_vec(), pos + 2 + len)
        }
        2 => {
            if first != 0x80 {
                return None;
            }
            let b = take(pos + 1, 4)?;
            let len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
            (take(pos + 5, len)?.to_vec(), pos.checked_add(5 + len)?)
        }
        _ => match first {
            0xC0 => (int(signed(le(take(pos + 1, 2)?), 16)), pos + 3),
            0xD0 => (int(signed(le(take(pos + 1, 4)?), 32)), pos + 5),
            0xE0 => (int(le(take(pos + 1, 8)?) as i64), pos + 9),
            0xF0 => (int(signed(le(take(pos + 1, 3)?), 24)), pos + 4),
            0xFE => (int(signed(le(take(pos + 1, 1)?), 8)), pos + 2),
            0xF1..=0xFD => (int(i64::from(first & 0x0F) - 1), pos + 1),
            _ => return None,
        },
    })
}

// ----- zipmap -----

/// Field and value pairs.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// Validates a zipmap (the hash encoding of Redis before 2.6) and returns its pairs.
pub fn decode_zipmap(blob: &[u8]) -> Result<Pairs, RdbError> {
    let err = || corrupt("Zipmap");
    let mut pos = 1usize;
    if blob.is_empty() {
        return Err(err());
    }
    let read_len = |pos: &mut usize| -> Result<Option<usize>, RdbError> {
        let first = *blob.get(*pos).ok_or_else(err)?;
        match first {
            0xFF => Ok(None),
            254 => {
                let b = blob.get(*pos + 1..*pos + 5).ok_or_else(err)?;
                *pos += 5;
                Ok(Some(le(b) as usize))
            }
            n => {
                *pos += 1;
                Ok(Some(usize::from(n)))
            }
        }
    };
    let take = |pos: &mut usize, n: usize| -> Result<Vec<u8>, RdbError> {
        let end = pos.checked_add(n).ok_or_else(err)?;
        let s = blob.get(*pos..end).ok_or_else(err)?.to_vec();
        *pos = end;
        Ok(s)
    };
    let mut pairs = Vec::new();
    while let Some(key_len) = read_len(&mut pos)? {
        let key = take(&mut pos, key_len)?;
        let value_len = read_len(&mut pos)?.ok_or_else(err)?;
        let free = usize::from(*blob.get(pos).ok_or_else(err)?);
        pos += 1;
        let value = take(&mut pos, value_len)?;
        take(&mut pos, free)?;
        pairs.push((key, value));
    }
    if pos + 1 != blob.len() {
        return Err(err());
    }
    Ok(pairs)
}

/// Builders of the old encodings, for tests of the loader.
#[cfg(test)]
pub mod build {
    /// A ziplist holding `entries` (integers in their compact encodings, as old Redis did).
    pub fn ziplist(entries: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut previous = 0usize;
        let mut tail = 10usize;
        for entry in entries {
            let start = body.len();
            tail = 10 + start;
            if previous < 254 {
                body.push(previous as u8);
            } else {
                body.push(254);
                body.extend_from_slice(&(previous as u32).to_le_bytes());
            }
            match crate::util::parse_i64(entry) {
                Some(n @ 0..=12) => body.push(0xF1 + n as u8),
                Some(n) if i8::try_from(n).is_ok() => body.extend_from_slice(&[0xFE, n as u8]),
                Some(n) if i16::try_from(n).is_ok() => {
                    body.push(0xC0);
                    body.extend_from_slice(&(n as i16).to_le_bytes());
                }
                Some(n) if (-8_388_608..8_388_608).contains(&n) => {
                    body.push(0xF0);
                    body.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
                }
                Some(n) if i32::try_from(n).is_ok() => {
                    body.push(0xD0);
                    body.extend_from_slice(&(n as i32).to_le_bytes());
                }
                Some(n) => {
                    body.push(0xE0);
                    body.extend_from_slice(&n.to_le_bytes());
                }
                None if entry.len() < 64 => body.push(entry.len() as u8),
                None if entry.len() < 16384 => {
                    body.push(0x40 | (entry.len() >> 8) as u8);
                    body.push(entry.len() as u8);
                }
                None => {
                    body.push(0x80);
                    body.extend_from_slice(&(entry.len() as u32).to_be_bytes());
                }
            }
            if crate::util::parse_i64(entry).is_none() {
                body.extend_from_slice(entry);
            }
            previous = body.len() - start;
        }
        let total = 10 + body.len() + 1;
        let mut out = Vec::new();
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend_from_slice(&(tail as u32).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&body);
        out.push(0xFF);
        out
    }

    /// A zipmap holding `pairs` (each value followed by one free byte, as after an update).
    pub fn zipmap(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut out = vec![pairs.len() as u8];
        for (k, v) in pairs {
            out.push(k.len() as u8);
            out.extend_from_slice(k);
            out.push(v.len() as u8);
            out.push(1);
            out.extend_from_slice(v);
            out.push(0);
        }
        out.push(0xFF);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intsets_round_trip_and_reject_disorder() {
        let blob = encode_intset(&[-5, 3, 70000], 4);
        assert_eq!(decode_intset(&blob).unwrap(), (vec![-5, 3, 70000], 4));
        let unsorted = encode_intset(&[3, -5], 2);
        assert!(decode_intset(&unsorted).is_err());
        assert!(decode_intset(&blob[..blob.len() - 1]).is_err());
    }

    #[test]
    fn ziplists_decode_every_encoding() {
        let items: Vec<&[u8]> = vec![
            b"a",
            b"0",
            b"12",
            b"13",
            b"-100",
            b"1000",
            b"100000",
            b"10000000",
            b"5000000000",
            b"",
        ];
        let long = vec![b'z'; 300];
        let mut all = items.clone();
        all.push(&long);
        let zl = build::ziplist(&all);
        let back = decode_ziplist(&zl, "Ziplist").unwrap();
        let want: Vec<Vec<u8>> = all.iter().map(|i| i.to_vec()).collect();
        assert_eq!(back, want);
        for cut in 0..zl.len() {
            assert!(decode_ziplist(&zl[..cut], "Ziplist").is_err());
        }
    }

    #[test]
    fn zipmaps_decode() {
        let zm = build::zipmap(&[(b"f1", b"v1"), (b"f2", b"v2")]);
        let pairs = decode_zipmap(&zm).unwrap();
        assert_eq!(pairs[1], (b"f2".to_vec(), b"v2".to_vec()));
        assert!(decode_zipmap(&zm[..zm.len() - 1]).is_err());
    }
}
