//! `cjson.encode`.

use mlua::{Table, Value};

use super::{Config, HARD_DEPTH_LIMIT};
use crate::scripting::libs::{fail, single, type_name, value_to_bytes, Args, LuaFailure, Outcome};
use crate::scripting::numbers::{as_double, c_double_to_i32};
use crate::util::format_g;

pub(super) fn encode(args: &Args, cfg: &Config) -> Outcome {
    if args.len() != 1 {
        return args.arg_error(1, "expected 1 argument");
    }
    let mut encoder = Encoder {
        cfg,
        out: Vec::new(),
    };
    let value = args.get(1).cloned().unwrap_or(Value::Nil);
    encoder.value(&value)?;
    let s = args
        .lua
        .create_string(&encoder.out)
        .map_err(|e| LuaFailure::Positioned(e.to_string()))?;
    single(args.lua, s)
}

struct Encoder<'a> {
    cfg: &'a Config,
    out: Vec<u8>,
}

fn cannot_serialise<T>(v: &Value, reason: &str) -> Result<T, LuaFailure> {
    fail(format!("Cannot serialise {}: {reason}", type_name(v)))
}

/// A table being encoded (an explicit stack instead of recursion keeps deep nesting off the
/// machine stack).
enum Frame {
    Array {
        table: Table,
        len: i32,
        next: i32,
    },
    Object {
        pairs: Vec<(Value, Value)>,
        next: usize,
    },
}

impl Encoder<'_> {
    fn value(&mut self, root: &Value) -> Result<(), LuaFailure> {
        let mut stack: Vec<Frame> = Vec::new();
        self.begin(root, &mut stack)?;
        while let Some(frame) = stack.last_mut() {
            let next = match frame {
                Frame::Array { table, len, next } => {
                    if *next > *len {
                        None
                    } else {
                        let i = *next;
                        *next += 1;
                        let v: Value = table
                            .raw_get(i)
                            .map_err(|e| LuaFailure::Positioned(e.to_string()))?;
                        Some((i > 1, None, v))
                    }
                }
                Frame::Object { pairs, next } => match pairs.get(*next) {
                    None => None,
                    Some((k, v)) => {
                        let first = *next == 0;
                        *next += 1;
                        Some((!first, Some(k.clone()), v.clone()))
                    }
                },
            };
            match next {
                None => {
                    let close = match stack.pop() {
                        Some(Frame::Array { .. }) => b']',
                        _ => b'}',
                    };
                    self.out.push(close);
                }
                Some((comma, key, value)) => {
                    if comma {
                        self.out.push(b',');
                    }
                    if let Some(k) = key {
                        self.key(&k)?;
                    }
                    self.begin(&value, &mut stack)?;
                }
            }
        }
        Ok(())
    }

    /// Writes a scalar, or opens a table (pushing its frame).
    fn begin(&mut self, v: &Value, stack: &mut Vec<Frame>) -> Result<(), LuaFailure> {
        match v {
            Value::String(s) => self.string(&s.as_bytes()),
            Value::Integer(_) | Value::Number(_) => self.number(v)?,
            Value::Boolean(true) => self.out.extend_from_slice(b"true"),
            Value::Boolean(false) => self.out.extend_from_slice(b"false"),
            Value::Nil => self.out.extend_from_slice(b"null"),
            Value::LightUserData(p) if p.0.is_null() => self.out.extend_from_slice(b"null"),
            Value::Table(t) => {
                let depth = stack.len() as i32 + 1;
                if depth > self.cfg.encode_max_depth || depth > HARD_DEPTH_LIMIT {
                    return fail(format!("Cannot serialise, excessive nesting ({depth})"));
                }
                match self.array_length(t, v)? {
                    Some(len) if len > 0 => {
                        self.out.push(b'[');
                        stack.push(Frame::Array {
                            table: t.clone(),
                            len,
                            next: 1,
                        });
                    }
                    _ => {
                        let pairs = t
                            .pairs::<Value, Value>()
                            .collect::<mlua::Result<Vec<_>>>()
                            .map_err(|e| LuaFailure::Positioned(e.to_string()))?;
                        self.out.push(b'{');
                        stack.push(Frame::Object { pairs, next: 0 });
                    }
                }
            }
            _ => return cannot_serialise(v, "type not supported"),
        }
        Ok(())
    }

    fn key(&mut self, k: &Value) -> Result<(), LuaFailure> {
        match k {
            Value::Integer(_) | Value::Number(_) => {
                self.out.push(b'"');
                self.number(k)?;
                self.out.extend_from_slice(b"\":");
            }
            Value::String(_) => {
                let bytes = value_to_bytes(k).unwrap_or_default();
                self.string(&bytes);
                self.out.push(b':');
            }
            _ => return cannot_serialise(k, "table key must be a number or string"),
        }
        Ok(())
    }

    fn string(&mut self, s: &[u8]) {
        self.out.reserve(s.len() + 2);
        self.out.push(b'"');
        for &c in s {
            match c {
                b'\x08' => self.out.extend_from_slice(b"\\b"),
                b'\t' => self.out.extend_from_slice(b"\\t"),
                b'\n' => self.out.extend_from_slice(b"\\n"),
                b'\x0c' => self.out.extend_from_slice(b"\\f"),
                b'\r' => self.out.extend_from_slice(b"\\r"),
                b'"' => self.out.extend_from_slice(b"\\\""),
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                b'/' => self.out.extend_from_slice(b"\\/"),
                0..=0x1f | 0x7f => {
                    self.out
                        .extend_from_slice(format!("\\u{:04x}", c).as_bytes());
                }
                _ => self.out.push(c),
            }
        }
        self.out.push(b'"');
    }

    fn number(&mut self, v: &Value) -> Result<(), LuaFailure> {
        let n = as_double(v).unwrap_or(0.0);
        match self.cfg.encode_invalid_numbers {
            0 if !n.is_finite() => return cannot_serialise(v, "must not be NaN or Inf"),
            1 if n.is_nan() => {
                self.out.extend_from_slice(b"nan");
                return Ok(());
            }
            2 if !n.is_finite() => {
                self.out.extend_from_slice(b"null");
                return Ok(());
            }
            _ => {}
        }
        let precision = usize::try_from(self.cfg.encode_number_precision).unwrap_or(14);
        self.out
            .extend_from_slice(format_g(n, precision.clamp(1, 14)).as_bytes());
        Ok(())
    }

    /// The array length if every key is an integer >= 1 (and the array is not too sparse);
    /// None for an object.
    fn array_length(&self, t: &Table, table_value: &Value) -> Result<Option<i32>, LuaFailure> {
        let mut max: i32 = 0;
        let mut items: i32 = 0;
        for pair in t.clone().pairs::<Value, Value>() {
            let (k, _) = pair.map_err(|e| LuaFailure::Positioned(e.to_string()))?;
            let key = match &k {
                Value::Integer(_) | Value::Number(_) => as_double(&k).unwrap_or(0.0),
                _ => return Ok(None),
            };
            if key == 0.0 || key.floor() != key || key < 1.0 {
                return Ok(None);
            }
            if key > f64::from(max) {
                max = c_double_to_i32(key);
            }
            items = items.wrapping_add(1);
        }
        let ratio = self.cfg.sparse_ratio;
        if ratio > 0 && max > items.wrapping_mul(ratio) && max > self.cfg.sparse_safe {
            if !self.cfg.sparse_convert {
                return cannot_serialise(table_value, "excessively sparse array");
            }
            return Ok(None);
        }
        Ok(Some(max))
    }
}
