//! The latency histogram redis-benchmark keeps (an HdrHistogram tracking 10 µs to 3 s with
//! three significant figures) and the two walks over it that its report prints: by percentile
//! and by cumulative latency. Bucketing decides the printed figures (a 287 µs request is shown
//! as "<= 0.287 milliseconds", a 100 µs one as "<= 0.103"), so the layout is the same here.

/// Values below 2^UNIT_MAGNITUDE µs share a slot (the histogram's lowest discernible value is
/// 10 µs, whose largest power of two below is 8).
const UNIT_MAGNITUDE: u32 = 3;
/// Three significant figures need 2048 slots per bucket (the smallest power of two >= 2000).
const SUB_BUCKET_HALF_COUNT_MAGNITUDE: u32 = 10;
const SUB_BUCKET_HALF_COUNT: i64 = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
const SUB_BUCKET_COUNT: i64 = SUB_BUCKET_HALF_COUNT * 2;
const SUB_BUCKET_MASK: i64 = (SUB_BUCKET_COUNT - 1) << UNIT_MAGNITUDE;
/// Latencies above this are recorded as this (redis-benchmark's 3 s ceiling).
pub const MAX_LATENCY_US: i64 = 3_000_000;
/// Buckets needed to reach 3 s: 16384 µs doubled until above it.
const BUCKET_COUNT: usize = 9;
const COUNTS_LEN: usize = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT as usize;

/// Request latencies in microseconds.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    /// The smallest non-zero value recorded (i64::MAX when none).
    min_nonzero: i64,
    max: i64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; COUNTS_LEN],
            total: 0,
            min_nonzero: i64::MAX,
            max: 0,
        }
    }
}

fn bucket_index(value: i64) -> u32 {
    let pow2_ceiling = 64 - (value | SUB_BUCKET_MASK).leading_zeros();
    pow2_ceiling - UNIT_MAGNITUDE - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1)
}

fn sub_bucket_index(value: i64, bucket: u32) -> i64 {
    value >> (bucket + UNIT_MAGNITUDE)
}

fn counts_index(value: i64) -> usize {
    let bucket = bucket_index(value);
    let sub = sub_bucket_index(value, bucket);
    let base = (i64::from(bucket) + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    usize::try_from(base + sub - SUB_BUCKET_HALF_COUNT).unwrap_or(0)
}

fn value_at_index(index: usize) -> i64 {
    let index = index as i64;
    let mut bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    let mut sub = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
    if bucket < 0 {
        sub -= SUB_BUCKET_HALF_COUNT;
        bucket = 0;
    }
    sub << (bucket + i64::from(UNIT_MAGNITUDE))
}

fn lowest_equivalent(value: i64) -> i64 {
    let bucket = bucket_index(value);
    sub_bucket_index(value, bucket) << (bucket + UNIT_MAGNITUDE)
}

fn equivalent_range(value: i64) -> i64 {
    let bucket = bucket_index(value);
    let adjusted = if sub_bucket_index(value, bucket) >= SUB_BUCKET_COUNT {
        bucket + 1
    } else {
        bucket
    };
    1 << (UNIT_MAGNITUDE + adjusted)
}

fn highest_equivalent(value: i64) -> i64 {
    lowest_equivalent(value) + equivalent_range(value) - 1
}

fn median_equivalent(value: i64) -> i64 {
    lowest_equivalent(value) + (equivalent_range(value) >> 1)
}

/// One line of a report walk: the percentile (or share) reached, the latency bound in µs,
/// and how many requests fall at or below it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    pub percent: f64,
    pub upto_us: i64,
    pub cumulative: u64,
}

impl Histogram {
    pub fn record(&mut self, latency_us: u64) {
        let value = i64::try_from(latency_us)
            .unwrap_or(MAX_LATENCY_US)
            .min(MAX_LATENCY_US);
        if let Some(slot) = self.counts.get_mut(counts_index(value)) {
            *slot += 1;
            self.total += 1;
            if value != 0 {
                self.min_nonzero = self.min_nonzero.min(value);
            }
            self.max = self.max.max(value);
        }
    }

    /// Records `n` requests that all took `latency_us`.
    pub fn record_many(&mut self, latency_us: u64, n: u64) {
        for _ in 0..n {
            self.record(latency_us);
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn min(&self) -> i64 {
        if self.counts.first().is_some_and(|&c| c > 0) {
            0
        } else if self.min_nonzero == i64::MAX {
            i64::MAX
        } else {
            lowest_equivalent(self.min_nonzero)
        }
    }

    pub fn max(&self) -> i64 {
        if self.max == 0 {
            0
        } else {
            highest_equivalent(self.max)
        }
    }

    pub fn mean(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let sum: f64 = self
            .counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c != 0)
            .map(|(i, &c)| c as f64 * median_equivalent(value_at_index(i)) as f64)
            .sum();
        sum / self.total as f64
    }

    /// The latency that `percentile` per cent of requests stay within.
    pub fn value_at_percentile(&self, percentile: f64) -> i64 {
        let requested = percentile.min(100.0);
        let wanted = (((requested / 100.0) * self.total as f64) + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut running = 0;
        let mut value = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            running += c;
            if running >= wanted {
                value = value_at_index(i);
                break;
            }
        }
        if percentile == 0.0 {
            lowest_equivalent(value)
        } else {
            highest_equivalent(value)
        }
    }

    /// The "Latency by percentile distribution" walk: 0%, 50%, 75%, 87.5%... halving the
    /// distance to 100% at each line, then 100%. Rows whose count did not move are kept; the
    /// report drops them.
    pub fn percentile_rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if self.total == 0 {
            return rows;
        }
        let mut walk = Walk::new(self);
        let mut target = 0.0_f64;
        let mut last_percent = 0.0;
        // Each row moves the target on or the walk forward, so this ends; the cap is a guard.
        for _ in 0..(COUNTS_LEN * 4) {
            if walk.cumulative >= self.total {
                rows.push(Row {
                    percent: 100.0,
                    upto_us: walk.highest,
                    cumulative: walk.cumulative,
                });
                break;
            }
            if walk.index.is_none() && !walk.step() {
                break;
            }
            loop {
                let current = 100.0 * walk.cumulative as f64 / self.total as f64;
                if walk.count != 0 && target <= current {
                    last_percent = target;
                    let halvings = (100.0 / (100.0 - target)).log2().floor() as i32 + 1;
                    let ticks = 2f64.powi(halvings);
                    target += 100.0 / ticks;
                    break;
                }
                if !walk.step() {
                    break;
                }
            }
            rows.push(Row {
                percent: last_percent,
                upto_us: walk.highest,
                cumulative: walk.cumulative,
            });
        }
        rows
    }

