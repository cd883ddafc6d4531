//! Numbers as Redis's Lua 5.1 sees them.
//!
//! Redis's Lua has only doubles; Lua 5.4 has integers and floats. Numbers the engine hands to
//! scripts (command replies, decoded JSON or MessagePack, ...) are pushed so that printing them
//! gives what Lua 5.1 prints: integral values below 1e14 become integers (5.4 prints those like
//! 5.1's `%.14g`), everything else stays a float (whose `%.14g` text then has a `.` or an
//! exponent, so 5.4 adds no `.0`). Numbers going back to Redis go through a double, as in 5.1.

use mlua::Value;

use crate::util::format_g;

/// Below this magnitude an integral value prints the same as an integer and as `%.14g`.
const EXACT_PRINT_LIMIT: f64 = 1e14;

/// A Lua value for a number Redis's Lua would hold as a double.
pub fn lua_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < EXACT_PRINT_LIMIT && !(n == 0.0 && n.is_sign_negative()) {
        Value::Integer(n as i64)
    } else {
        Value::Number(n)
    }
}

/// A Lua value for an integer Redis's Lua would hold as a double.
pub fn lua_integer(n: i64) -> Value {
    lua_number(n as f64)
}

/// The double a Lua number stands for, as in 5.1 where every number is a double.
pub fn as_double(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

/// How Lua 5.1 turns a number into text (`tostring`, `..`, `lua_tolstring`): `%.14g`.
pub fn lua51_number_text(n: f64) -> String {
    format_g(n, 14)
}

/// C's conversion of a double to `long long` on x86-64: out-of-range values and NaN give
/// `i64::MIN` (Rust's `as` saturates instead).
pub fn c_double_to_i64(n: f64) -> i64 {
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
        // Also NaN, which no range contains.
        i64::MIN
    } else {
        n as i64
    }
}

/// C's conversion of a double to `int` on x86-64: out-of-range values and NaN give `i32::MIN`.
pub fn c_double_to_i32(n: f64) -> i32 {
    if !(-2_147_483_648.0..2_147_483_648.0).contains(&n.trunc()) {
        i32::MIN
    } else {
        n as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_lua51() {
        assert_eq!(lua51_number_text(5.0), "5");
        assert_eq!(lua51_number_text(0.1), "0.1");
        assert_eq!(lua51_number_text(1e15), "1e+15");
        assert_eq!(lua51_number_text(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(lua51_number_text(f64::INFINITY), "inf");
        assert_eq!(lua51_number_text(-0.0), "-0");
        assert!(matches!(lua_number(5.0), Value::Integer(5)));
        assert!(matches!(lua_number(1e14), Value::Number(_)));
        assert!(matches!(lua_number(-0.0), Value::Number(_)));
        assert!(matches!(lua_number(2.5), Value::Number(_)));
    }

    #[test]
    fn casts_follow_x86() {
        assert_eq!(c_double_to_i64(1e30), i64::MIN);
        assert_eq!(c_double_to_i64(-1e30), i64::MIN);
        assert_eq!(c_double_to_i64(f64::NAN), i64::MIN);
        assert_eq!(c_double_to_i64(3.99), 3);
        assert_eq!(c_double_to_i64(-3.99), -3);
        assert_eq!(c_double_to_i32(3e9), i32::MIN);
        assert_eq!(c_double_to_i32(-7.5), -7);
    }
}
