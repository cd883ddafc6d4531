//! Reading client requests the way redis-server 7.0 does: RESP multibulk (`*2\r\n$3\r\nGET...`)
//! or inline commands (`GET key\r\n`, telnet style), incrementally, with Redis's exact
//! protocol errors and limits.

use emulator::cli::split_args;
use emulator::util::parse_i64;

/// Longest inline command, or multibulk/bulk length line, accepted without a line ending.
const INLINE_MAX_SIZE: usize = 64 * 1024;
/// Redis's `proto-max-bulk-len` default.
const DEFAULT_MAX_BULK_LEN: i64 = 512 * 1024 * 1024;
/// Argument counts and bulk lengths above these need an authenticated client.
const UNAUTHENTICATED_MAX_ARGS: i64 = 10;
const UNAUTHENTICATED_MAX_BULK_LEN: i64 = 16 * 1024;
/// Upper bound on the argument vector reserved from a multibulk header.
const MAX_PREALLOCATED_ARGS: usize = 1024;
/// Argument buffers kept for reuse, and the largest one kept.
const SPARE_BUFFERS: usize = 64;
const SPARE_BUFFER_CAPACITY: usize = 4096;

/// What the bytes at hand amount to.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Command(Vec<Vec<u8>>),
    /// A request with no arguments (a blank inline line, `*0`): nothing to run.
    Nothing,
    /// More bytes are needed.
    Incomplete,
    /// A protocol error: the error reply's text (without `-` and CRLF). The connection must be
    /// closed once it is sent.
    Error(Vec<u8>),
}

/// Incremental request parser for one connection. Like Redis, it remembers how far it got in
/// a multibulk request, so a big request arriving in many reads is not parsed again each time.
#[derive(Debug)]
pub struct RequestParser {
    /// `proto-max-bulk-len`: longer bulk arguments are a protocol error.
    pub max_bulk_len: i64,
    /// Arguments still expected by the multibulk request being read (0: between requests).
    remaining: usize,
    /// Length of the bulk argument whose header was read, when its bytes are not all there.
    bulk_len: Option<usize>,
    args: Vec<Vec<u8>>,
    /// Emptied buffers of executed commands' arguments, reused for the next ones so that
    /// steady traffic parses without allocating.
    spare: Vec<Vec<u8>>,
    /// An emptied argument vector, for the next request.
    spare_args: Vec<Vec<u8>>,
}

/// Where a line starting at the front of `buf` ends, searching as C's `strchr` does: a NUL byte
/// ends the search, as if the buffer ended there.
fn find_line_end(buf: &[u8], terminator: u8) -> Option<usize> {
    let at = buf.iter().position(|&b| b == terminator || b == 0)?;
    (buf[at] == terminator).then_some(at)
}

/// The header line at the front of `rest` (`*3\r\n`, `$5\r\n`): where its `\r` is and the
/// number after its type byte, as `find_line_end` and `parse_i64` read them. The usual short
/// decimal is read in the same pass that finds the line's end.
fn header_line(rest: &[u8]) -> Option<(usize, Option<i64>)> {
    // Up to 18 digits cannot overflow; a leading zero or a sign takes the general path, and
    // so does a line whose type byte is itself a `\r` or a NUL (the line ends there).
    let line_goes_on = rest
        .first()
        .is_some_and(|&first| first != b'\r' && first != 0);
    if let (true, Some(b'1'..=b'9')) = (line_goes_on, rest.get(1)) {
        let mut n: i64 = 0;
        for (i, &b) in rest.iter().enumerate().skip(1).take(19) {
            match b {
                b'0'..=b'9' if i < 19 => n = n * 10 + i64::from(b - b'0'),
                b'\r' => return Some((i, Some(n))),
                _ => break,
            }
        }
    }
    let cr = find_line_end(rest, b'\r')?;
    Some((cr, rest.get(1..cr).and_then(parse_i64)))
}

