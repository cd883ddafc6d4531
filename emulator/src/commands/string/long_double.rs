//! INCRBYFLOAT computes in C's `long double`, which on the x86-64 servers Redis runs on is the
//! x87 80-bit extended format (64-bit significand, 15-bit exponent). Its results are printed
//! with `%.17Lf`, so they only match Redis byte for byte if they are computed in that format:
//! `0.1 + 1.1` is `1.2` there but `1.2000000000000002` in f64. This module parses (as glibc's
//! `strtold`), adds and prints such values with exact rounding.

use super::bignum::BigUint;

/// A finite or infinite extended-precision value. Finite values are
/// `(-1)^negative * significand * 2^exponent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongDouble {
    Finite {
        negative: bool,
        significand: u64,
        exponent: i64,
    },
    Infinite,
}

/// Exponent of the least significant significand bit of subnormals (2^-16445 is the smallest
/// positive value).
const MIN_EXPONENT: i64 = -16445;
/// Exponent of the least significant significand bit of the largest finite values.
const MAX_EXPONENT: i64 = 16320;
/// Redis refuses to parse numbers this long or longer (MAX_LONG_DOUBLE_CHARS).
const MAX_CHARS: usize = 5 * 1024;
/// Digits after the point in `%.17Lf`.
const PRINTED_DECIMALS: u64 = 17;

enum Rounded {
    Value(LongDouble),
    Overflow,
    Underflow,
}

impl LongDouble {
    pub fn from_i64(n: i64) -> LongDouble {
        LongDouble::Finite {
            negative: n < 0,
            significand: n.unsigned_abs(),
            exponent: 0,
        }
    }

    fn zero(negative: bool) -> LongDouble {
        LongDouble::Finite {
            negative,
            significand: 0,
            exponent: 0,
        }
    }

