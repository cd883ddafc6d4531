//! Conversions between command replies and Lua values, as Redis documents them.
//!
//! Redis → Lua (what `redis.call` returns), RESP2: integer → number, bulk → string, null bulk and
//! null array → false, array → table, status → `{ok=...}`, error → `{err=...}`. After
//! `redis.setresp(3)`: null → nil, map → `{map={...}}`, set → `{set={k=true,...}}`, double →
//! `{double=n}`, boolean → boolean, big number → `{big_number=s}`, verbatim →
//! `{verbatim_string={format=, string=}}`. In RESP2, replies are first downgraded the way the
//! RESP2 encoder does it (maps flatten, doubles become bulk strings, booleans integers).
//!
//! Lua → Redis (what a script returns): string → bulk, number → integer (truncated), true → 1
//! (RESP3: boolean), false → null (RESP3: boolean), table → `err`/`ok`/`double`/`big_number`/
//! `verbatim_string`/`map`/`set` forms, otherwise an array up to the first nil; anything else →
//! null.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use mlua::{Lua, Table, Value};

use super::numbers::{as_double, c_double_to_i64, lua_integer, lua_number};
use crate::resp::{format_double, Reply};

/// Scripts returning deeper structures get an error element at this depth (Redis runs out of
/// Lua stack at a similar depth and answers the same way).
const MAX_REPLY_DEPTH: usize = 1000;

/// `luaPushErrorBuff`: turns `-CODE message` (or a bare message, code ERR) into `{err="CODE
/// message"}`.
pub fn error_table(lua: &Lua, text: &[u8]) -> mlua::Result<Table> {
    let (code, msg): (&[u8], &[u8]) = match text.strip_prefix(b"-") {
        Some(rest) => match rest.iter().position(|&b| b == b' ') {
            Some(space) => (&rest[..space], &rest[space + 1..]),
            None => (b"ERR", rest),
        },
        None => (b"ERR", text),
    };
    let msg = trim_crlf(msg);
    let mut full = Vec::with_capacity(code.len() + 1 + msg.len());
    full.extend_from_slice(code);
    full.push(b' ');
    full.extend_from_slice(msg);
    // The C code stores it with lua_pushstring, which stops at a NUL byte.
    if let Some(nul) = full.iter().position(|&b| b == 0) {
        full.truncate(nul);
    }
    let t = lua.create_table()?;
    t.raw_set("err", lua.create_string(&full)?)?;
    Ok(t)
}

/// An error table for an error that was already counted in the error statistics.
pub fn counted_error_table(lua: &Lua, text: &[u8]) -> mlua::Result<Table> {
    let t = error_table(lua, text)?;
    t.raw_set("ignore_error_stats_update", true)?;
    Ok(t)
}

