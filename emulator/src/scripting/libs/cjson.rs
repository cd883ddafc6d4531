//! The `cjson` library (lua-cjson 2.1.0 as bundled with Redis): JSON encoding and decoding with
//! its configuration functions, error messages and quirks (`{}` encodes as an object, `/` is
//! escaped, numbers use `%.14g`, `null` decodes to the `cjson.null` light userdata, ...).

mod decode;
mod encode;

use std::cell::RefCell;
use std::rc::Rc;

use mlua::{LightUserData, Lua, MultiValue, Table, Value};

use super::{host_function, single, Args, LuaFailure, Outcome};

/// Nesting deeper than this fails even if the configured limit is higher: the C library hits
/// Lua's stack limit in the same way, and it keeps the recursion within a browser's stack.
pub(super) const HARD_DEPTH_LIMIT: i32 = 1000;

/// One `cjson` instance's settings (`cjson.new()` makes independent instances).
#[derive(Clone, Debug)]
pub(super) struct Config {
    pub sparse_convert: bool,
    pub sparse_ratio: i32,
    pub sparse_safe: i32,
    pub encode_max_depth: i32,
    pub decode_max_depth: i32,
    /// 0: refuse, 1: encode as `nan`/`inf`, 2: encode as `null`.
    pub encode_invalid_numbers: i32,
    pub decode_invalid_numbers: bool,
    pub encode_keep_buffer: bool,
    pub encode_number_precision: i32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sparse_convert: false,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            decode_max_depth: 1000,
            encode_invalid_numbers: 0,
            decode_invalid_numbers: true,
            encode_keep_buffer: true,
            encode_number_precision: 14,
        }
    }
}

type Shared = Rc<RefCell<Config>>;

/// A `cjson` function working on its instance's settings.
type CjsonFn = fn(&Args, &Shared) -> Outcome;

