//! Per-command latency histograms with the resolution Redis uses (an HDR histogram over
//! 1 ns ..= 1 s keeping two significant digits), for INFO latencystats.
//!
//! Values fall in buckets of 128 sub-buckets each, every bucket twice as wide as the previous
//! one; a percentile is reported as the highest value of the sub-bucket it lands in.

const MIN_VALUE: u64 = 1;
const MAX_VALUE: u64 = 1_000_000_000;
/// log2 of the sub-bucket count (256 sub-buckets give two significant decimal digits).
const SUB_BUCKET_BITS: u32 = 8;
const SUB_BUCKET_HALF_BITS: u32 = SUB_BUCKET_BITS - 1;
const SUB_BUCKET_MASK: u64 = (1 << SUB_BUCKET_BITS) - 1;

#[derive(Debug, Default, Clone)]
pub(crate) struct Histogram {
    /// Count per sub-bucket index, ordered by index; sparse because most commands cover few
    /// buckets (a sorted vector: recording is a short binary search, done for every command).
    counts: Vec<(u32, u64)>,
    /// Position in `counts` of the last value recorded.
    last: usize,
    total: u64,
}

fn bucket_of(v: u64) -> u32 {
    (u64::BITS - (v | SUB_BUCKET_MASK).leading_zeros()) - SUB_BUCKET_BITS
}

fn index_of(v: u64) -> u32 {
    let bucket = bucket_of(v);
    let sub = (v >> bucket) as u32;
    ((bucket + 1) << SUB_BUCKET_HALF_BITS) + sub - (1 << SUB_BUCKET_HALF_BITS)
}

fn value_of(index: u32) -> u64 {
    let half = 1 << SUB_BUCKET_HALF_BITS;
    let mut bucket = (index >> SUB_BUCKET_HALF_BITS) as i64 - 1;
    let mut sub = u64::from((index & (half - 1)) + half);
    if bucket < 0 {
        sub -= u64::from(half);
        bucket = 0;
    }
    sub << bucket
}

/// The largest value recorded in the same sub-bucket as `v`.
fn highest_equivalent(v: u64) -> u64 {
    let bucket = bucket_of(v);
    let sub = v >> bucket;
    let lowest = sub << bucket;
    let width_bucket = if sub >= 1 << SUB_BUCKET_BITS {
        bucket + 1
    } else {
        bucket
    };
    lowest + (1u64 << width_bucket) - 1
}

impl Histogram {
    /// Records one value, clamped to the tracked range.
    pub fn record(&mut self, value: u64) {
        let v = value.clamp(MIN_VALUE, MAX_VALUE);
        let index = index_of(v);
        // Most calls of a command land in the bucket of the previous one.
        if let Some(hit) = self.counts.get_mut(self.last) {
            if hit.0 == index {
                hit.1 += 1;
                self.total += 1;
                return;
            }
        }
        match self.counts.binary_search_by_key(&index, |&(i, _)| i) {
            Ok(at) => {
                self.counts[at].1 += 1;
                self.last = at;
            }
            Err(at) => {
                self.counts.insert(at, (index, 1));
                self.last = at;
            }
        }
        self.total += 1;
    }

    /// The value at `percentile` (0..=100), as HDR histograms report it.
    pub fn value_at_percentile(&self, percentile: f64) -> u64 {
        let requested = percentile.min(100.0);
        let wanted = ((requested / 100.0) * self.total as f64 + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut seen = 0;
        for &(index, count) in &self.counts {
            seen += count;
            if seen >= wanted {
                return highest_equivalent(value_of(index));
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_hdr_resolution() {
        let mut h = Histogram::default();
        h.record(41_000);
        assert_eq!(h.value_at_percentile(50.0), 41_215);
        let mut h = Histogram::default();
        for _ in 0..99 {
            h.record(6_000);
        }
        h.record(10_000);
        assert_eq!(h.value_at_percentile(50.0), 6_015);
        assert_eq!(h.value_at_percentile(99.9), 10_047);
        let mut h = Histogram::default();
        h.record(100);
        assert_eq!(h.value_at_percentile(50.0), 100);
        h.record(0);
        assert_eq!(h.value_at_percentile(1.0), 1);
    }
}
