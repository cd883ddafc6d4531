//! HyperLogLog sketches in Redis's exact byte format, so that a value copied with GET/SET
//! between Redis and the engine keeps working both ways and counts agree.
//!
//! Layout: a 16-byte header (`HYLL`, the encoding byte, three zero bytes, then the cached
//! cardinality as 8 little-endian bytes whose top bit set means "stale"), followed by the
//! registers: 16384 registers of 6 bits.
//! - dense: the registers packed LSB first, 12288 bytes;
//! - sparse: run-length opcodes. `00xxxxxx` is a run of 1-64 zero registers, `01xxxxxx
//!   yyyyyyyy` a run of 1-16384 zeros, `1vvvvvxx` a run of 1-4 registers holding 1-32.
//!
//! A sketch starts sparse and becomes dense when a register needs a value above 32 or the
//! sparse form would grow beyond `hll-sparse-max-bytes`. Elements are hashed with
//! MurmurHash64A (seed 0xadc83b19): the low 14 bits pick a register, the position of the
//! lowest set bit among the others is the candidate register value. The cardinality is
//! estimated from the register histogram with Otmar Ertl's improved estimator, as Redis 5+
//! does.

pub const HEADER_LEN: usize = 16;
pub const REGISTERS: usize = 1 << PRECISION;
const PRECISION: u32 = 14;
/// Hash bits left after the register index.
const Q: usize = 64 - PRECISION as usize;
const REGISTER_BITS: usize = 6;
const REGISTER_MAX: u32 = (1 << REGISTER_BITS) - 1;
const DENSE_REGISTERS_LEN: usize = (REGISTERS * REGISTER_BITS).div_ceil(8);
pub const DENSE_LEN: usize = HEADER_LEN + DENSE_REGISTERS_LEN;
const DENSE: u8 = 0;
const SPARSE: u8 = 1;
const ENCODING_BYTE: usize = 4;
const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
const HASH_SEED: u32 = 0xadc8_3b19;
/// 0.5 / ln 2.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// The sketch's registers are not a valid sparse encoding (Redis's INVALIDOBJ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// Whether `bytes` passes Redis's isHLLObjectOrReply checks: long enough, `HYLL` magic, a
/// known encoding, and a dense sketch of the exact dense size.
pub fn is_valid(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_LEN
        && bytes.starts_with(b"HYLL")
        && bytes[ENCODING_BYTE] <= SPARSE
        && (bytes[ENCODING_BYTE] != DENSE || bytes.len() == DENSE_LEN)
}

pub fn is_dense(bytes: &[u8]) -> bool {
    bytes.get(ENCODING_BYTE) == Some(&DENSE)
}

/// An empty sketch: sparse, all registers in XZERO runs.
pub fn new_sparse() -> Vec<u8> {
    let mut hll = Vec::with_capacity(HEADER_LEN + 2);
    hll.extend_from_slice(b"HYLL");
    hll.push(SPARSE);
    hll.resize(HEADER_LEN, 0);
    let mut left = REGISTERS;
    while left > 0 {
        let run = left.min(SPARSE_XZERO_MAX_LEN);
        push_zero_run(&mut hll, run, true);
        left -= run;
    }
    hll
}