impl Default for RequestParser {
    fn default() -> Self {
        RequestParser {
            max_bulk_len: DEFAULT_MAX_BULK_LEN,
            remaining: 0,
            bulk_len: None,
            args: Vec::new(),
            spare: Vec::new(),
            spare_args: Vec::new(),
        }
    }
}

fn error(text: &str) -> Parsed {
    Parsed::Error(text.as_bytes().to_vec())
}

impl RequestParser {
    /// Parses the next request from `buf[*pos..]`, moving `*pos` past what it consumed (which
    /// it keeps when the request is incomplete). `auth_required` applies Redis's tighter limits
    /// for clients that have not authenticated.
    pub fn parse(&mut self, buf: &[u8], pos: &mut usize, auth_required: bool) -> Parsed {
        if self.remaining == 0 {
            match buf.get(*pos) {
                None => return Parsed::Incomplete,
                Some(b'*') => {}
                Some(_) => {
                    let args = std::mem::take(&mut self.spare_args);
                    return parse_inline(buf, pos, &mut self.spare, args);
                }
            }
            match self.parse_multibulk_header(buf, pos, auth_required) {
                Ok(0) => return Parsed::Nothing,
                Ok(count) => {
                    self.remaining = count;
                    self.args = std::mem::take(&mut self.spare_args);
                    self.args.reserve(count.min(MAX_PREALLOCATED_ARGS));
                }
                Err(parsed) => return parsed,
            }
        }
        while self.remaining > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => match parse_bulk_header(buf, pos, auth_required, self.max_bulk_len) {
                    Ok(len) => {
                        self.bulk_len = Some(len);
                        len
                    }
                    Err(parsed) => {
                        if matches!(parsed, Parsed::Error(_)) {
                            self.remaining = 0;
                            self.bulk_len = None;
                            self.args = Vec::new();
                        }
                        return parsed;
                    }
                },
            };
            let rest = &buf[*pos..];
            // Redis skips the two bytes after the data without checking they are CRLF.
            if rest.len() < len + 2 {
                return Parsed::Incomplete;
            }
            let mut arg = self.spare.pop().unwrap_or_default();
            arg.extend_from_slice(&rest[..len]);
            self.args.push(arg);
            *pos += len + 2;
            self.bulk_len = None;
            self.remaining -= 1;
        }
        Parsed::Command(std::mem::take(&mut self.args))
    }

    /// Takes back an executed command's arguments, to reuse their buffers.
    pub fn recycle(&mut self, mut argv: Vec<Vec<u8>>) {
        for mut arg in argv.drain(..) {
            if self.spare.len() < SPARE_BUFFERS && arg.capacity() <= SPARE_BUFFER_CAPACITY {
                arg.clear();
                self.spare.push(arg);
            }
        }
        if argv.capacity() <= MAX_PREALLOCATED_ARGS {
            self.spare_args = argv;
        }
    }

    /// Reads `*<count>\r\n`; Ok(count), or the outcome to return.
    fn parse_multibulk_header(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        auth_required: bool,
    ) -> Result<usize, Parsed> {
        let rest = &buf[*pos..];
        let Some((cr, number)) = header_line(rest) else {
            return Err(if rest.len() > INLINE_MAX_SIZE {
                error("Protocol error: too big mbulk count string")
            } else {
                Parsed::Incomplete
            });
        };
        // The byte after `\r` must have arrived too (Redis does not check it is `\n`).
        if cr + 2 > rest.len() {
            return Err(Parsed::Incomplete);
        }
        let count = match number {
            Some(n) if n <= i64::from(i32::MAX) => n,
            _ => return Err(error("Protocol error: invalid multibulk length")),
        };
        if count > UNAUTHENTICATED_MAX_ARGS && auth_required {
            return Err(error("Protocol error: unauthenticated multibulk length"));
        }
        *pos += cr + 2;
        Ok(usize::try_from(count).unwrap_or(0))
    }
}

