//! Number parsing and formatting with Redis's (that is, C's) exact rules.

/// C's `printf("%.{precision}g", d)`, with glibc's spellings of infinities and NaNs.
pub fn format_g(d: f64, precision: usize) -> String {
    if d.is_nan() {
        return if d.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf" } else { "-inf" }.into();
    }
    let p = precision.max(1);
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // The exponent C would print with %e at this precision (after rounding).
    let sci = format!("{:.*e}", p - 1, d);
    let (mantissa, x) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    if x < -4 || x >= p as i32 {
        let mantissa = trim_fraction_zeros(mantissa);
        let sign = if x < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", x.abs())
    } else {
        let decimals = (p as i32 - 1 - x).max(0) as usize;
        trim_fraction_zeros(&format!("{d:.decimals$}")).to_string()
    }
}

fn trim_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Parses a whole byte string as a signed 64-bit integer the way Redis's `string2ll` does:
/// no spaces, no `+`, no leading zeros (except "0"), no overflow.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || (digits[0] == b'0' && (digits.len() > 1 || neg)) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else {
        i64::try_from(v).ok()
    }
}

/// Parses a byte string as a double the way Redis's `string2d` does (strtod over the whole
/// string, no leading space, NaN rejected, and out-of-range values rejected: overflow to
/// infinity or underflow to zero). Accepts `inf`, `+inf`, `-inf`, `infinity`.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.is_empty() || s[0].is_ascii_whitespace() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let lower = text.to_ascii_lowercase();
    let body = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    let v = match body {
        "inf" | "infinity" => {
            return Some(if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        t if t.starts_with("0x") => parse_hex_float(&lower)?,
        t if t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-')) =>
        {
            lower.parse::<f64>().ok()?
        }
        _ => return None,
    };
    // strtod reports ERANGE for these, which string2d refuses.
    let mantissa = body.split(['e', 'p']).next().unwrap_or("");
    let nonzero_mantissa = mantissa
        .trim_start_matches("0x")
        .chars()
        .any(|c| c.is_ascii_hexdigit() && c != '0');
    if v.is_nan() || v.is_infinite() || (v == 0.0 && nonzero_mantissa) {
        None
    } else {
        Some(v)
    }
}

/// strtod's hexadecimal form (`0x1p3`, `-0x1.8`), rarely used but accepted by Redis.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.strip_prefix("0x")?;
    let (mant, exp) = match body.split_once('p') {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

/// Lowercases ASCII letters, as Redis does for command names.
pub fn lower(s: &[u8]) -> String {
    String::from_utf8_lossy(s).to_ascii_lowercase()
}

/// Case-insensitive comparison of an argument with an option keyword.
pub fn eq_ignore_case(arg: &[u8], keyword: &str) -> bool {
    arg.eq_ignore_ascii_case(keyword.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_c() {
        let cases: &[(f64, usize, &str)] = &[
            (0.1, 17, "0.10000000000000001"),
            (1750.0, 17, "1750"),
            (1e20, 6, "1e+20"),
            (1e20, 17, "1e+20"),
            (123456789012345678.0, 17, "1.2345678901234568e+17"),
            (0.0001, 17, "0.0001"),
            (0.00001, 17, "1.0000000000000001e-05"),
            (-2.5, 17, "-2.5"),
            (3.0, 6, "3"),
            (f64::INFINITY, 17, "inf"),
            (f64::NEG_INFINITY, 6, "-inf"),
            (f64::NAN, 6, "nan"),
            (1.5e-7, 6, "1.5e-07"),
        ];
        for &(d, p, want) in cases {
            assert_eq!(format_g(d, p), want, "{d} with precision {p}");
        }
    }

    #[test]
    fn integers_parse_like_string2ll() {
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        for bad in [
            &b"9223372036854775808"[..],
            b"+1",
            b" 1",
            b"01",
            b"-0",
            b"",
            b"1.0",
            b"-",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn doubles_parse_like_strtod() {
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b"1e-310"), Some(1e-310));
        assert_eq!(parse_f64(b"0e-400"), Some(0.0));
        for bad in [
            &b"nan"[..],
            b" 1",
            b"1 ",
            b"abc",
            b"",
            b"1e",
            b"1e400",
            b"-1e400",
            b"1e-400",
            b"--inf",
            b"+-1",
        ] {
            assert_eq!(parse_f64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}

/// A fast hasher for small tables with fixed keys (command names): user input can only look
/// keys up, never add them, so SipHash's flooding protection buys nothing there.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }

    /// The same as `write(&[byte])`, without the loop (`str` keys end with one).
    fn write_u8(&mut self, byte: u8) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `BuildHasher` for [`FastHasher`].
pub type FastHash = std::hash::BuildHasherDefault<FastHasher>;

/// Lowercases an ASCII command name into `buf`; None if it is too long or not UTF-8 (then it
/// cannot name a command).
pub fn lower_into<'a>(name: &[u8], buf: &'a mut [u8; 32]) -> Option<&'a str> {
    let out = buf.get_mut(..name.len())?;
    for (o, b) in out.iter_mut().zip(name) {
        *o = b.to_ascii_lowercase();
    }
    std::str::from_utf8(out).ok()
}
