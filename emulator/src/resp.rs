//! Replies as a RESP3 tree, their exact RESP2 and RESP3 encodings, and a decoder.
//!
//! Commands build RESP3-shaped replies; the encoder downgrades them for RESP2 clients the way
//! Redis does (maps become flat arrays, doubles bulk strings, booleans 1/0, ...).

use std::fmt;

/// The protocol a client speaks, chosen with `HELLO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Resp2,
    Resp3,
}

impl Protocol {
    pub fn version(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// One reply value.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// `+OK`
    Simple(String),
    /// `-ERR ...`: the full text including its code (`ERR`, `WRONGTYPE`, ...).
    Error(String),
    Integer(i64),
    Bulk(Vec<u8>),
    /// The null bulk string: RESP2 `$-1`, RESP3 `_`.
    Null,
    /// The null array: RESP2 `*-1`, RESP3 `_`.
    NullArray,
    Array(Vec<Reply>),
    /// RESP3 map; RESP2 flat array of alternating keys and values.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 set; RESP2 array.
    Set(Vec<Reply>),
    /// RESP3 double; RESP2 bulk string (in Redis's `%.17g` form).
    Double(f64),
    /// A double Redis writes in another form than `%.17g` (geo coordinates use `%.17Lf`
    /// without trailing zeros): RESP3 double with this text; RESP2 bulk string.
    DoubleText(String),
    /// RESP3 boolean; RESP2 integer 1/0.
    Boolean(bool),
    /// RESP3 big number; RESP2 bulk string.
    BigNumber(String),
    /// RESP3 verbatim string with its three-letter format; RESP2 bulk string.
    Verbatim(&'static str, Vec<u8>),
    /// RESP3 push; RESP2 array.
    Push(Vec<Reply>),
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::Simple("OK".into())
    }

    pub fn simple(s: &str) -> Reply {
        Reply::Simple(s.to_string())
    }

    /// An error reply; `msg` starts with its code, e.g. `"ERR syntax error"`.
    pub fn error(msg: impl Into<String>) -> Reply {
        Reply::Error(msg.into())
    }

    pub fn bulk(b: impl AsRef<[u8]>) -> Reply {
        Reply::Bulk(b.as_ref().to_vec())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// Encodes the reply for a client speaking `proto`.
    pub fn encode(&self, proto: Protocol) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(proto, &mut out);
        out
    }

    pub fn encode_into(&self, proto: Protocol, out: &mut Vec<u8>) {
        let resp3 = proto == Protocol::Resp3;
        match self {
            Reply::Simple(s) => line(out, b'+', s.as_bytes()),
            Reply::Error(e) => line(out, b'-', e.as_bytes()),
            Reply::Integer(n) => number_line(out, b':', *n),
            Reply::Bulk(b) => bulk(out, b'$', b),
            Reply::Null if resp3 => out.extend_from_slice(b"_\r\n"),
            Reply::Null => out.extend_from_slice(b"$-1\r\n"),
            Reply::NullArray if resp3 => out.extend_from_slice(b"_\r\n"),
            Reply::NullArray => out.extend_from_slice(b"*-1\r\n"),
            Reply::Array(items) => aggregate(out, proto, b'*', items),
            Reply::Set(items) => aggregate(out, proto, if resp3 { b'~' } else { b'*' }, items),
            Reply::Push(items) => aggregate(out, proto, if resp3 { b'>' } else { b'*' }, items),
            Reply::Map(pairs) => {
                if resp3 {
                    length_line(out, b'%', pairs.len());
                } else {
                    length_line(out, b'*', 2 * pairs.len());
                }
                for (k, v) in pairs {
                    k.encode_into(proto, out);
                    v.encode_into(proto, out);
                }
            }
            Reply::Double(d) => {
                let text = format_double(*d);
                if resp3 {
                    line(out, b',', text.as_bytes());
                } else {
                    bulk(out, b'$', text.as_bytes());
                }
            }
            Reply::DoubleText(text) if resp3 => line(out, b',', text.as_bytes()),
            Reply::DoubleText(text) => bulk(out, b'$', text.as_bytes()),
            Reply::Boolean(b) if resp3 => {
                out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" })
            }
            Reply::Boolean(b) => line(out, b':', if *b { b"1" } else { b"0" }),
            Reply::BigNumber(n) if resp3 => line(out, b'(', n.as_bytes()),
            Reply::BigNumber(n) => bulk(out, b'$', n.as_bytes()),
            Reply::Verbatim(format, text) if resp3 => {
                let mut body = Vec::with_capacity(text.len() + 4);
                body.extend_from_slice(format.as_bytes());
                body.push(b':');
                body.extend_from_slice(text);
                bulk(out, b'=', &body);
            }
            Reply::Verbatim(_, text) => bulk(out, b'$', text),
        }
    }
}

fn line(out: &mut Vec<u8>, prefix: u8, body: &[u8]) {
    out.push(prefix);
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

fn bulk(out: &mut Vec<u8>, prefix: u8, body: &[u8]) {
    out.reserve(body.len() + 16);
    length_line(out, prefix, body.len());
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

fn aggregate(out: &mut Vec<u8>, proto: Protocol, prefix: u8, items: &[Reply]) {
    length_line(out, prefix, items.len());
    for item in items {
        item.encode_into(proto, out);
    }
}

/// A line holding a length.
fn length_line(out: &mut Vec<u8>, prefix: u8, len: usize) {
    let mut digits = [0u8; 20];
    line(out, prefix, decimal(len as u64, &mut digits));
}

/// A line holding a signed integer.
fn number_line(out: &mut Vec<u8>, prefix: u8, n: i64) {
    let mut digits = [0u8; 20];
    let magnitude = decimal(n.unsigned_abs(), &mut digits);
    out.push(prefix);
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(magnitude);
    out.extend_from_slice(b"\r\n");
}

/// `n` in decimal, written at the end of `buf` (20 bytes hold any u64).
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

/// Formats a double as Redis's RESP3 double / RESP2 bulk reply does (`%.17g`, `inf`, `-inf`).
pub fn format_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d.is_nan() {
        return "nan".into();
    }
    crate::util::format_g(d, 17)
}

/// A decoding failure: the input is not valid RESP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Decodes one reply from the front of `buf`. Returns the reply and the bytes it used, or
/// `Ok(None)` if `buf` does not yet hold a whole reply.
pub fn decode(buf: &[u8]) -> Result<Option<(Reply, usize)>, DecodeError> {
    let mut pos = 0;
    match decode_at(buf, &mut pos, 0)? {
        Some(r) => Ok(Some((r, pos))),
        None => Ok(None),
    }
}

const MAX_DEPTH: usize = 256;

fn read_line<'a>(buf: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let start = *pos;
    let end = buf[start..].windows(2).position(|w| w == b"\r\n")? + start;
    *pos = end + 2;
    Some(&buf[start..end])
}

fn parse_int(s: &[u8]) -> Result<i64, DecodeError> {
    std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| DecodeError(format!("invalid integer {:?}", String::from_utf8_lossy(s))))
}