/// Reads `$<len>\r\n`; Ok(len), or the outcome to return.
fn parse_bulk_header(
    buf: &[u8],
    pos: &mut usize,
    auth_required: bool,
    max_bulk_len: i64,
) -> Result<usize, Parsed> {
    let rest = &buf[*pos..];
    let Some((cr, number)) = header_line(rest) else {
        return Err(if rest.len() > INLINE_MAX_SIZE {
            error("Protocol error: too big bulk count string")
        } else {
            Parsed::Incomplete
        });
    };
    if cr + 2 > rest.len() {
        return Err(Parsed::Incomplete);
    }
    let first = rest[0];
    if first != b'$' {
        // Error replies cannot hold line breaks: Redis turns them into spaces.
        let shown = if matches!(first, b'\r' | b'\n') {
            b' '
        } else {
            first
        };
        let mut text = b"Protocol error: expected '$', got '".to_vec();
        text.push(shown);
        text.push(b'\'');
        return Err(Parsed::Error(text));
    }
    let len = match number {
        Some(n) if (0..=max_bulk_len).contains(&n) => n,
        _ => return Err(error("Protocol error: invalid bulk length")),
    };
    if len > UNAUTHENTICATED_MAX_BULK_LEN && auth_required {
        return Err(error("Protocol error: unauthenticated bulk length"));
    }
    *pos += cr + 2;
    Ok(usize::try_from(len).unwrap_or(0))
}

/// An inline request: one line, split like redis-cli splits what is typed.
fn parse_inline(
    buf: &[u8],
    pos: &mut usize,
    spare: &mut Vec<Vec<u8>>,
    args: Vec<Vec<u8>>,
) -> Parsed {
    let rest = &buf[*pos..];
    let Some(newline) = find_line_end(rest, b'\n') else {
        return if rest.len() > INLINE_MAX_SIZE {
            error("Protocol error: too big inline request")
        } else {
            Parsed::Incomplete
        };
    };
    let line = match rest[..newline].strip_suffix(b"\r") {
        Some(line) => line,
        None => &rest[..newline],
    };
    let args = if line.iter().any(|&b| b == b'"' || b == b'\'') {
        let Ok(args) = split_args(line) else {
            return error("Protocol error: unbalanced quotes in request");
        };
        args
    } else {
        // Without quotes, splitting is cutting at whitespace: done into reused buffers.
        let mut args = args;
        for word in line.split(|&b| is_c_space(b)).filter(|w| !w.is_empty()) {
            let mut arg = spare.pop().unwrap_or_default();
            arg.extend_from_slice(word);
            args.push(arg);
        }
        args
    };
    *pos += newline + 1;
    if args.is_empty() {
        Parsed::Nothing
    } else {
        Parsed::Command(args)
    }
}

