//! The `struct` library: packing numbers and strings into binary strings and back, with the
//! sizes of the x86-64 C types Redis is built with (`h` 2, `i` 4, `l`/`T` 8 bytes, alignment
//! up to 8).

use mlua::{Lua, MultiValue, Table, Value};

use super::{host_function, single, Args, LuaFailure, Outcome};
use crate::scripting::numbers::{c_double_to_i64, lua_integer, lua_number};

const MAX_INT_SIZE: usize = 32;
const MAX_ALIGN: usize = 8;

/// Builds the `struct` table.
pub fn create(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set(
        "pack",
        host_function(lua, |lua, args| Ok(pack(&Args::new(lua, args, "pack"))))?,
    )?;
    t.raw_set(
        "unpack",
        host_function(lua, |lua, args| Ok(unpack(&Args::new(lua, args, "unpack"))))?,
    )?;
    t.raw_set(
        "size",
        host_function(lua, |lua, args| Ok(size(&Args::new(lua, args, "size"))))?,
    )?;
    Ok(t)
}

#[derive(Clone, Copy, PartialEq)]
enum Endian {
    Big,
    Little,
}

struct Header {
    endian: Endian,
    align: usize,
}

impl Header {
    fn new() -> Header {
        Header {
            endian: Endian::Little,
            align: 1,
        }
    }
}

/// A format string being read, C-string style (it ends at the first NUL).
struct Format<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Format<'_> {
    fn next_option(&mut self) -> Option<u8> {
        let c = *self.bytes.get(self.at)?;
        if c == 0 {
            return None;
        }
        self.at += 1;
        Some(c)
    }

    /// An optional decimal count after an option.
    fn number(&mut self, default: usize) -> Result<usize, LuaFailure> {
        let mut value: i32 = 0;
        let mut any = false;
        while let Some(&d) = self.bytes.get(self.at).filter(|d| d.is_ascii_digit()) {
            let digit = i32::from(d - b'0');
            if value > i32::MAX / 10 || value * 10 > i32::MAX - digit {
                return super::fail("integral size overflow");
            }
            value = value * 10 + digit;
            self.at += 1;
            any = true;
        }
        Ok(if any { value as usize } else { default })
    }

    /// The size of an option's item (0 for options without data).
    fn size_of(&mut self, opt: u8) -> Result<usize, LuaFailure> {
        Ok(match opt {
            b'B' | b'b' | b'x' => 1,
            b'H' | b'h' => 2,
            b'L' | b'l' | b'T' | b'd' => 8,
            b'f' => 4,
            b'c' => self.number(1)?,
            b'i' | b'I' => {
                let size = self.number(4)?;
                if size > MAX_INT_SIZE {
                    return super::fail(format!(
                        "integral size {size} is larger than limit of {MAX_INT_SIZE}"
                    ));
                }
                size
            }
            _ => 0,
        })
    }
}

fn padding(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size.wrapping_sub(len & (size - 1))) & (size - 1)
}

/// Endianness, alignment and spaces; anything else is an invalid option.
fn control(args: &Args, opt: u8, fmt: &mut Format, h: &mut Header) -> Result<(), LuaFailure> {
    match opt {
        b' ' => {}
        b'>' => h.endian = Endian::Big,
        b'<' => h.endian = Endian::Little,
        b'!' => {
            let a = fmt.number(MAX_ALIGN)?;
            if a == 0 || a & (a - 1) != 0 {
                return super::fail(format!("alignment {a} is not a power of 2"));
            }
            h.align = a;
        }
        _ => {
            let msg = format!("invalid format option '{}'", char::from(opt));
            return args.arg_error(1, &msg);
        }
    }
    Ok(())
}

/// C's conversion of a double to the unsigned 64-bit value `putinteger` writes.
fn to_bits(n: f64) -> u64 {
    if n < 0.0 {
        c_double_to_i64(n) as u64
    } else if n < 9_223_372_036_854_775_808.0 {
        n as u64
    } else {
        (c_double_to_i64(n - 9_223_372_036_854_775_808.0) as u64) ^ (1 << 63)
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8], endian: Endian) {
    if endian == Endian::Little {
        out.extend_from_slice(bytes);
    } else {
        out.extend(bytes.iter().rev());
    }
}

/// A number argument of `pack`. The C function pushes a nil right after its arguments, so the
/// first missing one is reported as "got nil" rather than "got no value".
fn pack_number(args: &Args, n: usize) -> Result<f64, LuaFailure> {
    if n == args.len() + 1 {
        return args.arg_error(n, "number expected, got nil");
    }
    args.check_number(n)
}

