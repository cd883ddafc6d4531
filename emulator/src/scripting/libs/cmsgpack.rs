//! The `cmsgpack` library (lua-cmsgpack 0.4.0): MessagePack packing of Lua values and
//! unpacking of streams of objects, with the library's choices (integral doubles become
//! integers, non-integral ones float32 when exact, tables nest at most 16 deep, tables whose
//! keys are exactly 1..n are arrays).

use mlua::{Lua, MultiValue, Table, Value};

use super::{fail, host_function, Args, LuaFailure, Outcome};
use crate::scripting::numbers::{as_double, c_double_to_i64, lua_integer, lua_number};

/// Tables nested deeper than this are packed as nil (it also stops circular references).
const MAX_NESTING: usize = 16;

/// Builds the `cmsgpack` table.
pub fn create(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set(
        "pack",
        host_function(lua, |lua, args| Ok(pack(&Args::new(lua, args, "pack"))))?,
    )?;
    t.raw_set(
        "unpack",
        host_function(lua, |lua, args| {
            let args = Args::new(lua, args, "unpack");
            Ok(unpack_full(&args, 0, 0))
        })?,
    )?;
    t.raw_set(
        "unpack_one",
        host_function(lua, |lua, args| {
            let args = Args::new(lua, args, "unpack_one");
            Ok(args
                .opt_integer(2, 0)
                .and_then(|offset| unpack_full(&args, 1, offset)))
        })?,
    )?;
    t.raw_set(
        "unpack_limit",
        host_function(lua, |lua, args| {
            let args = Args::new(lua, args, "unpack_limit");
            let run = || {
                let limit = args.check_integer(2)?;
                let offset = args.opt_integer(3, 0)?;
                unpack_full(&args, limit, offset)
            };
            Ok(run())
        })?,
    )?;
    t.raw_set("_NAME", "cmsgpack")?;
    t.raw_set("_VERSION", "lua-cmsgpack 0.4.0")?;
    t.raw_set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo")?;
    t.raw_set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(t)
}

fn lua_err(e: mlua::Error) -> LuaFailure {
    LuaFailure::Positioned(e.to_string())
}

// ----- packing -----

fn pack(args: &Args) -> Outcome {
    if args.is_empty() {
        return args.arg_error(0, "MessagePack pack needs input.");
    }
    let mut out = Vec::new();
    for v in &args.values {
        encode_value(&mut out, v, 0)?;
    }
    let s = args.lua.create_string(&out).map_err(lua_err)?;
    Ok(MultiValue::from_iter([Value::String(s)]))
}

fn encode_value(out: &mut Vec<u8>, v: &Value, level: usize) -> Result<(), LuaFailure> {
    match v {
        Value::String(s) => encode_bytes(out, &s.as_bytes()),
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(_) | Value::Number(_) => {
            let n = as_double(v).unwrap_or(0.0);
            if !n.is_infinite() && c_double_to_i64(n) as f64 == n {
                encode_int(out, c_double_to_i64(n));
            } else {
                encode_double(out, n);
            }
        }
        Value::Table(t) if level < MAX_NESTING => encode_table(out, t, level)?,
        _ => out.push(0xc0),
    }
    Ok(())
}

