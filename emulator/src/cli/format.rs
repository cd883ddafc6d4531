//! Prints replies as interactive redis-cli 7.0 does (its TTY output format).

use crate::resp::{decode, Protocol, Reply};

/// Quotes a bulk string the way redis-cli shows it (`sdscatrepr`): `"..."` with `\n \r \t \a \b
/// \\ \"` escapes and `\xHH` for other non-printable bytes.
pub fn quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Formats a reply as redis-cli prints it to a terminal for a client speaking `proto`
/// (what the client receives, so RESP2 sees maps as flat arrays). Ends with a newline.
pub fn format_reply(reply: &Reply, proto: Protocol) -> String {
    // Re-reading the encoded bytes gives exactly the shape the client sees on the wire.
    let wire = reply.encode(proto);
    let seen = match decode(&wire) {
        Ok(Some((r, _))) => r,
        _ => reply.clone(),
    };
    if let Some(line) = invalidation_line(&seen) {
        return line;
    }
    let mut out = String::new();
    format_into(&seen, "", &mut out);
    out
}

/// redis-cli's one-line form of a RESP3 `invalidate` push with a list of keys:
/// `-> invalidate: 'k1', 'k2'` (keys as they are, up to a NUL byte, as its `%s` prints them).
/// The null of a flush is printed as any other push.
fn invalidation_line(reply: &Reply) -> Option<String> {
    let Reply::Push(items) = reply else {
        return None;
    };
    let [Reply::Bulk(kind), Reply::Array(keys)] = items.as_slice() else {
        return None;
    };
    if !kind.starts_with(b"invalidate") {
        return None;
    }
    let keys: Vec<String> = keys
        .iter()
        .map(|key| match key {
            Reply::Bulk(bytes) => {
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                format!("'{}'", String::from_utf8_lossy(&bytes[..end]))
            }
            _ => String::new(),
        })
        .collect();
    Some(format!("-> invalidate: {}\n", keys.join(", ")))
}

/// Formats a reply as redis-cli prints the replies it shows raw even on a terminal (INFO,
/// CLIENT LIST, LOLWUT...): text as it is, no quotes, no type labels, no newline added.
pub fn format_reply_raw(reply: &Reply, proto: Protocol) -> String {
    let wire = reply.encode(proto);
    let seen = match decode(&wire) {
        Ok(Some((r, _))) => r,
        _ => reply.clone(),
    };
    let mut out = Vec::new();
    raw_into(&seen, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn raw_into(r: &Reply, out: &mut Vec<u8>) {
    match r {
        Reply::Null | Reply::NullArray => {}
        Reply::Error(e) => {
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        Reply::Simple(s) => out.extend_from_slice(s.as_bytes()),
        Reply::Bulk(b) | Reply::Verbatim(_, b) => out.extend_from_slice(b),
        Reply::Boolean(b) => out.extend_from_slice(if *b { b"(true)" } else { b"(false)" }),
        Reply::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Reply::Double(d) => out.extend_from_slice(crate::resp::format_double(*d).as_bytes()),
        Reply::DoubleText(text) => out.extend_from_slice(text.as_bytes()),
        Reply::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                raw_into(item, out);
            }
        }
        Reply::Map(pairs) => {
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                raw_into(k, out);
                out.push(b' ');
                raw_into(v, out);
            }
        }
    }
}

fn is_multiline(r: &Reply) -> bool {
    match r {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => match items.len() {
            0 => false,
            1 => is_multiline(&items[0]),
            _ => true,
        },
        Reply::Map(pairs) => match pairs.len() {
            0 => false,
            1 => is_multiline(&pairs[0].1),
            _ => true,
        },
        _ => false,
    }
}

