//! The random choices of SPOP, SRANDMEMBER, ZRANDMEMBER and skiplist node levels.
//!
//! Redis draws these from libc's `random()`; any uniform generator gives the same observable
//! behaviour, since the outcomes are unspecified. The engine is single-threaded, so one
//! generator per thread is one per engine.

use std::cell::Cell;

thread_local! {
    static STATE: Cell<u64> = const { Cell::new(0x2545_F491_4F6C_DD1D) };
}

/// The next 64 random bits (xorshift64*).
pub fn next_u64() -> u64 {
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// A uniform integer in `0..bound` (0 when `bound` is 0).
pub fn below(bound: usize) -> usize {
    if bound == 0 {
        return 0;
    }
    // Multiply-shift keeps the bias negligible for any bound that fits in memory.
    ((next_u64() as u128 * bound as u128) >> 64) as usize
}
