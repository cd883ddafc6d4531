//! The `bit` library (LuaBitOp): 32-bit bitwise operations on Lua numbers.
//!
//! Arguments are reduced modulo 2^32 the way LuaBitOp does it (adding 2^52 + 2^51 and keeping
//! the low word of the double), and results are signed 32-bit numbers.

use mlua::{Lua, MultiValue, Table};

use super::{host_function, single, Args, LuaFailure, Outcome};
use crate::scripting::numbers::lua_number;

/// A bit operation on the call's arguments.
type BitOp = fn(&Args) -> Result<u32, LuaFailure>;

/// Builds the `bit` table.
pub fn create(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let ops: [(&'static str, BitOp); 11] = [
        ("tobit", |a| barg(a, 1)),
        ("bnot", |a| barg(a, 1).map(|b| !b)),
        ("band", |a| fold(a, |x, y| x & y)),
        ("bor", |a| fold(a, |x, y| x | y)),
        ("bxor", |a| fold(a, |x, y| x ^ y)),
        ("lshift", |a| shift(a, |b, n| b << n)),
        ("rshift", |a| shift(a, |b, n| b >> n)),
        ("arshift", |a| shift(a, |b, n| ((b as i32) >> n) as u32)),
        ("rol", |a| shift(a, |b, n| b.rotate_left(n))),
        ("ror", |a| shift(a, |b, n| b.rotate_right(n))),
        ("bswap", |a| barg(a, 1).map(u32::swap_bytes)),
    ];
    for (name, op) in ops {
        let f = host_function(lua, move |lua, args: MultiValue| {
            let args = Args::new(lua, args, name);
            Ok(op(&args).and_then(|b| single(lua, lua_number(f64::from(b as i32)))))
        })?;
        t.raw_set(name, f)?;
    }
    t.raw_set(
        "tohex",
        host_function(lua, |lua, args| Ok(tohex(&Args::new(lua, args, "tohex"))))?,
    )?;
    Ok(t)
}

/// A number argument reduced to 32 bits.
fn barg(args: &Args, n: usize) -> Result<u32, LuaFailure> {
    let number = args.to_number(n).unwrap_or(0.0);
    let bits = (number + 6_755_399_441_055_744.0).to_bits() as u32;
    if bits == 0 && args.to_number(n).is_none() {
        return args.type_error(n, "number");
    }
    Ok(bits)
}

/// band/bor/bxor: the first argument combined with the others, taken from the last one down.
fn fold(args: &Args, op: fn(u32, u32) -> u32) -> Result<u32, LuaFailure> {
    let mut b = barg(args, 1)?;
    for n in (2..=args.len()).rev() {
        b = op(b, barg(args, n)?);
    }
    Ok(b)
}

fn shift(args: &Args, op: fn(u32, u32) -> u32) -> Result<u32, LuaFailure> {
    let b = barg(args, 1)?;
    let n = barg(args, 2)? & 31;
    Ok(op(b, n))
}

fn tohex(args: &Args) -> Outcome {
    let mut b = barg(args, 1)?;
    let mut n = if args.get(2).is_none() {
        8
    } else {
        barg(args, 2)? as i32
    };
    let mut digits: &[u8; 16] = b"0123456789abcdef";
    if n < 0 {
        n = n.wrapping_neg();
        digits = b"0123456789ABCDEF";
    }
    let n = n.clamp(i32::MIN, 8);
    let len = usize::try_from(n).unwrap_or(0);
    let mut buf = vec![0u8; len];
    for slot in buf.iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    let s = args
        .lua
        .create_string(&buf)
        .map_err(|e| LuaFailure::Positioned(e.to_string()))?;
    single(args.lua, s)
}
