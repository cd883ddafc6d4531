//! `cjson.decode`: lua-cjson's tokenizer and recursive descent parser, including its error
//! messages ("Expected value but found invalid token at character 1", ...) and its acceptance
//! of strtod's number forms (hex, `inf`, `nan`, leading `+`) unless `decode_invalid_numbers`
//! is off. Like the C version, it reads the input as a C string: a NUL byte ends it.

use mlua::{LightUserData, Lua, LuaString, Table, Value};

use super::{Config, HARD_DEPTH_LIMIT};
use crate::scripting::libs::{fail, single, Args, LuaFailure, Outcome};
use crate::scripting::numbers::lua_number;

pub(super) fn decode(args: &Args, cfg: &Config) -> Outcome {
    if args.len() != 1 {
        return args.arg_error(1, "expected 1 argument");
    }
    let data = args.check_bytes(1)?;
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return fail("JSON parser does not support UTF-16 or UTF-32");
    }
    let mut parser = Parser {
        lua: args.lua,
        cfg,
        data: &data,
        pos: 0,
        depth: 0,
    };
    let token = parser.next_token();
    let value = parser.value(token)?;
    let end = parser.next_token();
    if !matches!(end.kind, Kind::End) {
        return parser.unexpected("the end", &end);
    }
    single(args.lua, value)
}

enum Kind {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str(Vec<u8>),
    Number(f64),
    Boolean(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Kind::ObjBegin => "T_OBJ_BEGIN",
            Kind::ObjEnd => "T_OBJ_END",
            Kind::ArrBegin => "T_ARR_BEGIN",
            Kind::ArrEnd => "T_ARR_END",
            Kind::Str(_) => "T_STRING",
            Kind::Number(_) => "T_NUMBER",
            Kind::Boolean(_) => "T_BOOLEAN",
            Kind::Null => "T_NULL",
            Kind::Colon => "T_COLON",
            Kind::Comma => "T_COMMA",
            Kind::End => "T_END",
            Kind::Error(what) => what,
        }
    }
}

struct Token {
    kind: Kind,
    /// 0-based position shown (plus one) in error messages.
    index: usize,
}

struct Parser<'a> {
    lua: &'a Lua,
    cfg: &'a Config,
    data: &'a [u8],
    pos: usize,
    depth: i32,
}

fn lua_err(e: mlua::Error) -> LuaFailure {
    LuaFailure::Positioned(e.to_string())
}