/// C's isspace in the "C" locale, which separates inline arguments.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    /// Parses everything in `input` at once.
    fn all(input: &[u8], auth_required: bool) -> (Vec<Parsed>, usize) {
        let mut parser = RequestParser::default();
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            let parsed = parser.parse(input, &mut pos, auth_required);
            let stop = matches!(parsed, Parsed::Incomplete | Parsed::Error(_));
            out.push(parsed);
            if stop {
                return (out, pos);
            }
        }
    }

    fn err(text: &str) -> Parsed {
        Parsed::Error(text.as_bytes().to_vec())
    }

    #[test]
    fn multibulk_and_inline_requests() {
        let (parsed, pos) = all(
            b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n\r\nSET k \"a b\"\nECHO x",
            false,
        );
        assert_eq!(
            parsed,
            vec![
                Parsed::Command(argv(&["GET", "k"])),
                Parsed::Command(argv(&["PING"])),
                Parsed::Nothing,
                Parsed::Command(argv(&["SET", "k", "a b"])),
                Parsed::Incomplete,
            ]
        );
        assert_eq!(pos, 40);
    }

    #[test]
    fn requests_split_anywhere_parse_the_same() {
        let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*0\r\n*1\r\n$4\r\nPING\r\n";
        let whole = all(input, false).0;
        for cut in 0..input.len() {
            let mut parser = RequestParser::default();
            let mut buffer = Vec::new();
            let mut got = Vec::new();
            let mut pos = 0;
            for piece in [&input[..cut], &input[cut..]] {
                buffer.drain(..pos);
                pos = 0;
                buffer.extend_from_slice(piece);
                loop {
                    match parser.parse(&buffer, &mut pos, false) {
                        Parsed::Incomplete => break,
                        other => got.push(other),
                    }
                }
            }
            got.push(Parsed::Incomplete);
            assert_eq!(got, whole, "cut at {cut}");
        }
    }

    #[test]
    fn protocol_errors_match_redis() {
        let cases: &[(&[u8], &str)] = &[
            (b"*abc\r\n", "Protocol error: invalid multibulk length"),
            (b"*-\r\n", "Protocol error: invalid multibulk length"),
            (
                b"*3000000000\r\n",
                "Protocol error: invalid multibulk length",
            ),
            (b"*1\r\nx\r\n", "Protocol error: expected '$', got 'x'"),
            (b"*1\r\n\r\n", "Protocol error: expected '$', got ' '"),
            (b"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
            (b"*1\r\n$x\r\n", "Protocol error: invalid bulk length"),
            (
                b"*1\r\n$536870913\r\n",
                "Protocol error: invalid bulk length",
            ),
            (
                b"SET k \"abc\r\n",
                "Protocol error: unbalanced quotes in request",
            ),
            (
                b"SET k 'a'b\r\n",
                "Protocol error: unbalanced quotes in request",
            ),
        ];
        for (input, expected) in cases {
            let (parsed, _) = all(input, false);
            assert_eq!(parsed.last(), Some(&err(expected)), "{input:?}");
        }
    }

    #[test]
    fn negative_and_zero_counts_are_empty_requests() {
        let (parsed, pos) = all(b"*0\r\n*-1\r\n", false);
        assert_eq!(
            parsed,
            vec![Parsed::Nothing, Parsed::Nothing, Parsed::Incomplete]
        );
        assert_eq!(pos, 9);
    }

    #[test]
    fn limits() {
        let long = vec![b'a'; INLINE_MAX_SIZE + 1];
        assert_eq!(
            all(&long, false).0,
            vec![err("Protocol error: too big inline request")]
        );
        let mut header = b"*".to_vec();
        header.extend(vec![b'1'; INLINE_MAX_SIZE + 1]);
        assert_eq!(
            all(&header, false).0,
            vec![err("Protocol error: too big mbulk count string")]
        );
        let mut bulk = b"*1\r\n$".to_vec();
        bulk.extend(vec![b'1'; INLINE_MAX_SIZE + 1]);
        assert_eq!(
            all(&bulk, false).0.last(),
            Some(&err("Protocol error: too big bulk count string"))
        );
        assert_eq!(
            all(b"*11\r\n", true).0,
            vec![err("Protocol error: unauthenticated multibulk length")]
        );
        assert_eq!(all(b"*11\r\n", false).0, vec![Parsed::Incomplete]);
        assert_eq!(
            all(b"*1\r\n$16385\r\n", true).0,
            vec![err("Protocol error: unauthenticated bulk length")]
        );
    }

    #[test]
    fn nul_bytes_hide_line_ends_as_in_c() {
        // strchr stops at NUL: the newline after it is never seen.
        assert_eq!(all(b"PI\x00NG\r\n", false).0, vec![Parsed::Incomplete]);
        // Inside bulk data, NUL is just data.
        assert_eq!(
            all(b"*1\r\n$3\r\na\x00b\r\n", false).0[0],
            Parsed::Command(vec![b"a\x00b".to_vec()])
        );
    }

    #[test]
    fn inline_requests_split_like_redis_cli() {
        let lines: &[&[u8]] = &[
            b"PING",
            b"  SET\tk \x0bv\x0c ",
            b"GET a\\b",
            b"ECHO \"a b\" 'c'",
            b"",
            b"   ",
        ];
        for line in lines {
            let mut input = line.to_vec();
            input.extend_from_slice(b"\r\n");
            let (parsed, _) = all(&input, false);
            let expected = match split_args(line).unwrap() {
                args if args.is_empty() => Parsed::Nothing,
                args => Parsed::Command(args),
            };
            assert_eq!(parsed[0], expected, "{line:?}");
        }
    }

    #[test]
    fn header_numbers_read_like_string2ll() {
        assert_eq!(header_line(b"*3\r\n"), Some((2, Some(3))));
        assert_eq!(
            header_line(b"$123456789012345678\r"),
            Some((19, Some(123456789012345678)))
        );
        assert_eq!(
            header_line(b"$1234567890123456789\r"),
            Some((20, Some(1234567890123456789)))
        );
        assert_eq!(header_line(b"$99999999999999999999\r"), Some((21, None)));
        assert_eq!(header_line(b"$012\r"), Some((4, None)));
        assert_eq!(header_line(b"$-1\r"), Some((3, Some(-1))));
        assert_eq!(header_line(b"$0\r"), Some((2, Some(0))));
        assert_eq!(header_line(b"$1x\r"), Some((3, None)));
        assert_eq!(header_line(b"$1\x002\r"), None);
        assert_eq!(header_line(b"$12"), None);
        assert_eq!(header_line(b"\r"), Some((0, None)));
    }

    /// Found by fuzzing: a bulk header line that is only a `\r` ends where Redis's strchr
    /// finds it, at its first byte, however the digits after it arrive.
    #[test]
    fn a_header_line_can_end_at_its_type_byte() {
        let input = b"*3\r\n$3\rS~T\r\ns\r5\r";
        let expected = err("Protocol error: expected '$', got ' '");
        assert_eq!(all(input, false).0.last(), Some(&expected));
        let mut parser = RequestParser::default();
        let mut pending = Vec::new();
        let mut outcome = None;
        for piece in input.chunks(3) {
            pending.extend_from_slice(piece);
            let mut pos = 0;
            match parser.parse(&pending, &mut pos, false) {
                Parsed::Incomplete => {}
                other => outcome = Some(other),
            }
            pending.drain(..pos);
        }
        assert_eq!(outcome, Some(expected));
    }

    #[test]
    fn bulk_terminator_is_not_checked() {
        assert_eq!(
            all(b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n", false).0[..2],
            [
                Parsed::Command(argv(&["PING"])),
                Parsed::Command(argv(&["PING"]))
            ]
        );
    }

    /// Random and mutated requests, fed in random-sized pieces as reads deliver them: the
    /// parser answers Command/Nothing/Incomplete/Error and never panics or loops.
    #[test]
    fn arbitrary_bytes_never_panic() {
        let seeds: &[&[u8]] = &[
            b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
            b"SET k \"a b\" 'c'\r\n",
            b"*-1\r\n*0\r\n$-1\r\n*3\r\n$99999999999\r\n",
            b"*1\r\n$4\r\nPI\x00G\r\n",
        ];
        let mut state: u64 = 0x9e37_79b9;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n.max(1)
        };
        for _ in 0..20_000 {
            let mut input = seeds[next(seeds.len())].to_vec();
            for _ in 0..next(6) {
                let at = next(input.len() + 1);
                let table = b"*$\r\n-0123456789\"' \x00abc";
                let byte = table[next(table.len())];
                match next(3) {
                    0 => input.insert(at, byte),
                    1 if at < input.len() => {
                        input.remove(at);
                    }
                    _ if at < input.len() => input[at] = byte,
                    _ => {}
                }
            }
            let mut parser = RequestParser::default();
            let mut available = 0;
            let mut pos = 0;
            for _ in 0..input.len() * 2 + 4 {
                available = (available + 1 + next(8)).min(input.len());
                match parser.parse(&input[..available], &mut pos, next(2) == 0) {
                    Parsed::Error(_) => break,
                    Parsed::Incomplete if available == input.len() => break,
                    _ => {}
                }
            }
        }
    }
}
