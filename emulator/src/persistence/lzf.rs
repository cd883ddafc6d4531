//! LZF, the compression RDB uses for strings longer than 20 bytes (values, keys, library code).
//! The compressor makes the same choices as the liblzf build Redis
//! ships (16-bit hash table, "very fast" mode), so dumps are byte-for-byte Redis's.
//!
//! Format: `000LLLLL` + L+1 literal bytes; `LLLooooo oooooooo` a back reference of L+2 bytes
//! (L < 7) at distance o+1; `111ooooo LLLLLLLL oooooooo` a back reference of L+9 bytes.

const HASH_LOG: u32 = 16;
const HASH_SIZE: usize = 1 << HASH_LOG;
const MAX_LITERAL: usize = 1 << 5;
const MAX_OFFSET: usize = 1 << 13;
const MAX_REFERENCE: usize = (1 << 8) + (1 << 3);

fn hash_slot(h: u32) -> usize {
    ((h >> (3 * 8 - HASH_LOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HASH_SIZE - 1)
}

fn first_hash(data: &[u8], at: usize) -> u32 {
    (u32::from(data[at]) << 8) | u32::from(data[at + 1])
}

fn next_hash(h: u32, data: &[u8], at: usize) -> u32 {
    (h << 8) | u32::from(data[at + 2])
}

/// Output under construction: a literal run has a length byte reserved before its bytes.
struct Output {
    bytes: Vec<u8>,
    capacity: usize,
    literal_len: usize,
}

impl Output {
    fn start_run(&mut self) {
        self.literal_len = 0;
        self.bytes.push(0);
    }

    /// Writes the pending run's length byte, or drops the reserved byte if the run is empty.
    fn close_run(&mut self) {
        if self.literal_len == 0 {
            self.bytes.pop();
        } else {
            let at = self.bytes.len() - self.literal_len - 1;
            self.bytes[at] = (self.literal_len - 1) as u8;
        }
    }

    fn push_literal(&mut self, byte: u8) {
        self.literal_len += 1;
        self.bytes.push(byte);
        if self.literal_len == MAX_LITERAL {
            self.close_run();
            self.start_run();
        }
    }
}

/// Compresses `input` into at most `max_out` bytes; None if it does not fit (or is empty).
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    if input.is_empty() || max_out == 0 {
        return None;
    }
    let len = input.len();
    // Positions of earlier 3-byte sequences by hash; 0 doubles as "none" because a match at
    // position 0 is never used.
    let mut table = vec![0usize; HASH_SIZE];
    let mut out = Output {
        bytes: Vec::with_capacity(max_out.min(len + len / 32 + 8)),
        capacity: max_out,
        literal_len: 0,
    };
    out.start_run();
    let mut ip = 0usize;
    let mut hval = if len >= 2 { first_hash(input, 0) } else { 0 };
    while ip + 2 < len {
        hval = next_hash(hval, input, ip);
        let slot = hash_slot(hval);
        let reference = table[slot];
        table[slot] = ip;
        let offset = ip.wrapping_sub(reference).wrapping_sub(1);
        if offset < MAX_OFFSET
            && reference > 0
            && input[reference + 2] == input[ip + 2]
            && input[reference..reference + 2] == input[ip..ip + 2]
        {
            let max_len = (len - ip - 2).min(MAX_REFERENCE);
            let pending = out.bytes.len();
            if pending + 4 >= out.capacity
                && pending - usize::from(out.literal_len == 0) + 4 >= out.capacity
            {
                return None;
            }
            out.close_run();
            let matched = match_length(input, reference, ip, max_len);
            let encoded = matched - 2;
            ip += 1;
            let high = (offset >> 8) as u8;
            if encoded < 7 {
                out.bytes.push(high + ((encoded as u8) << 5));
            } else {
                out.bytes.push(high + (7 << 5));
                out.bytes.push((encoded - 7) as u8);
            }
            out.bytes.push(offset as u8);
            out.start_run();
            ip += encoded + 1;
            if ip + 2 >= len {
                break;
            }
            // Hash the two positions just before the new one, as the "very fast" mode does.
            ip -= 2;
            hval = first_hash(input, ip);
            hval = next_hash(hval, input, ip);
            table[hash_slot(hval)] = ip;
            ip += 1;
            hval = next_hash(hval, input, ip);
            table[hash_slot(hval)] = ip;
            ip += 1;
        } else {
            if out.bytes.len() >= out.capacity {
                return None;
            }
            out.push_literal(input[ip]);
            ip += 1;
        }
    }
    if out.bytes.len() + 3 > out.capacity {
        return None;
    }
    while ip < len {
        out.push_literal(input[ip]);
        ip += 1;
    }
    out.close_run();
    if out.bytes.len() > out.capacity {
        return None;
    }
    Some(out.bytes)
}

/// How many bytes match between the sequences at `reference` and `at` (at least 3 are known
/// to), scanning the way liblzf's unrolled loop does.
fn match_length(data: &[u8], reference: usize, at: usize, max_len: usize) -> usize {
    let same = |n: usize| data[reference + n] == data[at + n];
    let mut n = 2;
    if max_len > 16 {
        for _ in 0..16 {
            n += 1;
            if !same(n) {
                return n;
            }
        }
    }
    n += 1;
    while n < max_len && same(n) {
        n += 1;
    }
    n
}

/// Decompresses `input`, which must expand to exactly `expected_len` bytes.
pub fn decompress(input: &[u8], expected_len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(expected_len.min(1 << 24));
    let mut ip = 0usize;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < MAX_LITERAL {
            let run = ctrl + 1;
            let bytes = input.get(ip..ip + run)?;
            if out.len() + run > expected_len {
                return None;
            }
            out.extend_from_slice(bytes);
            ip += run;
        } else {
            let mut run = ctrl >> 5;
            if run == 7 {
                run += usize::from(*input.get(ip)?);
                ip += 1;
            }
            let low = usize::from(*input.get(ip)?);
            ip += 1;
            let distance = ((ctrl & 0x1f) << 8) + low + 1;
            let run = run + 2;
            if out.len() + run > expected_len || distance > out.len() {
                return None;
            }
            let start = out.len() - distance;
            for i in 0..run {
                let byte = out[start + i];
                out.push(byte);
            }
        }
    }
    (out.len() == expected_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let samples: Vec<Vec<u8>> = vec![
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
            (0..2000u32).map(|i| (i % 251) as u8).collect(),
            b"abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcxyz".repeat(40),
        ];
        for s in samples {
            let c = compress(&s, s.len() - 4).expect("compressible");
            assert_eq!(decompress(&c, s.len()).as_deref(), Some(&s[..]));
        }
        // Input without repetition does not fit in len - 4 (Redis then stores it plainly).
        let noise: Vec<u8> = (0..64u32).map(|i| (i * 97 % 256) as u8).collect();
        assert_eq!(compress(&noise, noise.len() - 4), None);
        let code = b"#!lua name=mylib\nredis.register_function('f', function() return 1 end)";
        assert_eq!(compress(code, code.len() - 4), None);
    }

    #[test]
    fn decompress_rejects_garbage() {
        assert_eq!(decompress(&[0x05, b'a'], 6), None);
        assert_eq!(decompress(&[0x20, 0x00], 3), None);
        assert_eq!(decompress(&[0xe0], 3), None);
    }
}
