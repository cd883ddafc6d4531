//! Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
//!
//! Bitmaps are plain strings; bit 0 is the most significant bit of the first byte.

mod bitfield;

use super::string::{
    grow_zeroed, int_arg, is_keyword, read_string, reply_of, set_key, string_mut,
    PROTO_MAX_BULK_LEN,
};
use super::Handler;
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::types::{Entry, StringValue, Value};
use crate::util::parse_i64;

pub(super) const HANDLERS: &[(&str, Handler)] = &[
    ("bitcount", bitcount),
    ("bitfield", bitfield::bitfield),
    ("bitfield_ro", bitfield::bitfield_ro),
    ("bitop", bitop),
    ("bitpos", bitpos),
    ("getbit", getbit),
    ("setbit", setbit),
];

const BIT_OFFSET_ERROR: &str = "ERR bit offset is not an integer or out of range";

/// Redis's getBitOffsetFromArgument: a bit offset within `proto-max-bulk-len` bytes. With
/// `field_bits`, BITFIELD's `#N` form means N fields of that width.
fn parse_bit_offset(arg: &[u8], field_bits: Option<u32>) -> Result<u64, Reply> {
    let (digits, multiplier) = match (arg.first(), field_bits) {
        (Some(b'#'), Some(bits)) => (&arg[1..], bits as i64),
        _ => (arg, 1),
    };
    let offset = parse_i64(digits)
        .ok_or_else(|| Reply::error(BIT_OFFSET_ERROR))?
        // Redis multiplies without an overflow check; a wrapped result is then range-checked.
        .wrapping_mul(multiplier);
    if offset < 0 || (offset as u64 >> 3) >= PROTO_MAX_BULK_LEN {
        return Err(Reply::error(BIT_OFFSET_ERROR));
    }
    Ok(offset as u64)
}

/// Redis's lookupStringForBitCommand: the key's bytes, made raw and zero-padded so that bit
/// `max_bit` exists (creating the key if missing), and whether the string was created or grew.
fn string_for_bit_write<'a>(
    srv: &'a mut Server,
    call: &Call,
    max_bit: u64,
) -> Result<(&'a mut Vec<u8>, bool), Reply> {
    let key = call.arg(1);
    let len = (max_bit >> 3) as usize + 1;
    let exists = srv.lookup_write(call.db, key, call.now).is_some();
    if !exists {
        let mut data = Vec::new();
        grow_zeroed(&mut data, len)?;
        // Like Redis's dbAdd: the key only counts as modified if a bit then changes.
        let entry = Entry::new(Value::String(StringValue::raw(data)), call.now);
        srv.db(call.db).insert(key, entry);
    }
    let Some(entry) = srv.db(call.db).get_mut(key) else {
        return Err(errors::wrongtype());
    };
    let data = string_mut(entry)?.make_raw();
    let old_len = data.len();
    grow_zeroed(data, len)?;
    let grown = !exists || data.len() != old_len;
    Ok((data, grown))
}

fn bit_at(bytes: &[u8], offset: u64) -> bool {
    let byte = bytes.get((offset >> 3) as usize).copied().unwrap_or(0);
    byte & (0x80 >> (offset & 7)) != 0
}

fn setbit(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(setbit_reply(srv, call))
}

fn setbit_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let offset = parse_bit_offset(call.arg(2), None)?;
    let value_error = || Reply::error("ERR bit is not an integer or out of range");
    let on = match parse_i64(call.arg(3)) {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(value_error()),
    };
    let (data, grown) = string_for_bit_write(srv, call, offset)?;
    let was_on = bit_at(data, offset);
    if grown || was_on != on {
        if let Some(byte) = data.get_mut((offset >> 3) as usize) {
            let mask = 0x80 >> (offset & 7);
            if on {
                *byte |= mask;
            } else {
                *byte &= !mask;
            }
        }
        srv.key_modified(call.db, call.arg(1));
        srv.notify_keyspace_event(class::STRING, "setbit", call.arg(1), call.db);
        srv.add_dirty(1);
    }
    Ok(Reply::Integer(was_on as i64))
}

fn getbit(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(getbit_reply(srv, call))
}

fn getbit_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let offset = parse_bit_offset(call.arg(2), None)?;
    let on = read_string(srv, call, call.arg(1))?.is_some_and(|s| bit_at(&s.bytes(), offset));
    Ok(Reply::Integer(on as i64))
}

/// A range argument's unit: BITCOUNT and BITPOS count in bytes unless told BIT.
fn parse_unit(arg: &[u8]) -> Result<bool, Reply> {
    if is_keyword(arg, "bit") {
        Ok(true)
    } else if is_keyword(arg, "byte") {
        Ok(false)
    } else {
        Err(errors::syntax())
    }
}

/// Resolves a start/end range (negative values count from the end) into an inclusive bit
/// range, or None if empty. `in_bits` ranges count bits, others whole bytes.
fn bit_range(start: i64, end: i64, byte_len: usize, in_bits: bool) -> Option<(u64, u64)> {
    let unit_len = if in_bits { byte_len * 8 } else { byte_len } as i64;
    let start = if start < 0 { unit_len + start } else { start }.max(0);
    let end = if end < 0 { unit_len + end } else { end }
        .max(0)
        .min(unit_len - 1);
    if start > end {
        return None;
    }
    let (start, end) = (start as u64, end as u64);
    Some(if in_bits {
        (start, end)
    } else {
        (start * 8, end * 8 + 7)
    })
}

fn bitcount(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(bitcount_reply(srv, call))
}

