//! LATENCY GRAPH (an ASCII sparkline of one event's samples) and LATENCY DOCTOR (Redis's
//! human-readable analysis), as Redis 7.0's latency.c and sparkline.c write them.

use super::latency_monitor::Series;
use crate::server::Server;

/// Columns of the graph (Redis's LATENCY_GRAPH_COLS) and rows of the sparkline.
const GRAPH_COLUMNS: usize = 80;
const GRAPH_ROWS: usize = 4;
/// Sparkline characters, from low to high; filled columns use `FILL` below the top.
const CHARS: &[u8] = b"_o#";

/// How long ago a sample was taken, as the graph labels it: `12s`, `5m`, `3h`, `2d`.
fn age_label(elapsed: i64) -> String {
    match elapsed {
        e if e < 60 => format!("{e}s"),
        e if e < 3600 => format!("{}m", e / 60),
        e if e < 3600 * 24 => format!("{}h", e / 3600),
        e => format!("{}d", e / (3600 * 24)),
    }
}

/// Redis's latencyCommandGenSparkeline.
pub(super) fn graph(event: &str, series: &Series, now_secs: u64) -> String {
    let samples: Vec<(u64, u64)> = series.history().collect();
    let low = samples.iter().map(|s| s.1).min().unwrap_or(0);
    let high = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let mut out = format!(
        "{event} - high {high} ms, low {low} ms (all time high {} ms)\n",
        series.max()
    );
    out.push_str(&"-".repeat(GRAPH_COLUMNS));
    out.push('\n');
    let points: Vec<(f64, String)> = samples
        .iter()
        .map(|&(time, latency)| (latency as f64, age_label(now_secs as i64 - time as i64)))
        .collect();
    for (i, chunk) in points.chunks(GRAPH_COLUMNS).enumerate() {
        if i != 0 {
            out.push('\n');
        }
        render_range(&mut out, chunk, low as f64, high as f64);
    }
    out
}

/// sparklineRenderRange with SPARKLINE_FILL: the rows of the graph, then each sample's
/// label written downwards after one blank row.
fn render_range(out: &mut String, points: &[(f64, String)], min: f64, max: f64) {
    let steps = (CHARS.len() * GRAPH_ROWS) as i64;
    let span = if max - min == 0.0 { 1.0 } else { max - min };
    let step_of = |value: f64| {
        // C's `(int) (relval*steps)/relmax`, then clamped.
        let step = (((value - min) * steps as f64) as i64) as f64 / span;
        (step as i64).clamp(0, steps - 1)
    };
    for row in 0..GRAPH_ROWS as i64 {
        let line: String = points
            .iter()
            .map(|(value, _)| {
                let index = step_of(*value) - (GRAPH_ROWS as i64 - row - 1) * CHARS.len() as i64;
                if (0..CHARS.len() as i64).contains(&index) {
                    CHARS[index as usize] as char
                } else if index >= CHARS.len() as i64 {
                    '|'
                } else {
                    ' '
                }
            })
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
    // One blank row, then the labels, one character per row.
    out.push_str(&" ".repeat(points.len()));
    out.push('\n');
    let longest = points.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
    for i in 0..longest {
        let line: String = points
            .iter()
            .map(|(_, label)| label.as_bytes().get(i).map_or(' ', |&b| b as char))
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
}

/// What one event's samples amount to (Redis's analyzeLatencyForEvent).
struct Stats {
    samples: u64,
    average: u64,
    mean_deviation: u64,
    /// Seconds since the oldest sample (at least 1).
    period: u64,
}

fn analyze(series: &Series, now_secs: u64) -> Stats {
    let samples: Vec<(u64, u64)> = series.history().collect();
    let count = samples.len() as u64;
    if count == 0 {
        return Stats {
            samples: 0,
            average: 0,
            mean_deviation: 0,
            period: 0,
        };
    }
    let average = samples.iter().map(|s| s.1).sum::<u64>() / count;
    let oldest = samples.iter().map(|s| s.0).min().unwrap_or(now_secs);
    let deviation: u64 = samples.iter().map(|s| s.1.abs_diff(average)).sum();
    Stats {
        samples: count,
        average,
        mean_deviation: deviation / count,
        period: now_secs.saturating_sub(oldest).max(1),
    }
}

/// Advice the report can end with, in the order Redis lists it. This server records only
/// the `command` and `fast-command` events, so only their advice can arise (Redis's other
/// events come from fork, disk and background work it does not have).
#[derive(Default)]
struct Advice {
    slowlog_enabled: bool,
    slowlog_tuning: bool,
    slowlog_inspect: bool,
    scheduler: bool,
    large_objects: bool,
    count: u32,
}

impl Server {
    /// Redis's createLatencyReport, for the events this server records.
    pub(super) fn latency_report(&self, now_secs: u64) -> String {
        let events = self.monitor.latency_events.all();
        let threshold = self.config.latency_monitor_threshold;
        if events.is_empty() && threshold == 0 {
            return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".into();
        }
        let mut report = String::new();
        let mut advice = Advice::default();
        for (n, (event, series)) in events.iter().enumerate() {
            if n == 0 {
                report.push_str("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
            }
            let stats = analyze(series, now_secs);
            report.push_str(&format!(
                "{}. {event}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.",
                n + 1,
                stats.samples,
                stats.average,
                stats.mean_deviation,
                stats.period as f64 / stats.samples.max(1) as f64,
                series.max()
            ));
            self.advise_for(event, &mut advice);
            report.push('\n');
        }
        if events.is_empty() && advice.count == 0 {
            report.push_str("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n");
        } else if !events.is_empty() && advice.count == 0 {
            report.push_str("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n");
        } else {
            self.write_advice(&mut report, &advice);
        }
        report
    }

    fn advise_for(&self, event: &str, advice: &mut Advice) {
        let is = |name: &str| event.eq_ignore_ascii_case(name);
        if is("command") {
            if self.config.slowlog_log_slower_than < 0 {
                advice.slowlog_enabled = true;
                advice.count += 1;
            } else if self.config.slowlog_log_slower_than / 1000
                > self.config.latency_monitor_threshold
            {
                advice.slowlog_tuning = true;
                advice.count += 1;
            }
            advice.slowlog_inspect = true;
            advice.large_objects = true;
            advice.count += 2;
        }
        if is("fast-command") {
            advice.scheduler = true;
            advice.count += 1;
        }
    }

    fn write_advice(&self, report: &mut String, advice: &Advice) {
        let threshold_us = (self.config.latency_monitor_threshold as u64).saturating_mul(1000);
        report.push_str("\nI have a few advices for you:\n\n");
        if advice.slowlog_enabled {
            report.push_str(&format!("- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than {threshold_us}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n"));
        }
        if advice.slowlog_tuning {
            report.push_str(&format!("- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {threshold_us}'.\n"));
        }
        if advice.slowlog_inspect {
            report.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
        }
        if advice.scheduler {
            report.push_str("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n");
        }
        if advice.large_objects {
            report.push_str("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n");
        }
    }
}