fn decode_at(buf: &[u8], pos: &mut usize, depth: usize) -> Result<Option<Reply>, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(DecodeError("nesting too deep".into()));
    }
    if *pos >= buf.len() {
        return Ok(None);
    }
    let kind = buf[*pos];
    *pos += 1;
    let Some(body) = read_line(buf, pos) else {
        return Ok(None);
    };
    let text = || String::from_utf8_lossy(body).into_owned();
    Ok(Some(match kind {
        b'+' => Reply::Simple(text()),
        b'-' => Reply::Error(text()),
        b':' => Reply::Integer(parse_int(body)?),
        b'_' => Reply::Null,
        b'#' => Reply::Boolean(body == b"t"),
        b',' => {
            let value = match body {
                b"inf" => f64::INFINITY,
                b"-inf" => f64::NEG_INFINITY,
                _ => text()
                    .parse()
                    .map_err(|_| DecodeError(format!("invalid double {}", text())))?,
            };
            // Keep the text of doubles not written in the usual form (geo coordinates).
            if format_double(value) == text() {
                Reply::Double(value)
            } else {
                Reply::DoubleText(text())
            }
        }
        b'(' => Reply::BigNumber(text()),
        b'$' | b'=' => {
            let n = parse_int(body)?;
            if n < 0 {
                return Ok(Some(Reply::Null));
            }
            let n = n as usize;
            if buf.len() < *pos + n + 2 {
                return Ok(None);
            }
            let data = buf[*pos..*pos + n].to_vec();
            if &buf[*pos + n..*pos + n + 2] != b"\r\n" {
                return Err(DecodeError("bulk string not terminated by CRLF".into()));
            }
            *pos += n + 2;
            if kind == b'=' {
                if data.len() < 4 {
                    return Err(DecodeError("verbatim string too short".into()));
                }
                let format = match &data[..3] {
                    b"txt" => "txt",
                    b"mkd" => "mkd",
                    _ => "txt",
                };
                Reply::Verbatim(format, data[4..].to_vec())
            } else {
                Reply::Bulk(data)
            }
        }
        b'*' | b'~' | b'>' => {
            let n = parse_int(body)?;
            if n < 0 {
                return Ok(Some(Reply::NullArray));
            }
            let mut items = Vec::with_capacity((n as usize).min(1024));
            for _ in 0..n {
                match decode_at(buf, pos, depth + 1)? {
                    Some(r) => items.push(r),
                    None => return Ok(None),
                }
            }
            match kind {
                b'*' => Reply::Array(items),
                b'~' => Reply::Set(items),
                _ => Reply::Push(items),
            }
        }
        b'%' => {
            let n = parse_int(body)?;
            let mut pairs = Vec::with_capacity((n.max(0) as usize).min(1024));
            for _ in 0..n {
                let Some(k) = decode_at(buf, pos, depth + 1)? else {
                    return Ok(None);
                };
                let Some(v) = decode_at(buf, pos, depth + 1)? else {
                    return Ok(None);
                };
                pairs.push((k, v));
            }
            Reply::Map(pairs)
        }
        other => {
            return Err(DecodeError(format!(
                "unknown reply type byte {:?}",
                other as char
            )))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(r: &Reply) -> (String, String) {
        let s = |p| String::from_utf8(r.encode(p)).unwrap();
        (s(Protocol::Resp2), s(Protocol::Resp3))
    }

    #[test]
    fn downgrades_for_resp2() {
        let m = Reply::Map(vec![(Reply::bulk("a"), Reply::Double(1.5))]);
        assert_eq!(
            both(&m),
            (
                "*2\r\n$1\r\na\r\n$3\r\n1.5\r\n".into(),
                "%1\r\n$1\r\na\r\n,1.5\r\n".into()
            )
        );
        assert_eq!(
            both(&Reply::Boolean(true)),
            (":1\r\n".into(), "#t\r\n".into())
        );
        assert_eq!(both(&Reply::Null), ("$-1\r\n".into(), "_\r\n".into()));
        assert_eq!(both(&Reply::NullArray), ("*-1\r\n".into(), "_\r\n".into()));
        assert_eq!(
            both(&Reply::Verbatim("txt", b"hi".to_vec())),
            ("$2\r\nhi\r\n".into(), "=6\r\ntxt:hi\r\n".into())
        );
    }

    #[test]
    fn integers_and_lengths() {
        for n in [0, 7, -1, 10, -10, 12345, i64::MAX, i64::MIN] {
            assert_eq!(
                Reply::Integer(n).encode(Protocol::Resp2),
                format!(":{n}\r\n").into_bytes()
            );
        }
        let long = vec![b'x'; 1234];
        let mut expected = b"$1234\r\n".to_vec();
        expected.extend_from_slice(&long);
        expected.extend_from_slice(b"\r\n");
        assert_eq!(Reply::Bulk(long).encode(Protocol::Resp2), expected);
        assert_eq!(Reply::Array(vec![]).encode(Protocol::Resp3), b"*0\r\n");
    }

    #[test]
    fn decodes_what_it_encodes() {
        let r = Reply::Array(vec![
            Reply::Integer(-3),
            Reply::bulk(b"x\r\ny"),
            Reply::Map(vec![(
                Reply::simple("k"),
                Reply::Set(vec![Reply::Boolean(false)]),
            )]),
            Reply::Push(vec![Reply::Double(f64::INFINITY)]),
            Reply::Null,
        ]);
        let bytes = r.encode(Protocol::Resp3);
        let (back, used) = decode(&bytes).unwrap().unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(back, r);
        for cut in 0..bytes.len() {
            assert_eq!(
                decode(&bytes[..cut]).unwrap(),
                None,
                "prefix of {cut} bytes"
            );
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [&b"?x\r\n"[..], b":abc\r\n", b"$3\r\nabcde\r\n", b"%-x\r\n"] {
            assert!(decode(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
