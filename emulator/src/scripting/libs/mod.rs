//! The C libraries Redis links into its Lua (cjson, cmsgpack, bit, struct), written in Rust
//! against mlua, plus the argument checks of Lua's C API (`luaL_check*`) with their messages.
//!
//! A library function returns an [`Outcome`]: its results, or a [`LuaFailure`] that a small C
//! trampoline raises, so errors are plain Lua values carrying the caller's position exactly as
//! `luaL_error` produces them.

pub mod bit;
pub mod cjson;
pub mod cmsgpack;
pub mod structlib;

use std::os::raw::c_int;

use mlua::{ffi, Function, IntoLuaMulti, Lua, MultiValue, Value};

use super::numbers::{as_double, c_double_to_i32, c_double_to_i64, lua51_number_text};

/// An error raised by a library function.
#[derive(Debug)]
pub enum LuaFailure {
    /// `luaL_error`: the message is prefixed with the calling Lua code's position.
    Positioned(String),
    /// Raised as is, without position (tables, and errors C code raises with `lua_error`).
    Raw(Value),
    /// Lua's `error(value, level)`: a string gets the position `level` frames up.
    Leveled(Value, i64),
}

/// The result of a library function.
pub type Outcome = Result<MultiValue, LuaFailure>;

/// Shorthand for a positioned failure.
pub fn fail<T>(msg: impl Into<String>) -> Result<T, LuaFailure> {
    Err(LuaFailure::Positioned(msg.into()))
}

/// A Lua-callable function implemented in Rust whose failures are raised as Lua errors the way
/// C library functions raise them (see [`raise_trampoline`]).
pub fn host_function<F>(lua: &Lua, f: F) -> mlua::Result<Function>
where
    F: Fn(&Lua, MultiValue) -> mlua::Result<Outcome> + 'static,
{
    let inner = lua.create_function(move |lua, args: MultiValue| {
        let outcome = f(lua, args)?;
        encode_outcome(lua, outcome)
    })?;
    trampoline(lua, inner)
}

/// Wraps `inner` (a Rust or Lua function answering `true, results...` or `false, error,
/// level`) in [`raise_trampoline`].
pub fn trampoline(lua: &Lua, inner: Function) -> mlua::Result<Function> {
    // SAFETY: the closure only pushes a C closure capturing the function on the stack.
    unsafe {
        lua.exec_raw::<Function>(inner, |state| {
            ffi::lua_pushcclosure(state, raise_trampoline, 1);
        })
    }
}

/// The C function scripts call: it calls the implementation (its upvalue), returns its
/// results, or raises its failure. Being a C function, it keeps the caller's frame even when
/// called in tail position, so error positions and `script: ..., on @user_script:N` are right.
///
/// The implementation answers `true, results...` or `false, error, level`; with a level above
/// 0 a string error gets the position of the function that many frames up (1: the caller),
/// as `luaL_error` and `error` do.
unsafe extern "C-unwind" fn raise_trampoline(state: *mut ffi::lua_State) -> c_int {
    let nargs = ffi::lua_gettop(state);
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(1));
    ffi::lua_insert(state, 1);
    ffi::lua_call(state, nargs, ffi::LUA_MULTRET);
    let nresults = ffi::lua_gettop(state);
    if nresults == 0 {
        return 0;
    }
    if ffi::lua_toboolean(state, 1) != 0 {
        return nresults - 1;
    }
    let level = ffi::lua_tointeger(state, 3);
    ffi::lua_settop(state, 2);
    if level > 0 && ffi::lua_type(state, 2) == ffi::LUA_TSTRING {
        ffi::luaL_where(state, c_int::try_from(level).unwrap_or(c_int::MAX));
        ffi::lua_insert(state, 2);
        ffi::lua_concat(state, 2);
    }
    ffi::lua_error(state)
}

/// The values [`raise_trampoline`] expects for an outcome.
pub fn encode_outcome(lua: &Lua, outcome: Outcome) -> mlua::Result<MultiValue> {
    match outcome {
        Ok(mut values) => {
            values.push_front(Value::Boolean(true));
            Ok(values)
        }
        Err(LuaFailure::Positioned(msg)) => (false, lua.create_string(msg)?, 1).into_lua_multi(lua),
        Err(LuaFailure::Raw(value)) => (false, value, 0).into_lua_multi(lua),
        Err(LuaFailure::Leveled(value, level)) => (false, value, level).into_lua_multi(lua),
    }
}

