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

    /// How many values were recorded.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// LATENCY HISTOGRAM's distribution: `(microseconds, values at most that long)` at
    /// 1024 ns × 2^k, listed where the count grows, as Redis's logarithmic HDR iteration
    /// (first bucket 1024 ns, base 2) reports it: a level counts every value in the
    /// sub-bucket it starts, and is shown as that sub-bucket's highest value.
    pub fn cumulative_usec(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let (mut level, mut seen, mut next) = (1024u64, 0u64, 0usize);
        while seen < self.total && level <= MAX_VALUE * 2 {
            while let Some(&(index, count)) = self.counts.get(next) {
                if value_of(index) > level {
                    break;
                }
                seen += count;
                next += 1;
            }
            if out
                .last()
                .map_or(seen > 0, |&(_, previous)| seen > previous)
            {
                out.push((highest_equivalent(level) / 1000, seen));
            }
            level *= 2;
        }
        out
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

    #[test]
    fn cumulative_distribution_at_powers_of_two_microseconds() {
        let mut h = Histogram::default();
        for ns in [500, 1_000, 1_000, 3_000, 40_000, 40_000, 900_000] {
            h.record(ns);
        }
        // Levels 1024, 2048, 4096, ... ns, each shown as its sub-bucket's highest value.
        assert_eq!(
            h.cumulative_usec(),
            vec![(1, 3), (4, 4), (66, 6), (1056, 7)]
        );
        assert_eq!(h.total(), 7);
        assert!(Histogram::default().cumulative_usec().is_empty());
    }
}