    /// Parses a whole string as Redis's `string2ld` does: `strtold` syntax (decimal, hex
    /// `0x1.8p3`, `inf`), no leading space, nothing after the number, and no NaN, overflow or
    /// underflow to zero.
    pub fn parse(text: &[u8]) -> Option<LongDouble> {
        if text.is_empty() || text.len() >= MAX_CHARS {
            return None;
        }
        let (negative, body) = match text[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let lower = body.to_ascii_lowercase();
        if lower == b"inf" || lower == b"infinity" {
            return Some(LongDouble::Infinite);
        }
        let rounded = if lower.starts_with(b"0x") {
            parse_hex(negative, &lower[2..])?
        } else {
            parse_decimal(negative, &lower)?
        };
        match rounded {
            Rounded::Value(v) => Some(v),
            Rounded::Overflow | Rounded::Underflow => None,
        }
    }

    /// The sum, or None if it is not finite.
    pub fn add(self, other: LongDouble) -> Option<LongDouble> {
        let (
            LongDouble::Finite {
                negative: a_neg,
                significand: a_sig,
                exponent: a_exp,
            },
            LongDouble::Finite {
                negative: b_neg,
                significand: b_sig,
                exponent: b_exp,
            },
        ) = (self, other)
        else {
            return None;
        };
        // Both values lie on the grid of 2^min_exp, where their sum is exact.
        let min_exp = a_exp.min(b_exp);
        let a = BigUint::from_u128(a_sig as u128).shl((a_exp - min_exp) as u64);
        let b = BigUint::from_u128(b_sig as u128).shl((b_exp - min_exp) as u64);
        let (negative, magnitude) = if a_neg == b_neg {
            (a_neg, a.add(&b))
        } else if a >= b {
            (a_neg, a.sub(&b))
        } else {
            (b_neg, b.sub(&a))
        };
        if magnitude.is_zero() {
            // In round-to-nearest, x + (-x) is +0.
            return Some(LongDouble::zero(a_neg && b_neg));
        }
        match round(negative, &magnitude, min_exp, false) {
            Rounded::Value(v) => Some(v),
            Rounded::Overflow | Rounded::Underflow => None,
        }
    }

    /// Formats as Redis does for INCRBYFLOAT: `%.17Lf`, trailing zeros of the fraction removed,
    /// and `-0` written `0`.
    pub fn to_human_string(self) -> String {
        let LongDouble::Finite {
            negative,
            significand,
            exponent,
        } = self
        else {
            return "inf".into();
        };
        let sign = if negative { "-" } else { "" };
        let text = if exponent >= 0 {
            BigUint::from_u128(significand as u128)
                .shl(exponent as u64)
                .to_decimal()
        } else {
            fixed_point(significand, exponent.unsigned_abs())
        };
        if text == "0" {
            return text;
        }
        format!("{sign}{text}")
    }
}

/// `significand * 2^-shift` with 17 decimals rounded half to even (as glibc's printf does),
/// trailing zeros and a bare point removed.
fn fixed_point(significand: u64, shift: u64) -> String {
    let (mut int_part, fraction) = if shift < 64 {
        (significand >> shift, significand & ((1u64 << shift) - 1))
    } else {
        (0, significand)
    };
    let mut scaled = BigUint::from_u128(fraction as u128);
    scaled.mul_pow10(PRINTED_DECIMALS);
    let mut decimals = scaled.shr(shift).low_u128() as u64;
    let guard = scaled.bit(shift - 1);
    let sticky = scaled.any_low_bits(shift - 1);
    if guard && (sticky || decimals & 1 == 1) {
        decimals += 1;
        if decimals == 10u64.pow(PRINTED_DECIMALS as u32) {
            decimals = 0;
            int_part += 1;
        }
    }
    let text = format!("{int_part}.{decimals:017}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Rounds `magnitude * 2^exp2` (plus a little more if `sticky`) to the nearest extended value,
/// ties to even, with gradual underflow.
fn round(negative: bool, magnitude: &BigUint, exp2: i64, sticky: bool) -> Rounded {
    let bits = magnitude.bit_len() as i64;
    if bits == 0 {
        return Rounded::Underflow;
    }
    let mut lsb = (exp2 + bits - 64).max(MIN_EXPONENT);
    let shift = lsb - exp2;
    let significand = if shift <= 0 {
        magnitude.shl(shift.unsigned_abs()).low_u128()
    } else {
        let shift = shift as u64;
        let kept = magnitude.shr(shift).low_u128();
        let guard = magnitude.bit(shift - 1);
        let rest = sticky || magnitude.any_low_bits(shift - 1);
        if guard && (rest || kept & 1 == 1) {
            kept + 1
        } else {
            kept
        }
    };
    let significand = if significand >> 64 != 0 {
        lsb += 1;
        (significand >> 1) as u64
    } else {
        significand as u64
    };
    if significand == 0 {
        Rounded::Underflow
    } else if lsb > MAX_EXPONENT {
        Rounded::Overflow
    } else {
        Rounded::Value(LongDouble::Finite {
            negative,
            significand,
            exponent: lsb,
        })
    }
}

/// Reads ASCII digits in `radix` from the front of `s`; returns the digit values.
fn take_digits(s: &[u8], radix: u32) -> Vec<u32> {
    s.iter()
        .map_while(|&c| (c as char).to_digit(radix))
        .collect()
}

/// An optional exponent (`e-12`, `p+3`) at the front of `s`: its value (saturated) and the bytes
/// used, or no bytes when the marker is not followed by digits.
fn take_exponent(s: &[u8], marker: u8) -> (i64, usize) {
    if s.first() != Some(&marker) {
        return (0, 0);
    }
    let (negative, start) = match s.get(1) {
        Some(b'-') => (true, 2),
        Some(b'+') => (false, 2),
        _ => (false, 1),
    };
    let digits = take_digits(&s[start.min(s.len())..], 10);
    if digits.is_empty() {
        return (0, 0);
    }
    let value = digits.iter().fold(0i64, |acc, &d| {
        acc.saturating_mul(10).saturating_add(d as i64)
    });
    (if negative { -value } else { value }, start + digits.len())
}

/// Digits before and after an optional point; None without any digit.
fn take_mantissa(s: &[u8], radix: u32) -> Option<(Vec<u32>, Vec<u32>, usize)> {
    let int_digits = take_digits(s, radix);
    let mut used = int_digits.len();
    let mut frac_digits = Vec::new();
    if s.get(used) == Some(&b'.') {
        frac_digits = take_digits(&s[used + 1..], radix);
        used += 1 + frac_digits.len();
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    Some((int_digits, frac_digits, used))
}

fn parse_decimal(negative: bool, s: &[u8]) -> Option<Rounded> {
    let (int_digits, frac_digits, used) = take_mantissa(s, 10)?;
    let (exp, exp_len) = take_exponent(&s[used..], b'e');
    if used + exp_len != s.len() {
        return None;
    }
    let mut digits: Vec<u32> = int_digits;
    digits.extend_from_slice(&frac_digits);
    let mut exp10 = exp.saturating_sub(frac_digits.len() as i64);
    let first = digits.iter().position(|&d| d != 0);
    let Some(first) = first else {
        return Some(Rounded::Value(LongDouble::zero(negative)));
    };
    let last = digits.iter().rposition(|&d| d != 0).unwrap_or(first);
    exp10 = exp10.saturating_add((digits.len() - 1 - last) as i64);
    let significant = &digits[first..=last];
    // The value lies in [10^(magnitude-1), 10^magnitude): far outside the format's range
    // (about 3.6e-4951 to 1.2e4932) it overflows or underflows without exact arithmetic.
    let magnitude = exp10.saturating_add(significant.len() as i64);
    if magnitude > 4940 {
        return Some(Rounded::Overflow);
    }
    if magnitude < -4960 {
        return Some(Rounded::Underflow);
    }
    let mut number = BigUint::zero();
    for chunk in significant.chunks(9) {
        number.mul_small(10u32.pow(chunk.len() as u32));
        number.add_small(chunk.iter().fold(0, |acc, &d| acc * 10 + d));
    }
    if exp10 >= 0 {
        number.mul_pow10(exp10 as u64);
        return Some(round(negative, &number, 0, false));
    }
    // number / 10^-exp10: scale so that the quotient has 66 to 68 bits, more than the 64 kept
    // plus a guard bit; the remainder only matters as a sticky bit.
    let mut divisor = BigUint::pow10(exp10.unsigned_abs());
    let scale = 67 + divisor.bit_len() as i64 - number.bit_len() as i64;
    if scale >= 0 {
        number = number.shl(scale as u64);
    } else {
        divisor = divisor.shl(scale.unsigned_abs());
    }
    let (quotient, remainder) = number.divide_bounded(&divisor, 69);
    Some(round(
        negative,
        &BigUint::from_u128(quotient),
        -scale,
        remainder,
    ))
}

fn parse_hex(negative: bool, s: &[u8]) -> Option<Rounded> {
    let (int_digits, frac_digits, used) = take_mantissa(s, 16)?;
    let (exp, exp_len) = take_exponent(&s[used..], b'p');
    if used + exp_len != s.len() {
        return None;
    }
    let mut number = BigUint::zero();
    for &d in int_digits.iter().chain(&frac_digits) {
        number.mul_small(16);
        number.add_small(d);
    }
    if number.is_zero() {
        return Some(Rounded::Value(LongDouble::zero(negative)));
    }
    let exp2 = exp.saturating_sub(4 * frac_digits.len() as i64);
    let top = exp2.saturating_add(number.bit_len() as i64);
    if top > MAX_EXPONENT + 70 {
        return Some(Rounded::Overflow);
    }
    if top < MIN_EXPONENT - 2 {
        return Some(Rounded::Underflow);
    }
    Some(round(negative, &number, exp2, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(a: &str, b: &str) -> String {
        let a = LongDouble::parse(a.as_bytes()).unwrap();
        let b = LongDouble::parse(b.as_bytes()).unwrap();
        a.add(b).unwrap().to_human_string()
    }

    fn show(a: &str) -> String {
        sum(a, "0")
    }

    #[test]
    fn matches_x87_results() {
        assert_eq!(show("0.1"), "0.1");
        assert_eq!(sum("0.1", "1.1"), "1.2");
        assert_eq!(sum("10.5", "0.1"), "10.6");
        assert_eq!(show("5.0e3"), "5000");
        assert_eq!(show("0x1p3"), "8");
        assert_eq!(show("-0x1.8"), "-1.5");
        assert_eq!(show("1.23456789012345678901234567"), "1.23456789012345679");
        assert_eq!(show("0.000003814697265625"), "0.00000381469726562");
        assert_eq!(show("-0.00000000000000000001"), "0");
        assert_eq!(show("3.0000000000000000000000001"), "3");
        assert!(show("1e400").starts_with(
            "1000000000000000000028188068394758651458645343362905203862591069353968553400862986203936399484832416"
        ));
        assert_eq!(show("1e400").len(), 401);
    }

    #[test]
    fn rejects_what_strtold_rejects() {
        for bad in [
            "", " 1", "1 ", "1e", "1e+", ".", "0x", "nan", "-nan", "abc", "1e-5000", "1e5000",
            "1.5.2", "1\0",
        ] {
            assert_eq!(LongDouble::parse(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(LongDouble::parse(b"-inf"), Some(LongDouble::Infinite));
        assert_eq!(
            LongDouble::parse(b"0e-99999"),
            Some(LongDouble::zero(false))
        );
        assert!(LongDouble::parse(b"4e-4951").is_some());
        assert!(LongDouble::parse(b"1.1e4932").is_some());
        assert!(LongDouble::parse(b"1.2e4932").is_none());
    }

    #[test]
    fn overflowing_sums_are_not_finite() {
        let big = LongDouble::parse(b"1.1e4932").unwrap();
        assert_eq!(big.add(big), None);
        assert_eq!(big.add(LongDouble::Infinite), None);
    }
}