/// Builds a `cjson` module table with its own settings.
pub fn create(lua: &Lua) -> mlua::Result<Table> {
    let cfg: Shared = Rc::new(RefCell::new(Config::default()));
    let t = lua.create_table()?;
    let entries: [(&'static str, CjsonFn); 8] = [
        ("encode", |a, c| encode::encode(a, &c.borrow())),
        ("decode", |a, c| decode::decode(a, &c.borrow())),
        ("encode_sparse_array", encode_sparse_array),
        ("encode_max_depth", |a, c| {
            integer_setting(a, c, 1, i32::MAX, |c| &mut c.encode_max_depth)
        }),
        ("decode_max_depth", |a, c| {
            integer_setting(a, c, 1, i32::MAX, |c| &mut c.decode_max_depth)
        }),
        ("encode_number_precision", |a, c| {
            integer_setting(a, c, 1, 14, |c| &mut c.encode_number_precision)
        }),
        ("encode_keep_buffer", |a, c| {
            bool_setting(a, c, |c| &mut c.encode_keep_buffer)
        }),
        ("decode_invalid_numbers", |a, c| {
            bool_setting(a, c, |c| &mut c.decode_invalid_numbers)
        }),
    ];
    for (name, f) in entries {
        let cfg = cfg.clone();
        let wrapped = host_function(lua, move |lua, args: MultiValue| {
            Ok(f(&Args::new(lua, args, name), &cfg))
        })?;
        t.raw_set(name, wrapped)?;
    }
    let invalid_cfg = cfg.clone();
    t.raw_set(
        "encode_invalid_numbers",
        host_function(lua, move |lua, args| {
            Ok(encode_invalid_numbers(
                &Args::new(lua, args, "encode_invalid_numbers"),
                &invalid_cfg,
            ))
        })?,
    )?;
    t.raw_set(
        "new",
        host_function(lua, move |lua, _args| {
            let fresh = create(lua)?;
            Ok(single(lua, fresh))
        })?,
    )?;
    t.raw_set(
        "null",
        Value::LightUserData(LightUserData(std::ptr::null_mut())),
    )?;
    t.raw_set("_NAME", "cjson")?;
    t.raw_set("_VERSION", "2.1.0")?;
    Ok(t)
}

/// The configuration functions accept at most `max` arguments.
fn check_arg_count(args: &Args, max: usize) -> Result<(), LuaFailure> {
    if args.len() > max {
        return args.arg_error(max + 1, "found too many arguments");
    }
    Ok(())
}

/// Reads an integer option at `n` (if given) into `slot`; returns the current value.
fn read_integer_option(
    args: &Args,
    n: usize,
    slot: &mut i32,
    min: i32,
    max: i32,
) -> Result<Value, LuaFailure> {
    if !args.is_none_or_nil(n) {
        let value = args.check_integer(n)? as i32;
        if !(min <= value && value <= max) {
            return args.arg_error(1, &format!("expected integer between {min} and {max}"));
        }
        *slot = value;
    }
    Ok(Value::Integer(i64::from(*slot)))
}

/// Reads an on/off option at `n` (boolean or "on"/"off", plus "null" for invalid numbers).
fn read_enum_option(
    args: &Args,
    n: usize,
    slot: &mut i32,
    options: &[&str],
) -> Result<Value, LuaFailure> {
    match args.get(n) {
        None | Some(Value::Nil) => {}
        Some(Value::Boolean(b)) => *slot = i32::from(*b),
        Some(_) => {
            let name = args.check_bytes(n)?;
            match options.iter().position(|o| o.as_bytes() == name.as_slice()) {
                Some(i) => *slot = i as i32,
                None => {
                    let shown = String::from_utf8_lossy(&name).into_owned();
                    return args.arg_error(n, &format!("invalid option '{shown}'"));
                }
            }
        }
    }
    Ok(match *slot {
        0 => Value::Boolean(false),
        1 => Value::Boolean(true),
        other => {
            let name = options.get(other as usize).copied().unwrap_or("");
            Value::String(
                args.lua
                    .create_string(name)
                    .map_err(|e| LuaFailure::Positioned(e.to_string()))?,
            )
        }
    })
}

fn encode_sparse_array(args: &Args, cfg: &Shared) -> Outcome {
    check_arg_count(args, 3)?;
    let mut c = cfg.borrow_mut();
    let mut convert = i32::from(c.sparse_convert);
    let convert_value = read_enum_option(args, 1, &mut convert, &["off", "on"])?;
    c.sparse_convert = convert != 0;
    let ratio = read_integer_option(args, 2, &mut c.sparse_ratio, 0, i32::MAX)?;
    let safe = read_integer_option(args, 3, &mut c.sparse_safe, 0, i32::MAX)?;
    Ok(MultiValue::from_iter([convert_value, ratio, safe]))
}

fn integer_setting(
    args: &Args,
    cfg: &Shared,
    min: i32,
    max: i32,
    field: fn(&mut Config) -> &mut i32,
) -> Outcome {
    check_arg_count(args, 1)?;
    let mut c = cfg.borrow_mut();
    let v = read_integer_option(args, 1, field(&mut c), min, max)?;
    Ok(MultiValue::from_iter([v]))
}

fn bool_setting(args: &Args, cfg: &Shared, field: fn(&mut Config) -> &mut bool) -> Outcome {
    check_arg_count(args, 1)?;
    let mut c = cfg.borrow_mut();
    let slot = field(&mut c);
    let mut value = i32::from(*slot);
    let v = read_enum_option(args, 1, &mut value, &["off", "on"])?;
    *slot = value != 0;
    Ok(MultiValue::from_iter([v]))
}

fn encode_invalid_numbers(args: &Args, cfg: &Shared) -> Outcome {
    check_arg_count(args, 1)?;
    let mut c = cfg.borrow_mut();
    let v = read_enum_option(
        args,
        1,
        &mut c.encode_invalid_numbers,
        &["off", "on", "null"],
    )?;
    Ok(MultiValue::from_iter([v]))
}