fn trim_crlf(s: &[u8]) -> &[u8] {
    let is_crlf = |b: &u8| *b == b'\r' || *b == b'\n';
    let start = s.iter().position(|b| !is_crlf(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_crlf(b)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// Newlines inside a status or error line would break the protocol; Redis maps them to spaces.
fn spaces_for_newlines(s: &[u8]) -> String {
    String::from_utf8_lossy(s).replace(['\r', '\n'], " ")
}

/// A command's reply as the Lua value `redis.call` returns (errors become `{err=...}` tables).
pub fn reply_to_lua(lua: &Lua, reply: &Reply, resp3: bool) -> mlua::Result<Value> {
    Ok(match reply {
        Reply::Simple(s) => {
            let t = lua.create_table()?;
            t.raw_set("ok", lua.create_string(s)?)?;
            Value::Table(t)
        }
        Reply::Error(e) => {
            let mut text = Vec::with_capacity(e.len() + 1);
            text.push(b'-');
            text.extend_from_slice(e.as_bytes());
            Value::Table(counted_error_table(lua, &text)?)
        }
        Reply::Integer(n) => lua_integer(*n),
        Reply::Bulk(b) => Value::String(lua.create_string(b)?),
        Reply::Null | Reply::NullArray => {
            if resp3 {
                Value::Nil
            } else {
                Value::Boolean(false)
            }
        }
        Reply::Array(items) | Reply::Push(items) => sequence(lua, items, resp3)?,
        Reply::Set(items) if !resp3 => sequence(lua, items, resp3)?,
        Reply::Set(items) => {
            let set = lua.create_table()?;
            for item in items {
                let key = reply_to_lua(lua, item, resp3)?;
                if !matches!(key, Value::Nil) {
                    set.raw_set(key, true)?;
                }
            }
            wrap(lua, "set", Value::Table(set))?
        }
        Reply::Map(pairs) if !resp3 => {
            let t = lua.create_table_with_capacity(pairs.len() * 2, 0)?;
            let mut i = 1;
            for (k, v) in pairs {
                t.raw_set(i, reply_to_lua(lua, k, resp3)?)?;
                t.raw_set(i + 1, reply_to_lua(lua, v, resp3)?)?;
                i += 2;
            }
            Value::Table(t)
        }
        Reply::Map(pairs) => {
            let map = lua.create_table()?;
            for (k, v) in pairs {
                let key = reply_to_lua(lua, k, resp3)?;
                if !matches!(key, Value::Nil) {
                    map.raw_set(key, reply_to_lua(lua, v, resp3)?)?;
                }
            }
            wrap(lua, "map", Value::Table(map))?
        }
        Reply::Double(d) if !resp3 => Value::String(lua.create_string(format_double(*d))?),
        Reply::Double(d) => wrap(lua, "double", lua_number(*d))?,
        Reply::DoubleText(text) if !resp3 => Value::String(lua.create_string(text)?),
        Reply::DoubleText(text) => wrap(lua, "double", lua_number(text.parse().unwrap_or(0.0)))?,
        Reply::Boolean(b) if !resp3 => Value::Integer(i64::from(*b)),
        Reply::Boolean(b) => Value::Boolean(*b),
        Reply::BigNumber(n) if !resp3 => Value::String(lua.create_string(n)?),
        Reply::BigNumber(n) => wrap(lua, "big_number", Value::String(lua.create_string(n)?))?,
        Reply::Verbatim(_, text) if !resp3 => Value::String(lua.create_string(text)?),
        Reply::Verbatim(format, text) => {
            let inner = lua.create_table()?;
            inner.raw_set("string", lua.create_string(text)?)?;
            inner.raw_set("format", lua.create_string(format)?)?;
            wrap(lua, "verbatim_string", Value::Table(inner))?
        }
    })
}

fn sequence(lua: &Lua, items: &[Reply], resp3: bool) -> mlua::Result<Value> {
    let t = lua.create_table_with_capacity(items.len(), 0)?;
    for (i, item) in items.iter().enumerate() {
        t.raw_set(i + 1, reply_to_lua(lua, item, resp3)?)?;
    }
    Ok(Value::Table(t))
}

fn wrap(lua: &Lua, field: &str, value: Value) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    t.raw_set(field, value)?;
    Ok(Value::Table(t))
}

/// What a script returns, as a reply. `resp3` is the script's protocol (`redis.setresp`).
///
/// Nested tables are converted with an explicit stack, so a deep (or self-referencing) table
/// cannot exhaust the machine stack; past `MAX_REPLY_DEPTH` levels an error element stands in,
/// as Redis does when it runs out of Lua stack.
pub fn lua_to_reply(value: &Value, resp3: bool) -> Reply {
    let mut stack: Vec<Frame> = Vec::new();
    let mut finished = open(value, resp3, &mut stack);
    loop {
        if let Some(reply) = finished.take() {
            match stack.last_mut() {
                None => return reply,
                Some(frame) => frame.accept(reply),
            }
        }
        let Some(frame) = stack.last_mut() else {
            return Reply::Null;
        };
        finished = match frame.next_value() {
            Some(v) if stack.len() >= MAX_REPLY_DEPTH => {
                drop(v);
                Some(Reply::Error("ERR reached lua stack limit".into()))
            }
            Some(v) => open(&v, resp3, &mut stack),
            None => stack.pop().map(Frame::into_reply),
        };
    }
}

/// A table whose elements are being converted.
enum Frame {
    Array {
        table: Table,
        next: i64,
        items: Vec<Reply>,
    },
    Map {
        /// Keys and values, flattened in iteration order.
        source: Vec<Value>,
        next: usize,
        pairs: Vec<(Reply, Reply)>,
        key: Option<Reply>,
    },
    Set {
        keys: Vec<Value>,
        next: usize,
        items: Vec<Reply>,
    },
}

impl Frame {
    fn next_value(&mut self) -> Option<Value> {
        match self {
            Frame::Array { table, next, .. } => {
                let v: Value = table.raw_get(*next).unwrap_or(Value::Nil);
                *next += 1;
                (!matches!(v, Value::Nil)).then_some(v)
            }
            Frame::Map { source, next, .. }
            | Frame::Set {
                keys: source, next, ..
            } => {
                let v = source.get(*next).cloned();
                *next += 1;
                v
            }
        }
    }

    fn accept(&mut self, reply: Reply) {
        match self {
            Frame::Array { items, .. } | Frame::Set { items, .. } => items.push(reply),
            Frame::Map { pairs, key, .. } => match key.take() {
                None => *key = Some(reply),
                Some(k) => pairs.push((k, reply)),
            },
        }
    }

    fn into_reply(self) -> Reply {
        match self {
            Frame::Array { items, .. } => Reply::Array(items),
            Frame::Map { pairs, .. } => Reply::Map(pairs),
            Frame::Set { items, .. } => Reply::Set(items),
        }
    }
}

/// Converts a value, or starts converting a table (pushing its frame; None is returned).
fn open(value: &Value, resp3: bool, stack: &mut Vec<Frame>) -> Option<Reply> {
    Some(match value {
        Value::String(s) => Reply::Bulk(s.as_bytes().to_vec()),
        Value::Boolean(b) if resp3 => Reply::Boolean(*b),
        Value::Boolean(true) => Reply::Integer(1),
        Value::Boolean(false) => Reply::Null,
        Value::Integer(_) | Value::Number(_) => {
            Reply::Integer(c_double_to_i64(as_double(value).unwrap_or(0.0)))
        }
        Value::Table(t) => return open_table(t, stack),
        _ => Reply::Null,
    })
}

fn raw_field(t: &Table, name: &str) -> Value {
    t.raw_get(name).unwrap_or(Value::Nil)
}

fn open_table(t: &Table, stack: &mut Vec<Frame>) -> Option<Reply> {
    if let Value::String(err) = raw_field(t, "err") {
        let bytes = err.as_bytes();
        let until_nul = bytes.split(|&b| b == 0).next().unwrap_or(&[]);
        let mut text = Vec::with_capacity(until_nul.len() + 1);
        text.push(b'-');
        text.extend_from_slice(until_nul);
        let trimmed = trim_crlf(&text);
        let line = spaces_for_newlines(trimmed);
        return Some(Reply::Error(
            line.strip_prefix('-').unwrap_or(&line).to_string(),
        ));
    }
    if let Value::String(ok) = raw_field(t, "ok") {
        let bytes = ok.as_bytes();
        let until_nul = bytes.split(|&b| b == 0).next().unwrap_or(&[]);
        return Some(Reply::Simple(spaces_for_newlines(until_nul)));
    }
    let double = raw_field(t, "double");
    if let Value::Integer(_) | Value::Number(_) = double {
        return Some(Reply::Double(as_double(&double).unwrap_or(0.0)));
    }
    if let Value::String(n) = raw_field(t, "big_number") {
        return Some(Reply::BigNumber(spaces_for_newlines(&n.as_bytes())));
    }
    if let Value::Table(v) = raw_field(t, "verbatim_string") {
        if let (Value::String(format), Value::String(text)) =
            (raw_field(&v, "format"), raw_field(&v, "string"))
        {
            return Some(Reply::Verbatim(
                verbatim_format(&format.as_bytes()),
                text.as_bytes().to_vec(),
            ));
        }
    }
    if let Value::Table(map) = raw_field(t, "map") {
        let mut source = Vec::new();
        for (k, v) in map.pairs::<Value, Value>().filter_map(Result::ok) {
            source.push(k);
            source.push(v);
        }
        stack.push(Frame::Map {
            source,
            next: 0,
            pairs: Vec::new(),
            key: None,
        });
        return None;
    }
    if let Value::Table(set) = raw_field(t, "set") {
        let keys = set
            .pairs::<Value, Value>()
            .filter_map(Result::ok)
            .map(|(k, _)| k)
            .collect();
        stack.push(Frame::Set {
            keys,
            next: 0,
            items: Vec::new(),
        });
        return None;
    }
    stack.push(Frame::Array {
        table: t.clone(),
        next: 1,
        items: Vec::new(),
    });
    None
}

/// A verbatim string's three-character format as the reply type needs it (a static string).
/// Common formats are built in; other ones are interned, up to a bound.
fn verbatim_format(bytes: &[u8]) -> &'static str {
    let mut three = [0u8; 3];
    for (slot, b) in three.iter_mut().zip(bytes.iter().take_while(|&&b| b != 0)) {
        *slot = *b;
    }
    match &three {
        b"txt" => return "txt",
        b"mkd" => return "mkd",
        _ => {}
    }
    static INTERNED: OnceLock<Mutex<HashMap<[u8; 3], &'static str>>> = OnceLock::new();
    const MAX_INTERNED: usize = 256;
    let Ok(mut table) = INTERNED.get_or_init(Default::default).lock() else {
        return "txt";
    };
    if let Some(s) = table.get(&three) {
        return s;
    }
    if table.len() >= MAX_INTERNED {
        return "txt";
    }
    let text = String::from_utf8_lossy(&three).into_owned();
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    table.insert(three, leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lua() -> Lua {
        Lua::new()
    }

    /// Converts a reply to Lua and back, as a script returning `redis.call(...)` would.
    fn round_trip(reply: Reply, resp3: bool) -> Reply {
        let lua = lua();
        let value = reply_to_lua(&lua, &reply, resp3).unwrap();
        lua_to_reply(&value, resp3)
    }

    #[test]
    fn resp2_downgrades_like_the_encoder() {
        let map = Reply::Map(vec![(Reply::bulk("f"), Reply::bulk("v"))]);
        assert_eq!(
            round_trip(map, false),
            Reply::Array(vec![Reply::bulk("f"), Reply::bulk("v")])
        );
        assert_eq!(round_trip(Reply::Double(1.5), false), Reply::bulk("1.5"));
        assert_eq!(round_trip(Reply::Boolean(true), false), Reply::Integer(1));
        assert_eq!(round_trip(Reply::NullArray, false), Reply::Null);
        assert_eq!(
            round_trip(Reply::BigNumber("12".into()), false),
            Reply::bulk("12")
        );
        assert_eq!(
            round_trip(Reply::Verbatim("txt", b"x".to_vec()), false),
            Reply::bulk("x")
        );
        assert_eq!(
            round_trip(Reply::Set(vec![Reply::bulk("a")]), false),
            Reply::Array(vec![Reply::bulk("a")])
        );
    }

    #[test]
    fn resp3_keeps_types() {
        let map = Reply::Map(vec![(Reply::bulk("f"), Reply::Integer(1))]);
        assert_eq!(round_trip(map.clone(), true), map);
        let set = Reply::Set(vec![Reply::bulk("a")]);
        assert_eq!(round_trip(set.clone(), true), set);
        assert_eq!(round_trip(Reply::Double(-2.5), true), Reply::Double(-2.5));
        assert_eq!(
            round_trip(Reply::Boolean(false), true),
            Reply::Boolean(false)
        );
        assert_eq!(
            round_trip(Reply::BigNumber("123".into()), true),
            Reply::BigNumber("123".into())
        );
        assert_eq!(
            round_trip(Reply::Verbatim("mkd", b"# x".to_vec()), true),
            Reply::Verbatim("mkd", b"# x".to_vec())
        );
        // RESP3's null is Lua's nil, which ends an array.
        assert_eq!(
            round_trip(
                Reply::Array(vec![Reply::Integer(1), Reply::Null, Reply::Integer(3)]),
                true
            ),
            Reply::Array(vec![Reply::Integer(1)])
        );
        assert_eq!(round_trip(Reply::Simple("OK".into()), true), Reply::ok());
    }

    #[test]
    fn error_tables_take_the_code_from_the_text() {
        let lua = lua();
        let text = |t: Table| t.raw_get::<String>("err").unwrap();
        assert_eq!(
            text(error_table(&lua, b"-WRONGTYPE Operation").unwrap()),
            "WRONGTYPE Operation"
        );
        assert_eq!(text(error_table(&lua, b"-NOSPACE").unwrap()), "ERR NOSPACE");
        assert_eq!(
            text(error_table(&lua, b"plain message").unwrap()),
            "ERR plain message"
        );
        assert_eq!(
            text(error_table(&lua, b"-ERR trailing\r\n").unwrap()),
            "ERR trailing"
        );
        assert_eq!(
            round_trip(Reply::Error("WRONGTYPE Operation".into()), false),
            Reply::Error("WRONGTYPE Operation".into())
        );
    }
}
