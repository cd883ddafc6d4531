//! KEYS and SCAN.

use super::option_is;
use crate::commands::c_str;
use crate::errors;
use crate::glob;
use crate::keyspace::LookupFlags;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::parse_i64;

pub(super) fn keys(srv: &mut Server, call: &mut Call) -> Reply {
    let pattern = call.arg(1);
    let all = pattern == b"*";
    // KEYS hides logically expired keys without deleting them.
    let found = srv.dbs[call.db]
        .keys()
        .filter(|key| all || glob::matches(pattern, key, false))
        .filter(|key| !srv.key_is_expired(call.db, key, call.now))
        .map(|key| Reply::Bulk(key.to_vec()))
        .collect();
    Reply::Array(found)
}

pub(super) fn scan(srv: &mut Server, call: &mut Call) -> Reply {
    let Some(cursor) = parse_cursor(call.arg(1)) else {
        return Reply::error("ERR invalid cursor");
    };
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_filter: Option<&[u8]> = None;
    let mut i = 2;
    while i < call.argc() {
        let has_value = call.argc() - i >= 2;
        let arg = call.arg(i);
        if option_is(arg, "count") && has_value {
            count = match parse_i64(call.arg(i + 1)) {
                Some(n) if n >= 1 => n,
                Some(_) => return errors::syntax(),
                None => return errors::not_integer(),
            };
        } else if option_is(arg, "match") && has_value {
            let p = call.arg(i + 1);
            // A lone `*` matches everything, so it disables matching.
            pattern = (p != b"*").then_some(p);
        } else if option_is(arg, "type") && has_value {
            type_filter = Some(call.arg(i + 1));
        } else {
            return errors::syntax();
        }
        i += 2;
    }

    // Visit buckets until COUNT keys are collected, giving up after ten times as many
    // buckets so a sparse table cannot make one call slow.
    let db = &srv.dbs[call.db];
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut cursor = cursor;
    let mut iterations_left = count.saturating_mul(10);
    loop {
        cursor = db.scan(cursor, |key| found.push(key.to_vec()));
        if cursor == 0 || iterations_left == 0 || found.len() as i64 >= count {
            break;
        }
        iterations_left -= 1;
    }

    let mut keys = Vec::with_capacity(found.len());
    for key in found {
        if let Some(p) = pattern {
            if !glob::matches(p, &key, false) {
                continue;
            }
        }
        if let Some(wanted) = type_filter {
            let actual = srv
                .lookup_read_flags(call.db, &key, call.now, LookupFlags::NO_TOUCH)
                .map_or("none", |entry| entry.value.type_name());
            if !c_str(wanted).eq_ignore_ascii_case(actual.as_bytes()) {
                continue;
            }
        }
        if srv.expire_if_needed(call.db, &key, call.now) {
            continue;
        }
        keys.push(Reply::Bulk(key));
    }
    Reply::Array(vec![
        Reply::Bulk(cursor.to_string().into_bytes()),
        Reply::Array(keys),
    ])
}

/// Parses a SCAN cursor as Redis does with C's `strtoul`: an unsigned 64-bit decimal with an
/// optional sign (`-1` is 2^64-1), nothing after it up to a NUL byte, no leading space, and
/// the empty string meaning 0.
pub(crate) fn parse_cursor(arg: &[u8]) -> Option<u64> {
    let text = c_str(arg);
    let (negative, digits) = match text.first() {
        None => return Some(0),
        Some(b) if b" \t\n\x0b\x0c\r".contains(b) => return None,
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        Some(_) => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut value: u64 = 0;
    for &d in digits {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::parse_cursor;

    #[test]
    fn cursors_parse_like_strtoul() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+7"), Some(7));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_cursor(b"-18446744073709551615"), Some(1));
        assert_eq!(parse_cursor(b"12\0junk"), Some(12));
        for bad in [
            &b" 1"[..],
            b"1 ",
            b"-",
            b"+",
            b"abc",
            b"0x10",
            b"1.5",
            b"\t1",
        ] {
            assert_eq!(parse_cursor(bad), None, "{:?}", bad);
        }
    }
}