/// One result.
pub fn single(lua: &Lua, v: impl mlua::IntoLua) -> Outcome {
    match v.into_lua(lua) {
        Ok(v) => Ok(MultiValue::from_iter([v])),
        Err(e) => Err(LuaFailure::Positioned(e.to_string())),
    }
}

/// Arguments of a library call, with `luaL_check*`-style accessors.
pub struct Args<'a> {
    pub lua: &'a Lua,
    pub values: Vec<Value>,
    /// The function's name as error messages show it (`band`, `encode`, ...).
    pub name: &'static str,
}

impl<'a> Args<'a> {
    pub fn new(lua: &'a Lua, values: MultiValue, name: &'static str) -> Args<'a> {
        Args {
            lua,
            values: values.into_iter().collect(),
            name,
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Argument `n` (1-based); `None` when absent ("no value").
    pub fn get(&self, n: usize) -> Option<&Value> {
        n.checked_sub(1).and_then(|i| self.values.get(i))
    }

    /// Whether argument `n` is absent or nil.
    pub fn is_none_or_nil(&self, n: usize) -> bool {
        matches!(self.get(n), None | Some(Value::Nil))
    }

    /// `luaL_argerror`: "bad argument #n to 'name' (msg)".
    pub fn arg_error<T>(&self, n: usize, msg: &str) -> Result<T, LuaFailure> {
        fail(format!("bad argument #{n} to '{}' ({msg})", self.name))
    }

    /// `luaL_typerror`: "bad argument #n to 'name' (expected expected, got type)".
    pub fn type_error<T>(&self, n: usize, expected: &str) -> Result<T, LuaFailure> {
        let got = match self.get(n) {
            None => "no value",
            Some(v) => type_name(v),
        };
        self.arg_error(n, &format!("{expected} expected, got {got}"))
    }

    /// `lua_tonumber`: numbers and numeric strings.
    pub fn to_number(&self, n: usize) -> Option<f64> {
        let v = self.get(n)?;
        if let Some(d) = as_double(v) {
            return Some(d);
        }
        match v {
            // Lua 5.4's string conversion (5.1's strtod also took "inf" and "nan").
            Value::String(_) => self.lua.coerce_number(v.clone()).ok().flatten(),
            _ => None,
        }
    }

    /// `luaL_checknumber`.
    pub fn check_number(&self, n: usize) -> Result<f64, LuaFailure> {
        match self.to_number(n) {
            Some(d) => Ok(d),
            None => self.type_error(n, "number"),
        }
    }

    /// `luaL_checkint` (a C cast of the number to int).
    pub fn check_int(&self, n: usize) -> Result<i32, LuaFailure> {
        self.check_number(n).map(c_double_to_i32)
    }

    /// `luaL_checkinteger` (a C cast of the number to a 64-bit integer).
    pub fn check_integer(&self, n: usize) -> Result<i64, LuaFailure> {
        self.check_number(n).map(c_double_to_i64)
    }

    /// `luaL_optinteger`.
    pub fn opt_integer(&self, n: usize, default: i64) -> Result<i64, LuaFailure> {
        if self.is_none_or_nil(n) {
            Ok(default)
        } else {
            self.check_integer(n)
        }
    }

    /// `lua_tolstring`: strings, and numbers formatted as Lua 5.1 does.
    pub fn to_bytes(&self, n: usize) -> Option<Vec<u8>> {
        value_to_bytes(self.get(n)?)
    }

    /// `luaL_checklstring`.
    pub fn check_bytes(&self, n: usize) -> Result<Vec<u8>, LuaFailure> {
        match self.to_bytes(n) {
            Some(b) => Ok(b),
            None => self.type_error(n, "string"),
        }
    }
}

/// `lua_tolstring` on one value.
pub fn value_to_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Integer(_) | Value::Number(_) => {
            as_double(v).map(|d| lua51_number_text(d).into_bytes())
        }
        _ => None,
    }
}

/// Lua's name for a value's type (`lua_typename`).
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}
