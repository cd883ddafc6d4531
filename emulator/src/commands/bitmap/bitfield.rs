//! BITFIELD and BITFIELD_RO: signed and unsigned integers of 1 to 64 bits (u63 at most) at
//! any bit offset, with GET, SET, INCRBY and the WRAP, SAT and FAIL overflow policies.

use super::{parse_bit_offset, string_for_bit_write};
use crate::commands::string::{int_arg, is_keyword, read_string, reply_of};
use crate::errors;
use crate::notify::class;
use crate::resp::Reply;
use crate::server::{Call, Server};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Get,
    Set(i64),
    IncrBy(i64),
}

#[derive(Clone, Copy)]
struct FieldType {
    signed: bool,
    bits: u32,
}

struct Op {
    kind: OpKind,
    field: FieldType,
    offset: u64,
    overflow: Overflow,
}

pub(super) fn bitfield(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(bitfield_generic(srv, call, false))
}

pub(super) fn bitfield_ro(srv: &mut Server, call: &mut Call) -> Reply {
    reply_of(bitfield_generic(srv, call, true))
}

const TYPE_ERROR: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/// `i1`..`i64` or `u1`..`u63` (lowercase only; the width is read as a C string).
fn parse_type(arg: &[u8]) -> Result<FieldType, Reply> {
    let error = || Reply::error(TYPE_ERROR);
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(error()),
    };
    let width = &arg[1..];
    let width = &width[..width.iter().position(|&b| b == 0).unwrap_or(width.len())];
    let bits = crate::util::parse_i64(width).ok_or_else(error)?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(error());
    }
    Ok(FieldType {
        signed,
        bits: bits as u32,
    })
}

/// Parses every subcommand before anything runs, as Redis does.
fn parse_ops(call: &Call) -> Result<Vec<Op>, Reply> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < call.argc() {
        let remaining = call.argc() - j - 1;
        let name = call.arg(j);
        let takes_value = if is_keyword(name, "get") && remaining >= 2 {
            false
        } else if (is_keyword(name, "set") || is_keyword(name, "incrby")) && remaining >= 3 {
            true
        } else if is_keyword(name, "overflow") && remaining >= 1 {
            let policy = call.arg(j + 1);
            overflow = if is_keyword(policy, "wrap") {
                Overflow::Wrap
            } else if is_keyword(policy, "sat") {
                Overflow::Sat
            } else if is_keyword(policy, "fail") {
                Overflow::Fail
            } else {
                return Err(Reply::error("ERR Invalid OVERFLOW type specified"));
            };
            j += 2;
            continue;
        } else {
            return Err(errors::syntax());
        };
        let field = parse_type(call.arg(j + 1))?;
        let offset = parse_bit_offset(call.arg(j + 2), Some(field.bits))?;
        let kind = if !takes_value {
            OpKind::Get
        } else {
            let value = int_arg(call.arg(j + 3))?;
            if is_keyword(name, "set") {
                OpKind::Set(value)
            } else {
                OpKind::IncrBy(value)
            }
        };
        ops.push(Op {
            kind,
            field,
            offset,
            overflow,
        });
        j += if takes_value { 4 } else { 3 };
    }
    Ok(ops)
}

fn bitfield_generic(srv: &mut Server, call: &Call, read_only: bool) -> Result<Reply, Reply> {
    let ops = parse_ops(call)?;
    let highest_write = ops
        .iter()
        .filter(|op| op.kind != OpKind::Get)
        .map(|op| op.offset + op.field.bits as u64 - 1)
        .max();
    let Some(highest_write) = highest_write else {
        // Only GETs: a read that does not create the key.
        let bytes = read_string(srv, call, call.arg(1))?.map(|s| s.bytes());
        let bytes = bytes.as_deref().unwrap_or_default();
        let replies = ops
            .iter()
            .map(|op| Reply::Integer(get_field(bytes, op)))
            .collect();
        return Ok(Reply::Array(replies));
    };
    if read_only {
        return Err(Reply::error(
            "ERR BITFIELD_RO only supports the GET subcommand",
        ));
    }
    let (data, grown) = string_for_bit_write(srv, call, highest_write)?;
    let mut changes = 0;
    let mut replies = Vec::with_capacity(ops.len());
    for op in &ops {
        replies.push(match op.kind {
            OpKind::Get => Reply::Integer(get_field(data, op)),
            OpKind::Set(_) | OpKind::IncrBy(_) => match write_field(data, op) {
                Some((reply, changed)) => {
                    if grown || changed {
                        changes += 1;
                    }
                    Reply::Integer(reply)
                }
                None => Reply::Null,
            },
        });
    }
    if changes > 0 {
        srv.key_modified(call.db, call.arg(1));
        // Redis notifies after the whole reply array.
        srv.reply_here(call);
        srv.notify_keyspace_event(class::STRING, "setbit", call.arg(1), call.db);
        srv.add_dirty(changes);
    }
    Ok(Reply::Array(replies))
}

/// The field's value, reading missing bytes as zero.
fn get_field(bytes: &[u8], op: &Op) -> i64 {
    let raw = read_bits(bytes, op.offset, op.field.bits);
    if op.field.signed {
        sign_extend(raw, op.field.bits)
    } else {
        raw as i64
    }
}