fn bitcount_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let Some(s) = read_string(srv, call, call.arg(1))? else {
        return Ok(Reply::Integer(0));
    };
    let bytes = s.bytes();
    let range = match call.argc() {
        2 => bit_range(0, -1, bytes.len(), false),
        4 | 5 => {
            let start = int_arg(call.arg(2))?;
            let end = int_arg(call.arg(3))?;
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Integer(0));
            }
            let in_bits = call.argc() == 5 && parse_unit(call.arg(4))?;
            bit_range(start, end, bytes.len(), in_bits)
        }
        _ => return Err(errors::syntax()),
    };
    Ok(Reply::Integer(range.map_or(0, |(from, to)| {
        count_ones(&bytes, from, to) as i64
    })))
}

/// Set bits in the inclusive bit range.
fn count_ones(bytes: &[u8], from: u64, to: u64) -> u64 {
    let (first, last) = ((from >> 3) as usize, (to >> 3) as usize);
    let Some(span) = bytes.get(first..=last) else {
        return 0;
    };
    let total: u64 = span.iter().map(|b| b.count_ones() as u64).sum();
    // The edge bytes may hold bits outside the range: before `from` and after `to`.
    let before = (from & 7) as u32;
    let after = 7 - (to & 7) as u32;
    let head = span
        .first()
        .map_or(0, |b| b.checked_shr(8 - before).unwrap_or(0));
    let tail = span.last().map_or(0, |b| b & ((1u16 << after) - 1) as u8);
    total - head.count_ones() as u64 - tail.count_ones() as u64
}

fn bitpos(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(bitpos_reply(srv, call))
}

fn bitpos_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let wanted = match int_arg(call.arg(2))? {
        0 => false,
        1 => true,
        _ => return Err(Reply::error("ERR The bit argument must be 1 or 0.")),
    };
    // A missing key is an endless run of zero bits.
    let Some(s) = read_string(srv, call, call.arg(1))? else {
        return Ok(Reply::Integer(if wanted { -1 } else { 0 }));
    };
    let bytes = s.bytes();
    let (range, end_given) = match call.argc() {
        3 => (bit_range(0, -1, bytes.len(), false), false),
        4..=6 => {
            let start = int_arg(call.arg(3))?;
            let in_bits = call.argc() == 6 && parse_unit(call.arg(5))?;
            let end = if call.argc() >= 5 {
                int_arg(call.arg(4))?
            } else {
                -1
            };
            (
                bit_range(start, end, bytes.len(), in_bits),
                call.argc() >= 5,
            )
        }
        _ => return Err(errors::syntax()),
    };
    let Some((from, to)) = range else {
        return Ok(Reply::Integer(-1));
    };
    Ok(Reply::Integer(match find_bit(&bytes, wanted, from, to) {
        Some(pos) => pos as i64,
        // Without an explicit end the string counts as followed by zero bits.
        None if !wanted && !end_given => to as i64 + 1,
        None => -1,
    }))
}

/// The first bit equal to `wanted` in the inclusive bit range, skipping whole bytes that
/// cannot contain it.
fn find_bit(bytes: &[u8], wanted: bool, from: u64, to: u64) -> Option<u64> {
    let skip = if wanted { 0x00 } else { 0xff };
    let mut pos = from;
    while pos <= to {
        if pos & 7 == 0 && pos + 7 <= to {
            let byte = bytes.get((pos >> 3) as usize).copied().unwrap_or(0);
            if byte == skip {
                pos += 8;
                continue;
            }
        }
        if bit_at(bytes, pos) == wanted {
            return Some(pos);
        }
        pos += 1;
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

fn bitop(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(bitop_reply(srv, call))
}

fn bitop_reply(srv: &mut Server, call: &Call) -> Result<Reply, Reply> {
    let op = [
        ("and", BitOp::And),
        ("or", BitOp::Or),
        ("xor", BitOp::Xor),
        ("not", BitOp::Not),
    ]
    .into_iter()
    .find(|(name, _)| is_keyword(call.arg(1), name))
    .map(|(_, op)| op)
    .ok_or_else(errors::syntax)?;
    if op == BitOp::Not && call.argc() != 4 {
        return Err(Reply::error(
            "ERR BITOP NOT must be called with a single source key.",
        ));
    }
    // Missing keys count as empty strings, that is as zero bytes.
    let mut sources = Vec::with_capacity(call.argc() - 3);
    for key in &call.argv[3..] {
        sources.push(
            read_string(srv, call, key)?
                .map(|s| s.to_bytes())
                .unwrap_or_default(),
        );
    }
    let max_len = sources.iter().map(Vec::len).max().unwrap_or(0);
    let dest = call.arg(2);
    if max_len == 0 {
        if srv.delete_key(call.db, dest) {
            srv.notify_keyspace_event(class::GENERIC, "del", dest, call.db);
            srv.add_dirty(1);
        }
        return Ok(Reply::Integer(0));
    }
    let byte = |source: &Vec<u8>, i: usize| source.get(i).copied().unwrap_or(0);
    let result: Vec<u8> = (0..max_len)
        .map(|i| {
            let first = sources.first().map_or(0, |s| byte(s, i));
            let rest = sources.iter().skip(1).map(|s| byte(s, i));
            match op {
                BitOp::And => rest.fold(first, |acc, b| acc & b),
                BitOp::Or => rest.fold(first, |acc, b| acc | b),
                BitOp::Xor => rest.fold(first, |acc, b| acc ^ b),
                BitOp::Not => !first,
            }
        })
        .collect();
    set_key(srv, call, dest, StringValue::raw(result), false);
    srv.add_dirty(1);
    Ok(Reply::Integer(max_len as i64))
}
