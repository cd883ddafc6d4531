//! Just enough arbitrary-precision unsigned arithmetic to convert between decimal text and
//! binary floating point exactly (for INCRBYFLOAT's long double emulation).

use std::cmp::Ordering;

/// An unsigned integer of any size: 32-bit limbs, least significant first, no trailing zero
/// limbs (zero is the empty vector).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct BigUint {
    limbs: Vec<u32>,
}

impl BigUint {
    pub fn zero() -> BigUint {
        BigUint::default()
    }

    pub fn from_u128(mut n: u128) -> BigUint {
        let mut limbs = Vec::new();
        while n != 0 {
            limbs.push(n as u32);
            n >>= 32;
        }
        BigUint { limbs }
    }

    pub fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// Number of significant bits (0 for zero).
    pub fn bit_len(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(&top) => 32 * (self.limbs.len() as u64 - 1) + (32 - top.leading_zeros()) as u64,
        }
    }

    pub fn bit(&self, index: u64) -> bool {
        let limb = (index / 32) as usize;
        self.limbs
            .get(limb)
            .is_some_and(|l| (l >> (index % 32)) & 1 == 1)
    }

    /// Whether any of the lowest `count` bits is set.
    pub fn any_low_bits(&self, count: u64) -> bool {
        let whole = (count / 32) as usize;
        if self.limbs.iter().take(whole).any(|&l| l != 0) {
            return true;
        }
        let rest = count % 32;
        rest != 0
            && self
                .limbs
                .get(whole)
                .is_some_and(|&l| l & ((1u32 << rest) - 1) != 0)
    }

    /// The low 128 bits.
    pub fn low_u128(&self) -> u128 {
        self.limbs
            .iter()
            .take(4)
            .enumerate()
            .fold(0u128, |acc, (i, &l)| acc | (l as u128) << (32 * i))
    }

    pub fn mul_small(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in &mut self.limbs {
            let product = *limb as u64 * factor as u64 + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    pub fn add_small(&mut self, addend: u32) {
        let mut carry = addend as u64;
        for limb in &mut self.limbs {
            if carry == 0 {
                return;
            }
            let sum = *limb as u64 + carry;
            *limb = sum as u32;
            carry = sum >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
    }

    /// Multiplies by 10^`exp`.
    pub fn mul_pow10(&mut self, mut exp: u64) {
        while exp >= 9 {
            self.mul_small(1_000_000_000);
            exp -= 9;
        }
        self.mul_small(10u32.pow(exp as u32));
    }

    pub fn pow10(exp: u64) -> BigUint {
        let mut n = BigUint::from_u128(1);
        n.mul_pow10(exp);
        n
    }

    /// Divides in place by `divisor` (non-zero) and returns the remainder.
    pub fn div_small(&mut self, divisor: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let cur = (rem << 32) | *limb as u64;
            *limb = (cur / divisor as u64) as u32;
            rem = cur % divisor as u64;
        }
        self.trim();
        rem as u32
    }

    pub fn shl(&self, bits: u64) -> BigUint {
        if self.is_zero() {
            return BigUint::zero();
        }
        let whole = (bits / 32) as usize;
        let rest = bits % 32;
        let mut limbs = vec![0u32; whole];
        limbs.reserve(self.limbs.len() + 1);
        if rest == 0 {
            limbs.extend_from_slice(&self.limbs);
        } else {
            let mut carry = 0u32;
            for &l in &self.limbs {
                limbs.push((l << rest) | carry);
                carry = l >> (32 - rest);
            }
            limbs.push(carry);
        }
        let mut n = BigUint { limbs };
        n.trim();
        n
    }

    pub fn shr(&self, bits: u64) -> BigUint {
        let whole = (bits / 32) as usize;
        let rest = bits % 32;
        let Some(src) = self.limbs.get(whole..) else {
            return BigUint::zero();
        };
        let mut limbs = Vec::with_capacity(src.len());
        for (i, &l) in src.iter().enumerate() {
            let mut v = l >> rest;
            if rest != 0 {
                if let Some(&next) = src.get(i + 1) {
                    v |= next << (32 - rest);
                }
            }
            limbs.push(v);
        }
        let mut n = BigUint { limbs };
        n.trim();
        n
    }

    pub fn add(&self, other: &BigUint) -> BigUint {
        let (long, short) = if self.limbs.len() >= other.limbs.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut limbs = Vec::with_capacity(long.limbs.len() + 1);
        let mut carry = 0u64;
        for (i, &l) in long.limbs.iter().enumerate() {
            let sum = l as u64 + short.limbs.get(i).copied().unwrap_or(0) as u64 + carry;
            limbs.push(sum as u32);
            carry = sum >> 32;
        }
        if carry != 0 {
            limbs.push(carry as u32);
        }
        BigUint { limbs }
    }

    /// `self - other`; requires `self >= other`.
    pub fn sub(&self, other: &BigUint) -> BigUint {
        let mut limbs = Vec::with_capacity(self.limbs.len());
        let mut borrow = 0i64;
        for (i, &l) in self.limbs.iter().enumerate() {
            let mut diff = l as i64 - other.limbs.get(i).copied().unwrap_or(0) as i64 - borrow;
            borrow = 0;
            if diff < 0 {
                diff += 1 << 32;
                borrow = 1;
            }
            limbs.push(diff as u32);
        }
        let mut n = BigUint { limbs };
        n.trim();
        n
    }

    /// Quotient (which must be below 2^128) and whether a remainder is left.
    pub fn divide_bounded(&self, divisor: &BigUint, quotient_bits: u32) -> (u128, bool) {
        let mut rem = self.clone();
        let mut quotient = 0u128;
        for i in (0..quotient_bits).rev() {
            let shifted = divisor.shl(i as u64);
            if rem >= shifted {
                rem = rem.sub(&shifted);
                quotient |= 1u128 << i;
            }
        }
        (quotient, !rem.is_zero())
    }

    /// Decimal digits.
    pub fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_small(1_000_000_000));
        }
        let mut out = String::with_capacity(chunks.len() * 9);
        for (i, chunk) in chunks.iter().rev().enumerate() {
            if i == 0 {
                out.push_str(&chunk.to_string());
            } else {
                out.push_str(&format!("{chunk:09}"));
            }
        }
        out
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        let mut n = BigUint::pow10(30);
        assert_eq!(n.to_decimal(), format!("1{}", "0".repeat(30)));
        assert_eq!(n.div_small(7), 1);
        let a = BigUint::from_u128(u128::MAX);
        assert_eq!(a.add(&BigUint::from_u128(1)).sub(&a).low_u128(), 1);
        assert_eq!(a.shl(70).shr(70), a);
        assert_eq!(a.bit_len(), 128);
        assert!(a.shl(5).bit(5) && !a.shl(5).bit(4));
        assert!(!a.shl(40).any_low_bits(40) && a.shl(40).any_low_bits(41));
        let (q, rem) = BigUint::from_u128(100).divide_bounded(&BigUint::from_u128(7), 8);
        assert_eq!((q, rem), (14, true));
        assert_eq!(
            BigUint::from_u128(12345678901234567890123).to_decimal(),
            "12345678901234567890123"
        );
    }
}