fn format_into(r: &Reply, prefix: &str, out: &mut String) {
    match r {
        Reply::Error(e) => {
            out.push_str("(error) ");
            out.push_str(e);
            out.push('\n');
        }
        Reply::Simple(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Reply::Integer(n) => out.push_str(&format!("(integer) {n}\n")),
        Reply::Double(d) => out.push_str(&format!("(double) {}\n", crate::resp::format_double(*d))),
        Reply::DoubleText(text) => out.push_str(&format!("(double) {text}\n")),
        Reply::Bulk(b) => {
            out.push_str(&quote_bytes(b));
            out.push('\n');
        }
        Reply::Verbatim(_, text) => {
            out.push_str(&String::from_utf8_lossy(text));
            out.push('\n');
        }
        Reply::Null | Reply::NullArray => out.push_str("(nil)\n"),
        Reply::Boolean(b) => out.push_str(if *b { "(true)\n" } else { "(false)\n" }),
        Reply::BigNumber(n) => out.push_str(&format!("(big number) {n}\n")),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            let (empty, sep) = match r {
                Reply::Set(_) => ("(empty set)\n", '~'),
                Reply::Push(_) => ("(empty push)\n", ')'),
                _ => ("(empty array)\n", ')'),
            };
            if items.is_empty() {
                out.push_str(empty);
                return;
            }
            let width = items.len().to_string().len();
            let child_prefix = format!("{prefix}{}", " ".repeat(width + 2));
            for (i, item) in items.iter().enumerate() {
                let lead = if i == 0 { "" } else { prefix };
                out.push_str(&format!("{lead}{:>width$}{sep} ", i + 1));
                format_into(item, &child_prefix, out);
            }
        }
        Reply::Map(pairs) => {
            if pairs.is_empty() {
                out.push_str("(empty hash)\n");
                return;
            }
            let width = pairs.len().to_string().len();
            let child_prefix = format!("{prefix}{}", " ".repeat(width + 2));
            for (i, (k, v)) in pairs.iter().enumerate() {
                let lead = if i == 0 { "" } else { prefix };
                out.push_str(&format!("{lead}{:>width$}# ", i + 1));
                format_into(k, &child_prefix, out);
                out.pop();
                out.push_str(" => ");
                if is_multiline(v) {
                    out.push('\n');
                    out.push_str(&child_prefix);
                }
                format_into(v, &child_prefix, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tty(r: Reply, proto: Protocol) -> String {
        format_reply(&r, proto)
    }

    #[test]
    fn invalidation_pushes_print_on_one_line() {
        let push = |keys: Reply| Reply::Push(vec![Reply::bulk("invalidate"), keys]);
        let keys = Reply::Array(vec![Reply::bulk("user:1"), Reply::bulk("a b")]);
        assert_eq!(
            format_reply(&push(keys), Protocol::Resp3),
            "-> invalidate: 'user:1', 'a b'\n"
        );
        assert_eq!(
            format_reply(&push(Reply::Null), Protocol::Resp3),
            "1) \"invalidate\"\n2) (nil)\n"
        );
    }

    #[test]
    fn scalars() {
        assert_eq!(tty(Reply::ok(), Protocol::Resp2), "OK\n");
        assert_eq!(tty(Reply::Integer(-3), Protocol::Resp2), "(integer) -3\n");
        assert_eq!(tty(Reply::Null, Protocol::Resp2), "(nil)\n");
        assert_eq!(tty(Reply::bulk("a b"), Protocol::Resp2), "\"a b\"\n");
        assert_eq!(
            tty(Reply::bulk("\u{2746}\n"), Protocol::Resp2),
            "\"\\xe2\\x9d\\x86\\n\"\n"
        );
        assert_eq!(
            tty(Reply::error("ERR x"), Protocol::Resp2),
            "(error) ERR x\n"
        );
        assert_eq!(tty(Reply::Double(1.5), Protocol::Resp3), "(double) 1.5\n");
        assert_eq!(tty(Reply::Double(1.5), Protocol::Resp2), "\"1.5\"\n");
        assert_eq!(tty(Reply::Boolean(true), Protocol::Resp3), "(true)\n");
    }

    #[test]
    fn nested_arrays_pad_indexes_like_redis_cli() {
        let items: Vec<Reply> = (1..=10).map(|i| Reply::bulk(i.to_string())).collect();
        let out = tty(Reply::Array(items), Protocol::Resp2);
        assert!(out.starts_with(" 1) \"1\"\n 2) \"2\"\n"), "{out}");
        assert!(out.ends_with("10) \"10\"\n"), "{out}");
        let nested = Reply::Array(vec![
            Reply::Array(vec![Reply::bulk("a"), Reply::Integer(1)]),
            Reply::Array(vec![]),
        ]);
        assert_eq!(
            tty(nested, Protocol::Resp2),
            "1) 1) \"a\"\n   2) (integer) 1\n2) (empty array)\n"
        );
    }

    #[test]
    fn maps_in_resp3_and_resp2() {
        let m = Reply::Map(vec![
            (Reply::bulk("server"), Reply::bulk("redis")),
            (Reply::bulk("modules"), Reply::Array(vec![])),
        ]);
        assert_eq!(
            tty(m.clone(), Protocol::Resp3),
            "1# \"server\" => \"redis\"\n2# \"modules\" => (empty array)\n"
        );
        assert_eq!(
            tty(m, Protocol::Resp2),
            "1) \"server\"\n2) \"redis\"\n3) \"modules\"\n4) (empty array)\n"
        );
    }

    #[test]
    fn raw_replies_as_redis_cli_prints_them() {
        let raw = |r: Reply| format_reply_raw(&r, Protocol::Resp3);
        assert_eq!(raw(Reply::bulk("a\r\nb")), "a\r\nb");
        assert_eq!(raw(Reply::Null), "");
        assert_eq!(raw(Reply::Integer(7)), "7");
        assert_eq!(raw(Reply::error("ERR x")), "ERR x\n");
        assert_eq!(
            raw(Reply::Array(vec![Reply::bulk("a"), Reply::Integer(1)])),
            "a\n1"
        );
        assert_eq!(
            raw(Reply::Map(vec![(Reply::bulk("k"), Reply::bulk("v"))])),
            "k v"
        );
        assert_eq!(raw(Reply::Boolean(false)), "(false)");
        assert_eq!(
            format_reply_raw(&Reply::Double(2.5), Protocol::Resp2),
            "2.5"
        );
    }
}