/// MurmurHash64A as Redis uses it (little-endian reads on every platform).
pub fn murmur64a(key: &[u8], seed: u32) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = u64::from(seed) ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mut k = u64::from_le_bytes(word).wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element maps to and the value it proposes for it.
fn register_and_value(element: &[u8]) -> (usize, u8) {
    let hash = murmur64a(element, HASH_SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    // The sentinel bit bounds the count at Q + 1.
    let rest = (hash >> PRECISION) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

// ----- dense registers -----

fn dense_get(registers: &[u8], index: usize) -> u8 {
    let byte = index * REGISTER_BITS / 8;
    let shift = (index * REGISTER_BITS) & 7;
    let b0 = u32::from(registers.get(byte).copied().unwrap_or(0));
    let b1 = u32::from(registers.get(byte + 1).copied().unwrap_or(0));
    (((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX) as u8
}

fn dense_put(registers: &mut [u8], index: usize, value: u8) {
    let byte = index * REGISTER_BITS / 8;
    let shift = (index * REGISTER_BITS) & 7;
    let value = u32::from(value);
    if let Some(b) = registers.get_mut(byte) {
        *b &= !((REGISTER_MAX << shift) as u8);
        *b |= (value << shift) as u8;
    }
    if let Some(b) = registers.get_mut(byte + 1) {
        *b &= !((REGISTER_MAX >> (8 - shift)) as u8);
        *b |= (value >> (8 - shift)) as u8;
    }
}

/// Raises a dense register to `value` if it is lower; true if it changed.
fn dense_raise(registers: &mut [u8], index: usize, value: u8) -> bool {
    if value > dense_get(registers, index) {
        dense_put(registers, index, value);
        true
    } else {
        false
    }
}

fn dense_registers_mut(hll: &mut [u8]) -> &mut [u8] {
    hll.get_mut(HEADER_LEN..).unwrap_or_default()
}

// ----- sparse opcodes -----

fn is_zero_op(op: u8) -> bool {
    op & 0xc0 == 0
}

fn is_xzero_op(op: u8) -> bool {
    op & 0xc0 == 0x40
}

fn is_val_op(op: u8) -> bool {
    op & 0x80 != 0
}

fn zero_len(op: u8) -> usize {
    usize::from(op & 0x3f) + 1
}

/// An XZERO's length; `low` is the next byte (Redis reads the string's NUL terminator when
/// the opcode is cut short, hence 0).
fn xzero_len(op: u8, low: Option<u8>) -> usize {
    ((usize::from(op & 0x3f) << 8) | usize::from(low.unwrap_or(0))) + 1
}

fn val_value(op: u8) -> u8 {
    ((op >> 2) & 0x1f) + 1
}

fn val_len(op: u8) -> usize {
    usize::from(op & 0x3) + 1
}

fn val_op(value: u8, len: usize) -> u8 {
    ((value - 1) << 2) | (len as u8 - 1) | 0x80
}

fn push_zero_run(out: &mut Vec<u8>, len: usize, extended: bool) {
    if extended {
        let l = len - 1;
        out.push((l >> 8) as u8 | 0x40);
        out.push((l & 0xff) as u8);
    } else {
        out.push((len - 1) as u8);
    }
}

/// One decoded sparse opcode: a run of `len` registers holding `value`, `size` bytes long.
struct Op {
    value: u8,
    len: usize,
    size: usize,
}

fn decode_op(hll: &[u8], at: usize) -> Op {
    let op = hll[at];
    if is_zero_op(op) {
        Op {
            value: 0,
            len: zero_len(op),
            size: 1,
        }
    } else if is_xzero_op(op) {
        Op {
            value: 0,
            len: xzero_len(op, hll.get(at + 1).copied()),
            size: 2,
        }
    } else {
        Op {
            value: val_value(op),
            len: val_len(op),
            size: 1,
        }
    }
}

/// Visits the runs of a sparse sketch as (first register, length, value), stopping when
/// `visit` returns false. Returns the number of registers covered.
fn walk_sparse(hll: &[u8], mut visit: impl FnMut(usize, usize, u8) -> bool) -> usize {
    let mut at = HEADER_LEN;
    let mut index = 0usize;
    while at < hll.len() {
        let op = decode_op(hll, at);
        if !visit(index, op.len, op.value) {
            break;
        }
        index += op.len;
        at += op.size;
    }
    index
}

// ----- updates -----

/// Adds an element; true if a register changed (the estimate may have changed).
pub fn add(hll: &mut Vec<u8>, element: &[u8], sparse_max_bytes: usize) -> Result<bool, Corrupt> {
    let (index, value) = register_and_value(element);
    raise_register(hll, index, value, sparse_max_bytes)
}

/// Raises register `index` to `value` if it is lower, in either encoding.
pub fn raise_register(
    hll: &mut Vec<u8>,
    index: usize,
    value: u8,
    sparse_max_bytes: usize,
) -> Result<bool, Corrupt> {
    match hll.get(ENCODING_BYTE) {
        Some(&DENSE) => Ok(dense_raise(dense_registers_mut(hll), index, value)),
        Some(&SPARSE) => sparse_raise(hll, index, value, sparse_max_bytes),
        _ => Err(Corrupt),
    }
}

/// The sparse case of `raise_register`, editing the opcodes in place like Redis's
/// hllSparseSet so that the bytes come out identical.
fn sparse_raise(
    hll: &mut Vec<u8>,
    index: usize,
    value: u8,
    sparse_max_bytes: usize,
) -> Result<bool, Corrupt> {
    if value > SPARSE_VAL_MAX_VALUE {
        return promote_and_raise(hll, index, value);
    }
    // Redis makes room for the worst case (an XZERO split in three) up front; growing the
    // same way keeps the reported memory of the value identical.
    crate::memory::grow_like_sds(hll, 3);
    // Find the opcode covering the register.
    let end = hll.len();
    let mut at = HEADER_LEN;
    let mut first = 0usize;
    let mut prev = None;
    let mut found = None;
    while at < end {
        let op = decode_op(hll, at);
        if index < first + op.len {
            found = Some(op);
            break;
        }
        prev = Some(at);
        at += op.size;
        first += op.len;
    }
    let Some(op) = found else {
        return Err(Corrupt);
    };
    let opcode = hll[at];
    let last = first + op.len - 1;

    if is_val_op(opcode) {
        if op.value >= value {
            return Ok(false);
        }
        if op.len == 1 {
            hll[at] = val_op(value, 1);
            merge_adjacent_values(hll, prev.unwrap_or(HEADER_LEN));
            return Ok(true);
        }
    } else if is_zero_op(opcode) && op.len == 1 {
        hll[at] = val_op(value, 1);
        merge_adjacent_values(hll, prev.unwrap_or(HEADER_LEN));
        return Ok(true);
    }

    // Split the run into up to three opcodes around the register.
    let mut seq = Vec::with_capacity(5);
    if is_val_op(opcode) {
        if index != first {
            seq.push(val_op(op.value, index - first));
        }
        seq.push(val_op(value, 1));
        if index != last {
            seq.push(val_op(op.value, last - index));
        }
    } else {
        if index != first {
            let len = index - first;
            push_zero_run(&mut seq, len, len > SPARSE_ZERO_MAX_LEN);
        }
        seq.push(val_op(value, 1));
        if index != last {
            let len = last - index;
            push_zero_run(&mut seq, len, len > SPARSE_ZERO_MAX_LEN);
        }
    }
    let new_len = (end + seq.len()).saturating_sub(op.size);
    if seq.len() > op.size && new_len > sparse_max_bytes {
        return promote_and_raise(hll, index, value);
    }
    if at + op.size <= end {
        hll.splice(at..at + op.size, seq);
    } else {
        // A truncated XZERO ends the string. Redis copies the new opcodes over it and its
        // NUL terminator, then sets the length, which drops the last new byte.
        hll.truncate(at);
        hll.extend_from_slice(&seq);
        hll.truncate(new_len);
    }
    merge_adjacent_values(hll, prev.unwrap_or(HEADER_LEN));
    Ok(true)
}

/// After an update, merges neighbouring VAL opcodes of equal value, looking at up to five
/// opcodes from `from` (the opcode before the updated one), as Redis does.
fn merge_adjacent_values(hll: &mut Vec<u8>, from: usize) {
    let mut at = from;
    let mut budget = 5;
    while at < hll.len() && budget > 0 {
        budget -= 1;
        let op = hll[at];
        if is_xzero_op(op) {
            at += 2;
            continue;
        }
        if is_zero_op(op) {
            at += 1;
            continue;
        }
        if let Some(&next) = hll.get(at + 1) {
            if is_val_op(next) && val_value(op) == val_value(next) {
                let len = val_len(op) + val_len(next);
                if len <= SPARSE_VAL_MAX_LEN {
                    hll[at + 1] = val_op(val_value(op), len);
                    hll.remove(at);
                    continue;
                }
            }
        }
        at += 1;
    }
    invalidate_cache(hll);
}

fn promote_and_raise(hll: &mut Vec<u8>, index: usize, value: u8) -> Result<bool, Corrupt> {
    sparse_to_dense(hll)?;
    Ok(dense_raise(dense_registers_mut(hll), index, value))
}

/// Converts a sparse sketch to dense (keeping the header's cached cardinality); false if it
/// already was dense.
pub fn sparse_to_dense(hll: &mut Vec<u8>) -> Result<bool, Corrupt> {
    if is_dense(hll) {
        return Ok(false);
    }
    let mut dense = vec![0u8; DENSE_LEN];
    dense[..HEADER_LEN].copy_from_slice(hll.get(..HEADER_LEN).ok_or(Corrupt)?);
    dense[ENCODING_BYTE] = DENSE;
    let registers = dense_registers_mut(&mut dense);
    let mut overflow = false;
    let covered = walk_sparse(hll, |first, len, value| {
        if value == 0 {
            return true;
        }
        if first + len > REGISTERS {
            overflow = true;
            return false;
        }
        for index in first..first + len {
            dense_put(registers, index, value);
        }
        true
    });
    if overflow || covered != REGISTERS {
        return Err(Corrupt);
    }
    *hll = dense;
    Ok(true)
}

// ----- cached cardinality -----

/// The cached cardinality, if the header's copy is current.
pub fn cached_count(hll: &[u8]) -> Option<u64> {
    let card: [u8; 8] = hll.get(8..16)?.try_into().ok()?;
    (card[7] & 0x80 == 0).then(|| u64::from_le_bytes(card))
}

pub fn store_count(hll: &mut [u8], count: u64) {
    if let Some(card) = hll.get_mut(8..16) {
        card.copy_from_slice(&count.to_le_bytes());
    }
}

pub fn invalidate_cache(hll: &mut [u8]) {
    if let Some(b) = hll.get_mut(15) {
        *b |= 0x80;
    }
}

// ----- counting and merging -----

/// The estimated cardinality of a sketch (ignoring the cache).
pub fn count(hll: &[u8]) -> Result<u64, Corrupt> {
    let mut histogram = [0u64; 64];
    if is_dense(hll) {
        let registers = hll.get(HEADER_LEN..).unwrap_or_default();
        for index in 0..REGISTERS {
            histogram[usize::from(dense_get(registers, index))] += 1;
        }
    } else {
        let covered = walk_sparse(hll, |_, len, value| {
            histogram[usize::from(value)] += len as u64;
            true
        });
        if covered != REGISTERS {
            return Err(Corrupt);
        }
    }
    Ok(estimate(&histogram))
}

/// Raises `max[i]` to each register of `hll` (PFCOUNT of several keys, PFMERGE).
pub fn merge_into(max: &mut [u8], hll: &[u8]) -> Result<(), Corrupt> {
    if is_dense(hll) {
        let registers = hll.get(HEADER_LEN..).unwrap_or_default();
        for (index, slot) in max.iter_mut().enumerate().take(REGISTERS) {
            *slot = (*slot).max(dense_get(registers, index));
        }
        return Ok(());
    }
    let mut overflow = false;
    let covered = walk_sparse(hll, |first, len, value| {
        if value == 0 {
            return true;
        }
        if first + len > REGISTERS {
            overflow = true;
            return false;
        }
        for slot in max.iter_mut().skip(first).take(len) {
            *slot = (*slot).max(value);
        }
        true
    });
    if overflow || covered != REGISTERS {
        return Err(Corrupt);
    }
    Ok(())
}

/// The estimated cardinality of plain registers, one byte each.
pub fn count_registers(registers: &[u8]) -> u64 {
    let mut histogram = [0u64; 64];
    for &value in registers.iter().take(REGISTERS) {
        histogram[usize::from(value & 63)] += 1;
    }
    estimate(&histogram)
}

/// Ertl's estimator ("New cardinality estimation algorithms for HyperLogLog sketches").
fn estimate(histogram: &[u64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histogram[Q + 1] as f64) / m);
    for j in (1..=Q).rev() {
        z += histogram[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histogram[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as u64
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if previous == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        let gap = 1.0 - x;
        z -= gap * gap * y;
        if previous == z {
            return z / 3.0;
        }
    }
}

// ----- debugging -----

/// Every register's value (the sketch must be dense).
pub fn dense_registers(hll: &[u8]) -> Vec<u8> {
    let registers = hll.get(HEADER_LEN..).unwrap_or_default();
    (0..REGISTERS).map(|i| dense_get(registers, i)).collect()
}

/// PFDEBUG DECODE's rendering of a sparse sketch: `z:len`, `Z:len`, `v:value,len`.
pub fn decode_sparse(hll: &[u8]) -> String {
    let mut out = Vec::new();
    let mut at = HEADER_LEN;
    while at < hll.len() {
        let opcode = hll[at];
        let op = decode_op(hll, at);
        out.push(if is_zero_op(opcode) {
            format!("z:{}", op.len)
        } else if is_xzero_op(opcode) {
            format!("Z:{}", op.len)
        } else {
            format!("v:{},{}", op.value, op.len)
        });
        at += op.size;
    }
    out.join(" ")
}

/// PFSELFTEST: checks register packing, then that sparse and dense sketches fed the same
/// ten million elements agree and stay within six standard errors. Returns the failure.
pub fn self_test(sparse_max_bytes: usize) -> Result<(), String> {
    let mut registers = vec![0u8; DENSE_REGISTERS_LEN];
    let mut expected = vec![0u8; REGISTERS];
    for _ in 0..1000 {
        for (index, slot) in expected.iter_mut().enumerate() {
            let value = (super::random::next_u64() & u64::from(REGISTER_MAX)) as u8;
            *slot = value;
            dense_put(&mut registers, index, value);
        }
        for (index, &want) in expected.iter().enumerate() {
            let got = dense_get(&registers, index);
            if got != want {
                return Err(format!(
                    "TESTFAILED Register {index} should be {want} but is {got}"
                ));
            }
        }
    }
    let mut dense = vec![0u8; DENSE_LEN];
    dense[ENCODING_BYTE] = DENSE;
    dense[..4].copy_from_slice(b"HYLL");
    let mut sparse = new_sparse();
    let relative_error = 1.04 / (REGISTERS as f64).sqrt();
    let seed = super::random::next_u64();
    let mut checkpoint: u64 = 1;
    for j in 1..=10_000_000u64 {
        let element = (j ^ seed).to_le_bytes();
        let (index, value) = register_and_value(&element);
        dense_raise(dense_registers_mut(&mut dense), index, value);
        // A fresh sketch cannot be corrupt; the count comparison below checks the result.
        let _ = raise_register(&mut sparse, index, value, sparse_max_bytes);
        if j != checkpoint {
            continue;
        }
        if j < (sparse_max_bytes / 2) as u64 && is_dense(&sparse) {
            return Err("TESTFAILED sparse encoding not used".into());
        }
        let dense_count = count(&dense).unwrap_or(0);
        if count(&sparse) != Ok(dense_count) {
            return Err("TESTFAILED dense/sparse disagree".into());
        }
        let error = checkpoint.abs_diff(dense_count);
        let max_error = if j == 10 {
            1
        } else {
            (relative_error * 6.0 * checkpoint as f64).ceil() as u64
        };
        if error > max_error {
            return Err(format!(
                "TESTFAILED Too big error. card:{checkpoint} abserr:{error}"
            ));
        }
        checkpoint *= 10;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_sparse();
        assert_eq!(sparse.len(), HEADER_LEN + 2);
        assert_eq!(count(&sparse), Ok(0));
        let mut max = vec![0u8; REGISTERS];
        for i in 0..2000u32 {
            add(&mut sparse, format!("e{i}").as_bytes(), 3000).unwrap();
        }
        merge_into(&mut max, &sparse).unwrap();
        let sparse_count = count(&sparse).unwrap();
        let mut dense = sparse.clone();
        let _ = sparse_to_dense(&mut dense);
        assert!(is_dense(&dense) && is_valid(&dense));
        assert_eq!(count(&dense), Ok(sparse_count));
        assert_eq!(count_registers(&max), sparse_count);
        assert_eq!(dense_registers(&dense), max);
    }
}