    /// The "Cumulative distribution of latencies" walk: every 100 µs, then every millisecond
    /// once past 2 ms.
    pub fn cumulative_rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if self.total == 0 {
            return rows;
        }
        let mut walk = Walk::new(self);
        let mut units = 100;
        let mut level = units;
        let mut level_lowest = lowest_equivalent(level);
        for _ in 0..(COUNTS_LEN * 2) {
            let more = walk.cumulative < self.total
                || (walk.index.map_or(0, |i| i + 1) < COUNTS_LEN
                    && value_at_index(walk.index.map_or(0, |i| i + 1)) > level_lowest);
            if !more {
                break;
            }
            loop {
                if walk.value >= level_lowest {
                    level += units;
                    level_lowest = lowest_equivalent(level);
                    break;
                }
                if !walk.step_unchecked() {
                    break;
                }
            }
            rows.push(Row {
                percent: walk.cumulative as f64 / self.total as f64 * 100.0,
                upto_us: walk.highest,
                cumulative: walk.cumulative,
            });
            if walk.highest > 2000 {
                units = 1000;
            }
            if walk.index.is_some_and(|i| i >= COUNTS_LEN) {
                break;
            }
        }
        rows
    }
}

/// A cursor over the histogram's slots in value order.
struct Walk<'a> {
    histogram: &'a Histogram,
    index: Option<usize>,
    count: u64,
    cumulative: u64,
    value: i64,
    highest: i64,
}

impl<'a> Walk<'a> {
    fn new(histogram: &'a Histogram) -> Walk<'a> {
        Walk {
            histogram,
            index: None,
            count: 0,
            cumulative: 0,
            value: 0,
            highest: 0,
        }
    }

    /// Moves to the next slot unless every request has been counted.
    fn step(&mut self) -> bool {
        if self.cumulative >= self.histogram.total {
            return false;
        }
        self.step_unchecked()
    }

    fn step_unchecked(&mut self) -> bool {
        let next = self.index.map_or(0, |i| i + 1);
        self.index = Some(next);
        let Some(&count) = self.histogram.counts.get(next) else {
            return false;
        };
        self.count = count;
        self.cumulative += count;
        self.value = value_at_index(next);
        self.highest = lowest_equivalent(self.value) + equivalent_range(self.value) - 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_hdr_histogram() {
        assert_eq!(highest_equivalent(287), 287);
        assert_eq!(highest_equivalent(100), 103);
        assert_eq!(highest_equivalent(111), 111);
        assert_eq!(highest_equivalent(0), 7);
        // Past 16384 µs slots are 16 µs wide.
        assert_eq!(lowest_equivalent(16_390), 16_384);
        assert_eq!(highest_equivalent(16_390), 16_399);
        assert_eq!(
            value_at_index(counts_index(20_000)),
            lowest_equivalent(20_000)
        );
        assert!(counts_index(MAX_LATENCY_US) < COUNTS_LEN);
    }

    #[test]
    fn summary_figures() {
        let mut h = Histogram::default();
        h.record_many(100, 50);
        h.record_many(300, 49);
        h.record(5_000);
        assert_eq!(h.total(), 100);
        assert_eq!(h.min(), 96);
        assert_eq!(h.max(), 5_007);
        assert_eq!(h.value_at_percentile(50.0), 103);
        assert_eq!(h.value_at_percentile(95.0), 303);
        assert_eq!(h.value_at_percentile(100.0), 5_007);
    }

    #[test]
    fn percentile_walk_halves_towards_100() {
        let mut h = Histogram::default();
        for v in 1..=1000 {
            h.record(v * 2);
        }
        let rows = h.percentile_rows();
        let first = rows.first().copied().unwrap_or(Row {
            percent: -1.0,
            upto_us: 0,
            cumulative: 0,
        });
        assert_eq!(first.percent, 0.0);
        let percents: Vec<f64> = rows.iter().map(|r| r.percent).collect();
        assert!(percents.contains(&50.0) && percents.contains(&75.0) && percents.contains(&87.5));
        assert_eq!(
            rows.last().map(|r| (r.percent, r.cumulative)),
            Some((100.0, 1000))
        );
    }

    #[test]
    fn cumulative_walk_steps_by_100_microseconds() {
        let mut h = Histogram::default();
        h.record_many(150, 10);
        h.record_many(2_600, 10);
        let rows: Vec<(i64, u64)> = h
            .cumulative_rows()
            .iter()
            .map(|r| (r.upto_us, r.cumulative))
            .collect();
        assert_eq!(rows.first(), Some(&(103, 0)));
        assert_eq!(rows.get(1), Some(&(207, 10)));
        // Past 2 ms the steps are 1 ms: 2.1 ms, then 3.1 ms.
        assert_eq!(rows.last(), Some(&(3_103, 20)));
    }
}
