//! The pseudo-random generator behind the scripts' `math.random`.
//!
//! Redis replaces Lua's `math.random` with the classic 48-bit linear congruential generator
//! (`lrand48`) so every platform produces the same sequence: x' = (0x5DEECE66D * x + 11) mod 2^48,
//! with results taken from the top 31 bits. The state is shared by every script and function of
//! the server and is only reset by `math.randomseed`.

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const INCREMENT: u64 = 0xB;
const MASK_48: u64 = (1 << 48) - 1;
/// The low 16 bits of the state after seeding (and at start).
const SEED_LOW: u64 = 0x330E;
/// The state before any seeding.
const INITIAL: u64 = 0x1234_ABCD_330E;

/// The largest value `next` can return plus one, as Redis's `REDIS_LRAND48_MAX`.
pub const RAND48_MAX: i32 = i32::MAX;

#[derive(Clone, Debug)]
pub struct Rand48 {
    state: u64,
}

impl Default for Rand48 {
    fn default() -> Self {
        Rand48 { state: INITIAL }
    }
}

impl Rand48 {
    /// `srand48`: the seed's 32 bits become the high bits of the state.
    pub fn seed(&mut self, seed: i32) {
        self.state = ((u64::from(seed as u32)) << 16) | SEED_LOW;
    }

    /// `lrand48`: the next value in `0..2^31`.
    pub fn next(&mut self) -> i32 {
        self.state = MULTIPLIER.wrapping_mul(self.state).wrapping_add(INCREMENT) & MASK_48;
        (self.state >> 17) as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_lrand48() {
        // glibc: the first value with the default state, then srand48(0) and two values.
        let mut r = Rand48::default();
        assert_eq!(r.next(), 851401618);
        r.seed(0);
        assert_eq!(r.next(), 366850414);
        assert_eq!(r.next(), 1610402240);
        // glibc: srand48(10); first value
        r.seed(10);
        let first = r.next();
        r.seed(10);
        assert_eq!(r.next(), first);
    }
}
