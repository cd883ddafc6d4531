//! Parsers of what clients type or send.

use emulator::cli::{quote_bytes, split_args};
use redis_emu::request::{Parsed, RequestParser};

/// What one parser made of a byte stream: the requests and the final outcome.
fn parse_stream(chunks: &[&[u8]], auth_required: bool) -> Vec<Parsed> {
    let mut parser = RequestParser::default();
    let mut pending: Vec<u8> = Vec::new();
    let mut outcomes = Vec::new();
    for chunk in chunks {
        // As redis-emu's event loop does: unparsed bytes wait for the next read.
        pending.extend_from_slice(chunk);
        let mut pos = 0;
        loop {
            let before = pos;
            match parser.parse(&pending, &mut pos, auth_required) {
                Parsed::Incomplete => break,
                Parsed::Error(text) => {
                    outcomes.push(Parsed::Error(text));
                    return outcomes;
                }
                parsed => {
                    assert!(pos > before, "a request was parsed without consuming input");
                    outcomes.push(parsed);
                }
            }
            if pos == pending.len() {
                break;
            }
        }
        pending.drain(..pos);
    }
    outcomes
}

/// The request parser must read the same requests whether the bytes arrive at once or in
/// pieces (the first byte chooses the piece size and the authentication state).
pub fn request_parser(data: &[u8]) {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let auth_required = control & 0x80 != 0;
    let piece = usize::from(control & 0x7f).max(1);
    let whole = parse_stream(&[stream], auth_required);
    let pieces: Vec<&[u8]> = stream.chunks(piece).collect();
    let split = parse_stream(&pieces, auth_required);
    assert_eq!(whole, split, "parsed differently in pieces of {piece}");
}

/// redis-cli's splitter never panics, and what it splits, quoted back as redis-cli quotes
/// (`sdscatrepr`), splits into the same arguments.
pub fn cli_split(data: &[u8]) {
    let Ok(args) = split_args(data) else {
        return;
    };
    let line = args
        .iter()
        .map(|arg| quote_bytes(arg))
        .collect::<Vec<_>>()
        .join(" ");
    let again = split_args(line.as_bytes()).expect("quoted arguments split again");
    assert_eq!(args, again, "quoting {line:?} does not round-trip");
}
