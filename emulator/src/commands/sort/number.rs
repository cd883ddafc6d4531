//! How SORT reads a number: C's `strtod` over the whole string (up to a NUL byte), which must
//! leave nothing unread and must not report a range error (`ERANGE`) or NaN.

/// The value of `text` as SORT's numeric comparison reads it, None when Redis answers "One or
/// more scores can't be converted into double".
pub(super) fn sort_score(text: &[u8]) -> Option<f64> {
    // strtod sees a C string: a NUL byte ends it.
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    // Leading white space (C's isspace) is skipped.
    let start = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
        .unwrap_or(text.len());
    let text = &text[start..];
    if text.is_empty() {
        // Nothing parsed: strtod returns 0 and the end pointer is at the (empty) end.
        return Some(0.0);
    }
    let (negative, unsigned) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude =
        if unsigned.eq_ignore_ascii_case(b"inf") || unsigned.eq_ignore_ascii_case(b"infinity") {
            f64::INFINITY
        } else if unsigned.len() > 1 && unsigned[0] == b'0' && (unsigned[1] | 0x20) == b'x' {
            hexadecimal(&unsigned[2..])?
        } else {
            decimal(unsigned)?
        };
    Some(if negative { -magnitude } else { magnitude })
}

/// `digits[.digits][e[+-]digits]` (or `.digits...`), correctly rounded; None if malformed or
/// out of range (overflow, or an inexact result below the normal range).
fn decimal(text: &[u8]) -> Option<f64> {
    let mantissa_end = text
        .iter()
        .position(|&b| b == b'e' || b == b'E')
        .unwrap_or(text.len());
    let (mantissa, exponent) = text.split_at(mantissa_end);
    let mut dots = 0;
    let mut digits = 0;
    let mut nonzero = false;
    for &b in mantissa {
        match b {
            b'.' => dots += 1,
            b'0'..=b'9' => {
                digits += 1;
                nonzero |= b != b'0';
            }
            _ => return None,
        }
    }
    if dots > 1 || digits == 0 {
        return None;
    }
    if let Some(rest) = exponent.get(1..) {
        let digits = match rest.first() {
            Some(b'+' | b'-') => &rest[1..],
            _ => rest,
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    let value: f64 = std::str::from_utf8(text).ok()?.parse().ok()?;
    let out_of_range = value.is_infinite() || (nonzero && value < f64::MIN_POSITIVE);
    (!out_of_range).then_some(value)
}

/// `hexdigits[.hexdigits][p[+-]digits]` after `0x`; None if malformed, overflowing, or
/// inexact below the normal range.
fn hexadecimal(text: &[u8]) -> Option<f64> {
    let mantissa_end = text
        .iter()
        .position(|&b| b == b'p' || b == b'P')
        .unwrap_or(text.len());
    let (mantissa, exponent_text) = text.split_at(mantissa_end);
    let mut significand: u128 = 0;
    let mut exponent: i64 = 0;
    let mut digits = 0;
    let mut dots = 0;
    let mut lost_bits = false;
    for &b in mantissa {
        if b == b'.' {
            dots += 1;
            continue;
        }
        let digit = char::from(b).to_digit(16)?;
        digits += 1;
        if significand >> 120 == 0 {
            significand = significand * 16 + u128::from(digit);
            if dots > 0 {
                exponent -= 4;
            }
        } else {
            lost_bits |= digit != 0;
            if dots == 0 {
                exponent += 4;
            }
        }
    }
    if dots > 1 || digits == 0 {
        return None;
    }
    if let Some(rest) = exponent_text.get(1..) {
        let (negative, digits) = match rest.first() {
            Some(b'-') => (true, &rest[1..]),
            Some(b'+') => (false, &rest[1..]),
            _ => (false, rest),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut value: i64 = 0;
        for &d in digits {
            value = value.saturating_mul(10).saturating_add(i64::from(d - b'0'));
        }
        exponent = exponent.saturating_add(if negative { -value } else { value });
    }
    if significand == 0 {
        return (!lost_bits).then_some(0.0);
    }
    let trailing = significand.trailing_zeros();
    significand >>= trailing;
    exponent = exponent.saturating_add(i64::from(trailing));
    let bits = i64::from(128 - significand.leading_zeros());
    let top = exponent.saturating_add(bits);
    if top > 1024 {
        return None;
    }
    let exact = !lost_bits && exponent >= -1074 && bits <= 53;
    if top <= -1021 && !exact {
        // Below the normal range and inexact: strtod reports ERANGE.
        return None;
    }
    // Scale in steps that stay within the double range.
    let mut value = significand as f64;
    let mut remaining = exponent;
    while remaining != 0 {
        let step = remaining.clamp(-1000, 1000);
        value *= 2f64.powi(step as i32);
        remaining -= step;
    }
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::sort_score;

    #[test]
    fn reads_numbers_as_redis_sort_does() {
        for (text, expected) in [
            ("1", Some(1.0)),
            (" 5", Some(5.0)),
            ("", Some(0.0)),
            ("  ", Some(0.0)),
            ("+.5", Some(0.5)),
            ("1.", Some(1.0)),
            ("-3e2", Some(-300.0)),
            ("0x10", Some(16.0)),
            ("0x.8", Some(0.5)),
            ("0X1P-2", Some(0.25)),
            ("inf", Some(f64::INFINITY)),
            ("-Infinity", Some(f64::NEG_INFINITY)),
            ("0e-400", Some(0.0)),
            ("0x1p-1074", Some(5e-324)),
            ("5\0junk", Some(5.0)),
            ("5 ", None),
            (".", None),
            ("1e", None),
            ("0x", None),
            ("0x1p", None),
            ("nan", None),
            ("1e400", None),
            ("1e-400", None),
            ("1e-310", None),
            ("0x1p1024", None),
            ("1_000", None),
            ("abc", None),
        ] {
            assert_eq!(sort_score(text.as_bytes()), expected, "{text:?}");
        }
    }
}