impl Parser<'_> {
    /// The byte at `i`, or the terminating NUL past the end.
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn starts_with(&self, word: &[u8]) -> bool {
        self.data
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word))
    }

    fn error_token(&self, what: &'static str) -> Token {
        Token {
            kind: Kind::Error(what),
            index: self.pos,
        }
    }

    fn next_token(&mut self) -> Token {
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        let index = self.pos;
        let ch = self.at(self.pos);
        let simple = match ch {
            b'{' => Some(Kind::ObjBegin),
            b'}' => Some(Kind::ObjEnd),
            b'[' => Some(Kind::ArrBegin),
            b']' => Some(Kind::ArrEnd),
            b',' => Some(Kind::Comma),
            b':' => Some(Kind::Colon),
            _ => None,
        };
        if let Some(kind) = simple {
            self.pos += 1;
            return Token { kind, index };
        }
        match ch {
            0 => Token {
                kind: Kind::End,
                index,
            },
            b'"' => self.string_token(),
            b'-' | b'0'..=b'9' => {
                if !self.cfg.decode_invalid_numbers && self.is_invalid_number() {
                    return self.error_token("invalid number");
                }
                self.number_token()
            }
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'+' => {
                if self.starts_with(b"true") {
                    self.pos += 4;
                    Token {
                        kind: Kind::Boolean(true),
                        index,
                    }
                } else if self.starts_with(b"false") {
                    self.pos += 5;
                    Token {
                        kind: Kind::Boolean(false),
                        index,
                    }
                } else if self.starts_with(b"null") {
                    self.pos += 4;
                    Token {
                        kind: Kind::Null,
                        index,
                    }
                } else if self.cfg.decode_invalid_numbers && self.is_invalid_number() {
                    self.number_token()
                } else {
                    self.error_token("invalid token")
                }
            }
            _ => self.error_token("invalid token"),
        }
    }

    /// Numbers strict JSON refuses but strtod accepts: a leading `+`, hex, leading zeros,
    /// `inf` and `nan`.
    fn is_invalid_number(&self) -> bool {
        let mut p = self.pos;
        match self.at(p) {
            b'+' => return true,
            b'-' => p += 1,
            _ => {}
        }
        let c = self.at(p);
        if c == b'0' {
            let next = self.at(p + 1);
            return (next | 0x20) == b'x' || next.is_ascii_digit();
        }
        if c <= b'9' {
            return false;
        }
        let rest = self.data.get(p..).unwrap_or(&[]);
        let starts_ci = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
        starts_ci(b"inf") || starts_ci(b"nan")
    }

    fn number_token(&mut self) -> Token {
        let index = self.pos;
        match strtod_prefix(&self.data[self.pos.min(self.data.len())..]) {
            Some((value, used)) => {
                self.pos += used;
                Token {
                    kind: Kind::Number(value),
                    index,
                }
            }
            None => self.error_token("invalid number"),
        }
    }

    fn string_token(&mut self) -> Token {
        let index = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let ch = self.at(self.pos);
            match ch {
                b'"' => break,
                0 => return self.error_token("unexpected end of string"),
                b'\\' => {
                    let escaped = match self.at(self.pos + 1) {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b't' => b'\t',
                        b'n' => b'\n',
                        b'f' => 0x0c,
                        b'r' => b'\r',
                        b'u' => {
                            if !self.unicode_escape(&mut out) {
                                return self.error_token("invalid unicode escape code");
                            }
                            continue;
                        }
                        _ => return self.error_token("invalid escape code"),
                    };
                    out.push(escaped);
                    self.pos += 2;
                }
                _ => {
                    out.push(ch);
                    self.pos += 1;
                }
            }
        }
        self.pos += 1;
        Token {
            kind: Kind::Str(out),
            index,
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for i in 0..4 {
            let d = char::from(self.at(at + i)).to_digit(16)?;
            v = (v << 4) | d;
        }
        Some(v)
    }

    /// `\uXXXX` (or a surrogate pair) at `pos`, appended as UTF-8.
    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> bool {
        let Some(mut code) = self.hex4(self.pos + 2) else {
            return false;
        };
        let mut escape_len = 6;
        if code & 0xF800 == 0xD800 {
            if code & 0x400 != 0 {
                return false;
            }
            if self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return false;
            }
            let Some(low) = self.hex4(self.pos + 8) else {
                return false;
            };
            if low & 0xFC00 != 0xDC00 {
                return false;
            }
            code = (((code & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            escape_len = 12;
        }
        push_utf8(out, code);
        self.pos += escape_len;
        true
    }

    fn unexpected<T>(&self, expected: &str, token: &Token) -> Result<T, LuaFailure> {
        fail(format!(
            "Expected {expected} but found {} at character {}",
            token.kind.name(),
            token.index + 1
        ))
    }

    fn descend(&mut self) -> Result<(), LuaFailure> {
        self.depth += 1;
        if self.depth <= self.cfg.decode_max_depth && self.depth <= HARD_DEPTH_LIMIT {
            return Ok(());
        }
        fail(format!(
            "Found too many nested data structures ({}) at character {}",
            self.depth, self.pos
        ))
    }

    /// Parses a whole value starting at `token`, with an explicit stack of open containers
    /// (deep nesting stays off the machine stack).
    fn value(&mut self, mut token: Token) -> Result<Value, LuaFailure> {
        let mut stack: Vec<Container> = Vec::new();
        loop {
            // `token` starts a value.
            let mut value = match &token.kind {
                Kind::Str(s) => Value::String(self.lua.create_string(s).map_err(lua_err)?),
                Kind::Number(n) => lua_number(*n),
                Kind::Boolean(b) => Value::Boolean(*b),
                Kind::Null => Value::LightUserData(LightUserData(std::ptr::null_mut())),
                Kind::ObjBegin => {
                    self.descend()?;
                    let table = self.lua.create_table().map_err(lua_err)?;
                    let first = self.next_token();
                    if matches!(first.kind, Kind::ObjEnd) {
                        self.depth -= 1;
                        Value::Table(table)
                    } else {
                        let key = self.object_key(first)?;
                        stack.push(Container::Object { table, key });
                        token = self.next_token();
                        continue;
                    }
                }
                Kind::ArrBegin => {
                    self.descend()?;
                    let table = self.lua.create_table().map_err(lua_err)?;
                    let first = self.next_token();
                    if matches!(first.kind, Kind::ArrEnd) {
                        self.depth -= 1;
                        Value::Table(table)
                    } else {
                        stack.push(Container::Array { table, index: 1 });
                        token = first;
                        continue;
                    }
                }
                _ => return self.unexpected("value", &token),
            };
            // Store the finished value in its container; close containers that end here.
            loop {
                let Some(container) = stack.last_mut() else {
                    return Ok(value);
                };
                let closed = match container {
                    Container::Array { table, index } => {
                        table.raw_set(*index, value).map_err(lua_err)?;
                        *index += 1;
                        let next = self.next_token();
                        match next.kind {
                            Kind::ArrEnd => true,
                            Kind::Comma => {
                                token = self.next_token();
                                false
                            }
                            _ => return self.unexpected("comma or array end", &next),
                        }
                    }
                    Container::Object { table, key } => {
                        table.raw_set(key.clone(), value).map_err(lua_err)?;
                        let next = self.next_token();
                        match next.kind {
                            Kind::ObjEnd => true,
                            Kind::Comma => {
                                let key_token = self.next_token();
                                *key = self.object_key(key_token)?;
                                token = self.next_token();
                                false
                            }
                            _ => return self.unexpected("comma or object end", &next),
                        }
                    }
                };
                if !closed {
                    break;
                }
                self.depth -= 1;
                value = match stack.pop() {
                    Some(Container::Array { table, .. } | Container::Object { table, .. }) => {
                        Value::Table(table)
                    }
                    None => Value::Nil,
                };
            }
        }
    }

    /// An object key and the colon after it.
    fn object_key(&mut self, token: Token) -> Result<LuaString, LuaFailure> {
        let Kind::Str(key) = &token.kind else {
            return self.unexpected("object key string", &token);
        };
        let key = self.lua.create_string(key).map_err(lua_err)?;
        let colon = self.next_token();
        if !matches!(colon.kind, Kind::Colon) {
            return self.unexpected("colon", &colon);
        }
        Ok(key)
    }
}

enum Container {
    Array { table: Table, index: i64 },
    Object { table: Table, key: LuaString },
}

fn push_utf8(out: &mut Vec<u8>, code: u32) {
    match code {
        0..=0x7F => out.push(code as u8),
        0x80..=0x7FF => {
            out.push(((code >> 6) | 0xC0) as u8);
            out.push(((code & 0x3F) | 0x80) as u8);
        }
        0x800..=0xFFFF => {
            out.push(((code >> 12) | 0xE0) as u8);
            out.push((((code >> 6) & 0x3F) | 0x80) as u8);
            out.push(((code & 0x3F) | 0x80) as u8);
        }
        _ => {
            out.push(((code >> 18) | 0xF0) as u8);
            out.push((((code >> 12) & 0x3F) | 0x80) as u8);
            out.push((((code >> 6) & 0x3F) | 0x80) as u8);
            out.push(((code & 0x3F) | 0x80) as u8);
        }
    }
}

/// C's `strtod` on the front of `s`: the value and the number of bytes it used, or None when
/// no number starts there. Accepts a sign, decimal and hexadecimal forms, `inf`, `infinity`
/// and `nan` (any case). A NUL byte ends the input.
pub(crate) fn strtod_prefix(s: &[u8]) -> Option<(f64, usize)> {
    let s = match s.iter().position(|&b| b == 0) {
        Some(nul) => &s[..nul],
        None => s,
    };
    let mut i = 0;
    let negative = match s.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let rest = &s[i..];
    let lower_starts = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
    let signed = |v: f64| if negative { -v } else { v };
    if lower_starts(b"infinity") {
        return Some((signed(f64::INFINITY), i + 8));
    }
    if lower_starts(b"inf") {
        return Some((signed(f64::INFINITY), i + 3));
    }
    if lower_starts(b"nan") {
        let mut used = i + 3;
        if s.get(used) == Some(&b'(') {
            let close = s[used + 1..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
            if let Some(off) = close {
                if s[used + 1 + off] == b')' {
                    used += off + 2;
                }
            }
        }
        return Some((signed(f64::NAN), used));
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        if let Some((v, used)) = hex_float(&rest[2..]) {
            return Some((signed(v), i + 2 + used));
        }
        // "0x" without hex digits is the number 0 followed by an 'x'.
        return Some((signed(0.0), i + 1));
    }
    let mut j = i;
    let digits_start = j;
    while s.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    let mut digits = j - digits_start;
    if s.get(j) == Some(&b'.') {
        let frac_start = j + 1;
        let mut k = frac_start;
        while s.get(k).is_some_and(u8::is_ascii_digit) {
            k += 1;
        }
        digits += k - frac_start;
        if digits > 0 {
            j = k;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(s.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(s.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let exp_start = k;
        while s.get(k).is_some_and(u8::is_ascii_digit) {
            k += 1;
        }
        if k > exp_start {
            j = k;
        }
    }
    let text = std::str::from_utf8(&s[i..j]).ok()?;
    let text = if text.starts_with('.') {
        format!("0{text}")
    } else {
        text.to_string()
    };
    let v: f64 = text.trim_end_matches('.').parse().ok()?;
    Some((signed(v), j))
}

/// The digits after `0x`: hex mantissa, optional fraction and binary exponent.
fn hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let mut value = 0f64;
    let mut j = 0;
    let mut digits = 0;
    while let Some(d) = s.get(j).and_then(|c| char::from(*c).to_digit(16)) {
        value = value * 16.0 + f64::from(d);
        j += 1;
        digits += 1;
    }
    let mut scale = 0i32;
    if s.get(j) == Some(&b'.') {
        let mut k = j + 1;
        let mut frac = 0;
        while let Some(d) = s.get(k).and_then(|c| char::from(*c).to_digit(16)) {
            value = value * 16.0 + f64::from(d);
            scale -= 4;
            k += 1;
            frac += 1;
        }
        if digits + frac > 0 {
            j = k;
            digits += frac;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(s.get(j), Some(b'p' | b'P')) {
        let mut k = j + 1;
        let neg = match s.get(k) {
            Some(b'-') => {
                k += 1;
                true
            }
            Some(b'+') => {
                k += 1;
                false
            }
            _ => false,
        };
        let start = k;
        let mut e: i32 = 0;
        while let Some(d) = s.get(k).filter(|c| c.is_ascii_digit()) {
            e = e.saturating_mul(10).saturating_add(i32::from(d - b'0'));
            k += 1;
        }
        if k > start {
            scale = scale.saturating_add(if neg { -e } else { e });
            j = k;
        }
    }
    Some((value * 2f64.powi(scale), j))
}

#[cfg(test)]
mod tests {
    use super::strtod_prefix;

    #[test]
    fn strtod_forms() {
        assert_eq!(strtod_prefix(b"12abc"), Some((12.0, 2)));
        assert_eq!(strtod_prefix(b"-5e3,"), Some((-5000.0, 4)));
        assert_eq!(strtod_prefix(b"1e"), Some((1.0, 1)));
        assert_eq!(strtod_prefix(b"0.3e-3]"), Some((0.0003, 6)));
        assert_eq!(strtod_prefix(b"0x10"), Some((16.0, 4)));
        assert_eq!(strtod_prefix(b"+1"), Some((1.0, 2)));
        assert_eq!(strtod_prefix(b"-"), None);
        assert_eq!(strtod_prefix(b"Infinity"), Some((f64::INFINITY, 8)));
        assert_eq!(strtod_prefix(b"1."), Some((1.0, 2)));
        assert!(strtod_prefix(b"nan").is_some_and(|(v, n)| v.is_nan() && n == 3));
    }
}