fn encode_bytes(out: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 32 {
        out.push(0xa0 | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(s);
}

fn encode_double(out: &mut Vec<u8>, d: f64) {
    let f = d as f32;
    if f64::from(f) == d {
        out.push(0xca);
        out.extend_from_slice(&f.to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&d.to_be_bytes());
    }
}

fn encode_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_container_header(out: &mut Vec<u8>, n: usize, fix: u8, wide16: u8, wide32: u8) {
    if n <= 15 {
        out.push(fix | n as u8);
    } else if n <= 0xffff {
        out.push(wide16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(wide32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

fn encode_table(out: &mut Vec<u8>, t: &Table, level: usize) -> Result<(), LuaFailure> {
    let pairs: Vec<(Value, Value)> = t
        .clone()
        .pairs::<Value, Value>()
        .collect::<mlua::Result<_>>()
        .map_err(lua_err)?;
    if is_array(&pairs) {
        let len = t.raw_len();
        encode_container_header(out, len, 0x90, 0xdc, 0xdd);
        for i in 1..=len {
            let v: Value = t.get(i).map_err(lua_err)?;
            encode_value(out, &v, level + 1)?;
        }
    } else {
        encode_container_header(out, pairs.len(), 0x80, 0xde, 0xdf);
        for (k, v) in &pairs {
            encode_value(out, k, level + 1)?;
            encode_value(out, v, level + 1)?;
        }
    }
    Ok(())
}

/// Whether the keys are exactly 1..n (n = the number of keys); each must fit a C int.
fn is_array(pairs: &[(Value, Value)]) -> bool {
    let mut max = 0i64;
    for (k, _) in pairs {
        let Some(n) = as_double(k) else {
            return false;
        };
        if n <= 0.0 || !(n.is_finite() && n == (n as i32) as f64) {
            return false;
        }
        max = max.max(n as i64);
    }
    max == pairs.len() as i64
}

// ----- unpacking -----

enum DecodeError {
    MissingBytes,
    BadFormat,
    Lua(LuaFailure),
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        if self.left() < n {
            return Err(DecodeError::MissingBytes);
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        let bytes = self.take(n)?;
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }
}

/// One item read from the stream: a finished value or the header of a container.
enum Item {
    Value(Value),
    Array(usize),
    Map(usize),
}

fn read_item(lua: &Lua, c: &mut Cursor) -> Result<Item, DecodeError> {
    let lua_fail = |e: mlua::Error| DecodeError::Lua(lua_err(e));
    let first = *c.data.get(c.pos).ok_or(DecodeError::MissingBytes)?;
    // Every case needs its whole header before it consumes anything.
    let header = |c: &mut Cursor, n: usize| -> Result<u64, DecodeError> {
        if c.left() < 1 + n {
            return Err(DecodeError::MissingBytes);
        }
        c.pos += 1;
        c.be(n)
    };
    let string = |c: &mut Cursor, len: usize| -> Result<Item, DecodeError> {
        let bytes = c.take(len)?;
        let s = lua.create_string(bytes).map_err(lua_fail)?;
        Ok(Item::Value(Value::String(s)))
    };
    let value = |v: Value| Ok(Item::Value(v));
    match first {
        0xcc => value(lua_integer(header(c, 1)? as i64)),
        0xd0 => value(lua_integer(i64::from(header(c, 1)? as u8 as i8))),
        0xcd => value(lua_integer(header(c, 2)? as i64)),
        0xd1 => value(lua_integer(i64::from(header(c, 2)? as u16 as i16))),
        0xce => value(lua_integer(header(c, 4)? as i64)),
        0xd2 => value(lua_integer(i64::from(header(c, 4)? as u32 as i32))),
        0xcf | 0xd3 => value(lua_integer(header(c, 8)? as i64)),
        0xc0 => {
            c.pos += 1;
            value(Value::Nil)
        }
        0xc3 | 0xc2 => {
            c.pos += 1;
            value(Value::Boolean(first == 0xc3))
        }
        0xca => value(lua_number(f64::from(f32::from_bits(header(c, 4)? as u32)))),
        0xcb => value(lua_number(f64::from_bits(header(c, 8)?))),
        0xd9 => {
            let len = header(c, 1)? as usize;
            string(c, len)
        }
        0xda => {
            let len = header(c, 2)? as usize;
            string(c, len)
        }
        0xdb => {
            let len = header(c, 4)? as usize;
            string(c, len)
        }
        0xdc => Ok(Item::Array(header(c, 2)? as usize)),
        0xdd => Ok(Item::Array(header(c, 4)? as usize)),
        0xde => Ok(Item::Map(header(c, 2)? as usize)),
        0xdf => Ok(Item::Map(header(c, 4)? as usize)),
        _ if first & 0x80 == 0 => {
            c.pos += 1;
            value(lua_integer(i64::from(first)))
        }
        _ if first & 0xe0 == 0xe0 => {
            c.pos += 1;
            value(lua_integer(i64::from(first as i8)))
        }
        _ if first & 0xe0 == 0xa0 => {
            let len = usize::from(first & 0x1f);
            if c.left() < 1 + len {
                return Err(DecodeError::MissingBytes);
            }
            c.pos += 1;
            string(c, len)
        }
        _ if first & 0xf0 == 0x90 => {
            c.pos += 1;
            Ok(Item::Array(usize::from(first & 0x0f)))
        }
        _ if first & 0xf0 == 0x80 => {
            c.pos += 1;
            Ok(Item::Map(usize::from(first & 0x0f)))
        }
        _ => Err(DecodeError::BadFormat),
    }
}

/// A container being filled.
enum Open {
    Array {
        table: Table,
        len: usize,
        index: usize,
    },
    Map {
        table: Table,
        left: usize,
        key: Option<Value>,
    },
}

/// Decodes one object, with an explicit stack of open containers (nesting depth is bounded
/// only by the input, not by the machine stack).
fn decode_value(lua: &Lua, c: &mut Cursor) -> Result<Value, DecodeError> {
    let lua_fail = |e: mlua::Error| DecodeError::Lua(lua_err(e));
    let mut stack: Vec<Open> = Vec::new();
    loop {
        let mut value = match read_item(lua, c)? {
            Item::Value(v) => v,
            Item::Array(len) => {
                let table = lua.create_table().map_err(lua_fail)?;
                if len > 0 {
                    stack.push(Open::Array {
                        table,
                        len,
                        index: 1,
                    });
                    continue;
                }
                Value::Table(table)
            }
            Item::Map(left) => {
                let table = lua.create_table().map_err(lua_fail)?;
                if left > 0 {
                    stack.push(Open::Map {
                        table,
                        left,
                        key: None,
                    });
                    continue;
                }
                Value::Table(table)
            }
        };
        loop {
            let Some(open) = stack.last_mut() else {
                return Ok(value);
            };
            let complete = match open {
                Open::Array { table, len, index } => {
                    table.raw_set(*index, value).map_err(lua_fail)?;
                    *index += 1;
                    *index > *len
                }
                Open::Map { table, left, key } => match key.take() {
                    None => {
                        *key = Some(value);
                        false
                    }
                    Some(k) => {
                        let bad_key = match &k {
                            Value::Nil => Some("table index is nil"),
                            Value::Number(n) if n.is_nan() => Some("table index is NaN"),
                            _ => None,
                        };
                        if let Some(msg) = bad_key {
                            let msg = lua.create_string(msg).map_err(lua_fail)?;
                            return Err(DecodeError::Lua(LuaFailure::Raw(Value::String(msg))));
                        }
                        table.raw_set(k, value).map_err(lua_fail)?;
                        *left -= 1;
                        *left == 0
                    }
                },
            };
            if !complete {
                break;
            }
            value = match stack.pop() {
                Some(Open::Array { table, .. } | Open::Map { table, .. }) => Value::Table(table),
                None => Value::Nil,
            };
        }
    }
}

fn unpack_full(args: &Args, limit: i64, offset: i64) -> Outcome {
    let data = args.check_bytes(1)?;
    let len = data.len();
    let decode_all = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        return fail(format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset as i32, len as i32
        ));
    } else if offset as u64 > len as u64 {
        return fail(format!(
            "Start offset {} greater than input length {}.",
            offset as i32, len as i32
        ));
    }
    let limit = if decode_all {
        i64::from(i32::MAX)
    } else {
        limit
    };
    let mut cursor = Cursor {
        data: &data,
        pos: offset as usize,
    };
    let mut results = Vec::new();
    let mut count = 0i64;
    while cursor.left() > 0 && count < limit {
        match decode_value(args.lua, &mut cursor) {
            Ok(v) => results.push(v),
            Err(DecodeError::MissingBytes) => return fail("Missing bytes in input."),
            Err(DecodeError::BadFormat) => return fail("Bad data format in input."),
            Err(DecodeError::Lua(e)) => return Err(e),
        }
        count += 1;
    }
    if !decode_all {
        let next = if cursor.left() == 0 {
            -1
        } else {
            cursor.pos as i64
        };
        results.insert(0, lua_integer(next));
    }
    Ok(MultiValue::from_iter(results))
}