fn pack(args: &Args) -> Outcome {
    let fmt_bytes = args.check_bytes(1)?;
    let mut fmt = Format {
        bytes: &fmt_bytes,
        at: 0,
    };
    let mut h = Header::new();
    let mut arg = 2;
    let mut out = Vec::new();
    while let Some(opt) = fmt.next_option() {
        let mut size = fmt.size_of(opt)?;
        let pad = padding(out.len(), &h, opt, size);
        out.resize(out.len() + pad, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let mut value = to_bits(pack_number(args, arg)?);
                arg += 1;
                let mut bytes = Vec::with_capacity(size);
                for _ in 0..size {
                    bytes.push((value & 0xff) as u8);
                    value = value.checked_shr(8).unwrap_or(0);
                }
                put_bytes(&mut out, &bytes, h.endian);
            }
            b'x' => out.push(0),
            b'f' => {
                let f = pack_number(args, arg)? as f32;
                arg += 1;
                put_bytes(&mut out, &f.to_le_bytes(), h.endian);
            }
            b'd' => {
                let d = pack_number(args, arg)?;
                arg += 1;
                put_bytes(&mut out, &d.to_le_bytes(), h.endian);
            }
            b'c' | b's' => {
                if arg == args.len() + 1 {
                    return args.arg_error(arg, "string expected, got nil");
                }
                let s = args.check_bytes(arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    return args.arg_error(arg, "string too short");
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => control(args, opt, &mut fmt, &mut h)?,
        }
    }
    let s = args
        .lua
        .create_string(&out)
        .map_err(|e| LuaFailure::Positioned(e.to_string()))?;
    single(args.lua, s)
}

fn read_integer(bytes: &[u8], endian: Endian, signed: bool) -> f64 {
    let mut l: u64 = 0;
    let ordered: Vec<u8> = match endian {
        Endian::Big => bytes.to_vec(),
        Endian::Little => bytes.iter().rev().copied().collect(),
    };
    for b in ordered {
        l = (l << 8) | u64::from(b);
    }
    if !signed {
        return l as f64;
    }
    let shift = (bytes.len() * 8).wrapping_sub(1) as u32;
    let mask = u64::MAX.wrapping_shl(shift);
    if l & mask != 0 {
        l |= mask;
    }
    (l as i64) as f64
}

fn read_fixed<const N: usize>(bytes: &[u8], endian: Endian) -> [u8; N] {
    let mut buf = [0u8; N];
    buf.copy_from_slice(&bytes[..N]);
    if endian == Endian::Big {
        buf.reverse();
    }
    buf
}

fn unpack(args: &Args) -> Outcome {
    let fmt_bytes = args.check_bytes(1)?;
    let data = args.check_bytes(2)?;
    let start = args.opt_integer(3, 1)?;
    if start == 0 {
        return args.arg_error(3, "offset must be 1 or greater");
    }
    // A negative offset is a huge size_t in C: it passes the check above and then fails
    // the length check below.
    let mut pos = (start as u64 as usize).wrapping_sub(1);
    let ld = data.len();
    let mut fmt = Format {
        bytes: &fmt_bytes,
        at: 0,
    };
    let mut h = Header::new();
    let mut results: Vec<Value> = Vec::new();
    let too_short = |args: &Args| args.arg_error::<()>(2, "data string too short");
    while let Some(opt) = fmt.next_option() {
        let mut size = fmt.size_of(opt)?;
        pos = pos.wrapping_add(padding(pos, &h, opt, size));
        if !(size <= ld && pos <= ld - size) {
            too_short(args)?;
        }
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = read_integer(&data[pos..pos + size], h.endian, opt.is_ascii_lowercase());
                results.push(lua_number(n));
            }
            b'x' => {}
            b'f' => {
                let f = f32::from_le_bytes(read_fixed::<4>(&data[pos..], h.endian));
                results.push(lua_number(f64::from(f)));
            }
            b'd' => {
                let d = f64::from_le_bytes(read_fixed::<8>(&data[pos..], h.endian));
                results.push(lua_number(d));
            }
            b'c' => {
                if size == 0 {
                    let previous = results.last().and_then(|v| match v {
                        Value::Integer(i) => Some(*i as f64),
                        Value::Number(n) => Some(*n),
                        _ => None,
                    });
                    let Some(previous) = previous else {
                        return super::fail("format 'c0' needs a previous size");
                    };
                    size = if previous >= 0.0 {
                        previous as usize
                    } else {
                        usize::MAX
                    };
                    results.pop();
                    if !(size <= ld && pos <= ld - size) {
                        too_short(args)?;
                    }
                }
                results.push(lua_bytes(args, &data[pos..pos + size])?);
            }
            b's' => {
                let Some(nul) = data[pos..].iter().position(|&b| b == 0) else {
                    return super::fail("unfinished string in data");
                };
                size = nul + 1;
                results.push(lua_bytes(args, &data[pos..pos + nul])?);
            }
            _ => control(args, opt, &mut fmt, &mut h)?,
        }
        pos = pos.wrapping_add(size);
    }
    results.push(lua_integer((pos as i64).wrapping_add(1)));
    Ok(MultiValue::from_iter(results))
}

fn lua_bytes(args: &Args, bytes: &[u8]) -> Result<Value, LuaFailure> {
    args.lua
        .create_string(bytes)
        .map(Value::String)
        .map_err(|e| LuaFailure::Positioned(e.to_string()))
}

fn size(args: &Args) -> Outcome {
    let fmt_bytes = args.check_bytes(1)?;
    let mut fmt = Format {
        bytes: &fmt_bytes,
        at: 0,
    };
    let mut h = Header::new();
    let mut pos: usize = 0;
    while let Some(opt) = fmt.next_option() {
        let size = fmt.size_of(opt)?;
        pos = pos.wrapping_add(padding(pos, &h, opt, size));
        if opt == b's' {
            return args.arg_error(1, "option 's' has no fixed size");
        } else if opt == b'c' && size == 0 {
            return args.arg_error(1, "option 'c0' has no fixed size");
        }
        if !opt.is_ascii_alphanumeric() {
            control(args, opt, &mut fmt, &mut h)?;
        }
        pos = pos.wrapping_add(size);
    }
    single(args.lua, lua_integer(pos as i64))
}