/// Runs a SET or INCRBY: the value to reply (SET: the old value, INCRBY: the new one) and
/// whether the stored bits changed, or None when the FAIL policy refused an overflow.
fn write_field(data: &mut [u8], op: &Op) -> Option<(i64, bool)> {
    let FieldType { signed, bits } = op.field;
    let old_raw = read_bits(data, op.offset, bits);
    let (new_raw, reply) = if signed {
        let old = sign_extend(old_raw, bits);
        let (new, reply) = match op.kind {
            OpKind::IncrBy(by) => {
                let new = signed_result(old, by, bits, op.overflow)?;
                (new, new)
            }
            _ => (signed_result(op_value(op), 0, bits, op.overflow)?, old),
        };
        (new as u64, reply)
    } else {
        let (new, reply) = match op.kind {
            OpKind::IncrBy(by) => {
                let new = unsigned_result(old_raw, by, bits, op.overflow)?;
                (new, new as i64)
            }
            _ => (
                unsigned_result(op_value(op) as u64, 0, bits, op.overflow)?,
                old_raw as i64,
            ),
        };
        (new, reply)
    };
    write_bits(data, op.offset, bits, new_raw);
    Some((reply, field_mask(bits) & new_raw != old_raw))
}

fn op_value(op: &Op) -> i64 {
    match op.kind {
        OpKind::Set(v) | OpKind::IncrBy(v) => v,
        OpKind::Get => 0,
    }
}

fn field_mask(bits: u32) -> u64 {
    if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

fn sign_extend(raw: u64, bits: u32) -> i64 {
    if bits < 64 && raw & (1u64 << (bits - 1)) != 0 {
        (raw | !field_mask(bits)) as i64
    } else {
        raw as i64
    }
}

/// `value + increment` for an unsigned field of `bits` (at most 63), following the overflow
/// policy; None when FAIL refuses it.
fn unsigned_result(value: u64, increment: i64, bits: u32, policy: Overflow) -> Option<u64> {
    let max = field_mask(bits);
    let room_up = max.wrapping_sub(value) as i64;
    let room_down = (value as i64).wrapping_neg();
    let overflow = value > max || (increment > 0 && increment > room_up);
    let underflow = !overflow && increment < 0 && increment < room_down;
    if !overflow && !underflow {
        return Some(value.wrapping_add(increment as u64));
    }
    match policy {
        Overflow::Wrap => Some(value.wrapping_add(increment as u64) & max),
        Overflow::Sat => Some(if overflow { max } else { 0 }),
        Overflow::Fail => None,
    }
}

/// `value + increment` for a signed field of `bits`, following the overflow policy; None when
/// FAIL refuses it.
fn signed_result(value: i64, increment: i64, bits: u32, policy: Overflow) -> Option<i64> {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    // These wrap for 64-bit fields, where they are only consulted when they cannot.
    let room_up = (max as u64).wrapping_sub(value as u64) as i64;
    let room_down = min.wrapping_sub(value);
    let overflow = value > max
        || (bits != 64 && increment > room_up)
        || (value >= 0 && increment > 0 && increment > room_up);
    let underflow = !overflow
        && (value < min
            || (bits != 64 && increment < room_down)
            || (value < 0 && increment < 0 && increment < room_down));
    if !overflow && !underflow {
        return Some(value.wrapping_add(increment));
    }
    match policy {
        Overflow::Wrap => {
            let sum = (value as u64).wrapping_add(increment as u64);
            Some(sign_extend(sum & field_mask(bits), bits))
        }
        Overflow::Sat => Some(if overflow { max } else { min }),
        Overflow::Fail => None,
    }
}

/// Reads `bits` bits from bit `offset`, most significant first; missing bytes read as zero.
fn read_bits(bytes: &[u8], offset: u64, bits: u32) -> u64 {
    (0..bits as u64).fold(0u64, |acc, i| {
        (acc << 1) | super::bit_at(bytes, offset + i) as u64
    })
}

/// Writes the low `bits` bits of `value` at bit `offset`, most significant first.
fn write_bits(data: &mut [u8], offset: u64, bits: u32, value: u64) {
    for i in 0..bits as u64 {
        let pos = offset + i;
        let on = (value >> (bits as u64 - 1 - i)) & 1 == 1;
        if let Some(byte) = data.get_mut((pos >> 3) as usize) {
            let mask = 0x80u8 >> (pos & 7);
            if on {
                *byte |= mask;
            } else {
                *byte &= !mask;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_policies() {
        assert_eq!(unsigned_result(250, 10, 8, Overflow::Wrap), Some(4));
        assert_eq!(unsigned_result(250, 10, 8, Overflow::Sat), Some(255));
        assert_eq!(unsigned_result(250, 10, 8, Overflow::Fail), None);
        assert_eq!(unsigned_result(5, -10, 8, Overflow::Sat), Some(0));
        assert_eq!(unsigned_result(5, -10, 8, Overflow::Wrap), Some(251));
        assert_eq!(signed_result(127, 1, 8, Overflow::Wrap), Some(-128));
        assert_eq!(signed_result(-128, -1, 8, Overflow::Sat), Some(-128));
        assert_eq!(
            signed_result(i64::MAX, 1, 64, Overflow::Wrap),
            Some(i64::MIN)
        );
        assert_eq!(
            signed_result(i64::MIN, -1, 64, Overflow::Sat),
            Some(i64::MIN)
        );
        assert_eq!(signed_result(300, 0, 8, Overflow::Wrap), Some(44));
    }

    #[test]
    fn bits_round_trip_at_odd_offsets() {
        let mut data = vec![0u8; 3];
        write_bits(&mut data, 7, 5, 23);
        assert_eq!(data[..2], [0b0000_0001, 0b0111_0000]);
        assert_eq!(read_bits(&data, 7, 5), 23);
        assert_eq!(sign_extend(read_bits(&data, 7, 5), 5), -9);
    }
}
