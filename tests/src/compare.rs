//! How two servers' replies to the same command are compared, and how they are shown.

use emulator::resp::{decode, Protocol, Reply};

/// How a command's replies are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Raw bytes must be equal.
    Exact,
    /// Reply types and aggregate lengths must be equal, at every depth; error replies must
    /// still be equal in full. For nondeterministic replies (INFO, TIME, CLIENT LIST).
    Shape,
    /// Every array, set and map, at any depth, is compared as a multiset of its elements
    /// (map entries as key/value pairs); everything else exactly.
    Unordered,
}

impl Mode {
    pub fn directive(self) -> &'static str {
        match self {
            Mode::Exact => "",
            Mode::Shape => "!shape ",
            Mode::Unordered => "!unordered ",
        }
    }
}

/// Whether two byte streams of replies agree under `mode`.
pub fn agree(mode: Mode, ours: &[u8], theirs: &[u8]) -> bool {
    if ours == theirs {
        return true;
    }
    if mode == Mode::Exact {
        return false;
    }
    let (Ok(ours), Ok(theirs)) = (decode_all(ours), decode_all(theirs)) else {
        return false;
    };
    match mode {
        Mode::Exact => false,
        Mode::Shape => {
            ours.len() == theirs.len()
                && ours.iter().zip(&theirs).all(|(a, b)| shape(a) == shape(b))
        }
        Mode::Unordered => {
            ours.len() == theirs.len()
                && ours
                    .iter()
                    .zip(&theirs)
                    .all(|(a, b)| canonical(a) == canonical(b))
        }
    }
}

/// Splits a byte stream into its replies.
pub fn decode_all(mut bytes: &[u8]) -> Result<Vec<Reply>, String> {
    let mut replies = Vec::new();
    while !bytes.is_empty() {
        match decode(bytes) {
            Ok(Some((reply, used))) => {
                replies.push(reply);
                bytes = &bytes[used..];
            }
            Ok(None) => return Err("truncated reply".into()),
            Err(e) => return Err(e.0),
        }
    }
    Ok(replies)
}

/// A reply's shape as text: its type, aggregate lengths and, recursively, its elements' shapes.
/// Errors keep their text.
pub fn shape(reply: &Reply) -> String {
    let mut out = String::new();
    shape_into(reply, &mut out);
    out
}

fn shape_into(reply: &Reply, out: &mut String) {
    let list = |name: &str, items: &[Reply], out: &mut String| {
        out.push_str(&format!("{name}{}[", items.len()));
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            shape_into(item, out);
        }
        out.push(']');
    };
    match reply {
        Reply::Simple(_) => out.push_str("simple"),
        Reply::Error(e) => out.push_str(&format!("error({e:?})")),
        Reply::Integer(_) => out.push_str("integer"),
        Reply::Bulk(_) => out.push_str("bulk"),
        Reply::Null => out.push_str("null"),
        Reply::NullArray => out.push_str("null-array"),
        Reply::Array(items) => list("array", items, out),
        Reply::Set(items) => list("set", items, out),
        Reply::Push(items) => list("push", items, out),
        Reply::Map(pairs) => {
            out.push_str(&format!("map{}{{", pairs.len()));
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                shape_into(k, out);
                out.push(':');
                shape_into(v, out);
            }
            out.push('}');
        }
        Reply::Double(_) | Reply::DoubleText(_) => out.push_str("double"),
        Reply::Boolean(_) => out.push_str("boolean"),
        Reply::BigNumber(_) => out.push_str("big-number"),
        Reply::Verbatim(..) => out.push_str("verbatim"),
    }
}

/// A reply with every aggregate's elements sorted, encoded: equal for replies that differ only
/// in element order.
pub fn canonical(reply: &Reply) -> Vec<u8> {
    sorted(reply).encode(Protocol::Resp3)
}

