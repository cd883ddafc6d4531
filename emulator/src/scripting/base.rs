//! Base functions whose Lua 5.1 behaviour differs from 5.4's in ways scripts see: `error`
//! positions numbers as well as strings, and `assert` requires a string message.

use mlua::{Lua, MultiValue, Table, Value};

use super::libs::{host_function, value_to_bytes, Args, LuaFailure, Outcome};

/// Adds `error` and `assert` to a table of host functions for the prelude.
pub fn add_base_functions(lua: &Lua, host: &Table) -> mlua::Result<()> {
    host.raw_set(
        "error",
        host_function(lua, |lua, args| Ok(error(lua, args)))?,
    )?;
    host.raw_set(
        "assert",
        host_function(lua, |lua, args| Ok(assert(lua, args)))?,
    )?;
    Ok(())
}

fn error(lua: &Lua, args: MultiValue) -> Outcome {
    let args = Args::new(lua, args, "error");
    let level = if args.is_none_or_nil(2) {
        1
    } else {
        i64::from(args.check_int(2)?)
    };
    let value = args.get(1).cloned().unwrap_or(Value::Nil);
    let text = match &value {
        Value::String(_) | Value::Integer(_) | Value::Number(_) if level > 0 => {
            value_to_bytes(&value)
        }
        _ => None,
    };
    match text {
        Some(text) => {
            let s = lua
                .create_string(text)
                .map_err(|e| LuaFailure::Positioned(e.to_string()))?;
            Err(LuaFailure::Leveled(Value::String(s), level))
        }
        None => Err(LuaFailure::Raw(value)),
    }
}

fn assert(lua: &Lua, args: MultiValue) -> Outcome {
    let args = Args::new(lua, args, "assert");
    let Some(first) = args.get(1) else {
        return args.arg_error(1, "value expected");
    };
    if !matches!(first, Value::Nil | Value::Boolean(false)) {
        return Ok(MultiValue::from_iter(args.values.iter().cloned()));
    }
    if args.is_none_or_nil(2) {
        return Err(LuaFailure::Positioned("assertion failed!".into()));
    }
    let message = args.check_bytes(2)?;
    Err(LuaFailure::Positioned(
        String::from_utf8_lossy(&message).into_owned(),
    ))
}