fn sorted(reply: &Reply) -> Reply {
    let sort_items = |items: &[Reply]| {
        let mut items: Vec<Reply> = items.iter().map(sorted).collect();
        items.sort_by_cached_key(|r| r.encode(Protocol::Resp3));
        items
    };
    match reply {
        Reply::Array(items) => Reply::Array(sort_items(items)),
        Reply::Set(items) => Reply::Set(sort_items(items)),
        Reply::Push(items) => Reply::Push(sort_items(items)),
        Reply::Map(pairs) => {
            let mut pairs: Vec<(Reply, Reply)> =
                pairs.iter().map(|(k, v)| (sorted(k), sorted(v))).collect();
            pairs.sort_by_cached_key(|(k, v)| {
                let mut key = k.encode(Protocol::Resp3);
                key.extend(v.encode(Protocol::Resp3));
                key
            });
            Reply::Map(pairs)
        }
        other => other.clone(),
    }
}

/// Bytes as a double-quoted string with `\r`, `\n`, `\t`, `\\`, `\"` and `\xHH` escapes, so
/// replies print on one line with every byte visible.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// An argument vector as a line of the script format (redis-cli quoting where needed).
pub fn command_line(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|arg| {
            let plain = !arg.is_empty()
                && arg
                    .iter()
                    .all(|&b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\'));
            if plain {
                String::from_utf8_lossy(arg).into_owned()
            } else {
                emulator::cli::quote_bytes(arg)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_ignores_values_but_not_errors() {
        assert!(agree(Mode::Shape, b":1\r\n", b":2\r\n"));
        assert!(!agree(Mode::Shape, b":1\r\n", b"$1\r\n1\r\n"));
        assert!(agree(
            Mode::Shape,
            b"*2\r\n$1\r\na\r\n$2\r\nbc\r\n",
            b"*2\r\n$3\r\nxyz\r\n$0\r\n\r\n"
        ));
        assert!(!agree(
            Mode::Shape,
            b"*1\r\n$1\r\na\r\n",
            b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
        ));
        assert!(!agree(Mode::Shape, b"-ERR a\r\n", b"-ERR b\r\n"));
    }

    #[test]
    fn unordered_sorts_every_aggregate() {
        assert!(agree(
            Mode::Unordered,
            b"*2\r\n$1\r\na\r\n$1\r\nb\r\n",
            b"*2\r\n$1\r\nb\r\n$1\r\na\r\n"
        ));
        assert!(!agree(
            Mode::Unordered,
            b"*2\r\n$1\r\na\r\n$1\r\na\r\n",
            b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
        ));
        assert!(agree(
            Mode::Unordered,
            b"%2\r\n$1\r\nx\r\n:1\r\n$1\r\ny\r\n:2\r\n",
            b"%2\r\n$1\r\ny\r\n:2\r\n$1\r\nx\r\n:1\r\n"
        ));
        assert!(!agree(
            Mode::Unordered,
            b"%2\r\n$1\r\nx\r\n:1\r\n$1\r\ny\r\n:2\r\n",
            b"%2\r\n$1\r\nx\r\n:2\r\n$1\r\ny\r\n:1\r\n"
        ));
        // Sets and arrays stay distinct types.
        assert!(!agree(Mode::Unordered, b"~1\r\n:1\r\n", b"*1\r\n:1\r\n"));
    }

    #[test]
    fn escapes_and_quotes() {
        assert_eq!(escape(b"+OK\r\n"), r#""+OK\r\n""#);
        assert_eq!(escape(b"\x00\xff\"\\"), r#""\x00\xff\"\\""#);
        let argv = vec![
            b"SET".to_vec(),
            b"a b".to_vec(),
            Vec::new(),
            b"\x01".to_vec(),
        ];
        let line = command_line(&argv);
        assert_eq!(line, r#"SET "a b" "" "\x01""#);
        assert_eq!(emulator::cli::split_args(line.as_bytes()).unwrap(), argv);
    }
}
